/* PIERRE chat page. No framework, no innerHTML: every text from the server or the model
 * becomes DOM text nodes through the small Markdown renderer of markdown.js, so nothing it
 * contains executes. */
(() => {
  "use strict";

  const root = document.getElementById("pierre-chat");
  if (!root) return;
  const landlord = root.dataset.landlord;
  const context = root.dataset.context || "default";
  if (window.self !== window.top) {
    root.classList.add("chat--embedded");
    // Escape inside the iframe closes the widget's window on the host page.
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") window.parent.postMessage({ pierre: "close" }, "*");
    });
  }
  if (/^#[0-9a-fA-F]{6}$/.test(root.dataset.color || "")) {
    document.documentElement.style.setProperty("--brand", root.dataset.color);
  }
  const messages = document.getElementById("pierre-messages");
  const form = document.getElementById("pierre-form");
  const input = document.getElementById("pierre-input");
  const send = document.getElementById("pierre-send");
  const status = document.getElementById("pierre-status");
  const announcer = document.getElementById("pierre-announce");
  const languageSelect = document.getElementById("pierre-lang");
  const storageKey = `pierre:${landlord}:${context}:conversation`;
  let config = null;
  let busy = false;

  // ------------------------------------------------------------------ interface language
  // The page's own texts (web/chat-texts.json), in the visitor's language: the one chosen
  // with the selector, else the browser's first among the catalogue's, else French. The
  // answers keep theirs (the pipeline answers in the question's language).
  const languageKey = "pierre:language";
  let catalogue = {};
  let language = "fr";
  function t(key, values = {}) {
    const text = (catalogue[language] || {})[key] ?? (catalogue.fr || {})[key] ?? "";
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }
  function preferredLanguage() {
    let chosen = null;
    try { chosen = localStorage.getItem(languageKey); } catch (e) { /* storage disabled */ }
    const wanted = [chosen, ...(navigator.languages || [navigator.language])];
    for (const tag of wanted) {
      const code = String(tag || "").toLowerCase().split("-")[0];
      if (code in catalogue) return code;
    }
    return "fr";
  }
  // Every text of the interface carries its key (data-text, data-label, data-placeholder),
  // so a change of language redraws them in place.
  function translate(node) {
    const text = (key) => t(key, node.dataset);
    if (node.dataset.text && text(node.dataset.text)) node.textContent = text(node.dataset.text);
    if (node.dataset.label && text(node.dataset.label)) node.setAttribute("aria-label", text(node.dataset.label));
    if (node.dataset.placeholder && text(node.dataset.placeholder)) node.placeholder = text(node.dataset.placeholder);
  }
  function applyLanguage(code) {
    language = code in catalogue ? code : "fr";
    document.documentElement.lang = language;
    document.documentElement.dir = language === "ar" ? "rtl" : "ltr";
    if (languageSelect) languageSelect.value = language;
    document.querySelectorAll("[data-text], [data-label], [data-placeholder]").forEach(translate);
    // the widget around this page (if any) speaks the same language
    if (window.parent !== window) window.parent.postMessage({ pierre: "language", language }, "*");
  }
  function textNode(tag, className, key, values = {}) {
    const node = el(tag, className);
    node.dataset.text = key;
    Object.assign(node.dataset, values);
    translate(node);
    return node;
  }
  // Served beside this script: without it (a network failure) the page has no texts to
  // show, and says the assistant is unavailable, as without its config.
  async function loadTexts() {
    try {
      const response = await fetch("/chat-texts.json", { credentials: "same-origin" });
      if (response.ok) catalogue = await response.json();
    } catch (e) { /* said below */ }
    applyLanguage(preferredLanguage());
    return "fr" in catalogue;
  }
  function announce(text) {
    // once per finished answer, never per streamed token
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  }

  // ------------------------------------------------------------------ ids and storage
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  function conversationId() {
    let id = null;
    try { id = localStorage.getItem(storageKey); } catch (e) { /* storage disabled */ }
    if (!id) {
      id = uuid();
      try { localStorage.setItem(storageKey, id); } catch (e) { /* storage disabled */ }
    }
    return id;
  }
  let conversation = conversationId();

  // ------------------------------------------------------------------ safe markdown
  const { el, inline, link, renderMarkdown } = window.PierreMarkdown;

  // ------------------------------------------------------------------ rendering
  function scroll() { messages.scrollTop = messages.scrollHeight; }
  function bubble(role, text) {
    const node = el("div", `msg msg--${role === "user" ? "user" : "bot"}`);
    const body = node.appendChild(el("div", "msg__body"));
    if (role === "user") body.textContent = text; else renderMarkdown(body, text || "");
    messages.appendChild(node);
    scroll();
    return node;
  }
  function renderSources(node, sources) {
    if (!sources || !sources.length || (config && !config.show_sources)) return;
    node.querySelector(".sources")?.remove();
    const box = node.appendChild(el("div", "sources"));
    box.appendChild(textNode("p", "sources__title", "sources"));
    for (const source of sources) {
      const details = box.appendChild(el("details"));
      details.appendChild(el("summary", "", `[${source.number}] ${source.title} — ${source.heading}`));
      if (source.excerpt) inline(details.appendChild(el("p")), source.excerpt);
      if (source.url) box.appendChild(articleLink(source));
    }
  }
  // A source a tenant may read links to its article, in a new tab (the widget's window
  // stays as it is), said in the link's visible text.
  function articleLink(source) {
    const a = link(source.url, t("read_article", { title: source.title }));
    a.className = "sources__link";
    a.dataset.text = "read_article";
    a.dataset.title = source.title;
    return a;
  }
  function renderFeedback(node, current) {
    messages.querySelectorAll(".feedback").forEach((f) => f.remove());
    const box = node.appendChild(el("div", "feedback"));
    box.appendChild(textNode("span", "", "helpful"));
    for (const [rating, label, aria] of [["up", "yes", "yes_label"], ["down", "no", "no_label"]]) {
      const button = box.appendChild(textNode("button", "", label));
      button.type = "button";
      button.dataset.rating = rating;
      button.dataset.label = aria;
      translate(button);
      button.setAttribute("aria-pressed", String(current === rating));
      button.addEventListener("click", () => sendFeedback(box, rating));
    }
  }
  function typing() {
    const node = el("div", "msg msg--bot msg--typing");
    node.appendChild(textNode("span", "visually-hidden", "typing"));
    const dots = node.appendChild(el("span", "typing"));
    dots.setAttribute("aria-hidden", "true");
    dots.append(el("span"), el("span"), el("span"));
    messages.appendChild(node);
    scroll();
    return node;
  }
  function showStatus(text) {
    status.hidden = !text;
    status.textContent = text || "";
  }
  function setBusy(value) {
    busy = value;
    send.disabled = value;
    root.setAttribute("aria-busy", String(value));
  }

  // ------------------------------------------------------------------ API
  const api = {
    config: () => fetch(`/api/landlords/${encodeURIComponent(landlord)}/contexts/${encodeURIComponent(context)}/config`, { credentials: "same-origin" }),
    history: () => fetch(`/api/conversations/${conversation}?landlord=${encodeURIComponent(landlord)}&context=${encodeURIComponent(context)}`, { credentials: "same-origin" }),
  };
  async function errorText(response) {
    try {
      const body = await response.json();
      if (typeof body.detail === "string") return body.detail;
    } catch (e) { /* not JSON */ }
    return t("error_status", { status: response.status });
  }

  async function sendFeedback(box, rating) {
    const response = await fetch(`/api/conversations/${conversation}/feedback`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ landlord, context, rating }),
    });
    if (response.ok) {
      box.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.rating === rating)));
      showStatus(t("thanks"));
    } else {
      showStatus(await errorText(response));
    }
  }

  async function sha256Hex(text) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function ask(text, messageId = uuid(), showUser = true) {
    if (busy || !text.trim()) return;
    setBusy(true);
    showStatus("");
    if (showUser) bubble("user", text);
    const indicator = typing();
    let answer = null;
    let answerText = "";
    const fail = (message) => {
      indicator.remove();
      const node = answer || bubble("assistant", "");
      node.classList.add("msg--error");
      // an alert is read as it appears: no copy in the announcer (its text would be twice in the page)
      node.appendChild(el("p", "", message || t("error"))).setAttribute("role", "alert");
      const retry = node.appendChild(textNode("button", "retry", "retry"));
      retry.type = "button";
      retry.addEventListener("click", () => { node.remove(); ask(text, messageId, false); });
    };
    if (!(globalThis.crypto && crypto.subtle)) {
      // no Web Crypto outside a secure context (HTTPS, or localhost): the POST cannot be
      // signed, and the streamed turn's origin would refuse it
      fail(t("needs_https"));
      setBusy(false);
      return;
    }
    let response;
    try {
      const body = JSON.stringify({ landlord, context, message_id: messageId, text });
      response = await fetch(`/api/conversations/${conversation}/messages`, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "content-type": "application/json",
          accept: "text/event-stream",
          // the streamed turn's Function URL, behind CloudFront's origin access control,
          // takes a POST only with its body's hash (docs/adr/0010)
          "x-amz-content-sha256": await sha256Hex(body),
        },
        body,
      });
    } catch (e) {
      fail(t("offline"));
      setBusy(false);
      return;
    }
    if (!response.ok) {
      fail(await errorText(response));
      setBusy(false);
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let finished = false;
    const handle = (kind, data) => {
      if (kind === "delta") {
        if (!answer) { indicator.remove(); answer = bubble("assistant", ""); }
        answerText += data.text || "";
        renderMarkdown(answer.querySelector(".msg__body"), answerText);
        scroll();
      } else if (kind === "sources") {
        if (answer) renderSources(answer, data.sources);
      } else if (kind === "done") {
        finished = true;
        if (answer) {
          renderFeedback(answer, null);
          announce(`${t("answer_ready")} ${answer.querySelector(".msg__body").textContent}`);
        }
      } else if (kind === "error") {
        finished = true;
        fail(data.message);
      }
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (value) buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let kind = "message";
          let data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) kind = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          try { handle(kind, JSON.parse(data || "{}")); } catch (e) { /* ignore a malformed frame */ }
        }
        if (done) break;
      }
      if (!finished) fail(t("interrupted"));
    } catch (e) {
      fail(t("interrupted"));
    } finally {
      indicator.remove();
      setBusy(false);
      scroll();
    }
  }

  // ------------------------------------------------------------------ start-up
  function greet() {
    const node = bubble("assistant", config.greeting);
    if (config.examples.length) {
      const list = node.appendChild(el("div", "examples"));
      for (const example of config.examples) {
        const button = list.appendChild(el("button", "example", example));
        button.type = "button";
        button.addEventListener("click", () => ask(example));
      }
    }
  }

  async function restore() {
    const response = await api.history();
    if (!response.ok) return;
    const history = await response.json();
    let last = null;
    for (const turn of history.turns) {
      const node = bubble(turn.role, turn.content);
      if (turn.role === "assistant") { renderSources(node, turn.sources); last = node; }
    }
    if (last) renderFeedback(last, history.feedback);
  }

  async function start() {
    const texts = await loadTexts();
    let response = null;
    if (texts) {
      try { response = await api.config(); } catch (e) { response = null; }
    }
    if (!response || !response.ok) {
      bubble("assistant", t("unavailable") || "L'assistant est momentanément indisponible. Réessayez plus tard.");
      form.hidden = true;
      return;
    }
    config = await response.json();
    if (config.protected && !config.authenticated) {
      bubble("assistant", t("staff_only"));
      form.hidden = true;
      document.getElementById("pierre-new").hidden = true; // nothing to start: the config has no greeting
      return;
    }
    input.maxLength = config.max_message_chars;
    greet();
    await restore();
    input.focus({ preventScroll: true });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    ask(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.getElementById("pierre-new").addEventListener("click", () => {
    conversation = uuid();
    try { localStorage.setItem(storageKey, conversation); } catch (e) { /* storage disabled */ }
    messages.replaceChildren();
    showStatus("");
    if (config) greet();
  });
  if (languageSelect) {
    languageSelect.addEventListener("change", () => {
      try { localStorage.setItem(languageKey, languageSelect.value); } catch (e) { /* storage disabled */ }
      applyLanguage(languageSelect.value);
    });
  }
  start();
})();
