"""The index directory: FAISS vectors, BM25 tokens, clause table and manifest.

`KB_INDEX_DIR` is a symlink to a versioned folder beside it; a build writes a new folder and
swaps the link with one rename, so a reader sees either the old index or the new one, whole.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import faiss
import numpy as np

from .errors import IndexInvalidError, IndexMissingError

FORMAT_VERSION = 2
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
VECTOR_OWNERS = "vector_owners.npy"
CLAUSES = "clauses.json"
TOKENS = "bm25_tokens.json"
PROTOTYPES = "out_of_scope.npy"
DENSE_SAMPLE = "dense_sample.npy"
DENSE_SAMPLE_KINDS = "dense_sample_kinds.npy"
PASSAGE_KINDS = "passage_kinds.npy"
_KEEP_OLD_VERSIONS = 1


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model: str
    dimension: int
    corpus_hash: str
    build_time: str
    clauses: int
    vectors: int
    query_prefix: str
    passage_prefix: str
    index_type: str = "flat"  # the FAISS index: flat (exact) or hnsw (approximate)

    @classmethod
    def read(cls, index_dir: Path) -> "Manifest":
        path = index_dir / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            manifest = cls(**data)
        except FileNotFoundError:
            raise IndexInvalidError(
                f"The index at {index_dir} has no manifest. Rebuild it with `make index`."
            ) from None
        except (ValueError, TypeError) as exc:
            raise IndexInvalidError(
                f"The index manifest {path} is corrupt ({exc}). Rebuild it with `make index`."
            ) from None
        if manifest.format_version != FORMAT_VERSION:
            raise IndexInvalidError(
                f"The index at {index_dir} has format {manifest.format_version}, this code reads "
                f"{FORMAT_VERSION}. Rebuild it with `make index`."
            )
        return manifest


@dataclass
class StoredIndex:
    manifest: Manifest
    path: Path  # the resolved version folder
    vectors: faiss.Index
    owners: np.ndarray  # row -> clause position
    clauses: list[dict]
    tokens: list[list[str]]
    prototypes: np.ndarray  # vectors of out-of-scope prototype questions
    # Row -> passage kind: 0 the original (Chinese) text, 1 the curated English gloss.
    passage_kinds: np.ndarray
    # A fixed sample of passage vectors of each kind: the spread of a query's cosines over all
    # passages of a kind is estimated from it, since FAISS returns only the nearest passages.
    dense_sample: np.ndarray
    dense_sample_kinds: np.ndarray


# Below this many passages an exact search costs well under a millisecond; above it HNSW keeps
# the query time flat as the corpus grows (recall against exact search: `make bench`).
HNSW_FROM_PASSAGES = 20_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 256


def choose_index_type(passages: int, requested: str = "auto") -> str:
    if requested in ("flat", "hnsw"):
        return requested
    return "hnsw" if passages >= HNSW_FROM_PASSAGES else "flat"


def make_faiss_index(vectors: np.ndarray, index_type: str) -> faiss.Index:
    dimension = vectors.shape[1]
    index: faiss.Index
    if index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        index = faiss.IndexFlatIP(dimension)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def configure_for_search(index: faiss.Index) -> faiss.Index:
    hnsw = getattr(faiss.downcast_index(index), "hnsw", None)
    if hnsw is not None:
        hnsw.efSearch = HNSW_EF_SEARCH
    return index


def write_index(index_dir: Path, manifest: Manifest, vectors: np.ndarray, owners: np.ndarray,
                clauses: list[dict], tokens: list[list[str]], prototypes: np.ndarray,
                passage_kinds: np.ndarray, dense_sample: np.ndarray,
                dense_sample_kinds: np.ndarray) -> Path:
    """Write a new index version and point `index_dir` at it atomically."""
    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    version = index_dir.parent / f"{index_dir.name}-{stamp}"
    tmp = version.with_name(version.name + ".tmp")
    tmp.mkdir()
    faiss.write_index(make_faiss_index(vectors.reshape(-1, manifest.dimension), manifest.index_type),
                      str(tmp / VECTORS))
    np.save(tmp / PASSAGE_KINDS, np.asarray(passage_kinds, dtype=np.int8))
    np.save(tmp / DENSE_SAMPLE, np.asarray(dense_sample, dtype=np.float32).reshape(-1, manifest.dimension))
    np.save(tmp / DENSE_SAMPLE_KINDS, np.asarray(dense_sample_kinds, dtype=np.int8))
    np.save(tmp / VECTOR_OWNERS, owners.astype(np.int32))
    np.save(tmp / PROTOTYPES, prototypes.astype(np.float32))
    (tmp / CLAUSES).write_text(json.dumps(clauses, ensure_ascii=False), encoding="utf-8")
    (tmp / TOKENS).write_text(json.dumps(tokens, ensure_ascii=False), encoding="utf-8")
    # The manifest goes last: a folder without one is never taken for an index.
    (tmp / MANIFEST).write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=2),
                                encoding="utf-8")
    tmp.rename(version)
    _point_link(index_dir, version)
    _prune_old_versions(index_dir, keep=version)
    return version


def _point_link(index_dir: Path, version: Path) -> None:
    if index_dir.exists() and not index_dir.is_symlink():
        # A plain folder left by hand: move it aside so the link can take its place.
        index_dir.rename(index_dir.with_name(f"{index_dir.name}-replaced-{int(time.time())}"))
    link_tmp = index_dir.with_name(f".{index_dir.name}.link-{os.getpid()}")
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    link_tmp.symlink_to(version.name)
    os.replace(link_tmp, index_dir)


def _prune_old_versions(index_dir: Path, keep: Path) -> None:
    versions = sorted(p for p in index_dir.parent.glob(f"{index_dir.name}-*")
                      if p.is_dir() and p != keep and not p.name.endswith(".tmp"))
    for old in versions[:-_KEEP_OLD_VERSIONS] if _KEEP_OLD_VERSIONS else versions:
        shutil.rmtree(old, ignore_errors=True)


def read_index(index_dir: Path) -> StoredIndex:
    index_dir = Path(index_dir)
    if not index_dir.exists():
        raise IndexMissingError(
            f"No search index at {index_dir}. Build it with `make index` "
            "(or `python -m knowledge_base build`)."
        )
    path = index_dir.resolve()
    manifest = Manifest.read(path)
    try:
        vectors = configure_for_search(faiss.read_index(str(path / VECTORS)))
        owners = np.load(path / VECTOR_OWNERS)
        clauses = json.loads((path / CLAUSES).read_text(encoding="utf-8"))
        tokens = json.loads((path / TOKENS).read_text(encoding="utf-8"))
        prototypes = np.load(path / PROTOTYPES)
        dense_sample = np.load(path / DENSE_SAMPLE)
        dense_sample_kinds = np.load(path / DENSE_SAMPLE_KINDS)
        passage_kinds = np.load(path / PASSAGE_KINDS)
    except (OSError, RuntimeError, ValueError) as exc:
        raise IndexInvalidError(
            f"The index at {path} is incomplete or corrupt ({exc}). Rebuild it with `make index`."
        ) from None
    if vectors.d != manifest.dimension:
        raise IndexInvalidError(
            f"The index at {path} holds {vectors.d}-dimensional vectors but its manifest says "
            f"{manifest.dimension}. Rebuild it with `make index`."
        )
    if not (vectors.ntotal == len(owners) == len(passage_kinds) == manifest.vectors
            and len(dense_sample) == len(dense_sample_kinds)
            and len(clauses) == len(tokens) == manifest.clauses
            and prototypes.ndim == 2 and prototypes.shape[1] == manifest.dimension):
        raise IndexInvalidError(
            f"The index at {path} does not match its manifest (counts differ). "
            "Rebuild it with `make index`."
        )
    return StoredIndex(manifest, path, vectors, owners, clauses, tokens, prototypes, passage_kinds,
                       dense_sample, dense_sample_kinds)
