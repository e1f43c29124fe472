"""Checks of arguments at the library's boundary, written once.

Each function returns the checked value (converted where that is harmless, e.g. a NumPy integer
to `int`) or raises a `ValueError` whose one line names the argument, what was wrong with it and
what to pass instead. Booleans are never accepted as numbers: `epochs=True` is a mistake.
"""

import math
import numbers


def whole_number(name, value, minimum=1):
    """`value` as an int of at least `minimum`; e.g. `whole_number("epochs", 0)` raises."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, not {value!r}.")
    return int(value)


def positive_number(name, value, example="1.0"):
    """`value` as a finite float above 0; `example` shows a sensible value in the message."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number such as {example}, not {value!r}.")
    return float(value)


def non_negative_number(name, value, example="0.1"):
    """`value` as a finite float of at least 0 (0 switches something off)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number of at least 0 such as {example}, not {value!r}.")
    return float(value)


def in_range(name, value, low, high, example):
    """`value` as a float with `low <= value < high`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value) or not low <= value < high:
        raise ValueError(f"{name} must be in [{low}, {high}), e.g. {example}, not {value!r}.")
    return float(value)


def one_of(name, value, choices):
    """`value` if it is one of `choices` (names), else a ValueError listing them."""
    if value not in choices:
        raise ValueError(f"Unknown {name} {value!r}: choose one of {', '.join(map(str, choices))}.")
    return value


def whole_numbers(name, values, minimum=1, example="(128, 64)"):
    """A non-empty tuple of whole numbers of at least `minimum`, e.g. a network's widths."""
    values = tuple(values) if isinstance(values, (list, tuple)) else values
    if not isinstance(values, tuple) or not values:
        raise ValueError(f"{name} needs at least one entry, e.g. {example}, not {values!r}.")
    return tuple(whole_number(f"each entry of {name}", value, minimum) for value in values)
