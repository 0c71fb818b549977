"""The index folder is swapped atomically and keeps one previous version."""
import dataclasses

import yaml

from knowledge_base.build import OUT_OF_SCOPE_PATH, build_index
from knowledge_base.index_store import read_index


def test_rebuild_swaps_link_and_prunes(built_index, tmp_path):
    settings, embedder, _ = built_index
    # The shipped corpus alone: these tests are about the folder, not the laws' size.
    local = dataclasses.replace(settings, index_dir=tmp_path / "index", laws_dir=tmp_path / "no-laws")
    first = build_index(local, embedder)
    reader_view = read_index(local.index_dir)  # a reader holding the first version
    second = build_index(local, embedder)
    third = build_index(local, embedder)
    assert local.index_dir.is_symlink()
    assert local.index_dir.resolve() == tmp_path / third.path.split("/")[-1]
    versions = sorted(p.name for p in tmp_path.glob("index-*"))
    assert len(versions) == 2  # current + one previous
    assert second.path.split("/")[-1] in versions and first.path.split("/")[-1] not in versions
    assert reader_view.manifest.clauses == third.clauses  # the old object stays usable
    assert not list(tmp_path.glob("*.tmp"))


def test_vector_cache_embeds_only_new_passages(built_index, tmp_path):
    settings, embedder, _ = built_index
    local = dataclasses.replace(settings, index_dir=tmp_path / "index", cache_dir=tmp_path / "c",
                                vector_cache=None, laws_dir=tmp_path / "no-laws")
    first = build_index(local, embedder)
    second = build_index(local, embedder)
    # Clause passages and the out-of-scope prototypes go through the cache together.
    prototypes = len(yaml.safe_load(OUT_OF_SCOPE_PATH.read_text(encoding="utf-8"))["prototypes"])
    assert first.embedded == first.vectors + prototypes and second.embedded == 0
    a = read_index(local.index_dir)
    cold = build_index(local, embedder, use_cache=False)
    b = read_index(local.index_dir)
    import numpy as np
    va, vb = (x.vectors.reconstruct_n(0, x.vectors.ntotal) for x in (a, b))
    # Cached and freshly embedded vectors agree to the model's arithmetic: bfloat16 results
    # move in the fifth decimal with the batch a text falls in (README, KB_EMBED_PRECISION).
    assert cold.embedded == cold.vectors + prototypes
    assert float(np.min(np.sum(va * vb, axis=1))) > 0.9999
