/* A transcript's messages drawn by the chat's own renderer (/markdown.js,
 * window.PierreMarkdown): staff read an answer as the tenant read it. The renderer makes DOM
 * text nodes only, never HTML; without JavaScript the page shows the Markdown as text. */
(() => {
  "use strict";
  if (!window.PierreMarkdown) return;
  for (const message of document.querySelectorAll("[data-markdown]")) {
    window.PierreMarkdown.renderMarkdown(message, message.textContent);
    message.dataset.rendered = "";
  }
})();
