"""Where files are: the Lambda layer, the repository checkout, the user's cache.

A leaf module (it imports nothing from the package) so any module can use it without an
import cycle. It never reads the environment: :mod:`pierre_rag.settings` does, and passes
the overrides it found to the functions here.
"""

from __future__ import annotations

from pathlib import Path

LAYER_ROOT = Path("/opt")  # where Lambda mounts the layer
LAYER_DATASTORE = LAYER_ROOT / "datastore.sqlite"
LAYER_LANDLORDS_DIR = LAYER_ROOT / "landlords"  # flat: <id>.yaml
LAYER_MODELS_DIR = LAYER_ROOT / "models"  # the prepared tokenizer of the embedding model

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
REPOSITORY_DATASTORE = REPOSITORY_ROOT / "build" / "datastore.sqlite"
REPOSITORY_LANDLORDS_DIR = REPOSITORY_ROOT / "knowledge"  # folders: <id>/landlord.yaml

LANDLORD_FILE = "landlord.yaml"  # a landlord's file in its knowledge folder
# compat: old name, still read with a deprecation warning (pierre_rag.landlord_check)
OLD_LANDLORD_FILE = "tenant.yaml"  # compat: old name


def default_datastore() -> Path:
    """The layer's datastore on Lambda, else the one ``make datastore`` builds."""
    return LAYER_DATASTORE if LAYER_DATASTORE.exists() else REPOSITORY_DATASTORE


def default_landlords_dir() -> Path:
    """The layer's landlord files on Lambda, else the repository's knowledge folders."""
    return LAYER_LANDLORDS_DIR if LAYER_LANDLORDS_DIR.is_dir() else REPOSITORY_LANDLORDS_DIR


def landlord_files(directory: Path) -> list[tuple[str, Path]]:
    """``(id the location gives, file)`` for both layouts: ``<id>/landlord.yaml``, ``<id>.yaml``.

    A folder's file under its old name is listed too (after the new one when both exist):
    :mod:`pierre_rag.landlord_check` warns about it, or reports the pair as a conflict.
    """
    if not directory.is_dir():
        return []
    folders = [
        (folder.name, folder / name)
        for folder in sorted(entry for entry in directory.iterdir() if entry.is_dir())
        for name in (LANDLORD_FILE, OLD_LANDLORD_FILE)
        if (folder / name).is_file()
    ]
    flat = [(path.stem, path) for path in sorted(directory.glob("*.yaml"))]
    return folders + flat


def cache_dir(override: Path | None = None, xdg_cache_home: Path | None = None) -> Path:
    """``override``, else ``<xdg_cache_home>/pierre``, else ``~/.cache/pierre``."""
    if override is not None:
        return override
    return (xdg_cache_home or Path.home() / ".cache") / "pierre"


def models_dir(override: Path | None, cache: Path) -> Path:
    """``override``, else the layer's models, else ``<cache>/models`` (written on first use)."""
    if override is not None:
        return override
    if LAYER_MODELS_DIR.is_dir():
        return LAYER_MODELS_DIR
    return cache / "models"
