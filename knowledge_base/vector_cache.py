"""Passage vectors cached by content hash, so a rebuild embeds only new or changed passages."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable

import numpy as np


class VectorCache:
    """One folder per model: keys.json (hash -> row) and vectors.npy, rewritten atomically."""

    def __init__(self, folder: Path, model: str, prefix: str):
        digest = hashlib.sha256(f"{model}\0{prefix}".encode()).hexdigest()[:16]
        self.folder = Path(folder) / digest
        self.model = model
        self.prefix = prefix
        self._keys: dict[str, int] = {}
        self._vectors: np.ndarray | None = None
        self._load()

    def _load(self) -> None:
        try:
            keys = json.loads((self.folder / "keys.json").read_text(encoding="utf-8"))
            vectors = np.load(self.folder / "vectors.npy")
        except (OSError, ValueError):
            return  # no cache yet, or a damaged one: start empty
        if len(keys) == len(vectors):
            self._keys, self._vectors = keys, vectors

    def _key(self, text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def embed(self, texts: list[str], encode: Callable[[list[str]], np.ndarray]) -> tuple[np.ndarray, int]:
        """Vectors for `texts`, encoding only the ones not cached; returns (vectors, encoded)."""
        keys = [self._key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self._keys}.items())
        if missing:
            fresh = encode([t for _, t in missing])
            start = len(self._keys)
            for offset, (key, _) in enumerate(missing):
                self._keys[key] = start + offset
            self._vectors = fresh if self._vectors is None else np.vstack([self._vectors, fresh])
            self._save()
        rows = [self._keys[k] for k in keys]
        vectors = np.ascontiguousarray(self._vectors[rows], dtype=np.float32)
        if len(self._keys) > len(set(keys)):
            # Keep only what this build used: superseded passages of a corpus that is crawled
            # again and again would otherwise pile up for ever.
            used = list(dict.fromkeys(keys))
            self._vectors = np.ascontiguousarray(self._vectors[[self._keys[k] for k in used]])
            self._keys = {k: i for i, k in enumerate(used)}
            self._save()
        return vectors, len(missing)

    def _save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp_vectors = self.folder / f".vectors-{os.getpid()}.npy"
        tmp_keys = self.folder / f".keys-{os.getpid()}.json"
        np.save(tmp_vectors, self._vectors)
        tmp_keys.write_text(json.dumps(self._keys), encoding="utf-8")
        os.replace(tmp_vectors, self.folder / "vectors.npy")
        os.replace(tmp_keys, self.folder / "keys.json")
