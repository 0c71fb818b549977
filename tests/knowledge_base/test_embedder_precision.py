"""The model's arithmetic: bfloat16 only where the CPU computes it natively, and then with
vectors that match float32's (the index mixes cached float32 vectors with bfloat16 ones)."""
import dataclasses

import numpy as np
import pytest

from knowledge_base.embedder import Embedder, cpu_has_native_bfloat16, resolve_precision
from knowledge_base.errors import ConfigError


def test_native_bfloat16_is_read_from_the_cpu_flags(tmp_path):
    with_bf16 = tmp_path / "with"
    with_bf16.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx512f avx512_bf16 fma\n")
    amx = tmp_path / "amx"
    amx.write_text("flags\t\t: fpu amx_bf16 amx_tile\n")
    without = tmp_path / "without"
    without.write_text("flags\t\t: fpu sse2 avx2 fma avx512f\n")
    assert cpu_has_native_bfloat16(with_bf16) and cpu_has_native_bfloat16(amx)
    assert not cpu_has_native_bfloat16(without)
    assert not cpu_has_native_bfloat16(tmp_path / "missing")


def test_precision_setting(monkeypatch):
    assert resolve_precision("float32") == "float32"
    assert resolve_precision("bfloat16") == "bfloat16"
    assert resolve_precision("auto") in ("float32", "bfloat16")
    with pytest.raises(ConfigError, match="KB_EMBED_PRECISION"):
        resolve_precision("fp8")


@pytest.mark.model
@pytest.mark.slow
def test_bfloat16_vectors_match_float32(settings):
    texts = ["《中华人民共和国外商投资法》第二十一条 外国投资者在中国境内的出资、利润、资本收益可以依法以人民币或者外汇自由汇入、汇出。",
             "Foreign investors may transfer profits out of China freely, in RMB or foreign currency."]
    vectors = {p: Embedder(dataclasses.replace(settings, embed_precision=p)) for p in ("float32", "bfloat16")}
    passages = {p: e.passages(texts) for p, e in vectors.items()}
    queries = {p: e.queries(["利润可以汇出吗"]) for p, e in vectors.items()}
    assert np.min(np.sum(passages["float32"] * passages["bfloat16"], axis=1)) > 0.999
    assert float(queries["float32"][0] @ queries["bfloat16"][0]) > 0.999


@pytest.mark.model
@pytest.mark.slow
def test_a_queries_only_embedder_keeps_bfloat16_weights_with_the_same_vectors(settings):
    import torch

    bf16 = dataclasses.replace(settings, embed_precision="bfloat16")
    serving, building = Embedder(bf16, queries_only=True), Embedder(bf16)
    assert serving.weights_bfloat16 and not building.weights_bfloat16
    assert next(serving.model.parameters()).dtype == torch.bfloat16
    assert next(building.model.parameters()).dtype == torch.float32
    questions = ["利润可以汇出吗", "How do I file a complaint about a local government?",
                 "reinvestment 递延纳税需要什么条件"]
    both = np.sum(serving.queries(questions) * building.queries(questions), axis=1)
    assert float(both.min()) > 0.9995
    # float32 asked for: nothing changes.
    plain = Embedder(dataclasses.replace(settings, embed_precision="float32"), queries_only=True)
    assert not plain.weights_bfloat16
