"""Numbers as people read them: checking a value against its bounds, and writing money and shares."""
from __future__ import annotations

import math


def number_problem(value, *, low=None, high=None, low_open=False, integer=False) -> str | None:
    """None when `value` is a finite number in range, else what is wrong and what to write instead.

    Shared by the policy and the workforce scenario, so both say the same thing the same way.
    """
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok and integer and not float(value).is_integer():
        ok = False
    if ok and low is not None and (value < low or (low_open and value == low)):
        ok = False
    if ok and high is not None and value > high:
        ok = False
    if ok:
        return None
    rng = []
    if low is not None:
        rng.append(f"{'more than' if low_open else 'at least'} {bound_text(low)}")
    if high is not None:
        rng.append(f"at most {bound_text(high)}")
    kind = "a whole number" if integer else "a number"
    return f"{value!r} is not valid; use {kind}" + (f" {' and '.join(rng)}" if rng else "")


def bound_text(x) -> str:
    """A bound as a message shows it: 10,000,000 rather than 10000000 or 1e7."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e16:
        x = int(x)
    return f"{x:,}" if isinstance(x, int) and abs(x) >= 10_000 else str(x)




def money(x, missing: str = "") -> str:
    """Pounds as a budget paper writes them: £1.25m from a million, else £41,667."""
    if x is None:
        return missing
    sign = "-" if x < 0 else ""
    return f"{sign}£{abs(x) / 1e6:,.2f}m" if abs(x) >= 1e6 else f"{sign}£{abs(x):,.0f}"


def pct(x, missing: str = "") -> str:
    """A share as a percentage to one decimal place."""
    return missing if x is None else f"{100 * x:.1f}%"
