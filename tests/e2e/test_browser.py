"""The website chat widget in a real browser (headless Chromium driven by Selenium).

Fixtures this module uses:
- `gateway_url`: the base URL of a running gateway. The project's conftest provides it (a gateway
  backed by the real Rasa bot). When no conftest provides one, this module stands in a tiny Flask
  app on 127.0.0.1 that serves the real page, widget.js and widget.css and answers /api/chat and
  /api/feedback with canned messages (`_standin_gateway_url`).
- `feedback_rows` (optional): a callable returning the stored feedback rows; when it is absent the
  check that a row was stored is made only against the stand-in.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from helpers import REPO  # noqa: E402

STATIC_DIR = REPO / "bot" / "static"
TEMPLATES_DIR = REPO / "bot" / "templates"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

ZH_QUESTION = "外商投资企业投诉以后多久受理？"
EN_QUESTION = "How do I file the annual foreign investment information report?"
XSS = "<img src=x onerror=alert(1)>"
ANSWER_WAIT = 60


# --------------------------------------------------------------------------- stand-in gateway
class _StandInState:
    def __init__(self):
        self.url: str | None = None
        self.feedback: list[dict] = []
        self.chats: list[dict] = []
        self.answers: dict[str, dict] = {}


_STANDIN = _StandInState()


def _canned_reply(message: str) -> tuple[list[dict], int]:
    handoff_zh = [{"title": "转人工", "payload": "/request_human"}]
    if message == "__429__":
        return [{"error": "Too many messages"}], 429
    if message == "__503__":
        return [{"error": "助手暂时不可用 / The assistant is temporarily unavailable"}], 503
    if message == "/request_human":
        return [{"text": "已为您登记转人工请求（编号 H-TEST-1），工作人员会尽快联系您。\n"
                         "Your request for a person is registered (ref. H-TEST-1).",
                 "sources": [], "buttons": [], "type": "handoff"}], 200
    if "投诉" in message:
        return [{
            "text": "【测试数据】投诉工作机构应当在收到完整投诉材料之日起7个工作日内作出是否受理的决定。\n"
                    "——《外商投资企业投诉工作办法》第十四条",
            "sources": [
                {"doc_title": "外商投资企业投诉工作办法", "label": "第十四条",
                 "doc_number": "商务部令2020年第3号", "date": "2020-08-25",
                 "source_url": "https://www.mofcom.gov.cn/standin/complaints"},
                {"doc_title": "A card whose link must be dropped", "label": "第一条", "doc_number": "",
                 "date": "", "source_url": "javascript:alert(1)"},
            ],
            "buttons": handoff_zh + [{"title": "不用了", "payload": "/deny"}],
            "type": "answer"}], 200
    if "annual" in message.lower() or "report" in message.lower():
        return [{
            "text": "[stand-in] Foreign-invested enterprises submit the annual report through the "
                    "enterprise credit information publicity system between 1 January and 30 June.\n"
                    "— Measures on Foreign Investment Information Reporting, Article 14",
            "sources": [{"doc_title": "外商投资信息报告办法", "label": "第十四条",
                         "doc_number": "商务部 市场监管总局令2019年第2号", "date": "2019-12-30",
                         "source_url": "http://www.mofcom.gov.cn/standin/reporting"}],
            "buttons": [{"title": "Talk to a person", "payload": "/request_human"}],
            "type": "answer"}], 200
    return [{"text": f"没有找到与“{message}”相关的规定。Nothing in the documents answers “{message}”.",
             "sources": [], "buttons": handoff_zh, "type": "no_answer"}], 200


def _standin_app():
    from flask import Flask, jsonify, render_template, request, send_from_directory

    app = Flask("widget_standin", template_folder=str(TEMPLATES_DIR), static_folder=None)

    @app.get("/")
    def index():
        return render_template("index.html", gateway_url=request.host_url.rstrip("/"))

    @app.get("/widget.js")
    def widget_js():
        return send_from_directory(STATIC_DIR, "widget.js", mimetype="application/javascript")

    @app.get("/widget.css")
    def widget_css():
        return send_from_directory(STATIC_DIR, "widget.css", mimetype="text/css")

    @app.post("/api/chat")
    def chat():
        data = request.get_json(silent=True) or {}
        sender, message = data.get("sender"), data.get("message")
        if not isinstance(sender, str) or not isinstance(message, str) or not message.strip() \
                or len(message) > 1000:
            return jsonify(error="bad message"), 400
        _STANDIN.chats.append({"sender": sender, "message": message})
        time.sleep(0.4)  # long enough to see the typing indicator
        body, status = _canned_reply(message)
        if status != 200:
            return jsonify(body[0]), status
        # Like the gateway: every answer gets an id, and a rating names it.
        for m in body:
            m["answer_id"] = f"{len(_STANDIN.answers):024x}"
            _STANDIN.answers[m["answer_id"]] = {"sender": sender, "question": message,
                                                "answer": m.get("text", ""),
                                                "sources": m.get("sources", [])}
        return jsonify(messages=body)

    @app.post("/api/feedback")
    def feedback():
        data = request.get_json(silent=True) or {}
        given = _STANDIN.answers.get(data.get("answer_id"))
        if data.get("rating") not in ("up", "down") or not given \
                or given["sender"] != data.get("sender"):
            return jsonify(error="bad feedback"), 400
        _STANDIN.feedback.append({**given, "rating": data["rating"]})
        return jsonify(ok=True)

    return app


@pytest.fixture(scope="module")
def _standin_gateway_url():
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _standin_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _STANDIN.url = f"http://127.0.0.1:{server.server_port}"
    _STANDIN.feedback.clear()
    _STANDIN.chats.clear()
    yield _STANDIN.url
    server.shutdown()
    thread.join(timeout=5)
    _STANDIN.url = None


@pytest.fixture
def gateway_url(request):
    """The conftest's gateway when there is one (this overrides it, so ask one level up)."""
    try:
        return request.getfixturevalue("gateway_url")
    except pytest.FixtureLookupError:
        return request.getfixturevalue("_standin_gateway_url")


