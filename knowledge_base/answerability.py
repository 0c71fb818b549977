"""Does the best clause answer the question? "yes", "partial" (which part is missing) or "no".

Search finds the clause closest to a question; closeness is not an answer. A question asks for
something (an amount, a rate, a deadline, a contact, a place's own rule, today's data), and a
clause either states that or does not. The judgment compares the two with patterns for the
kinds of information, the place the question names against the places the clause speaks of, and
the search's own no-answer floor. Chosen on the dev sets tests/eval/near_topic.jsonl (questions
no document answers) and the answerable sets (README, "Answerability").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .sectors import load_vocabulary
from .types import Gap, SearchResult

TIERS = ("yes", "partial", "no")

# What a question asks for, first match wins: live data and contacts are never in a law or
# guide; the figures (amount, rate, deadline, number) are checked against the clause.
_NEEDS: tuple[tuple[str, re.Pattern, re.Pattern], ...] = (
    ("live_data",
     re.compile(r"汇率|报价利率|LPR|基准利率|股价|股指|大盘|统计数据|吸收外资.*(?:多少|数据)|实际使用外资|今天|今日|昨天|"
                r"本周|上周|这周|上个?月|本月|这个月|(?:目前|现在|截至目前).{0,8}有多少(?:家|个|名|人)|有多少家外(?:资|商投资)企业|最新一轮|磋商|谈判|最新(?:消息|进展|新闻|动态)|"
                r"下一版|下一批|何时(?:出台|公布|发布)|什么时候(?:出台|公布|发布)|新设了多少|新增了多少|前.{1,3}个月"),
     re.compile(r"exchange rate|loan prime rate|\bLPR\b|interest rate|share price|stock (?:price|index|market)|"
                r"statistic|\bfigures? for\b|\btoday\b|yesterday|this week|last week|last month|this month|"
                r"latest (?:news|round|talks)|news about|right now|"
                r"how many (?:foreign[- ]invested )?(?:companies|enterprises|firms|FIEs)\b.{0,60}"
                r"(?:are there|registered|operat|at present|currently|so far|to date)|"
                r"trade talks|negotiations|next (?:edition|version|list)|"
                r"when will .{0,40}(?:published|released|announced|issued)|first \w+ months|actually used|"
                r"how many .{0,40}(?:were|are) (?:set up|established|registered)", re.I)),
    ("contact",
     re.compile(r"电话(?:号码)?是多少|电话号码|联系电话|联系方式|联系人|热线(?:号码|电话|是)|邮箱|地址在|地址是|在哪里办|在哪儿办|"
                r"办公地址|办公时间|几点(?:上班|下班|开门)|窗口在|周末(?:上班|开门|办公)|到哪个.{0,6}(?:局|分局|窗口|办事处)|哪个(?:税务)?(?:分局|窗口|办事处)"),
     re.compile(r"phone number|telephone number|contact (?:details|number|person)|hotline number|e-?mail address|"
                r"office address|\baddress of\b|where is the .{0,40}office|opening hours|office hours|"
                r"\bopen on\b|what are (?:its|the) hours", re.I)),
    ("deadline",
     re.compile(r"多久|多长时间|几天|几个月|几个工作日|几年|期限|时限|什么时候|何时|截止|最晚|哪天|多少天|多少个工作日"),
     re.compile(r"how long|how many (?:working )?(?:days|months|years|weeks)|deadline|"
                r"when (?:must|should|do|does|is|will|can)|by when|within how|time limit|how soon|how quickly|"
                r"processing time|how much (?:notice|time)", re.I)),
    ("amount",
     re.compile(r"多少钱|罚多少|罚款多少|多少元|多少万|金额|补贴多少|奖励多少|给多少|奖多少|补多少|标准是多少|怎么算|手续费|收费"),
     re.compile(r"how much|\bamount\b|how large|size of the (?:fine|award|subsidy)|\bsubsid(?:y|ies|ise|ize)\b|"
                r"\baward\b|\bgrants?\b|\bcash\b|\bfees?\b|\bcharges?\b", re.I)),
    ("rate",
     re.compile(r"税率|多少[%％]|百分之几|比例.{0,4}多少|缴费比例|费率|多少个点"),
     re.compile(r"(?:what|which|how (?:much|high|large))\b[^?]{0,40}\b(?:rate|percentage|per ?cent)", re.I)),
    ("number",
     re.compile(r"多少项|多少条|几项|几条|多少个|多少家|几个|多少种"),
     re.compile(r"how many", re.I)),
    ("yes_no",
     re.compile(r"(?:吗|么)\s*[？?]?\s*$|能否|是否|可否|能不能|可不可以|是不是|有没有"),
     re.compile(r"^\s*(?:can|may|is|are|do|does|must|should|could|will)\b", re.I)),
)

# What a clause states, for the needs that have figures.
_CN_NUM = "[0-9０-９一二三四五六七八九十百千万零〇两]"
_STATES = {
    # A credit or allowance "amount" is often a percentage of something.
    "amount": re.compile(rf"{_CN_NUM}+(?:\.\d+)?\s*(?:万元|亿元|元)|人民币|RMB|yuan|[%％]|百分之", re.I),
    "rate": re.compile(r"[%％‰]|百分之|per ?cent", re.I),
    "deadline": re.compile(rf"(?<![0-9０-９]){_CN_NUM}{{1,3}}\s*(?:个)?(?:工作日|日|天|个月|月|年|周)|{_CN_NUM}+月{_CN_NUM}+日|"
                           r"\b\d+\s+(?:working )?(?:days|months|years|weeks)\b|\bby \d{1,2} [A-Z][a-z]+", re.I),
    "number": re.compile(rf"{_CN_NUM}+\s*(?:项|条|个|家|种|类)|\b\d+\b"),
    "contact": re.compile(r"\d{3,4}-\d{7,8}|\b12345\b|电话[:：]|热线[:：]|hotline|telephone", re.I),
}

# Asking about one's own case: the documents give the rule, never the state of a file.
_OWN_CASE = (
    re.compile(r"(?:我|我们|我司|我公司|我们公司|本公司).{0,24}"
               r"(?:进度|状态|结果|批下来|批准了|通过了|受理了|到账|办好|审核到|审批到|到哪一步|成功了没有|成功没有|有没有成功|"
               r"能退多少|能拿到多少|通过了吗|下来)|实际(?:上)?(?:一般|要|需要)|我已经(?:交|提交|递交)"),
    re.compile(r"\b(?:my|our)\b.{0,40}\b(?:status|progress|approved|accepted|been processed|come through|"
               r"arrive|outcome)\b|\bhas (?:my|our)\b|\bwill (?:my|our)\b.{0,40}\b(?:be approved|be accepted|pass)\b|"
               r"\b(?:my|our)\b.{0,60}\byet\b|\bhas it been\b|"
               r"\b(?:I|we) (?:applied|filed|submitted)\b.{0,80}\b(?:when|yet|accepted|ready|status|approved)\b|"
               r"\bin practice\b|\bactually take",
               re.I),
)
# A place below the national level that the vocabulary does not list: a district, park or county.
_LOCAL_ZH = re.compile(r"([\u4e00-\u9fff]{2,4}(?:新区|园区|开发区|高新区|片区|合作区|自治州|县))")
_LOCAL_EN = re.compile(r"\b((?:[A-Z][a-z]+ ){1,3}(?:District|Province|City|New Area|Industrial Park|"
                       r"Development Zone|County))\b")
_NOT_PLACES = ("自贸区", "试验区", "自由贸易试验区", "综合保税区", "保税区", "经济特区")
# A place's name matters only when the question asks what that place provides or sets.
_LOCAL_CUE = re.compile(r"奖励|补贴|扶持|优惠|政策|规定|标准|资助|补助|奖金|返还|当地|地方|本地|市里|区里|省里|"
                        r"\bawards?\b|subsid(?:y|ies)|incentives?|polic(?:y|ies)|\brules?\b|\bgrants?\b|support|"
                        r"rebates?|bonus|\blocal\b|\bcity\b|\bprovince\b|\bdistrict\b|今年|this year|除了国家|自己|"
                        r"beyond the national|on top of", re.I)
# The question asks what the place sets on its own, beyond what national documents say of it.
_OWN_LOCAL = re.compile(r"除了国家|自己|本身|另外|额外|beyond the national|on top of|its own", re.I)
# Needs for which a named place always matters: its figures, deadlines and offices are its own.
_LOCAL_NEEDS = ("amount", "rate", "number", "deadline", "contact")
# A foreign country named beside a treaty, visa or consulate: our documents set none of those.
_FOREIGN = re.compile(r"(?:新加坡|德国|美国|英国|日本|韩国|法国|荷兰|瑞士|澳大利亚|加拿大|意大利|伦敦|纽约|东京|"
                      r"Singapore|Germany|German|United States|\bUS\b|\bUK\b|Britain|British|Japan|Korea|France|"
                      r"Netherlands|Switzerland|Australia|Canada|Italy|London|New York|Tokyo)", re.I)
_FOREIGN_CUE = re.compile(r"协定|签证|领事馆|使馆|treaty|visa|consulate|embassy", re.I)

_NEED_NAMES = {
    "live_data": ("当前的市场数据或统计数据", "current market data or statistics"),
    "contact": ("具体办事机构的联系方式", "the contact details of a particular office"),
    "amount": ("所问的具体金额", "the amount asked for"),
    "rate": ("所问的具体比率", "the rate asked for"),
    "deadline": ("所问的具体期限", "the time limit asked for"),
    "number": ("所问的具体数目", "the number asked for"),
    "own_case": ("您个人或贵公司具体事项的办理情况", "the state of your own case"),
}


def _gap_of(need: str) -> Gap:
    return "live_data" if need == "live_data" else "contact"


@dataclass(frozen=True)
class Answerability:
    """The judgment on one question: the tier, what the question asks for, what is missing
    (both languages; empty for "yes"), the place it names, and which result answers."""

    tier: str
    need: str = "other"
    missing_zh: str = ""
    missing_en: str = ""
    place: str = ""
    place_en: str = ""
    answer_index: int = 0  # the result that answers (a later one may state the figure asked for)
    gap: Gap = ""

    def missing(self, lang: str) -> str:
        return self.missing_zh if lang == "zh" else self.missing_en

    def as_dict(self) -> dict:
        return {"answerable": self.tier, "need": self.need, "missing": self.missing_en,
                "missing_zh": self.missing_zh, "gap": self.gap, "place": self.place}


def information_need(question: str) -> str:
    for need, zh, en in _NEEDS:
        if zh.search(question) or en.search(question):
            return need
    return "other"


def states(need: str, r: SearchResult) -> bool:
    """Whether the clause states the kind of information asked for (its text, and for curated
    entries their English summary)."""
    pattern = _STATES.get(need)
    if pattern is None:
        return True
    return bool(pattern.search(f"{r.label} {r.text} {r.summary_en}"))


def named_place(question: str, need: str = "other") -> tuple[str, str, tuple[str, ...]]:
    """(name, English name, names that cover it) of the sub-national place a question names,
    when the question asks about that place's own provisions: a city or province from the
    vocabulary, or a district, park or county by its suffix. A clause covers the place only
    when it names the place itself (a national clause on Hainan does not set Sanya's awards)."""
    if need not in _LOCAL_NEEDS and not _LOCAL_CUE.search(question):
        return "", "", ()
    place = load_vocabulary().place(question)
    if place is not None:
        return place.name, place.name_en, (place.name, place.name_en)
    for m in _LOCAL_ZH.finditer(question):
        name = m.group(1)
        if not any(name.endswith(w) for w in _NOT_PLACES):
            return name, name, (name,)
    m = _LOCAL_EN.search(question)
    if m:
        return m.group(1), m.group(1), (m.group(1),)
    return "", "", ()


def _covers(r: SearchResult, names: tuple[str, ...]) -> bool:
    """Whether a clause speaks of the place: its document, heading or text names it."""
    haystack = f"{r.doc_title} {r.heading} {r.text} {r.summary_en} {r.title_en}".lower()
    return any(n and n.lower() in haystack for n in names)


def own_case(question: str) -> bool:
    return any(p.search(question) for p in _OWN_CASE)


# A clause for some regions only (the western region, Hainan, the FTZs) is an exception, not the
# rule a question without a region asks about.
_REGIONAL = re.compile(r"西部地区|中西部|东北地区|海南|自由贸易试验区|自贸试验区|自贸区|自由贸易港|横琴|前海|浦东|粤港澳|"
                       r"western region|central and western|Hainan|free trade (?:zone|port)|\bFTZ|pilot zone", re.I)


# The question asks for the rule that applies generally.
_GENERAL = re.compile(r"标准|一般|通常|法定|基本|普通|\bstandard\b|\bnormal(?:ly)?\b|\bgeneral(?:ly)?\b|\bbasic\b|"
                      r"\bstatutory\b|\bordinary\b|\busual(?:ly)?\b", re.I)


def regional_exception(question: str, r: SearchResult) -> bool:
    """The question asks for the general rule, names no region, and the clause is limited to
    some regions."""
    return bool(_GENERAL.search(question)) and bool(_REGIONAL.search(f"{r.label} {r.heading} {r.text}")) \
        and not _REGIONAL.search(question) and not load_vocabulary().place(question)


def judge(question: str, results: tuple[SearchResult, ...], no_answer: bool,
          alternative: SearchResult | None = None) -> Answerability:
    """Judge the search's answer to `question` (see the module's note). `alternative` is the
    best clause of the other source group (laws, or the curated and policy texts): it answers
    instead (answer_index == len(results)) when the first result is a regional exception to the
    general rule asked for and the alternative states that rule."""
    need = information_need(question)
    place, place_en, covering = named_place(question, need)
    if no_answer or not results:
        if need in ("live_data", "contact"):
            zh, en = _NEED_NAMES[need]
            return Answerability("no", need, zh, en, place=place, place_en=place_en, gap=_gap_of(need))
        return Answerability("no", need, place=place, place_en=place_en)
    if own_case(question):
        # Asked about one's own file ("approved yet?", "last week I submitted …"): the rule may
        # be quoted, the state of the file never.
        zh, en = _NEED_NAMES["own_case"]
        return Answerability("partial", need, zh, en, place, place_en, 0, gap="own_case")
    if need in ("live_data", "contact"):
        zh, en = _NEED_NAMES[need]
        if need == "contact" and states("contact", results[0]):
            return Answerability("yes", need, place=place, place_en=place_en)
        return Answerability("no", need, zh, en, place, place_en, gap=_gap_of(need))
    # The figure asked for may sit in the second or third clause (the penalty article after
    # the reporting duty): that one answers.
    index = 0
    if need in _STATES and not states(need, results[0]):
        index = next((i for i, r in enumerate(results[1:3], 1) if states(need, r)), -1)
    best = results[max(index, 0)]
    if need in _STATES and not place and regional_exception(question, best):
        if alternative is not None and states(need, alternative) and not regional_exception(question, alternative):
            return Answerability("yes", need, place=place, place_en=place_en, answer_index=len(results))
        return Answerability("partial", need, "全国普遍适用的规定（该条只适用于部分地区）",
                             "the general rule (the provision below covers only some regions)",
                             place, place_en, max(index, 0), gap="general_rule")
    if place and (not _covers(best, covering) or _OWN_LOCAL.search(question)):
        return Answerability("partial", need, f"{place}本地的奖励、补贴和具体规定", f"{place_en}'s own local incentives and rules",
                             place, place_en, max(index, 0), gap="local_rules")
    foreign = _FOREIGN.search(question)
    if foreign and _FOREIGN_CUE.search(question) and not _covers(best, (foreign.group(0),)):
        return Answerability("partial", need, f"与{foreign.group(0)}相关的具体规定",
                             f"what applies to {foreign.group(0)} in particular", place, place_en, max(index, 0),
                             gap="foreign_specifics")
    if index < 0:
        zh, en = _NEED_NAMES[need]
        return Answerability("partial", need, zh, en, place, place_en, 0, gap="figure")
    return Answerability("yes", need, place=place, place_en=place_en, answer_index=index)
