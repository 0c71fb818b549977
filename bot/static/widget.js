/*
 * Investment-policy assistant: the website chat widget.
 *
 * Embed with one tag:
 *   <script src="https://GATEWAY/widget.js" data-gateway="https://GATEWAY" data-lang="zh" defer></script>
 * data-gateway is optional (default: the origin this script was loaded from);
 * data-lang is "zh" or "en" (default "zh"; the visitor's choice is remembered).
 *
 * Vanilla JS, no dependencies. Every text that comes from the visitor or the bot is put
 * into the page with textContent only; links from the bot are accepted only as http(s).
 * The only host contacted is the gateway (widget.css, /api/chat, /api/feedback).
 */
(function () {
  "use strict";

  if (window.__paWidgetLoaded) return;
  window.__paWidgetLoaded = true;

  var SCRIPT = document.currentScript || (function () {
    var all = document.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/widget\.js(?:[?#].*)?$/.test(all[i].src || "")) return all[i];
    }
    return null;
  })();

  function resolveGateway() {
    var given = SCRIPT && SCRIPT.getAttribute("data-gateway");
    if (given) {
      try {
        var u = new URL(given, window.location.href);
        if (u.protocol === "http:" || u.protocol === "https:") {
          return (u.origin + u.pathname).replace(/\/+$/, "");
        }
      } catch (e) { /* fall through to the script's origin */ }
    }
    if (SCRIPT && SCRIPT.src) {
      try { return new URL(SCRIPT.src, window.location.href).origin; } catch (e) { /* ignore */ }
    }
    return window.location.origin;
  }

  var GATEWAY = resolveGateway();
  var MAX_CHARS = 1000;
  var MAX_HISTORY = 200;
  var REQUEST_TIMEOUT_MS = 60000;
  var KEY = {
    sender: "pa-widget:sender",
    history: "pa-widget:history",
    lang: "pa-widget:lang",
    open: "pa-widget:open"
  };

  /* ------------------------------------------------------------------ UI strings */
  var STRINGS = {
    zh: {
      launcher: "政策咨询",
      launcherLabel: "打开投资政策助手",
      title: "投资政策助手",
      subtitle: "答复引用官方文件原文及出处",
      close: "关闭对话窗口",
      langButton: "English",
      langLabel: "Switch to English",
      messagesLabel: "对话记录",
      inputLabel: "输入您的问题",
      placeholder: "请输入您的问题，按回车发送",
      send: "发送",
      human: "转人工",
      humanLabel: "转接人工客服",
      quickReplies: "快捷回复",
      welcome: "您好！我是投资政策助手，可以解答外商投资相关政策问题（利润再投资、负面清单、鼓励类目录、信息报告、投诉等），答复会附上文件出处。请问有什么可以帮您？",
      typing: "助手正在输入…",
      you: "您：",
      bot: "助手：",
      sources: "依据",
      docNumber: "文号",
      date: "日期",
      clause: "条款",
      openSource: "查看原文",
      opensNewWindow: "（在新窗口打开）",
      thumbUp: "有帮助",
      thumbDown: "没有帮助",
      feedbackThanks: "感谢反馈，已记录。",
      feedbackFailed: "反馈未能提交，请稍后重试。",
      feedbackGroup: "这个回答有帮助吗？",
      err429: "您发送消息过于频繁，请稍候片刻再试。",
      err503: "助手服务暂时不可用，请稍后再试；如需帮助可点击“转人工”。",
      err400: "这条消息无法发送，请检查内容（最多 1000 字）后重试。",
      errNetwork: "网络连接出现问题，消息未能送达，请检查网络后重试。",
      errTimeout: "助手响应超时，请稍后再试。",
      errGeneric: "出现了一些问题，请稍后再试。",
      errEmpty: "助手暂时没有回复，请换个说法再试。",
      disclaimer: "仅供参考，以官方发布为准"
    },
    en: {
      launcher: "Ask us",
      launcherLabel: "Open the investment policy assistant",
      title: "Investment Policy Assistant",
      subtitle: "Answers quote the official documents, with sources",
      close: "Close the chat window",
      langButton: "中文",
      langLabel: "切换到中文",
      messagesLabel: "Conversation",
      inputLabel: "Type your question",
      placeholder: "Type your question and press Enter",
      send: "Send",
      human: "Talk to a person",
      humanLabel: "Talk to a person",
      quickReplies: "Quick replies",
      welcome: "Hello! I am the investment policy assistant. Ask me about China's foreign investment policy (reinvested profits, the negative lists, the encouraged catalogue, information reporting, complaints…); every answer cites its source document. How can I help?",
      typing: "The assistant is typing…",
      you: "You: ",
      bot: "Assistant: ",
      sources: "Sources",
      docNumber: "No.",
      date: "Date",
      clause: "Clause",
      openSource: "Open the source",
      opensNewWindow: " (opens in a new window)",
      thumbUp: "Helpful",
      thumbDown: "Not helpful",
      feedbackThanks: "Thank you, your feedback was recorded.",
      feedbackFailed: "Your feedback could not be sent; please try again.",
      feedbackGroup: "Was this answer helpful?",
      err429: "You are sending messages too quickly. Please wait a moment and try again.",
      err503: "The assistant is temporarily unavailable. Please try again later, or choose “Talk to a person”.",
      err400: "This message could not be sent. Please check it (at most 1000 characters) and try again.",
      errNetwork: "A network problem stopped your message. Please check your connection and try again.",
      errTimeout: "The assistant took too long to answer. Please try again.",
      errGeneric: "Something went wrong. Please try again later.",
      errEmpty: "The assistant did not reply. Please try rephrasing your question.",
      disclaimer: "For reference only; the official publications prevail"
    }
  };

  /* ------------------------------------------------------------------ storage */
  var memoryStore = {};
  function storageGet(store, key) {
    try { return window[store].getItem(key); } catch (e) { return memoryStore[store + key] || null; }
  }
  function storageSet(store, key, value) {
    try { window[store].setItem(key, value); } catch (e) { memoryStore[store + key] = value; }
  }

  function randomId() {
    try {
      if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
      var b = new Uint8Array(16);
      window.crypto.getRandomValues(b);
      return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    } catch (e) {
      return String(Date.now()) + Math.random().toString(16).slice(2);
    }
  }

  function getSender() {
    var s = storageGet("localStorage", KEY.sender);
    if (!s || !/^[\w.:-]{1,64}$/.test(s)) {
      s = "web-" + randomId();
      storageSet("localStorage", KEY.sender, s);
    }
    return s;
  }

  function loadHistory() {
    try {
      var h = JSON.parse(storageGet("localStorage", KEY.history) || "[]");
      if (!Array.isArray(h)) return [];
      return h.filter(function (e) {
        return e && (e.role === "user" || e.role === "bot") && typeof e.text === "string";
      });
    } catch (e) {
      return [];
    }
  }

  function saveHistory() {
    if (history.length > MAX_HISTORY) history = history.slice(history.length - MAX_HISTORY);
    storageSet("localStorage", KEY.history, JSON.stringify(history));
  }

  function initialLang() {
    var stored = storageGet("localStorage", KEY.lang);
    if (stored === "zh" || stored === "en") return stored;
    var attr = ((SCRIPT && SCRIPT.getAttribute("data-lang")) || "").toLowerCase();
    if (attr.indexOf("en") === 0) return "en";
    if (attr.indexOf("zh") === 0) return "zh";
    var nav = (navigator.language || "zh").toLowerCase();
    return nav.indexOf("zh") === 0 ? "zh" : "en";
  }

  /* ------------------------------------------------------------------ state */
  var sender = getSender();
  var history = loadHistory();
  var lang = initialLang();
  var busy = false;
  var els = {};

  function t(key) { return (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.zh[key] || ""; }

  /* ------------------------------------------------------------------ DOM helpers */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(className, text, label) {
    var b = el("button", className, text);
    b.type = "button";
    if (label) b.setAttribute("aria-label", label);
    return b;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";
  var ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    close: "M6 6l12 12M18 6L6 18",
    send: "M3 11.5L21 3l-8.5 18-2.2-7.3L3 11.5z",
    up: "M7 10v11H3V10h4zm2 11h8.6a2 2 0 0 0 2-1.6l1.3-7A2 2 0 0 0 19 10h-5.3l.8-4.2A1.8 1.8 0 0 0 11.2 5L9 10v11z",
    down: "M7 14V3H3v11h4zm2-11h8.6a2 2 0 0 1 2 1.6l1.3 7A2 2 0 0 1 19 14h-5.3l.8 4.2a1.8 1.8 0 0 1-3.3.8L9 14V3z",
    person: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 9a7 7 0 0 1 14 0H5z"
  };

  function icon(name, stroke) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "pa-icon");
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    if (stroke) {
      path.setAttribute("fill", "none");
      path.setAttribute("stroke", "currentColor");
      path.setAttribute("stroke-width", "2.2");
      path.setAttribute("stroke-linecap", "round");
    } else {
      path.setAttribute("fill", "currentColor");
    }
    svg.appendChild(path);
    return svg;
  }

  function safeHttpUrl(value) {
    if (typeof value !== "string" || !value.trim()) return null;
    try {
      var u = new URL(value.trim());
      return (u.protocol === "http:" || u.protocol === "https:") ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function str(v) { return (v === undefined || v === null) ? "" : String(v); }

  /* ------------------------------------------------------------------ build the widget */
  function injectStylesheet() {
    var href = GATEWAY + "/widget.css";
    var links = document.querySelectorAll("link[rel=stylesheet]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].href === href) return;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    (document.head || document.documentElement).appendChild(link);
  }

  function build() {
    var root = el("div", "pa-root");
    root.id = "pa-widget";

    var launcher = button("pa-launcher");
    launcher.id = "pa-launcher";
    launcher.setAttribute("aria-controls", "pa-panel");
    launcher.setAttribute("aria-expanded", "false");
    launcher.appendChild(icon("chat"));
    var launcherText = el("span", "pa-launcher-text");
    launcher.appendChild(launcherText);

    var panel = el("section", "pa-panel");
    panel.id = "pa-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "false");
    panel.setAttribute("aria-labelledby", "pa-title");
    panel.hidden = true;

    var header = el("header", "pa-header");
    var heading = el("div", "pa-heading");
    var emblem = el("span", "pa-emblem");
    emblem.setAttribute("aria-hidden", "true");
    emblem.appendChild(icon("chat"));
    var titles = el("div", "pa-titles");
    var title = el("h2", "pa-title");
    title.id = "pa-title";
    var subtitle = el("p", "pa-subtitle");
    titles.appendChild(title);
    titles.appendChild(subtitle);
    heading.appendChild(emblem);
    heading.appendChild(titles);

    var tools = el("div", "pa-tools");
    var langBtn = button("pa-lang");
    langBtn.id = "pa-lang";
    var closeBtn = button("pa-close");
    closeBtn.id = "pa-close";
    closeBtn.appendChild(icon("close", true));
    tools.appendChild(langBtn);
    tools.appendChild(closeBtn);
    header.appendChild(heading);
    header.appendChild(tools);

    var messages = el("div", "pa-messages");
    messages.id = "pa-messages";
    messages.setAttribute("role", "log");
    messages.setAttribute("aria-live", "polite");
    messages.setAttribute("aria-relevant", "additions");
    messages.setAttribute("tabindex", "0");

    var actions = el("div", "pa-actions");
    var humanBtn = button("pa-human");
    humanBtn.id = "pa-human";
    humanBtn.appendChild(icon("person"));
    var humanText = el("span", "pa-human-text");
    humanBtn.appendChild(humanText);
    var disclaimer = el("span", "pa-disclaimer");
    actions.appendChild(humanBtn);
    actions.appendChild(disclaimer);

    var form = el("form", "pa-form");
    form.setAttribute("novalidate", "");
    var inputLabel = el("label", "pa-sr-only");
    inputLabel.setAttribute("for", "pa-input");
    var input = el("textarea", "pa-input");
    input.id = "pa-input";
    input.rows = 1;
    input.maxLength = MAX_CHARS;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("enterkeyhint", "send");
    var send = el("button", "pa-send");
    send.type = "submit";
    send.id = "pa-send";
    send.appendChild(icon("send"));
    var sendText = el("span", "pa-send-text");
    send.appendChild(sendText);
    form.appendChild(inputLabel);
    form.appendChild(input);
    form.appendChild(send);

    panel.appendChild(header);
    panel.appendChild(messages);
    panel.appendChild(actions);
    panel.appendChild(form);
    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);

    els = {
      root: root, launcher: launcher, launcherText: launcherText, panel: panel, title: title,
      subtitle: subtitle, langBtn: langBtn, closeBtn: closeBtn, messages: messages,
      humanBtn: humanBtn, humanText: humanText, disclaimer: disclaimer, form: form,
      inputLabel: inputLabel, input: input, send: send, sendText: sendText, typing: null
    };

    launcher.addEventListener("click", function () { openPanel(true); });
    closeBtn.addEventListener("click", function () { closePanel(true); });
    langBtn.addEventListener("click", function () { setLang(lang === "zh" ? "en" : "zh"); });
    humanBtn.addEventListener("click", function () { sendMessage("/request_human", t("human")); });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      submitInput();
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
        ev.preventDefault();
        submitInput();
      }
    });
    input.addEventListener("input", autosize);
    panel.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" || ev.key === "Esc") {
        ev.preventDefault();
        closePanel(true);
      }
    });
  }

  function autosize() {
    var input = els.input;
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
    input.style.overflowY = input.scrollHeight + 2 > 120 ? "auto" : "hidden";
  }

  /* ------------------------------------------------------------------ language */
  function applyStrings() {
    els.root.setAttribute("lang", lang === "zh" ? "zh-CN" : "en");
    els.launcherText.textContent = t("launcher");
    els.launcher.setAttribute("aria-label", t("launcherLabel"));
    els.title.textContent = t("title");
    els.subtitle.textContent = t("subtitle");
    els.langBtn.textContent = t("langButton");
    els.langBtn.setAttribute("aria-label", t("langLabel"));
    els.langBtn.setAttribute("lang", lang === "zh" ? "en" : "zh-CN");
    els.closeBtn.setAttribute("aria-label", t("close"));
    els.closeBtn.title = t("close");
    els.messages.setAttribute("aria-label", t("messagesLabel"));
    els.humanText.textContent = t("human");
    els.humanBtn.setAttribute("aria-label", t("humanLabel"));
    els.disclaimer.textContent = t("disclaimer");
    els.inputLabel.textContent = t("inputLabel");
    els.input.placeholder = t("placeholder");
    els.sendText.textContent = t("send");
    els.send.setAttribute("aria-label", t("send"));
  }

  function setLang(next) {
    lang = next;
    storageSet("localStorage", KEY.lang, lang);
    applyStrings();
    renderAll();
    els.langBtn.focus();
  }

  /* ------------------------------------------------------------------ open / close */
  function openPanel(focusInput) {
    els.panel.hidden = false;
    els.root.classList.add("pa-open");
    els.launcher.setAttribute("aria-expanded", "true");
    storageSet("sessionStorage", KEY.open, "1");
    scrollToEnd();
    if (focusInput) els.input.focus();
  }

  function closePanel(focusLauncher) {
    els.panel.hidden = true;
    els.root.classList.remove("pa-open");
    els.launcher.setAttribute("aria-expanded", "false");
    storageSet("sessionStorage", KEY.open, "0");
    if (focusLauncher) els.launcher.focus();
  }

  /* Show a long answer from its start: the question at the top, the reply below it. */
  function revealFrom(node) {
    var m = els.messages;
    var top = node.offsetTop - 8;
    m.scrollTop = Math.max(0, Math.min(top, m.scrollHeight - m.clientHeight));
  }

  function scrollToEnd() {
    var m = els.messages;
    m.scrollTop = m.scrollHeight;
  }

  /* ------------------------------------------------------------------ rendering */
  function renderAll() {
    var m = els.messages;
    while (m.firstChild) m.removeChild(m.firstChild);
    els.typing = null;
    m.appendChild(renderWelcome());
    var lastUser = -1;
    for (var i = 0; i < history.length; i++) if (history[i].role === "user") lastUser = i;
    for (var j = 0; j < history.length; j++) {
      m.appendChild(renderEntry(history[j], j > lastUser));
    }
    if (busy) showTyping();
    scrollToEnd();
  }

  function speaker(role) {
    return el("span", "pa-sr-only", role === "user" ? t("you") : t("bot"));
  }

  function renderWelcome() {
    var node = el("div", "pa-msg pa-bot pa-welcome");
    node.appendChild(speaker("bot"));
    node.appendChild(el("div", "pa-text", t("welcome")));
    return node;
  }

  function renderEntry(entry, withButtons) {
    if (entry.role === "user") {
      var u = el("div", "pa-msg pa-user");
      u.appendChild(speaker("user"));
      u.appendChild(el("div", "pa-text", entry.text));
      return u;
    }
    var type = /^[a-z_]{1,20}$/.test(str(entry.type)) ? entry.type : "text";
    var b = el("div", "pa-msg pa-bot pa-type-" + type);
    b.setAttribute("data-type", type);
    if (entry.id) b.setAttribute("data-id", entry.id);
    b.appendChild(speaker("bot"));
    if (entry.text) b.appendChild(el("div", "pa-text", entry.text));
    if (entry.sources && entry.sources.length) b.appendChild(renderSources(entry.sources));
    if (withButtons && entry.buttons && entry.buttons.length) b.appendChild(renderButtons(entry.buttons));
    if (!entry.error && !entry.local) b.appendChild(renderFeedback(entry));
    return b;
  }

  function renderSources(sources) {
    var wrap = el("div", "pa-sources");
    wrap.appendChild(el("div", "pa-sources-title", t("sources")));
    var list = el("ul", "pa-source-list");
    sources.forEach(function (s) {
      if (!s || typeof s !== "object") return;
      var card = el("li", "pa-source");
      var titleText = str(s.doc_title) || str(s.doc_number) || str(s.label);
      if (titleText) card.appendChild(el("div", "pa-source-title", titleText));
      var meta = el("dl", "pa-source-meta");
      [["docNumber", s.doc_number], ["date", s.date], ["clause", s.label]].forEach(function (pair) {
        if (!str(pair[1])) return;
        var row = el("div", "pa-source-row");
        row.appendChild(el("dt", null, t(pair[0])));
        row.appendChild(el("dd", null, str(pair[1])));
        meta.appendChild(row);
      });
      if (meta.firstChild) card.appendChild(meta);
      var href = safeHttpUrl(s.source_url);
      if (href) {
        var a = el("a", "pa-source-link", t("openSource"));
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.appendChild(el("span", "pa-sr-only", t("opensNewWindow")));
        var arrow = el("span", "pa-ext", " \u2197");
        arrow.setAttribute("aria-hidden", "true");
        a.appendChild(arrow);
        card.appendChild(a);
      }
      list.appendChild(card);
    });
    wrap.appendChild(list);
    return wrap;
  }

  function renderButtons(buttons) {
    var wrap = el("div", "pa-quick");
    wrap.setAttribute("role", "group");
    wrap.setAttribute("aria-label", t("quickReplies"));
    buttons.forEach(function (bt) {
      if (!bt || typeof bt !== "object") return;
      var titleText = str(bt.title) || str(bt.payload);
      var payload = str(bt.payload) || str(bt.title);
      if (!titleText || !payload) return;
      var qb = button("pa-quick-btn", titleText);
      qb.addEventListener("click", function () { sendMessage(payload, titleText); });
      wrap.appendChild(qb);
    });
    return wrap;
  }

  function renderFeedback(entry) {
    var wrap = el("div", "pa-feedback");
    wrap.setAttribute("role", "group");
    wrap.setAttribute("aria-label", t("feedbackGroup"));
    var up = button("pa-thumb pa-thumb-up", null, t("thumbUp"));
    up.appendChild(icon("up"));
    up.title = t("thumbUp");
    var down = button("pa-thumb pa-thumb-down", null, t("thumbDown"));
    down.appendChild(icon("down"));
    down.title = t("thumbDown");
    var note = el("span", "pa-feedback-note");
    note.setAttribute("role", "status");
    wrap.appendChild(up);
    wrap.appendChild(down);
    wrap.appendChild(note);

    function show(rating) {
      [[up, "up"], [down, "down"]].forEach(function (pair) {
        var chosen = pair[1] === rating;
        pair[0].setAttribute("aria-pressed", chosen ? "true" : "false");
        pair[0].classList.toggle("pa-recorded", chosen);
        pair[0].disabled = !!rating;
      });
      wrap.classList.toggle("pa-feedback-done", !!rating);
      note.textContent = rating ? t("feedbackThanks") : "";
    }
    show(entry.feedback || null);

    function rate(rating) {
      if (entry.feedback) return;
      up.disabled = down.disabled = true;
      postJson("/api/feedback", {
        sender: sender,
        rating: rating,
        answer_id: str(entry.answer_id)
      }).then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        entry.feedback = rating;
        saveHistory();
        show(rating);
      }).catch(function () {
        show(null);
        note.textContent = t("feedbackFailed");
      });
    }
    up.addEventListener("click", function () { rate("up"); });
    down.addEventListener("click", function () { rate("down"); });
    return wrap;
  }

  function appendEntry(entry, persist) {
    if (entry.role === "user") {
      var old = els.messages.querySelectorAll(".pa-quick");
      for (var i = 0; i < old.length; i++) old[i].parentNode.removeChild(old[i]);
    }
    if (persist) {
      history.push(entry);
      saveHistory();
    }
    var node = renderEntry(entry, true);
    if (els.typing && els.typing.parentNode) els.messages.insertBefore(node, els.typing);
    else els.messages.appendChild(node);
    scrollToEnd();
    return node;
  }

  function showTyping() {
    if (els.typing) return;
    var node = el("div", "pa-msg pa-bot pa-typing");
    node.appendChild(el("span", "pa-sr-only", t("typing")));
    var dots = el("span", "pa-dots");
    dots.setAttribute("aria-hidden", "true");
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    node.appendChild(dots);
    els.typing = node;
    els.messages.appendChild(node);
    scrollToEnd();
  }

  function hideTyping() {
    if (els.typing && els.typing.parentNode) els.typing.parentNode.removeChild(els.typing);
    els.typing = null;
  }

  function showError(key) {
    appendEntry({ role: "bot", type: "error", text: t(key), error: true }, false)
      .classList.add("pa-error");
  }

  function setBusy(value) {
    busy = value;
    els.root.classList.toggle("pa-busy", value);
    els.send.setAttribute("aria-disabled", value ? "true" : "false");
    if (value) showTyping(); else hideTyping();
  }

  /* ------------------------------------------------------------------ network */
  function postJson(path, body) {
    var ctrl = window.AbortController ? new AbortController() : null;
    var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, REQUEST_TIMEOUT_MS) : null;
    return fetch(GATEWAY + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      mode: "cors",
      signal: ctrl ? ctrl.signal : undefined
    }).then(function (res) {
      if (timer) clearTimeout(timer);
      return res;
    }, function (err) {
      if (timer) clearTimeout(timer);
      throw err;
    });
  }

  function submitInput() {
    if (busy) return;
    var text = els.input.value.replace(/^\s+|\s+$/g, "");
    if (!text) return;
    els.input.value = "";
    autosize();
    sendMessage(text, text);
  }

  function sendMessage(message, display) {
    if (busy) return;
    message = str(message).slice(0, MAX_CHARS);
    display = str(display || message).slice(0, MAX_CHARS);
    if (!message.trim()) return;
    if (els.panel.hidden) openPanel(false);
    var userNode = appendEntry({ role: "user", text: display }, true);
    setBusy(true);
    postJson("/api/chat", { sender: sender, message: message })
      .then(function (res) {
        if (res.status === 429) return showError("err429");
        if (res.status === 503) return showError("err503");
        if (res.status === 400 || res.status === 413) return showError("err400");
        if (!res.ok) return showError("errGeneric");
        return res.json().then(function (data) {
          var list = (data && Array.isArray(data.messages)) ? data.messages : [];
          var shown = 0;
          list.forEach(function (m) {
            if (!m || typeof m !== "object") return;
            var entry = {
              role: "bot",
              id: "m-" + randomId(),
              text: str(m.text),
              type: str(m.type) || "text",
              sources: Array.isArray(m.sources) ? m.sources : [],
              buttons: Array.isArray(m.buttons) ? m.buttons : [],
              question: display,
              answer_id: str(m.answer_id)
            };
            if (!entry.text && !entry.sources.length && !entry.buttons.length) return;
            appendEntry(entry, true);
            shown++;
          });
          if (!shown) showError("errEmpty");
          else revealFrom(userNode);
        }, function () { showError("errGeneric"); });
      }, function (err) {
        showError(err && err.name === "AbortError" ? "errTimeout" : "errNetwork");
      })
      .then(function () { setBusy(false); }, function () { setBusy(false); });
  }

  /* ------------------------------------------------------------------ start */
  function start() {
    if (!document.body) return;
    injectStylesheet();
    build();
    applyStrings();
    renderAll();
    if (storageGet("sessionStorage", KEY.open) === "1") openPanel(false);
    window.PolicyAssistant = {
      open: function () { openPanel(true); },
      close: function () { closePanel(false); },
      ask: function (text) { openPanel(true); sendMessage(text, text); },
      setLang: function (l) { if (l === "zh" || l === "en") setLang(l); },
      lang: function () { return lang; }
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
