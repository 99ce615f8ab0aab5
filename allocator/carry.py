"""Last week's plan carried out: this week's export as it would read once that plan's moves were made."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from .inputs import Loaded


def carried_out(loaded: Loaded, worker_of: Mapping[str, str | None]) -> Loaded:
    """The inputs with each child given the worker a previous plan gave them (`worker_of`: child -> worker,
    None: left waiting; a child the plan did not hold keeps the export's worker); a child the plan gave a
    worker waits no longer."""
    children = tuple(dataclasses.replace(c, current_worker=worker_of.get(c.id, c.current_worker),
                                         waited_days=0 if worker_of.get(c.id) else c.waited_days)
                     for c in loaded.instance.children)
    return dataclasses.replace(loaded, instance=dataclasses.replace(loaded.instance, children=children))
