"""Files other processes read while they are being rewritten (the crawl store, the vector cache,
the supervisor's status, Rasa's endpoints): written once here, to a temporary file beside the
target and moved over it, so a reader sees the old file or the new one, never half of either.

Standard library only, and Python 3.8-compatible: the Rasa image runs `topology endpoints` with it.
"""
from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import BinaryIO, Iterator, Optional, Union


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's entry to disk (a folder after a rename in it); best effort."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_file(path: Path, mode: Optional[int] = None, durable: bool = False) -> Iterator[BinaryIO]:
    """A binary file handle whose contents replace `path` when the block ends without an error.

    mode: the permissions of a new file (e.g. 0o600 for one holding passwords), umask applied;
    durable: fsync the file and its folder, for what must survive a power cut, not only a crash.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Unique per process and thread: two writers never share a temporary file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        fsync_path(path.parent)


def atomic_write(path: Path, data: Union[bytes, str], mode: Optional[int] = None,
                 durable: bool = False) -> None:
    """Replace `path` with `data` (text is written as UTF-8) all at once; see atomic_file."""
    with atomic_file(path, mode=mode, durable=durable) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
