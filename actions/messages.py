"""Every text the custom actions send, in both languages (keyed by the `lang` slot).

One convention: TEXTS[key][lang], read with text(key, lang, **fields); {field}s are filled in.
"""

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
    "handoff_passed": {
        "zh": "已将您的对话转交工作人员。",
        "en": "I have passed your conversation to our staff.",
    },
    "handoff_passed_reference": {
        "zh": "已将您的对话转交工作人员（编号 {reference}）。",
        "en": "I have passed your conversation to our staff (reference {reference}).",
    },
    "handoff_reply": {
        "zh": "工作人员会在工作时间内阅读并在本对话中回复您，无需重复提问。",
        "en": "A member of staff will read it and reply in this chat during working hours; "
              "you do not need to repeat your question.",
    },
    "handoff_channel": {
        "zh": "正式办理请联系：{channel}。",
        "en": "For formal matters the competent channel is {channel}.",
    },
    # The human channels, by topic (the English one is also what staff see in the request).
    "channel_complaints": {
        "zh": "全国外商投资企业投诉中心（设在商务部投资促进事务局），或您所在县级以上地方人民政府指定的外商投资企业投诉工作机构",
        "en": "the National Complaint Centre for Foreign-Invested Enterprises (in MOFCOM's Investment "
              "Promotion Agency), or the complaint agency designated by your county-level or higher "
              "local government",
    },
    "channel_default": {
        "zh": "您所在地的商务主管部门（省、市商务厅/局外资管理部门）",
        "en": "the commerce department of your province or city (its foreign investment division)",
    },
}

BUTTONS = {
    "handoff": {
        "zh": [{"title": "转人工", "payload": "/request_human"}, {"title": "不用了", "payload": "/deny"}],
        "en": [{"title": "Talk to a person", "payload": "/request_human"},
               {"title": "No, thanks", "payload": "/deny"}],
    },
}


def text(key: str, lang: str, **fields: str) -> str:
    chosen = TEXTS[key]["en" if lang == "en" else "zh"]
    return chosen.format(**fields) if fields else chosen


def buttons(key: str, lang: str) -> list[dict]:
    return BUTTONS[key]["en" if lang == "en" else "zh"]
