"""Reinvestment eligibility: parse an investor's answers and judge the deferral and the credit.

Deferral: 财税〔2018〕102号 (withholding tax not levied for the time being on distributed profits
reinvested directly in a sector not prohibited to foreign investment).
Credit: 财政部 税务总局 商务部公告2025年第2号 (10% of the amount reinvested in 2025-2028 in an
encouraged industry, held at least 5 years).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .text import normalize_query
from .types import Citation

# The two documents every verdict cites (the bot's source cards are built from these too).
DEFERRAL_CITATION = Citation(
    title="关于扩大境外投资者以分配利润直接投资暂不征收预提所得税政策适用范围的通知",
    doc_number="财税〔2018〕102号", issuer="财政部 税务总局 国家发展改革委 商务部", date="2018-09-29")
CREDIT_CITATION = Citation(
    title="关于境外投资者以分配利润直接投资税收抵免政策的公告",
    doc_number="财政部 税务总局 商务部公告2025年第2号", issuer="财政部 税务总局 商务部", date="2025-06-27")
_CITATION_EN = {DEFERRAL_CITATION.doc_number: "Caishui [2018] No. 102 (MOF, SAT, NDRC, MOFCOM)",
                CREDIT_CITATION.doc_number: "MOF, SAT and MOFCOM Announcement 2025 No. 2"}

DIRECT_FORMS = {"capital_increase", "new_enterprise", "equity_unrelated"}

_YES = re.compile(r"^(yes|y|yeah|yep|sure|correct|right|true|of course|indeed|affirmative|是|是的|对|对的|"
                  r"有|有的|没错|正确|确实|好的|属于|符合|是滴)\b|^(yes|是|对)", re.I)
_NO = re.compile(r"^(no|n|nope|not|false|negative|否|不是|不对|没有|无|不|并不|不属于|不符合)", re.I)


def parse_yes_no(text: str) -> Optional[bool]:
    t = normalize_query(text).lower().strip(" .!。！")
    if not t:
        return None
    if _NO.match(t) or re.search(r"\b(not|isn't|aren't|doesn't|don't|didn't|wasn't)\b", t):
        return False
    if _YES.match(t):
        return True
    return None


def parse_investment_form(text: str) -> Optional[str]:
    t = normalize_query(text).lower()
    if re.search(r"listed|stock exchange|shares? (on|of) (a )?listed|上市|股票|a股", t):
        return "listed_shares"
    if re.search(r"unrelated|non-related|not related|independent third|third party|非关联|无关联|第三方", t):
        return "equity_unrelated"
    if re.search(r"related|affiliate|group compan|sister|parent|关联|集团内|母公司|兄弟公司", t):
        return "equity_related"
    if re.search(r"increase|capital reserve|paid-in|inject|增资|增加注册资本|实收资本|资本公积|注资", t):
        return "capital_increase"
    if re.search(r"new (company|enterprise|entity|subsidiary|fie|wfoe|jv)|set(ting)? up|establish|incorporat|"
                 r"新设|新建|设立|成立|新公司|新企业", t):
        return "new_enterprise"
    if re.search(r"equity|acqui|buy (a )?stake|purchase.*(stake|share)|股权|收购|并购", t):
        return None  # equity, but the seller's relation is unknown: ask again
    if re.search(r"other|loan|bond|其他|借款|债券|贷款", t):
        return "other"
    return None


def parse_industry(text: str) -> Optional[str]:
    t = normalize_query(text).lower()
    if re.search(r"prohibit|forbidden|banned|禁止", t):
        return "prohibited"
    if re.search(r"neither|none|not encouraged|no,? it|ordinary|restricted|都不|不是鼓励|非鼓励|一般|普通|限制类|都不是", t):
        return "neither"
    if re.search(r"encourag|catalog|鼓励|目录", t):
        return "encouraged"
    return None


def parse_holding(text: str) -> Optional[str]:
    t = normalize_query(text).lower()
    if re.search(r"not sure|unsure|don't know|do not know|unknown|maybe|不确定|不知道|没想好|说不准|不一定", t):
        return "unsure"
    if re.search(r"less than|under|shorter|fewer|within|不满|不到|少于|以内|短于|不足", t):
        return "less_than_five_years"
    years = re.search(r"(\d+(?:\.\d+)?)\s*(years?|yrs?|年)", t)
    if years:
        return "five_years_or_more" if float(years.group(1)) >= 5 else "less_than_five_years"
    months = re.search(r"(\d+)\s*(months?|个月)", t)
    if months:
        return "five_years_or_more" if int(months.group(1)) >= 60 else "less_than_five_years"
    if re.search(r"long[- ]term|permanent|indefinite|more than|over|at least|长期|永久|以上|超过|至少|五年", t):
        return "five_years_or_more"
    return None


@dataclass(frozen=True)
class Answers:
    foreign_investor: Optional[bool] = None
    profit_distributed: Optional[bool] = None
    investment_form: Optional[str] = None
    target_industry: Optional[str] = None
    cash_direct: Optional[bool] = None
    holding_period: Optional[str] = None


@dataclass(frozen=True)
class Condition:
    met: Optional[bool]  # None: cannot be decided from the answers
    zh: str
    en: str


@dataclass(frozen=True)
class Verdict:
    scheme: str  # deferral | credit
    conditions: tuple[Condition, ...]
    source: Citation

    @property
    def eligible(self) -> Optional[bool]:
        if any(c.met is False for c in self.conditions):
            return False
        if any(c.met is None for c in self.conditions):
            return None
        return True


def _common(a: Answers) -> list[Condition]:
    return [
        Condition(a.foreign_investor, "投资者为境外投资者（非居民企业）", "the investor is a foreign (non-resident) enterprise"),
        Condition(a.profit_distributed, "资金为居民企业以已实现留存收益实际分配的利润",
                  "the money is profit actually distributed out of realised retained earnings"),
        Condition(a.investment_form in DIRECT_FORMS if a.investment_form else None,
                  "投资形式为增资、新设企业或从非关联方收购股权（不含上市公司股票）",
                  "the investment is a capital increase, a new enterprise, or equity bought from an "
                  "unrelated party (listed shares excluded)"),
        Condition(a.cash_direct, "现金从利润分配企业账户直接转入被投资企业或股权转让方账户",
                  "the cash goes directly from the distributing enterprise's account to the investee "
                  "or the seller"),
    ]


def assess(a: Answers) -> tuple[Verdict, Verdict]:
    industry = a.target_industry
    deferral = _common(a) + [Condition(
        industry != "prohibited" if industry else None,
        "被投资行业不属于禁止外商投资领域", "the target industry is not prohibited to foreign investment")]
    holding = {"five_years_or_more": True, "less_than_five_years": False}.get(a.holding_period or "")
    credit = _common(a) + [
        Condition(industry == "encouraged" if industry else None,
                  "被投资行业属于《鼓励外商投资产业目录》全国目录", "the target industry is in the national part "
                  "of the Catalogue of Industries for Encouraging Foreign Investment"),
        Condition(holding, "再投资持有满5年（60个月）", "the investment is held for at least 5 years (60 months)"),
    ]
    return (Verdict("deferral", tuple(deferral), DEFERRAL_CITATION),
            Verdict("credit", tuple(credit), CREDIT_CITATION))


def render_verdicts(verdicts: tuple[Verdict, Verdict], lang: str) -> str:
    names = {"deferral": ("递延纳税（暂不征收预提所得税）", "Withholding-tax deferral"),
             "credit": ("10%税收抵免（2025—2028年再投资）", "10% tax credit (reinvestment in 2025-2028)")}
    lines = []
    for v in verdicts:
        zh_name, en_name = names[v.scheme]
        if lang == "en":
            outcome = {True: "appears to qualify", False: "does not qualify",
                       None: "cannot be decided yet"}[v.eligible]
            lines.append(f"{en_name}: {outcome} — {_CITATION_EN[v.source.doc_number]}")
        else:
            outcome = {True: "看来符合条件", False: "不符合条件", None: "暂无法判断"}[v.eligible]
            lines.append(f"{zh_name}：{outcome}（依据{v.source.doc_number}《{v.source.title}》）")
        for c in v.conditions:
            mark = {True: "✔", False: "✘", None: "?"}[c.met]
            lines.append(f"  {mark} {c.en if lang == 'en' else c.zh}")
    if lang == "en":
        lines.append("This is a first check from your answers, not tax advice; the distributing "
                     "enterprise and the tax authority decide. Deferred tax becomes payable when the "
                     "investment is recovered.")
    else:
        lines.append("以上为根据您的回答作出的初步判断，不构成税务意见，最终以利润分配企业和主管税务机关的认定为准；"
                     "递延的税款在收回投资时需要补缴。")
    return "\n".join(lines)
