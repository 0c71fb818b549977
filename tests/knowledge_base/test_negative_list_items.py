"""The curated negative-list entries: every 2024 item once, with number, type, order and dates."""

import pytest
import yaml

from knowledge_base.corpus_loader import CorpusError, guide_entry_metadata, load_corpus, load_guide
from helpers import REPO

GUIDES = REPO / "knowledge_base" / "corpus" / "guides"
ITEMS = GUIDES / "negative_list_items_2024.yaml"


def entries():
    return guide_entry_metadata(ITEMS)


def raw_entries():
    return {e["label"]: e for e in yaml.safe_load(ITEMS.read_text(encoding="utf-8"))["entries"]}


def test_every_2024_item_present_once_with_number_and_type():
    national = [e for e in entries() if e.list == "national" and e.item is not None]
    assert sorted(e.item for e in national) == list(range(1, 30))  # 29 items, each once
    for e in national:
        assert e.measure in ("prohibited", "restricted"), e.label
        assert e.edition == "2024" and e.in_force == "2024-11-01", e.label
        assert e.sector and e.sector_en and e.name and e.name_en and e.terms, e.label
        if e.measure == "restricted":
            assert e.condition and e.condition_en, e.label
    # The measure types as the official list has them (prohibited unless a condition applies).
    restricted = sorted(e.item for e in national if e.measure == "restricted")
    assert restricted == [1, 6, 8, 9, 10, 12, 15, 20, 22]


def test_each_item_cites_order_23_and_says_it_summarises_the_list():
    raw = raw_entries()
    for e in entries():
        if e.item is None:
            continue
        entry = raw[e.label]
        order = entry["cites"][0]
        assert order["doc_number"] == "国家发展改革委 商务部令第23号"
        assert str(order["date"]) == "2024-09-06" and order["url"].startswith("https://")
        assert f"第{e.item}项" in entry["text"] and "以官方清单为准" in entry["text"]
        assert f"item {e.item} of the 2024 national negative list" in entry["summary_en"]


def test_notes_ftz_history_and_pilots_are_entries():
    labels = {e.label: e for e in entries()}
    notes = [e for e in entries() if e.measure == "note"]
    assert any("合伙" in e.label for e in notes) and any("境外上市" in e.label for e in notes)
    assert any(e.measure == "restricted" and e.list == "ftz" for e in entries())
    pilots = [e for e in entries() if e.measure == "pilot"]
    assert {"试点 外商独资医院", "试点 增值电信业务扩大对外开放"} <= {p.label for p in pilots}
    for p in pilots:
        assert p.places and p.places_en and p.in_force, p.label
    # Every pilot and FTZ reference on an item points at an entry that exists.
    for e in entries():
        assert all(p in labels for p in e.pilots), e.label
        assert e.ftz in ("", "same") or e.ftz in labels, e.label
    # The older guide carries the removals (2024 printing and TCM; 2020 finance) and the
    # individual-business note.
    older = {e.label: e for e in guide_entry_metadata(GUIDES / "negative_list.yaml")}
    assert older["制造业外资准入限制清零"].measure == "removed"
    assert older["制造业外资准入限制清零"].in_force == "2024-11-01"
    assert older["金融业外资股比限制取消"].measure == "removed"
    assert older["境外投资者不得采用的组织形式"].measure == "note"


def test_verified_entries_name_two_copies_and_unverified_ones_load_as_such():
    every = entries() + guide_entry_metadata(GUIDES / "negative_list.yaml")
    for e in every:
        if e.measure and e.verified and e.checked_against:
            assert len(e.checked_against) >= 2, e.label
    doc = load_guide(ITEMS)
    assert any(not c.verified for c in doc.clauses) and any(c.verified for c in doc.clauses)


def test_guides_without_list_fields_still_load_with_defaults():
    docs = {d.id: d for d in load_corpus(GUIDES.parent)}
    assert "guide-negative_list_items" in docs and "guide-reinvestment" in docs
    plain = guide_entry_metadata(GUIDES / "reinvestment.yaml")
    assert plain and all(m.measure == "" and m.item is None and m.list == "national" for m in plain)


@pytest.mark.parametrize("field,value,message", [
    ("measure", "banned", "unknown measure"),
    ("list", "regional", "unknown list"),
    ("item", "three", "positive whole number"),
])
def test_bad_list_fields_are_clear_errors(tmp_path, field, value, message):
    guide = {"id": "g", "title": "t", "entries": [{
        "label": "x", "text": "t", "cites": [{"title": "c"}], field: value}]}
    path = tmp_path / "g.yaml"
    path.write_text(yaml.safe_dump(guide, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        load_guide(path)


def test_ftz_entries_are_reached_from_their_national_items():
    vocabulary = GUIDES.parents[1] / "sector_vocabulary.yaml"
    sectors = yaml.safe_load(vocabulary.read_text(encoding="utf-8"))["sectors"]
    every = entries()
    ftz = {e.label: e for e in every if e.list == "ftz"}
    national = {e.ftz: e for e in every if e.list == "national" and e.item and e.ftz != "same"}
    assert set(ftz) == set(national)  # every FTZ difference hangs on the national item it changes
    for label, e in ftz.items():
        assert e.measure in ("restricted", "removed") and e.edition and e.in_force, label
        if e.measure == "restricted":
            assert e.condition and e.condition_en, label
        # A question reaches the FTZ entry through its national item and then needs one of the FTZ
        # entry's terms: some vocabulary sector must carry terms of both.
        assert any(set(s["terms"]) & set(e.terms) and set(s["terms"]) & set(national[label].terms)
                   for s in sectors), label
    assert {"自贸区 市场调查", "自贸区 社会调查", "自贸区 水产品捕捞"} <= set(ftz)
