from knowledge_base.shell import run_shell


def test_shell_answers_and_quits(kb):
    inputs = iter(["负面清单有几条", ":topic complaints", "怎么投诉", ":k 1", "🙂", "", ":quit"])
    out = []
    assert run_shell(kb, input_fn=lambda prompt: next(inputs), output=out.append) == 0
    text = "\n".join(out)
    assert "负面清单" in text and "topic filter: complaints" in text and "NO ANSWER" in text
