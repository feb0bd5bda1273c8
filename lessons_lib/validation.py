"""Argument checks shared by every module of ``lessons_lib``: one wording everywhere.

Each ``check_*`` function returns the value (converted to a plain Python type) when it is
allowed, and otherwise raises

- ``TypeError`` when the value has the wrong type, and
- ``ValueError`` when it has the right type but is out of range,

with a message that names the argument, the value received and what is allowed, always in
the same form::

    `image_size` must be an integer >= 8; received image_size=4.
    `prefer` must be one of ['flowers', 'generated']; received prefer='photos'.

The checks are plain Python (NumPy scalars are accepted as numbers): callers run them before
building a layer or touching data, so a wrong argument fails at once, never deep inside a
framework. Importing this module imports only the standard library.
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path

__all__ = ["check_bool", "check_int", "check_float", "check_fraction", "check_choice",
           "check_existing_folder", "describe"]


def describe(name: str, value) -> str:
    """``"received name=value (type T)"``: the tail of every message here."""
    return f"received {name}={value!r} (type {type(value).__name__})"


def _range_text(minimum, maximum, open_min: bool = False, open_max: bool = False) -> str:
    if minimum is not None and maximum is not None:
        left, right = "(" if open_min else "[", ")" if open_max else "]"
        return f" in {left}{minimum}, {maximum}{right}"
    if minimum is not None:
        return f" {'>' if open_min else '>='} {minimum}"
    if maximum is not None:
        return f" {'<' if open_max else '<='} {maximum}"
    return ""


def check_bool(name: str, value) -> bool:
    """Return ``value`` if it is a real ``bool`` (not 0/1, not a string), else raise TypeError."""
    if not isinstance(value, bool):
        raise TypeError(f"`{name}` must be True or False; {describe(name, value)}.")
    return value


def check_int(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` if it is a whole number in ``[minimum, maximum]``.

    Python and NumPy integers are accepted; ``bool`` and floats (even ``3.0``) are not.

    Raises:
        TypeError: ``value`` is not an integer.
        ValueError: it is below ``minimum`` or above ``maximum`` (each bound optional).
    """
    allowed = f"`{name}` must be an integer{_range_text(minimum, maximum)}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{allowed}; {describe(name, value)}.")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{allowed}; received {name}={int(value)}.")
    return int(value)


def check_float(name: str, value, minimum: float | None = None, maximum: float | None = None,
                *, open_min: bool = False, open_max: bool = False) -> float:
    """Return ``value`` as a ``float`` if it is a finite real number within the bounds.

    Args:
        minimum, maximum: optional bounds; included unless ``open_min`` / ``open_max``.

    Raises:
        TypeError: ``value`` is not a real number (``bool`` is refused).
        ValueError: it is NaN, infinite or out of range.
    """
    allowed = f"`{name}` must be a number{_range_text(minimum, maximum, open_min, open_max)}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{allowed}; {describe(name, value)}.")
    number = float(value)
    too_low = minimum is not None and (number <= minimum if open_min else number < minimum)
    too_high = maximum is not None and (number >= maximum if open_max else number > maximum)
    if number != number or number in (float("inf"), float("-inf")) or too_low or too_high:
        raise ValueError(f"{allowed}; received {name}={value!r}.")
    return number


def check_fraction(name: str, value) -> float:
    """Return ``value`` as a float strictly between 0 and 1 (a share, such as a validation split)."""
    return check_float(name, value, 0, 1, open_min=True, open_max=True)


def check_choice(name: str, value, allowed) -> str:
    """Return ``value`` if it is one of ``allowed`` (a sequence of strings or other constants).

    Raises:
        TypeError: ``allowed`` holds strings and ``value`` is not a string.
        ValueError: ``value`` is not one of ``allowed``.
    """
    allowed = list(allowed)
    text = f"`{name}` must be one of {allowed}"
    if allowed and all(isinstance(a, str) for a in allowed) and not isinstance(value, str):
        raise TypeError(f"{text}; {describe(name, value)}.")
    try:
        known = value in allowed
    except TypeError:  # e.g. an unhashable or uncomparable value
        known = False
    if not known:
        raise ValueError(f"{text}; received {name}={value!r}.")
    return value


def check_existing_folder(name: str, value) -> Path:
    """Return ``value`` as a :class:`~pathlib.Path` (``~`` expanded) if it names an existing folder.

    Raises:
        TypeError: ``value`` is not a ``str`` or path-like object.
        ValueError: no folder exists there.
    """
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"`{name}` must be a folder path (str or pathlib.Path); "
                        f"{describe(name, value)}.")
    path = Path(value).expanduser()
    if not path.is_dir():
        raise ValueError(f"`{name}` must be an existing folder; received {name}={str(value)!r}.")
    return path
