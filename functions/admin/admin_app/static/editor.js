/* The knowledge editor's live preview: the page's Markdown drawn by the chat's own renderer
 * (/markdown.js, window.PierreMarkdown), so staff see what tenants will read. The front matter
 * is left out, as the chat never shows it. Without JavaScript the form's "Prévisualiser"
 * button shows the server's chunk preview instead. */
(() => {
  "use strict";
  const source = document.getElementById("markdown");
  const preview = document.getElementById("preview");
  if (!source || !preview || !window.PierreMarkdown) return;

  function body(text) {
    const match = /^---\r?\n[\s\S]*?\r?\n(?:---|\.\.\.)\s*(?:\r?\n|$)/.exec(text);
    return match ? text.slice(match[0].length) : text;
  }
  let pending = 0;
  function draw() {
    pending = 0;
    window.PierreMarkdown.renderMarkdown(preview, body(source.value));
  }
  source.addEventListener("input", () => {
    if (!pending) pending = window.setTimeout(draw, 150);
  });
  draw();
})();
