/* PIERRE widget: one line on a landlord's site.
 *
 *   <script src="https://assistant.example/widget.js" data-url="https://assistant.example"
 *           data-configuration="pierre-habitat.fr" data-context="default" defer></script>
 *
 * or, as in PIERRE, a button of your own: <p id="pierre-ia" data-url=… data-configuration=…>.
 * Everything lives in a shadow root: no global variable, no CSS leaks either way.
 */
(() => {
  "use strict";

  // The widget's own texts in the chat's eight languages (web/chat-texts.json has the chat
  // page's; tests/unit/chat/test_chat_texts.py checks both have the same languages).
  /* texts:start */
  const TEXTS = {
    "fr": {
      "launcher": "Aide",
      "launcher_label": "Aide, ouvrir l'assistant",
      "dialog": "Assistant",
      "close": "Fermer l'assistant",
      "frame": "Assistant du bailleur",
      "refused": "L'assistant ne peut pas s'ouvrir sur ce site : son adresse n'est pas déclarée par le bailleur. Contactez votre bailleur par ses canaux habituels."
    },
    "en": {
      "launcher": "Help",
      "launcher_label": "Help, open the assistant",
      "dialog": "Assistant",
      "close": "Close the assistant",
      "frame": "Your landlord's assistant",
      "refused": "The assistant cannot open on this site: the landlord has not declared its address. Please contact your landlord through its usual channels."
    },
    "es": {
      "launcher": "Ayuda",
      "launcher_label": "Ayuda, abrir el asistente",
      "dialog": "Asistente",
      "close": "Cerrar el asistente",
      "frame": "Asistente del arrendador",
      "refused": "El asistente no puede abrirse en este sitio: el arrendador no ha declarado su dirección. Contacte con su arrendador por sus canales habituales."
    },
    "pt": {
      "launcher": "Ajuda",
      "launcher_label": "Ajuda, abrir o assistente",
      "dialog": "Assistente",
      "close": "Fechar o assistente",
      "frame": "Assistente do senhorio",
      "refused": "O assistente não pode abrir neste site: o senhorio não declarou o seu endereço. Contacte o seu senhorio pelos canais habituais."
    },
    "ar": {
      "launcher": "مساعدة",
      "launcher_label": "مساعدة، فتح المساعد",
      "dialog": "المساعد",
      "close": "إغلاق المساعد",
      "frame": "مساعد المؤجر",
      "refused": "لا يمكن فتح المساعد على هذا الموقع: لم يصرّح المؤجر بعنوانه. يرجى التواصل مع المؤجر عبر قنواته المعتادة."
    },
    "tr": {
      "launcher": "Yardım",
      "launcher_label": "Yardım, asistanı aç",
      "dialog": "Asistan",
      "close": "Asistanı kapat",
      "frame": "Ev sahibinin asistanı",
      "refused": "Asistan bu sitede açılamıyor: ev sahibi bu sitenin adresini bildirmemiş. Lütfen ev sahibinizle olağan kanallardan iletişime geçin."
    },
    "de": {
      "launcher": "Hilfe",
      "launcher_label": "Hilfe, den Assistenten öffnen",
      "dialog": "Assistent",
      "close": "Assistenten schließen",
      "frame": "Assistent des Vermieters",
      "refused": "Der Assistent kann auf dieser Website nicht geöffnet werden: Der Vermieter hat ihre Adresse nicht angegeben. Bitte wenden Sie sich über die üblichen Wege an Ihren Vermieter."
    },
    "it": {
      "launcher": "Aiuto",
      "launcher_label": "Aiuto, apri l'assistente",
      "dialog": "Assistente",
      "close": "Chiudi l'assistente",
      "frame": "Assistente del locatore",
      "refused": "L'assistente non può aprirsi su questo sito: il locatore non ha dichiarato il suo indirizzo. Contatti il suo locatore attraverso i canali abituali."
    }
  };
  /* texts:end */
  const script = document.currentScript;
  const start = () => {
    const trigger = document.getElementById("pierre-ia");
    const data = { ...(script ? script.dataset : {}), ...(trigger ? trigger.dataset : {}) };
    let base;
    try {
      base = new URL(data.url || (script && script.src) || "", document.baseURI);
    } catch (e) {
      return;
    }
    if (base.protocol !== "https:" && base.protocol !== "http:") return;
    const landlord = data.configuration || "";
    const context = data.context || "default";
    // the visitor's browser languages first; the chat page inside tells the one they choose
    const wanted = [...(navigator.languages || [navigator.language])];
    let language = "fr";
    for (const tag of wanted) {
      const code = String(tag || "").toLowerCase().split("-")[0];
      if (code in TEXTS) { language = code; break; }
    }
    if (!/^[a-z0-9.-]+$/.test(landlord) || !/^[a-z][a-z0-9_-]*$/.test(context)) return;
    const src = new URL(`/api/embed/${landlord}/${context}`, base.origin).href;
    const check = new URL(`/api/landlords/${landlord}/widget-origin`, base.origin).href;

    const host = document.createElement("div");
    host.setAttribute("data-pierre-widget", "");
    const shadow = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = `
      :host { all: initial; }
      .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 60px; height: 60px;
        border-radius: 50%; border: 0; cursor: pointer; background: #0b5fa5; color: #fff; font: 600 14px/1 system-ui, sans-serif;
        box-shadow: 0 6px 18px rgba(0,0,0,.25); }
      .launcher:focus-visible, .close:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
      .backdrop { position: fixed; inset: 0; z-index: 2147483001; background: rgba(0,0,0,.45);
        display: flex; align-items: center; justify-content: center; }
      .backdrop[hidden] { display: none; }
      .modal { position: relative; width: min(440px, 96vw); height: min(720px, 92vh); background: #fff;
        border-radius: 14px; overflow: hidden; box-shadow: 0 12px 40px rgba(0,0,0,.35); }
      iframe { border: 0; width: 100%; height: 100%; display: block; }
      iframe[hidden], .refused[hidden] { display: none; }
      .refused { margin: 0; padding: 4rem 1.5rem 1.5rem; color: #1b1f24; font: 16px/1.5 system-ui, sans-serif; }
      .close { position: absolute; top: 8px; right: 8px; z-index: 1; width: 36px; height: 36px; border-radius: 50%;
        border: 0; cursor: pointer; background: rgba(0,0,0,.7); color: #fff; font: 22px/1 system-ui, sans-serif; }
      @media (max-width: 600px) { .modal { width: 100vw; height: 100dvh; border-radius: 0; } }
    `;
    const launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "launcher";
    launcher.setAttribute("aria-haspopup", "dialog");
    const backdrop = document.createElement("div");
    backdrop.className = "backdrop";
    backdrop.hidden = true;
    const modal = document.createElement("div");
    modal.className = "modal";
    modal.setAttribute("role", "dialog");
    modal.setAttribute("aria-modal", "true");
    const close = document.createElement("button");
    close.type = "button";
    close.className = "close";
    close.textContent = "×";
    const frame = document.createElement("iframe");
    frame.setAttribute("allow", "clipboard-write");
    const refused = document.createElement("p");
    refused.className = "refused";
    refused.hidden = true;
    refused.setAttribute("role", "alert");
    // Tab past the frame's last control, or Shift+Tab before the close button, lands on a
    // guard that sends the focus back into the window: it never reaches the page behind.
    const guard = (onFocus) => {
      const node = document.createElement("span");
      node.tabIndex = 0;
      node.addEventListener("focus", onFocus);
      return node;
    };
    const first = guard(() => (frame.hidden ? close.focus() : frame.focus()));
    const last = guard(() => close.focus());
    modal.append(first, close, frame, refused, last);
    function applyLanguage(code) {
      language = code in TEXTS ? code : "fr";
      const text = TEXTS[language];
      modal.lang = language;
      modal.dir = language === "ar" ? "rtl" : "ltr";
      launcher.textContent = text.launcher;
      launcher.setAttribute("aria-label", text.launcher_label); // the visible text first
      launcher.lang = language;
      modal.setAttribute("aria-label", text.dialog);
      close.setAttribute("aria-label", text.close);
      frame.title = text.frame;
      if (!refused.hidden) refused.textContent = text.refused;
    }
    applyLanguage(language);
    backdrop.append(modal);
    shadow.append(style, backdrop);
    if (!trigger) shadow.append(launcher);
    document.body.append(host);

    // The landlord declares the sites its widget may open on; elsewhere the chat page's
    // frame-ancestors would leave a blank frame. Asked once, before the frame is opened;
    // an unanswered check opens the frame as before.
    let verdict = null;
    function checkOrigin() {
      if (!verdict) {
        verdict = fetch(check, { credentials: "omit" })
          .then((response) => (response.ok ? response.json() : { allowed: true }))
          .catch(() => ({ allowed: true }));
      }
      return verdict;
    }
    function refuse(origin) {
      frame.hidden = true;
      refused.hidden = false;
      refused.textContent = TEXTS[language].refused;
      console.warn(`PIERRE widget: this page's origin ${origin} is not among the widget origins of `
        + `${landlord}; add it to the landlord's settings (admin, Réglages: origines du widget) or to `
        + "widget.allowed_origins of its landlord.yaml.");
    }

    let opener = null;
    const onKey = (event) => { if (event.key === "Escape") hide(); };
    async function show(event) {
      // the launcher lives in the shadow root: the document sees its host as the focus
      opener = event && event.currentTarget ? event.currentTarget : document.activeElement;
      backdrop.hidden = false;
      document.addEventListener("keydown", onKey);
      close.focus();
      const answer = await checkOrigin();
      if (answer.allowed === false) {
        refuse(answer.origin || location.origin);
      } else if (!frame.src) {
        frame.src = src;
        frame.addEventListener("load", () => {
          if (!backdrop.hidden && frame.contentWindow) frame.contentWindow.focus();
        }, { once: true });
      }
    }
    function hide() {
      backdrop.hidden = true;
      document.removeEventListener("keydown", onKey);
      if (opener && opener.focus) opener.focus();
    }
    window.addEventListener("message", (event) => {
      if (event.source !== frame.contentWindow || !event.data) return;
      if (event.data.pierre === "close") hide();
      if (event.data.pierre === "language") applyLanguage(String(event.data.language || ""));
    });
    launcher.addEventListener("click", show);
    close.addEventListener("click", hide);
    backdrop.addEventListener("click", (event) => { if (event.target === backdrop) hide(); });
    if (trigger) {
      trigger.setAttribute("role", "button");
      trigger.setAttribute("aria-haspopup", "dialog");
      trigger.tabIndex = 0;
      trigger.addEventListener("click", show);
      trigger.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); show(event); }
      });
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
})();