def _using_standin(url: str) -> bool:
    return _STANDIN.url is not None and url == _STANDIN.url


@pytest.fixture
def stored_feedback(request, gateway_url):
    """A callable returning stored feedback rows, or None when they cannot be seen."""
    try:
        return request.getfixturevalue("feedback_rows")
    except pytest.FixtureLookupError:
        if _using_standin(gateway_url):
            return lambda: list(_STANDIN.feedback)
        return None


# --------------------------------------------------------------------------- browser
class Browser:
    """A Chromium session that remembers every URL the page requested."""

    def __init__(self, driver):
        self.driver = driver
        self.requested: list[str] = []

    def collect_requests(self) -> list[str]:
        for entry in self.driver.get_log("performance"):
            try:
                message = json.loads(entry["message"])["message"]
            except (KeyError, ValueError):
                continue
            method = message.get("method", "")
            params = message.get("params", {})
            if method == "Network.requestWillBeSent":
                self.requested.append(params.get("request", {}).get("url", ""))
            elif method == "Network.webSocketCreated":
                self.requested.append(params.get("url", ""))
        return self.requested

    def wait(self, timeout=15):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.2)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)


@pytest.fixture
def browser(tmp_path):
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip("Chromium is not installed: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--no-first-run", f"--user-data-dir={tmp_path / 'chromium-profile'}",
                "--window-size=1280,900", "--lang=zh-CN"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    # Leave any alert open so the test can see it (instead of WebDriver dismissing it).
    options.unhandled_prompt_behavior = "ignore"
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield Browser(driver)
    finally:
        driver.quit()


# --------------------------------------------------------------------------- page helpers
BOT_MESSAGES_WITH_SOURCES = """
return Array.from(document.querySelectorAll('#pa-messages .pa-msg.pa-bot'))
  .filter(m => m.querySelector('.pa-source')).length;
"""

USER_TEXTS = """
return Array.from(document.querySelectorAll('#pa-messages .pa-msg.pa-user .pa-text'))
  .map(n => n.textContent);
"""


def open_page(b: Browser, url: str):
    b.driver.get(url + "/")
    widget_ready(b)


def widget_ready(b: Browser):
    b.wait().until(EC.presence_of_element_located((By.ID, "pa-launcher")))
    # The widget's stylesheet is loaded by the widget itself: wait until it applies.
    b.wait().until(lambda d: b.js(
        "return getComputedStyle(document.getElementById('pa-widget')).position") == "fixed")


def open_panel(b: Browser):
    panel = b.driver.find_element(By.ID, "pa-panel")
    if b.js("return document.getElementById('pa-panel').hidden"):
        b.driver.find_element(By.ID, "pa-launcher").click()
    b.wait().until(EC.visibility_of_element_located((By.ID, "pa-panel")))
    # Let the opening animation finish so that measurements see the final box.
    b.wait().until(lambda _: b.js("return document.getElementById('pa-panel').getAnimations()"
                                  ".every(a => a.playState !== 'running')"))
    return panel


def bot_reply_settled(b: Browser) -> bool:
    return not b.driver.find_elements(By.CSS_SELECTOR, "#pa-messages .pa-typing")


def ask_and_wait_for_sources(b: Browser, question: str, use_enter: bool):
    before = b.js(BOT_MESSAGES_WITH_SOURCES)
    box = b.driver.find_element(By.ID, "pa-input")
    box.clear()
    box.send_keys(question)
    if use_enter:
        box.send_keys(Keys.ENTER)
    else:
        b.driver.find_element(By.ID, "pa-send").click()
    b.wait().until(lambda d: question in b.js(USER_TEXTS))
    assert box.get_attribute("value") == "", "the input is cleared once the message is sent"
    b.wait(ANSWER_WAIT).until(
        lambda d: b.js(BOT_MESSAGES_WITH_SOURCES) > before and bot_reply_settled(b),
        message=f"no answer with source cards for {question!r} within {ANSWER_WAIT} s")
    answers = b.driver.find_elements(By.CSS_SELECTOR, "#pa-messages .pa-msg.pa-bot")
    answer = [a for a in answers if a.find_elements(By.CSS_SELECTOR, ".pa-source")][-1]
    return answer


def check_source_cards(answer):
    cards = answer.find_elements(By.CSS_SELECTOR, ".pa-source")
    assert cards
    for card in cards:
        assert card.text.strip(), "a source card shows its document"
    assert answer.find_element(By.CSS_SELECTOR, ".pa-source-title").text.strip()
    for link in answer.find_elements(By.CSS_SELECTOR, ".pa-source a"):
        href = link.get_attribute("href")
        assert urlsplit(href).scheme in ("http", "https"), href
        assert link.get_attribute("target") == "_blank"
        assert set(link.get_attribute("rel").split()) >= {"noopener", "noreferrer"}


def feedback_values(row) -> list[str]:
    if isinstance(row, dict):
        values = row.values()
    elif hasattr(row, "keys"):
        values = [row[k] for k in row.keys()]
    elif isinstance(row, (list, tuple)):
        values = row
    else:
        values = [getattr(row, k) for k in vars(row)] if hasattr(row, "__dict__") else [row]
    return [str(v) for v in values]


def assert_only_gateway_requested(b: Browser, url: str):
    gateway = urlsplit(url)
    requested = b.collect_requests()
    assert requested, "the performance log recorded the page's requests"
    foreign = []
    for u in requested:
        parts = urlsplit(u)
        if parts.scheme in ("data", "blob", "about") or parts.scheme.startswith("chrome"):
            continue
        if (parts.hostname, parts.port) != (gateway.hostname, gateway.port):
            foreign.append(u)
    assert not foreign, f"requests to hosts other than the gateway: {foreign}"
    assert any(u.endswith("/widget.js") for u in requested)
    assert any(u.endswith("/widget.css") for u in requested)
    assert any(u.endswith("/api/chat") for u in requested)


def save_screenshot(b: Browser, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    b.driver.save_screenshot(str(path))
    return path


# --------------------------------------------------------------------------- tests
def test_widget_conversation(browser, gateway_url, stored_feedback):
    b, d = browser, browser.driver
    open_page(b, gateway_url)
    assert "Invest in China" in d.find_element(By.TAG_NAME, "h1").text
    assert "投资中国" in d.find_element(By.TAG_NAME, "h1").text
    assert not d.find_element(By.ID, "pa-panel").is_displayed()
    launcher = d.find_element(By.ID, "pa-launcher")
    assert launcher.tag_name == "button" and launcher.get_attribute("aria-expanded") == "false"

    # Open the widget: the input gets the focus; the message list is a polite live region.
    open_panel(b)
    assert d.find_element(By.ID, "pa-launcher").get_attribute("aria-expanded") == "true"
    assert b.js("return document.activeElement.id") == "pa-input"
    messages = d.find_element(By.ID, "pa-messages")
    assert messages.get_attribute("aria-live") == "polite"
    for control in ("pa-send", "pa-lang", "pa-human", "pa-close"):
        el = d.find_element(By.ID, control)
        assert el.tag_name == "button" and (el.get_attribute("aria-label") or el.text.strip())
    assert d.find_element(By.ID, "pa-input").get_attribute("placeholder").startswith("请输入")

    # One question in Chinese (Enter sends) and one in English (the send button).
    zh_answer = ask_and_wait_for_sources(b, ZH_QUESTION, use_enter=True)
    check_source_cards(zh_answer)
    en_answer = ask_and_wait_for_sources(b, EN_QUESTION, use_enter=False)
    check_source_cards(en_answer)
    assert en_answer.find_elements(By.CSS_SELECTOR, ".pa-thumb-up")
    assert en_answer.find_elements(By.CSS_SELECTOR, ".pa-thumb-down")

    # Thumbs up on the English answer: the button shows it was recorded, and a row is stored.
    rows_before = len(stored_feedback()) if stored_feedback else 0
    up = en_answer.find_element(By.CSS_SELECTOR, ".pa-thumb-up")
    assert up.tag_name == "button"
    up.click()
    b.wait().until(lambda _: "pa-recorded" in up.get_attribute("class"))
    assert up.get_attribute("aria-pressed") == "true"
    assert en_answer.find_element(By.CSS_SELECTOR, ".pa-feedback-note").text.strip()
    if stored_feedback:
        b.wait(10).until(lambda _: len(stored_feedback()) > rows_before,
                         message="the feedback row was not stored")
        assert any("up" in feedback_values(r) for r in stored_feedback()[rows_before:])
    # Clicking scrolled the thumbs into view: show the English answer from its question for the shot.
    b.js("const u = document.querySelectorAll('#pa-messages .pa-msg.pa-user');"
         "const m = document.getElementById('pa-messages');"
         "m.scrollTop = u[u.length - 1].offsetTop - 8;")
    save_screenshot(b, "widget.png")

    # The language switch changes the UI strings and is remembered.
    d.find_element(By.ID, "pa-lang").click()
    b.wait().until(lambda _: d.find_element(By.ID, "pa-input").get_attribute("placeholder")
                   .startswith("Type your question"))
    assert "Talk to a person" in d.find_element(By.ID, "pa-human").text
    assert d.find_element(By.ID, "pa-lang").text.strip() == "中文"

    # A reload keeps the conversation, the recorded feedback and the language.
    d.refresh()
    widget_ready(b)
    open_panel(b)
    texts = b.js(USER_TEXTS)
    assert ZH_QUESTION in texts and EN_QUESTION in texts
    assert b.js(BOT_MESSAGES_WITH_SOURCES) >= 2
    assert d.find_elements(By.CSS_SELECTOR, "#pa-messages .pa-thumb-up.pa-recorded")
    assert d.find_element(By.ID, "pa-input").get_attribute("placeholder").startswith("Type your question")
    d.find_element(By.ID, "pa-lang").click()  # back to Chinese
    b.wait().until(lambda _: d.find_element(By.ID, "pa-input").get_attribute("placeholder")
                   .startswith("请输入"))

    # Markup typed by the visitor is shown as text: no element is created, no script runs.
    box = d.find_element(By.ID, "pa-input")
    box.send_keys(XSS)
    box.send_keys(Keys.ENTER)
    b.wait().until(lambda _: XSS in b.js(USER_TEXTS))
    b.wait(ANSWER_WAIT).until(lambda _: bot_reply_settled(b))
    time.sleep(0.5)
    with pytest.raises(NoAlertPresentException):
        d.switch_to.alert  # noqa: B018 - the property raises when no alert is open
    assert not d.find_elements(By.CSS_SELECTOR, "#pa-messages img")
    user_bubbles = d.find_elements(By.CSS_SELECTOR, "#pa-messages .pa-msg.pa-user")
    assert user_bubbles[-1].find_element(By.CSS_SELECTOR, ".pa-text").text == XSS

    # "Talk to a person" sends /request_human and shows the button's label.
    d.find_element(By.ID, "pa-human").click()
    b.wait().until(lambda _: b.js(USER_TEXTS)[-1] == "转人工")
    b.wait(ANSWER_WAIT).until(lambda _: bot_reply_settled(b))
    last = d.find_elements(By.CSS_SELECTOR, "#pa-messages .pa-msg.pa-bot")[-1]
    assert last.text.strip()

    # Keyboard: Escape closes the panel and gives the focus back to the launcher; Enter reopens.
    d.find_element(By.ID, "pa-input").send_keys(Keys.ESCAPE)
    b.wait().until(EC.invisibility_of_element_located((By.ID, "pa-panel")))
    assert b.js("return document.activeElement.id") == "pa-launcher"
    d.switch_to.active_element.send_keys(Keys.ENTER)
    b.wait().until(EC.visibility_of_element_located((By.ID, "pa-panel")))
    assert b.js("return document.activeElement.id") == "pa-input"

    assert_only_gateway_requested(b, gateway_url)
    with pytest.raises(NoAlertPresentException):
        d.switch_to.alert  # noqa: B018


def test_phone_layout(browser, gateway_url):
    b, d = browser, browser.driver
    d.set_window_size(390, 844)
    open_page(b, gateway_url)
    width = b.js("return window.innerWidth")
    if width > 480:  # some window managers refuse a window this small: emulate the phone instead
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        d.refresh()
        open_page(b, gateway_url)
    launcher = d.find_element(By.ID, "pa-launcher").rect
    viewport = b.js("return {w: document.documentElement.clientWidth, h: window.innerHeight}")
    assert launcher["x"] >= 0 and launcher["x"] + launcher["width"] <= viewport["w"]
    open_panel(b)
    rect = b.js("return document.getElementById('pa-panel').getBoundingClientRect().toJSON()")
    assert rect["width"] <= viewport["w"], (rect, viewport)
    assert rect["left"] >= 0 and rect["right"] <= viewport["w"]
    assert rect["height"] <= viewport["h"] + 1
    # Under 480 px the panel takes the whole screen.
    assert rect["width"] >= viewport["w"] - 1 and rect["top"] <= 1
    assert b.js("return document.documentElement.scrollWidth") <= viewport["w"] + 1
    input_rect = d.find_element(By.ID, "pa-input").rect
    assert input_rect["y"] + input_rect["height"] <= viewport["h"]
    save_screenshot(b, "widget-phone.png")
    assert_only_gateway_requested_no_chat(b, gateway_url)


def assert_only_gateway_requested_no_chat(b: Browser, url: str):
    gateway = urlsplit(url)
    for u in b.collect_requests():
        parts = urlsplit(u)
        if parts.scheme in ("data", "blob", "about") or parts.scheme.startswith("chrome"):
            continue
        assert (parts.hostname, parts.port) == (gateway.hostname, gateway.port), u


def test_errors_and_unsafe_links_standin(browser, _standin_gateway_url):
    """Rate limiting, an unavailable bot and a javascript: source link (the stand-in can fake them)."""
    gateway_url = _standin_gateway_url
    b, d = browser, browser.driver
    open_page(b, gateway_url)
    open_panel(b)
    answer = ask_and_wait_for_sources(b, ZH_QUESTION, use_enter=True)
    assert len(answer.find_elements(By.CSS_SELECTOR, ".pa-source")) == 2
    links = answer.find_elements(By.CSS_SELECTOR, ".pa-source a")
    assert [link.get_attribute("href") for link in links] == ["https://www.mofcom.gov.cn/standin/complaints"]
    # Quick replies: real buttons; a click sends the payload and shows the title.
    quick = answer.find_elements(By.CSS_SELECTOR, ".pa-quick button")
    assert [q.text for q in quick] == ["转人工", "不用了"]
    sent_before = len(_STANDIN.chats)
    quick[1].click()
    b.wait().until(lambda _: b.js(USER_TEXTS)[-1] == "不用了")
    b.wait(ANSWER_WAIT).until(lambda _: bot_reply_settled(b))
    assert _STANDIN.chats[sent_before]["message"] == "/deny"
    assert not answer.find_elements(By.CSS_SELECTOR, ".pa-quick"), "old quick replies are removed"

    def send(text):
        count = len(d.find_elements(By.CSS_SELECTOR, "#pa-messages .pa-error"))
        box = d.find_element(By.ID, "pa-input")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)
        b.wait().until(lambda _: len(d.find_elements(By.CSS_SELECTOR, "#pa-messages .pa-error")) > count)
        return d.find_elements(By.CSS_SELECTOR, "#pa-messages .pa-error")[-1].text

    assert "过于频繁" in send("__429__")
    d.find_element(By.ID, "pa-lang").click()
    assert "temporarily unavailable" in send("__503__")
    # Thumbs down is recorded too, with the question and the sources (the switch re-rendered).
    answer = [a for a in d.find_elements(By.CSS_SELECTOR, "#pa-messages .pa-msg.pa-bot")
              if a.find_elements(By.CSS_SELECTOR, ".pa-source")][-1]
    down = answer.find_element(By.CSS_SELECTOR, ".pa-thumb-down")
    down.click()
    b.wait().until(lambda _: "pa-recorded" in down.get_attribute("class"))
    row = _STANDIN.feedback[-1]
    assert row["rating"] == "down" and row["question"] == ZH_QUESTION
    assert row["sources"][0]["doc_title"] == "外商投资企业投诉工作办法"
    assert row["sender"] == b.js("return localStorage.getItem('pa-widget:sender')")
