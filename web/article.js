/* PIERRE article page: the sections of a knowledge article, given as JSON data by the page,
 * rendered by the chat's safe Markdown renderer (markdown.js), each heading an anchor a
 * source's link can point to. */
(() => {
  "use strict";

  const root = document.getElementById("pierre-article");
  const data = document.getElementById("pierre-article-data");
  const container = document.getElementById("pierre-article-sections");
  if (!root || !data || !container) return;
  const { el, renderMarkdown } = window.PierreMarkdown;
  if (/^#[0-9a-fA-F]{6}$/.test(root.dataset.color || "")) {
    document.documentElement.style.setProperty("--brand", root.dataset.color);
  }
  const article = JSON.parse(data.textContent);
  for (const section of article.sections) {
    const box = container.appendChild(el("section"));
    if (section.heading) {
      const heading = box.appendChild(el("h2", "", section.heading));
      if (section.anchor) heading.id = section.anchor;
    }
    renderMarkdown(box.appendChild(el("div")), section.text);
  }
  // The sections exist only now: scroll to the one the address names.
  const target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
  if (target) target.scrollIntoView();
})();
