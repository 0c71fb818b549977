"""The CLI contract and its errors, run as a user runs it: a fresh process per command."""
import json
import shutil

import pytest

from helpers import run_cli

CONTRACT = ["doc_id", "doc_title", "issuer", "doc_number", "date", "label", "heading", "text",
            "summary_en", "source_url", "score"]


@pytest.fixture(scope="module")
def env(built_index):
    settings, _, _ = built_index
    return {"KB_INDEX_DIR": str(settings.index_dir)}


def test_search_json_single(env):
    proc = run_cli("search", "--json", "--top-k", "3", "外商投资企业投诉要多久受理？", env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert list(data) == ["query", "lang", "no_answer", "answerable", "missing", "results"]
    assert data["query"] == "外商投资企业投诉要多久受理？" and data["lang"] == "zh"
    assert len(data["results"]) == 3 and all(list(r) == CONTRACT for r in data["results"])
    assert "投诉" in data["results"][0]["doc_title"] + data["results"][0]["text"]


def test_search_json_questions_file_keeps_order(env, tmp_path):
    questions = ["负面清单有几条？", "How do I file the annual report?", "🙂", "今天天气如何"]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps({"question": q, "id": i}, ensure_ascii=False)
                              for i, q in enumerate(questions)) + "\n", encoding="utf-8")
    proc = run_cli("search", "--json", "--top-k", "2", "--questions", str(path), env=env)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.strip().splitlines()]
    assert [r["query"] for r in rows] == questions
    assert rows[1]["lang"] == "en" and not rows[1]["no_answer"]
    assert rows[2]["no_answer"] and rows[2]["results"] == []
    assert rows[3]["no_answer"]


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_exit_2_one_line(env, question):
    proc = run_cli("search", "--json", question, env=env)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "empty" in proc.stderr
    assert proc.stdout == ""


def test_long_question_warns_and_answers(env):
    proc = run_cli("search", "--json", "外商投资法什么时候施行？" + "详" * 3000, env=env)
    assert proc.returncode == 0
    assert "2000" in proc.stderr
    assert json.loads(proc.stdout)["results"]


