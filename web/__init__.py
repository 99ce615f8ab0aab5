"""`caseload serve`: the weekly allocation meeting as a local web page (an optional extra: caseload[web])."""
from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
