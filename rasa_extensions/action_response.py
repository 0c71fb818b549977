"""Action-server responses validated against a schema checked once, not once per message.

Rasa 3.6 validates every response of the action server with `jsonschema.validate`, which checks
the (constant) schema itself against its metaschema on each call: about 5 ms of the event loop's
time per answer (py-spy, single client), on top of the validation proper. Here a validator is
built once; a response it finds invalid goes to Rasa's own method, so the error and its message
are Rasa's.
"""
from __future__ import annotations

from typing import Any

from jsonschema import validators
from rasa.core.actions.action import RemoteAction

_rasa_validate = RemoteAction._validate_action_result
_validator: Any = None


def _validate_action_result(self: RemoteAction, result: dict) -> bool:
    global _validator
    if _validator is None:
        spec = RemoteAction.action_response_format_spec()
        cls = validators.validator_for(spec)
        cls.check_schema(spec)
        _validator = cls(spec)
    if _validator.is_valid(result):
        return True
    return _rasa_validate(self, result)


# Patched once, when Rasa imports this package (the endpoints file names its stores).
if not getattr(RemoteAction, "_schema_checked_once", False):
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    RemoteAction._schema_checked_once = True
