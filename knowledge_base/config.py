"""All settings of the knowledge base, read once from environment variables.

Every default works on a fresh clone; nothing here is a machine path or a secret.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shared_state.env import (REPO_DIR, env_choice, env_float, env_int, env_optional_path,
                              env_path, env_str)

PACKAGE_DIR = Path(__file__).resolve().parent

DEFAULT_MODEL = "intfloat/multilingual-e5-small"


@dataclass(frozen=True)
class Settings:
    # Git-ignored cache for provisioned models and downloaded wheels.
    cache_dir: Path = field(default_factory=lambda: env_path("KB_CACHE_DIR", REPO_DIR / ".cache"))
    # Where `build` writes and `search` reads the index: a symlink swapped on every build, so the
    # link is kept, not today's target.
    index_dir: Path = field(default_factory=lambda: env_path(
        "KB_INDEX_DIR", REPO_DIR / "var" / "index", follow_links=False))
    corpus_dir: Path = field(default_factory=lambda: env_path("KB_CORPUS_DIR", PACKAGE_DIR / "corpus"))
    # Documents written by the crawlers (`python -m scrapers crawl`), in the same format as
    # corpus/documents; indexed beside the shipped corpus when the folder exists.
    crawled_dir: Path = field(default_factory=lambda: env_path(
        "KB_CRAWLED_DIR", REPO_DIR / "var" / "crawl" / "documents"))
    # National laws imported from the pinned law package (`python -m scrapers laws`, run by
    # `make index`); rebuildable at any time, indexed beside the corpus when the folder exists.
    laws_dir: Path = field(default_factory=lambda: env_path(
        "KB_LAWS_DIR", REPO_DIR / "var" / "laws" / "documents"))
    # A sentence-transformers model name or a local folder. The default name is resolved to the
    # offline-provisioned copy in the cache (see OFFLINE-MODEL notes in the README).
    model: str = field(default_factory=lambda: env_str("KB_MODEL", DEFAULT_MODEL))
    # The floor that sets no_answer: the best clause's cosine minus the best out-of-scope
    # prototype's cosine must reach this margin (raise it to refuse more, lower to refuse less).
    relevance_margin: float = field(default_factory=lambda: env_float("KB_RELEVANCE_MARGIN", -0.02))
    # e5 models expect these prefixes; other models may want "" (set both variables).
    query_prefix: str = field(default_factory=lambda: env_str("KB_QUERY_PREFIX", "query: "))
    passage_prefix: str = field(default_factory=lambda: env_str("KB_PASSAGE_PREFIX", "passage: "))
    # CPU threads for torch; 0 leaves torch's default.
    torch_threads: int = field(default_factory=lambda: env_int("KB_TORCH_THREADS", 0, minimum=0))
    # Arithmetic of the model on the CPU: auto (bfloat16 where the CPU has native bfloat16
    # instructions, float32 elsewhere), float32 or bfloat16. bfloat16 autocast embeds 2-3x
    # faster here with vectors at cosine >= 0.9999 to float32's (README, "Performance").
    embed_precision: str = field(default_factory=lambda: env_choice(
        "KB_EMBED_PRECISION", "auto", ("auto", "float32", "bfloat16")))
    max_query_chars: int = 2000
    # The FAISS index: auto (exact below 20,000 passages, HNSW above), flat or hnsw.
    faiss_index: str = field(default_factory=lambda: env_choice(
        "KB_FAISS_INDEX", "auto", ("auto", "flat", "hnsw")))
    # Passage vectors by content hash (incremental builds); default: <cache_dir>/vectors.
    vector_cache: Path | None = field(default_factory=lambda: env_optional_path("KB_VECTOR_CACHE_DIR"))

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"

    @property
    def vectors_cache_dir(self) -> Path:
        return self.vector_cache or self.cache_dir / "vectors"

    @property
    def wheels_dir(self) -> Path:
        return self.cache_dir / "wheels"

    @property
    def default_model_dir(self) -> Path:
        return self.models_dir / "multilingual-e5-small"

    def resolved_model_path(self) -> str:
        """The path or name handed to sentence-transformers."""
        if self.model == DEFAULT_MODEL:
            return str(self.default_model_dir)
        return self.model


def get_settings() -> Settings:
    return Settings()
