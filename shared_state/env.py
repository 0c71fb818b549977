"""The one set of environment readers every process's settings are built from.

Each reader returns the default for an unset or empty variable and raises SettingError, naming
the variable and what it expects, for a value it cannot use; the settings objects call them when
they are made, which each entry point does first, so a bad value stops the process at start
instead of surfacing mid-request.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TypeVar

# The checkout: defaults of files the processes write (var/...) and read (.cache/...) hang off it.
REPO_DIR = Path(__file__).resolve().parents[1]

T = TypeVar("T")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class SettingError(ValueError):
    """An environment variable holds a value the process cannot run with."""

    def __init__(self, name: str, value: str, expected: str):
        super().__init__(f"{name}={value!r} is not valid: expected {expected}")
        self.name = name


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return value.strip() if value and value.strip() else None


def env_str(name: str, default: str = "") -> str:
    value = os.environ.get(name)
    return default if value is None else value


def env_int(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    number = _convert(name, value, int, "a whole number")
    _check_range(name, value, number, minimum, maximum)
    return number


def env_float(name: str, default: float, minimum: float | None = None,
              above: float | None = None) -> float:
    """A number; `minimum` allows it, `above` does not (a time limit of 0 is no limit at all)."""
    value = _raw(name)
    if value is None:
        return default
    number = _convert(name, value, float, "a number")
    if number != number or number in (float("inf"), float("-inf")):
        raise SettingError(name, value, "a finite number")
    if above is not None and number <= above:
        raise SettingError(name, value, f"a number above {above:g}")
    _check_range(name, value, number, minimum, None)
    return number


def _convert(name: str, value: str, kind: Callable[[str], T], expected: str) -> T:
    try:
        return kind(value)
    except ValueError:
        raise SettingError(name, value, expected) from None


def _check_range(name: str, value: str, number: float, minimum, maximum) -> None:
    if minimum is not None and number < minimum:
        raise SettingError(name, value, f"at least {minimum}")
    if maximum is not None and number > maximum:
        raise SettingError(name, value, f"at most {maximum}")


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise SettingError(name, value, "1 or 0 (true/false, yes/no)")


def env_choice(name: str, default: str, choices: Collection[str]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        raise SettingError(name, value, "one of " + ", ".join(sorted(choices)))
    return value


def env_port(name: str, default: int) -> int:
    return env_int(name, default, minimum=1, maximum=65535)


def env_path(name: str, default: Path, follow_links: bool = True) -> Path:
    return env_optional_path(name, follow_links) or default


def env_optional_path(name: str, follow_links: bool = True) -> Path | None:
    value = os.environ.get(name)
    if not value:
        return None
    path = Path(value).expanduser()
    # A path that is a symlink swapped on every build (the index) keeps the link, not its target.
    return path.resolve() if follow_links else Path(os.path.abspath(path))
