"""The one error every store raises when its backend cannot be used."""
from __future__ import annotations


class StoreUnavailable(RuntimeError):
    """The store could not be read or written: server down, file locked, read-only or corrupt.

    The message names the backend and the underlying error's type, never an address (it may hold
    a password)."""
