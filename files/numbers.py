"""Numbers as people read them: checking a value against its bounds, and writing money and shares."""
from __future__ import annotations

import math


def number_problem(value: object, *, low: float | None = None, high: float | None = None, low_open: bool = False,
                   integer: bool = False) -> str | None:
    """None when `value` is a finite number in range, else what is wrong and what to write instead.

    Shared by the policy and the workforce scenario, so both say the same thing the same way.
    """
    if _in_range(value, low, high, low_open, integer):
        return None
    rng = []
    if low is not None:
        rng.append(f"{'more than' if low_open else 'at least'} {bound_text(low)}")
    if high is not None:
        rng.append(f"at most {bound_text(high)}")
    kind = "a whole number" if integer else "a number"
    return f"{value!r} is not valid; use {kind}" + (f" {' and '.join(rng)}" if rng else "")


def _in_range(value: object, low: float | None, high: float | None, low_open: bool, integer: bool) -> bool:
    """Whether `value` is a finite number (not a bool), whole if `integer`, within `low` and `high`."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return False
    if integer and not float(value).is_integer():
        return False
    if low is not None and (value < low or (low_open and value == low)):
        return False
    return high is None or value <= high


def bound_text(x: float) -> str:
    """A bound as a message shows it: 10,000,000 rather than 10000000 or 1e7."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e16:
        x = int(x)
    return f"{x:,}" if isinstance(x, int) and abs(x) >= 10_000 else str(x)


def money(x: float | None, missing: str = "") -> str:
    """Pounds as a budget paper writes them: £1.25m from a million, else £41,667."""
    if x is None:
        return missing
    sign = "-" if x < 0 else ""
    return f"{sign}£{abs(x) / 1e6:,.2f}m" if abs(x) >= 1e6 else f"{sign}£{abs(x):,.0f}"


def pct(x: float | None, missing: str = "") -> str:
    """A share as a percentage to one decimal place."""
    return missing if x is None else f"{100 * x:.1f}%"
