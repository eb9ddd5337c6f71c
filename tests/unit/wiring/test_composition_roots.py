"""Given the source tree, then AWS clients are created only in the functions' wiring modules
(and by the Bedrock adapter for its own client), and no function keeps its services in a
``functools.cache``: the seams stay where a newcomer looks for them."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import REPO_ROOT

LAYER = REPO_ROOT / "layers" / "pierre_rag" / "pierre_rag"
FUNCTIONS = REPO_ROOT / "functions"
CREATES_A_CLIENT = re.compile(r"\bboto3\.client\(")
CACHED = re.compile(r"@(functools\.)?(cache|lru_cache)\b")
WIRING_MODULES = {"chat_wiring.py", "admin_wiring.py", "sms_wiring.py", "knowledge_build_wiring.py"}


def _sources(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def test_each_function_folder_has_its_wiring_module() -> None:
    found = {path.name for path in FUNCTIONS.glob("*/*_wiring.py")}

    assert found == WIRING_MODULES


def test_only_wiring_modules_and_the_bedrock_adapter_create_aws_clients() -> None:
    creating = {
        path.relative_to(REPO_ROOT).as_posix()
        for path in _sources(LAYER) + _sources(FUNCTIONS)
        if CREATES_A_CLIENT.search(path.read_text(encoding="utf-8"))
    }

    allowed = {"layers/pierre_rag/pierre_rag/llm/bedrock.py"} | {
        path.relative_to(REPO_ROOT).as_posix() for path in FUNCTIONS.glob("*/*_wiring.py")
    }
    assert creating <= allowed, sorted(creating - allowed)


def test_no_function_caches_its_services_in_a_module_global() -> None:
    cached = [
        path.relative_to(REPO_ROOT).as_posix()
        for path in _sources(FUNCTIONS)
        if CACHED.search(path.read_text(encoding="utf-8"))
    ]

    assert cached == []


def test_the_layer_memoises_only_pure_lookups() -> None:
    # the installed version, text tables (and the place table), the index's code fingerprint,
    # the 80 MB model, the language guess's model: the same for every caller, so nothing a test
    # would have to clear
    pure = {
        "__init__.py",
        "knowledge/text.py",
        "knowledge/places.py",
        "knowledge/build.py",
        "knowledge/embeddings.py",
        "pipeline/language_model.py",
    }

    cached = {
        path.relative_to(LAYER).as_posix()
        for path in _sources(LAYER)
        if CACHED.search(path.read_text(encoding="utf-8"))
    }

    assert cached <= pure, sorted(cached - pure)
