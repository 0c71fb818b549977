from knowledge_base.shell import run_shell


def test_shell_answers_and_quits(kb):
    inputs = iter(["负面清单有几条", ":topic complaints", "怎么投诉", ":k 1", "🙂", "", ":quit"])
    out = []
    assert run_shell(kb, input_fn=lambda prompt: next(inputs), output=out.append) == 0
    text = "\n".join(out)
    assert "负面清单" in text and "topic filter: complaints" in text and "NO ANSWER" in text


def test_shell_shows_the_sector_verdict_the_bot_would_lead_with(kb):
    inputs = iter(["Can a foreign company open a private primary school?", "负面清单有几条", ":quit"])
    out = []
    assert run_shell(kb, input_fn=lambda prompt: next(inputs), output=out.append) == 0
    verdicts = [line for line in out if line.startswith("verdict [")]
    assert len(verdicts) == 1 and "prohibited, national list" in verdicts[0] and "item 21" in verdicts[0]
