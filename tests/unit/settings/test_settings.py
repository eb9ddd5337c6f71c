"""The settings module is the one reader of the environment, each variable named once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

from pierre_rag import paths
from pierre_rag.knowledge.cache import default_cache_dir
from pierre_rag.knowledge.use_model import default_models_dir
from pierre_rag.landlords import LlmConfig
from pierre_rag.llm.factory import build_llm
from pierre_rag.settings import (
    SETTINGS_CLASSES,
    EmbeddingSettings,
    LlmSettings,
    PathSettings,
    Settings,
    SmsSettings,
)
from tests.helpers import REPO_ROOT

PACKAGE = REPO_ROOT / "layers" / "pierre_rag" / "pierre_rag"
SETTINGS_MODULE = PACKAGE / "settings.py"
# A write, not a read: numpy reads this variable when it loads, so it is set before.
ALLOWED = {
    "layers/pierre_rag/pierre_rag/knowledge/embeddings.py": 'os.environ.setdefault("OPENBLAS'
}
ENVIRONMENT_NAMES = {"environ", "environb", "getenv", "getenvb"}


def _environment_reads(path: Path) -> list[int]:
    """Lines of ``path`` that use ``os.environ`` or ``os.getenv`` (allowed writes left out)."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    allowed = ALLOWED.get(path.relative_to(REPO_ROOT).as_posix())
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT_NAMES:
            found.add(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found.update(node.lineno for a in node.names if a.name in ENVIRONMENT_NAMES)
    return sorted(line for line in found if not (allowed and allowed in lines[line - 1]))


def test_only_the_settings_module_reads_the_environment():
    # Given every module of the layer and of the functions (the local stack may set variables)
    sources = [*PACKAGE.rglob("*.py"), *(REPO_ROOT / "functions").rglob("*.py")]

    # When their environment reads are listed
    readers = {
        f"{path.relative_to(REPO_ROOT)}:{line}"
        for path in sources
        if path != SETTINGS_MODULE
        for line in _environment_reads(path)
    }

    # Then there are none outside settings.py
    assert readers == set()


def test_each_variable_is_read_by_one_field_of_one_class():
    names = [name for cls in SETTINGS_CLASSES for name in cls.variables()]

    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_unset_or_empty_variables_keep_the_defaults():
    settings = Settings.from_env({"CONVERSATIONS_TABLE": "", "PIERRE_STAGE": "prod"})

    assert settings.conversations_table == "pierre-conversations"
    assert settings.stage == "prod"
    assert SmsSettings.from_env({}) == SmsSettings()


def test_an_invalid_value_fails_with_the_variable_named():
    with pytest.raises(ValidationError, match="CM_ATTEMPTS"):
        SmsSettings.from_env({"CM_ATTEMPTS": "0"})
    with pytest.raises(ValidationError, match="PIERRE_EMBEDDINGS_DIMS"):
        EmbeddingSettings.from_env({"PIERRE_EMBEDDINGS_DIMS": "many"})


def test_the_sms_dead_letter_queue_is_a_setting():
    assert Settings.from_env({"SMS_DLQ_URL": "https://sqs/dlq"}).sms_dlq_url == "https://sqs/dlq"
    assert Settings.from_env({}).sms_dlq_url == ""


def test_the_cache_directory_follows_its_override_then_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.delenv("PIERRE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "pierre"

    monkeypatch.setenv("PIERRE_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"

    assert PathSettings.from_env({}).cache_dir == Path.home() / ".cache" / "pierre"


def test_the_models_directory_is_the_override_else_under_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("PIERRE_MODELS_DIR", str(tmp_path / "models"))
    assert default_models_dir() == tmp_path / "models"

    env = {"PIERRE_CACHE_DIR": str(tmp_path / "cache")}
    expected = (
        paths.LAYER_MODELS_DIR if paths.LAYER_MODELS_DIR.is_dir() else tmp_path / "cache" / "models"
    )
    assert PathSettings.from_env(env).models_dir == expected


def test_pierre_llm_api_key_configures_the_openai_provider(monkeypatch):
    # Given no OPENAI_API_KEY but PIERRE_LLM_API_KEY, and no SSM to fall back on
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("PIERRE_LLM", raising=False)
    monkeypatch.setenv("PIERRE_LLM_API_KEY", "sk-from-env")

    # When the landlord's openai model is built
    client = build_llm(LlmConfig(provider="openai", model="gpt-test"), read_secret=None)

    # Then it is configured (None would mean extractive answers)
    assert client is not None
    assert LlmSettings.from_env({"PIERRE_LLM": "OFF"}).off
