"""The chat page's own texts (web/chat-texts.json): every language of the answers, every key,
the same placeholders, and the page's selector offering exactly those languages."""

from __future__ import annotations

import json
import re

from chat_api.routes import CHAT_LANGUAGES
from pierre_rag.pipeline.messages import PHRASES
from tests.helpers import REPO_ROOT

CATALOGUE = json.loads((REPO_ROOT / "web" / "chat-texts.json").read_text(encoding="utf-8"))


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_the_catalogue_has_the_languages_of_the_answers_french_first():
    assert list(CATALOGUE) == ["fr", *[code for code in PHRASES if code != "fr"]]
    assert [code for code, _ in CHAT_LANGUAGES] == list(CATALOGUE)


def test_every_language_has_every_key_with_the_same_placeholders():
    french = CATALOGUE["fr"]
    for language, texts in CATALOGUE.items():
        assert set(texts) == set(french), language
        for key, text in texts.items():
            assert text.strip(), (language, key)
            assert _placeholders(text) == _placeholders(french[key]), (language, key)


def test_the_selector_names_each_language_in_itself():
    assert dict(CHAT_LANGUAGES) == {code: t["language_name"] for code, t in CATALOGUE.items()}


def test_every_key_the_page_and_its_script_use_is_in_the_catalogue():
    page = (REPO_ROOT / "functions" / "chat" / "chat_api" / "templates" / "chat.html").read_text(
        encoding="utf-8"
    )
    script = (REPO_ROOT / "web" / "chat.js").read_text(encoding="utf-8")
    used = set(re.findall(r'data-(?:text|label|placeholder)="(\w+)"', page))
    used |= set(re.findall(r'\bt\("(\w+)"', script))
    used |= set(re.findall(r'textNode\("\w*", "[\w-]*", "(\w+)"', script))
    assert used and used <= set(CATALOGUE["fr"])


def _widget_texts() -> dict[str, dict[str, str]]:
    script = (REPO_ROOT / "web" / "widget.js").read_text(encoding="utf-8")
    found = re.search(
        r"/\* texts:start \*/\s*const TEXTS = (.*?);\s*/\* texts:end \*/", script, re.S
    )
    assert found, "widget.js lost its texts block"
    texts: dict[str, dict[str, str]] = json.loads(found.group(1))
    return texts


def test_the_widget_speaks_the_chat_pages_languages_with_every_text():
    widget = _widget_texts()

    assert list(widget) == list(CATALOGUE)
    for language, texts in widget.items():
        assert set(texts) == set(widget["fr"]), language
        assert all(text.strip() for text in texts.values()), language
        # the launcher's accessible name starts with its visible text (WCAG 2.5.3)
        assert texts["launcher_label"].startswith(texts["launcher"]), language


def test_every_text_the_widget_uses_is_in_its_block():
    script = (REPO_ROOT / "web" / "widget.js").read_text(encoding="utf-8")
    used = set(re.findall(r"\btext\.(\w+)", script)) | set(
        re.findall(r"TEXTS\[language\]\.(\w+)", script)
    )
    assert used and used <= set(_widget_texts()["fr"])
