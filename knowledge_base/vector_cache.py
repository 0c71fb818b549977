"""Passage vectors cached by content hash, so a rebuild embeds only new or changed passages."""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Callable

import numpy as np

from shared_state.files import atomic_file, atomic_write


# Passages no build has used for this long are dropped (superseded versions of crawled pages
# would otherwise pile up for ever). Age, not "unused by the last build": builds of other
# corpora (tests, a staff member's --all import) share the cache and must not evict each other.
PRUNE_AFTER_SECONDS = 14 * 24 * 3600


class VectorCache:
    """One folder per model: keys.json (hash -> row), used.json (hash -> last use, epoch
    seconds) and vectors.npy, rewritten atomically."""

    def __init__(self, folder: Path, model: str, prefix: str):
        digest = hashlib.sha256(f"{model}\0{prefix}".encode()).hexdigest()[:16]
        self.folder = Path(folder) / digest
        self.model = model
        self.prefix = prefix
        self._keys: dict[str, int] = {}
        self._used: dict[str, float] = {}
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
            try:
                self._used = json.loads((self.folder / "used.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._used = {}

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
        rows = [self._keys[k] for k in keys]
        vectors = np.ascontiguousarray(self._vectors[rows], dtype=np.float32)
        now = time.time()
        self._used.update((k, now) for k in keys)
        stale = [k for k in self._keys if now - self._used.get(k, now) > PRUNE_AFTER_SECONDS]
        if stale:
            dropped = set(stale)
            kept = [k for k in self._keys if k not in dropped]
            self._vectors = np.ascontiguousarray(self._vectors[[self._keys[k] for k in kept]])
            self._keys = {k: i for i, k in enumerate(kept)}
            self._used = {k: self._used.get(k, now) for k in kept}
        # The 7 MB of vectors are rewritten only when they changed; the use times every build.
        self._save(vectors_too=bool(missing or stale))
        return vectors, len(missing)

    def _save(self, vectors_too: bool = True) -> None:
        if vectors_too:
            with atomic_file(self.folder / "vectors.npy") as handle:
                np.save(handle, self._vectors)
            atomic_write(self.folder / "keys.json", json.dumps(self._keys))
        atomic_write(self.folder / "used.json", json.dumps(self._used))
