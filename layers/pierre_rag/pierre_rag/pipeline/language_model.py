"""py3langid's model cut to the eight UI languages, in a form that loads within a cold start.

py3langid ships a Naive Bayes model of 142 languages as an LZMA-compressed archive: loading
it takes ~0.5 s and ~70 MB, half the chat function's 1 s cold-init budget. Restricted to the
languages of ``pipeline.messages.PHRASES`` (the same column slicing as the library's
``set_languages``), it is kept in two files:

- the byte automaton's transition table (39 MB of ``uint32``) as one uncompressed ``.npy``,
  memory-mapped: a message walks one transition per byte, so only the pages it visits are
  read. Deflated, inflating it took ~0.15 s of every cold start (an eighth of the chat's);
- the feature weights and the automaton's small tables, deflated (0.7 MB).

The layer build writes both under ``<layer>/models/`` (:func:`prepare_for_layer`); elsewhere
they are written to the user's cache on first use, as the embedding model's tokenizer is.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

import numpy as np
import py3langid
from py3langid import modelio
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from pierre_rag.pipeline.messages import PHRASES
from pierre_rag.prepared_files import write_atomically

logger = logging.getLogger(__name__)

LANGUAGES = tuple(PHRASES)
_SMALL_ARRAYS = ("ptc", "pc", "nextmove_row", "out_feat")
_TRANSITIONS = "nextmove"


def _cut_name() -> str:
    """Both files are only valid for the library version and the languages they were cut
    for, and together."""
    return f"langid-{py3langid.__version__}-{'-'.join(LANGUAGES)}"


def prepared_file_name() -> str:
    """The weights and small tables."""
    return f"{_cut_name()}.npz"


def transitions_file_name() -> str:
    """The transition table, mapped."""
    return f"{_cut_name()}-{_TRANSITIONS}.npy"


def restricted_arrays() -> dict[str, np.ndarray[Any, Any]]:
    """The library's model, parsed its own way, with the columns of our languages only."""
    model = MODEL_DIR / MODEL_FILE
    if not model.is_file():
        raise RuntimeError(
            f"no readable prepared language model, and py3langid's {model} is not shipped "
            "(the layer leaves it out): rebuild the layer (make layer)"
        )
    ptc, pc, classes, nextmove, row, output = modelio.load_model(model)
    columns = [classes.index(code) for code in LANGUAGES]
    return {
        "ptc": np.ascontiguousarray(ptc[:, columns]),
        "pc": np.asarray(pc)[columns],
        "nextmove": np.asarray(nextmove, dtype=np.uint32),
        "nextmove_row": np.asarray(row, dtype=np.uint32),
        "out_feat": np.asarray(output, dtype=np.int32),
    }


def save_prepared(path: Path) -> None:
    """Write the restricted model to ``path`` (weights and small tables) and, beside it, its
    transition table (:func:`transitions_file_name`), each atomically (no half-written file
    is ever read); the table first, so that a prepared ``path`` always has its table."""
    arrays = restricted_arrays()
    transitions = arrays.pop(_TRANSITIONS)
    write_atomically(
        path.with_name(transitions_file_name()),
        lambda stream: np.save(stream, transitions, allow_pickle=False),
    )
    write_atomically(path, lambda stream: np.savez_compressed(stream, **arrays))  # type: ignore[arg-type]


def _identifier(arrays: dict[str, np.ndarray[Any, Any]]) -> LanguageIdentifier:
    # Memoryviews, indexed per byte of a message, give Python ints; the transition table's
    # is over the mapped file.
    return LanguageIdentifier(
        arrays["ptc"],
        arrays["pc"],
        list(LANGUAGES),
        arrays[_TRANSITIONS].data,
        arrays["out_feat"].data,
        norm_probs=True,
        tk_row=arrays["nextmove_row"].data,
    )


def _read_prepared(path: Path) -> LanguageIdentifier | None:
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in _SMALL_ARRAYS}
        transitions = np.load(
            path.with_name(transitions_file_name()), mmap_mode="r", allow_pickle=False
        )
        _check_shapes(arrays, transitions)
        return _identifier({**arrays, _TRANSITIONS: transitions})
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or foreign file must not stop the bot
        logger.warning("ignoring unreadable prepared language model %s", path, exc_info=True)
        return None


def _check_shapes(
    arrays: dict[str, np.ndarray[Any, Any]], transitions: np.ndarray[Any, Any]
) -> None:
    """Raise unless the files fit together (types and sizes): a table from another cut or
    a truncated one is refused before any message walks it."""
    states = arrays["out_feat"].shape
    if (
        transitions.dtype != np.uint32
        or transitions.ndim != 1
        or arrays["nextmove_row"].dtype != np.uint32
        or arrays["out_feat"].dtype != np.int32
        or arrays["nextmove_row"].shape != states
        or arrays["ptc"].shape[1:] != (len(LANGUAGES),)
        or transitions.shape[0] != (int(arrays["nextmove_row"].max()) + 1) * 256
    ):
        raise ValueError(f"not a prepared language model of {len(LANGUAGES)} languages")


def default_models_dir() -> Path:
    """``$PIERRE_MODELS_DIR``, else the layer's ``/opt/models``, else the user's cache."""
    from pierre_rag.settings import PathSettings

    return PathSettings.from_env().models_dir


@functools.cache
def identifier(models_dir: Path | None = None) -> LanguageIdentifier:
    """The restricted model, loaded once per process (the prepared file when there is a valid
    one, else the library's own, which is then prepared for next time if ``models_dir`` is
    writable)."""
    prepared = (models_dir or default_models_dir()) / prepared_file_name()
    loaded = _read_prepared(prepared)
    if loaded is not None:
        return loaded
    try:
        save_prepared(prepared)
    except OSError as error:  # read-only file system (Lambda's /opt): the slow way each time
        logger.info("prepared language model not saved to %s: %s", prepared, error)
        return _identifier(restricted_arrays())
    return _read_prepared(prepared) or _identifier(restricted_arrays())


def rank(text: str) -> list[tuple[str, float]]:
    """Our languages with their probabilities for ``text``, most probable first."""
    return [(code, float(p)) for code, p in identifier().rank(text)]


# --------------------------------------------------------------------------- layer build


def same_ranking(ours: list[tuple[str, float]], library: list[tuple[str, float]]) -> bool:
    """Same order, same probabilities but for float rounding (the columns are not summed in
    the same order)."""
    return [code for code, _ in ours] == [code for code, _ in library] and all(
        abs(p - q) < 1e-5 for (_, p), (_, q) in zip(ours, library, strict=True)
    )


def prepare_for_layer(models_dir: Path) -> str:
    """Write the restricted model under ``models_dir`` and check it ranks as the library's own
    ``set_languages`` does; return what was done."""
    path = models_dir / prepared_file_name()
    save_prepared(path)
    prepared = _read_prepared(path)
    library = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    library.set_languages(list(LANGUAGES))
    for sample in ("Tu es là ?", "my heating is broken", "¿quién paga?", "kira neden artti"):
        if prepared is None or not same_ranking(prepared.rank(sample), library.rank(sample)):
            raise RuntimeError(f"the prepared language model ranks {sample!r} differently")
    return f"language model cut to {len(LANGUAGES)} languages in {models_dir.name}/{path.name}"
