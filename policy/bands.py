"""Workload bands (probation's: green under 100%, amber 100-110%, red above), shared by every output."""
from __future__ import annotations

BANDS = {"green": "under 100%", "amber": "100-110%", "red": "over 110%"}


def band_name(util: float | None) -> str:
    """Probation's workload bands: `green` under 100%, `amber` 100-110%, `red` above 110% ("" if no capacity)."""
    if util is None:
        return ""
    return "green" if util < 1.0 else "amber" if util <= 1.10 else "red"


def percent(util: float) -> str:
    """Utilisation to one decimal place, never rounded across a band's edge (0.9996 reads 99.9%, not 100.0%)."""
    shown = round(100 * util, 1)
    name = band_name(util)
    if name == "green":
        shown = min(shown, 99.9)
    elif name == "red":
        shown = max(shown, 110.1)
    return f"{shown:.1f}%"
