"""Event classes looked up by name in a table, not by walking the class tree per event.

Rasa 3.6 finds the class of every stored event (`Event.resolve_by_type`) by listing all
subclasses of `Event` recursively, each time: loading a conversation of 100 events walked the
tree 100 times, about 7 % of Rasa's CPU per answer here (py-spy, 16 senders). The table is built
from the same walk, in its order, so a name resolves to the class Rasa would pick; a name not
in it (a class defined later) goes to Rasa's own lookup, and the table is rebuilt.
"""
from __future__ import annotations

from typing import Any

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_rasa_resolve = Event.resolve_by_type
_by_name: dict[str, Any] = {}


def _build() -> None:
    table: dict[str, Any] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)  # the first in Rasa's walk, as Rasa picks
    _by_name.clear()
    _by_name.update(table)


def _resolve_by_type(type_name: str, default: Any = None) -> Any:
    cls = _by_name.get(type_name)
    if cls is not None:
        return cls
    _build()
    cls = _by_name.get(type_name)
    return cls if cls is not None else _rasa_resolve(type_name, default)


# Patched once, when Rasa imports this package (the endpoints file names its stores).
if not getattr(Event, "_resolved_by_table", False):
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
    Event._resolved_by_table = True
