"""shared_state/files.py: the one way the packages replace a file other processes read."""
from __future__ import annotations

import os
import stat

import pytest

from shared_state.files import atomic_file, atomic_write


def test_atomic_write_replaces_text_and_bytes_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "sub" / "status.json"
    atomic_write(path, "旧 old")
    assert path.read_text(encoding="utf-8") == "旧 old"
    atomic_write(path, b"new", durable=True)
    assert path.read_bytes() == b"new"
    assert sorted(p.name for p in path.parent.iterdir()) == ["status.json"]


def test_mode_sets_the_permissions_of_a_file_holding_passwords(tmp_path):
    path = tmp_path / "endpoints.yml"
    atomic_write(path, "x", mode=0o600)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_failed_write_keeps_the_old_file_whole(tmp_path):
    path = tmp_path / "vectors.npy"
    atomic_write(path, b"old")
    with pytest.raises(RuntimeError), atomic_file(path) as handle:
        handle.write(b"half")
        raise RuntimeError("disk full")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["vectors.npy"]
