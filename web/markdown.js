/* PIERRE's safe Markdown renderer, shared by the chat page and the article page. No
 * innerHTML: every text becomes DOM text nodes, so nothing it contains executes. Links open
 * http(s) addresses and the chat's own /api/ pages (a source's article), in a new tab. */
(() => {
  "use strict";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  const INLINE = /(\*\*[^*]+\*\*|__[^_]+__|\*[^*\s][^*]*\*|_[^_\s][^_]*_|`[^`]+`|\[[^\]]+\]\((?:https?:\/\/|\/api\/)[^)\s]+\)|\[\d+(?:,\s*\d+)*\]|https?:\/\/[^\s<>()]*[^\s<>().,;:!?»])/g;
  function inline(parent, text) {
    let last = 0;
    for (const match of text.matchAll(INLINE)) {
      if (match.index > last) parent.append(text.slice(last, match.index));
      const token = match[0];
      if (token.startsWith("**") || token.startsWith("__")) {
        inline(parent.appendChild(el("strong")), token.slice(2, -2));
      } else if (token.startsWith("`")) {
        parent.appendChild(el("code", "", token.slice(1, -1)));
      } else if (/^\[\d/.test(token)) {
        parent.appendChild(el("sup", "", token));
      } else if (token.startsWith("[")) {
        const label = token.slice(1, token.indexOf("]("));
        parent.appendChild(link(token.slice(token.indexOf("](") + 2, -1), label));
      } else if (token.startsWith("http")) {
        parent.appendChild(link(token, token));
      } else {
        inline(parent.appendChild(el("em")), token.slice(1, -1));
      }
      last = match.index + token.length;
    }
    if (last < text.length) parent.append(text.slice(last));
  }
  function link(href, label) {
    const a = el("a", "", label);
    try {
      // "/api/…" only (never "//host"): an article of this origin
      const url = href.startsWith("/api/") ? new URL(href, window.location.origin) : new URL(href);
      if (url.protocol === "https:" || url.protocol === "http:") a.href = url.href;
    } catch (e) { /* not a URL: text only */ }
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }
  function renderMarkdown(container, text) {
    container.replaceChildren();
    const blocks = text.replace(/\r/g, "").split(/\n{2,}/);
    for (const block of blocks) {
      const lines = block.split("\n").filter((l) => l.trim() !== "");
      if (!lines.length) continue;
      if (lines.every((l) => /^\s*[-*+]\s+/.test(l))) {
        const ul = container.appendChild(el("ul"));
        for (const l of lines) inline(ul.appendChild(el("li")), l.replace(/^\s*[-*+]\s+/, ""));
      } else if (lines.every((l) => /^\s*\d+[.)]\s+/.test(l))) {
        const ol = container.appendChild(el("ol"));
        for (const l of lines) inline(ol.appendChild(el("li")), l.replace(/^\s*\d+[.)]\s+/, ""));
      } else if (lines.every((l) => /^\s*>/.test(l))) {
        const quote = container.appendChild(el("blockquote"));
        inline(quote.appendChild(el("p")), lines.map((l) => l.replace(/^\s*>\s?/, "")).join(" "));
      } else {
        const p = container.appendChild(el("p"));
        lines.forEach((l, i) => {
          const heading = l.replace(/^\s{0,3}#{1,6}\s+/, "");
          if (heading !== l) inline(p.appendChild(el("strong")), heading);
          else inline(p, l);
          if (i < lines.length - 1) p.appendChild(el("br"));
        });
      }
    }
  }

  window.PierreMarkdown = Object.freeze({ el, inline, link, renderMarkdown });
})();
