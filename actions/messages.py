"""Texts the custom actions send, in both languages (keyed by the `lang` slot)."""

TEXTS = {
    "no_answer": {
        "zh": "抱歉，我们收录的政策文件中没有找到能回答这个问题的条款，我不想给您一个猜测的答案。"
              "您可以换个说法再问，或者转人工咨询。",
        "en": "Sorry, the policy documents I hold do not cover this question, and I will not guess. "
              "You can rephrase it, or talk to a person.",
    },
    "kb_unavailable": {
        "zh": "抱歉，政策检索服务暂时无法使用（可能正在更新或响应过慢）。您的问题没有丢失，可以稍后再问，或转人工处理。",
        "en": "Sorry, the policy search service is unavailable right now (it may be updating or too "
              "slow). Your question is not lost: ask again shortly, or talk to a person.",
    },
    "third_language": {
        "zh": "抱歉，我只能用中文或英文回答。请用中文或英文提问。",
        "en": "Sorry, I can only answer in Chinese or English. Please ask in one of them.",
    },
    "empty": {
        "zh": "您似乎没有输入内容。请告诉我您想了解的外资政策问题。",
        "en": "Your message seems empty. Tell me which investment-policy question you have.",
    },
    "truncated": {
        "zh": "（您的问题较长，我只检索了前2000个字符。）",
        "en": "(Your question was long; I searched its first 2,000 characters.)",
    },
    "not_understood": {
        "zh": "抱歉，我没听懂这个回答。",
        "en": "Sorry, I did not understand that answer.",
    },
    "corrected": {
        "zh": "好的，我们重新回答上一个问题。",
        "en": "All right, let's redo the previous question.",
    },
    "nothing_to_correct": {
        "zh": "还没有可以修改的回答，我们继续。",
        "en": "There is no earlier answer to change yet; let's continue.",
    },
}

BUTTONS = {
    "handoff": {
        "zh": [{"title": "转人工", "payload": "/request_human"}, {"title": "不用了", "payload": "/deny"}],
        "en": [{"title": "Talk to a person", "payload": "/request_human"},
               {"title": "No, thanks", "payload": "/deny"}],
    },
}


def text(key: str, lang: str) -> str:
    return TEXTS[key]["en" if lang == "en" else "zh"]


def buttons(key: str, lang: str) -> list[dict]:
    return BUTTONS[key]["en" if lang == "en" else "zh"]