def test_table_output_shows_score_parts(env):
    proc = run_cli("search", "--top-k", "2", "What is the negative list?", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "dense" in proc.stdout and "bm25" in proc.stdout and "score" in proc.stdout
    assert "\033[" not in proc.stdout  # NO_COLOR is honoured


def test_missing_index_names_make_index(tmp_path):
    proc = run_cli("search", "--json", "负面清单", env={"KB_INDEX_DIR": str(tmp_path / "none")})
    assert proc.returncode == 3
    assert "make index" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_model_names_make_model(env, tmp_path):
    proc = run_cli("search", "--json", "负面清单", env={**env, "KB_CACHE_DIR": str(tmp_path)})
    assert proc.returncode == 3
    assert "make model" in proc.stderr and "Traceback" not in proc.stderr


def _copy_index(built_index, tmp_path):
    settings, _, _ = built_index
    target = tmp_path / "index"
    shutil.copytree(settings.index_dir.resolve(), target)
    return target


def test_corrupt_manifest_is_refused(built_index, tmp_path):
    index = _copy_index(built_index, tmp_path)
    (index / "manifest.json").write_text("{not json", encoding="utf-8")
    proc = run_cli("search", "--json", "负面清单", env={"KB_INDEX_DIR": str(index)})
    assert proc.returncode == 3
    assert "corrupt" in proc.stderr and "make index" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize("field,value,words", [
    ("model", "BAAI/bge-m3", "built with model"),
    ("dimension", 768, "768"),
])
def test_mismatched_manifest_is_refused(built_index, tmp_path, field, value, words):
    index = _copy_index(built_index, tmp_path)
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    manifest[field] = value
    (index / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    proc = run_cli("search", "--json", "负面清单", env={"KB_INDEX_DIR": str(index)})
    assert proc.returncode == 3
    assert words in proc.stderr and "make index" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_eval_command_prints_all_modes(env, tmp_path):
    path = tmp_path / "q.jsonl"
    rows = [{"question": "负面清单有几条", "lang": "zh",
             "expected": [{"label": "负面清单历次版本条目数", "doc_title_contains": "负面清单"},
                          {"label": "现行全国外资准入负面清单", "doc_title_contains": "负面清单"}]},
            {"question": "Who won the football match?", "lang": "en", "expected": []}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    proc = run_cli("eval", "--json", "--questions", str(path), env=env)
    assert proc.returncode == 0, proc.stderr
    reports = json.loads(proc.stdout)
    assert [r["mode"] for r in reports] == ["hybrid", "dense", "bm25"]
    assert reports[0]["no_answer"]["recall"] == 1.0


BAD_LINE = '{"question": "负面清单有几条？"}\n{"quest": "no question field"}\n'


@pytest.mark.parametrize("command", [["eval"], ["search", "--json"]])
def test_bad_question_file_is_one_line_exit_2(tmp_path, command):
    # The file is read before the model or the index: this needs neither.
    path = tmp_path / "bad.jsonl"
    path.write_text(BAD_LINE, encoding="utf-8")
    proc = run_cli(*command, "--questions", str(path), env={"KB_INDEX_DIR": str(tmp_path / "none")})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f'error: {path}:2: not a question line: expected a JSON object with a "question" field '
        "(missing 'question')"]
    assert proc.stdout == ""


@pytest.mark.parametrize("command", [["eval"], ["search", "--json"]])
def test_missing_question_file_is_one_line_exit_2(tmp_path, command):
    proc = run_cli(*command, "--questions", str(tmp_path / "nowhere.jsonl"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"error: {tmp_path / 'nowhere.jsonl'}: no such question file"]


def test_both_commands_read_questions_with_one_reader(tmp_path):
    from knowledge_base import evaluate
    from knowledge_base.errors import BadInputError, QuestionFileError
    from knowledge_base.questions import load_questions

    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "负面清单有几条？", "lang": "zh", "expected": [{"label": "（一）"}]}\n\n'
                    '{"question": 2024, "id": 7}\n', encoding="utf-8")
    questions = load_questions(path)
    assert [(q.question, q.lang, q.answerable) for q in questions] == [("负面清单有几条？", "zh", True),
                                                                       ("2024", "", False)]
    assert questions[0].expected[0].doc_title_contains == ""
    assert evaluate.load_questions is load_questions
    for bad in ('[1, 2]', '{"question": null}', '{"question": "x", "expected": [{"doc": 1}]}', "{"):
        path.write_text(bad + "\n", encoding="utf-8")
        with pytest.raises(QuestionFileError, match=f"{path.name}:1: not a question line"):
            load_questions(path)
    assert issubclass(QuestionFileError, BadInputError) and QuestionFileError.exit_code == 2


def test_error_classes_carry_the_documented_exit_codes():
    from knowledge_base import errors

    assert {name: getattr(errors, name).exit_code for name in (
        "KnowledgeBaseError", "BadInputError", "BadQuestionError", "QuestionFileError", "SetupError",
        "ModelMissingError", "IndexMissingError", "IndexInvalidError", "CorpusError")} == {
        "KnowledgeBaseError": 1, "BadInputError": 2, "BadQuestionError": 2, "QuestionFileError": 2,
        "SetupError": 3, "ModelMissingError": 3, "IndexMissingError": 3, "IndexInvalidError": 3,
        "CorpusError": 4}
    assert all(issubclass(getattr(errors, name), errors.KnowledgeBaseError) for name in (
        "BadQuestionError", "QuestionFileError", "ModelMissingError", "IndexInvalidError", "CorpusError"))


def test_corpus_loader_raises_the_one_corpus_error(tmp_path):
    """The fast-tier twin of the test below: the loader's error is errors.CorpusError (exit 4), and
    the CLI takes it as a user error as it is, with no bridge between two classes."""
    from knowledge_base import cli, errors
    from knowledge_base.corpus_loader import load_corpus

    with pytest.raises(errors.CorpusError) as caught:
        load_corpus(tmp_path / "missing", tmp_path / "none")
    assert caught.value.exit_code == 4 and "does not exist" in str(caught.value)
    assert cli._user_error(caught.value) is caught.value


def test_corpus_error_is_one_line_exit_4(settings, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(settings.corpus_dir, corpus)
    guide = corpus / "guides" / "complaints.yaml"
    guide.write_text(guide.read_text(encoding="utf-8").replace("topic: complaints", "topic: gossip"),
                     encoding="utf-8")
    proc = run_cli("build", env={"KB_CORPUS_DIR": str(corpus), "KB_INDEX_DIR": str(tmp_path / "index"),
                                 "KB_CRAWLED_DIR": str(tmp_path / "none")})
    assert proc.returncode == 4
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith(f"error: {guide}") and "unknown topic(s) ['gossip']" in lines[-1]
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert not (tmp_path / "index").exists()
