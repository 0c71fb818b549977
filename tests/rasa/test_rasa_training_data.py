"""Rasa's own checks: data validation, held-out NLU test and core test stories."""
import json
import subprocess

import pytest

from helpers import REPO

RASA = REPO / ".venv-rasa" / "bin" / "rasa"
MODEL = REPO / "models" / "policy-assistant.tar.gz"
pytestmark = pytest.mark.rasa


def rasa(*args, timeout=900):
    return subprocess.run([str(RASA), *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def test_data_validates_without_warnings():
    proc = rasa("data", "validate", "--fail-on-warnings")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.fixture(scope="module")
def nlu_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("nlu")
    proc = rasa("test", "nlu", "--nlu", "tests/rasa/nlu_test.yml", "--model", str(MODEL),
                "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((out / "intent_report.json").read_text())


def test_nlu_held_out_intent_f1(nlu_report):
    f1 = nlu_report["weighted avg"]["f1-score"]
    print(f"held-out intent F1 (weighted): {f1:.3f}")
    assert f1 >= 0.90, {k: v["f1-score"] for k, v in nlu_report.items() if isinstance(v, dict)}


def test_core_test_stories_without_prediction_errors(tmp_path):
    proc = rasa("test", "core", "--stories", "tests/rasa/test_stories.yml", "--model", str(MODEL),
                "--out", str(tmp_path), "--fail-on-prediction-errors")
    failed = (tmp_path / "failed_test_stories.yml")
    detail = failed.read_text() if failed.exists() else ""
    assert proc.returncode == 0, proc.stderr[-3000:] + detail[-3000:]
