"""Check every landlord file of a folder and keep the valid landlords apart from the invalid.

One landlord's bad file must never break another: a file that does not parse, breaks the
schema, or claims an id that is not its own name makes *that* landlord invalid (requests for
it get a clear error, health routes list it); the others are served. An SMS number claimed by
two landlords is routed to neither (an SMS must never reach the wrong landlord) and reported
for both. ``pierre landlords check`` prints the same problems and fails the build.

A folder whose file still has its old name is read, with a deprecation warning; a folder
with both names is an error (which one is meant?) that disables the landlord.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pierre_rag.landlords import (
    LandlordConfig,
    LandlordConfigError,
    LandlordIdMismatchError,
    SmsConfig,
    load_landlord_file,
)
from pierre_rag.paths import LANDLORD_FILE, OLD_LANDLORD_FILE, landlord_files


class ProblemKind(StrEnum):
    INVALID_FILE = "invalid_file"  # unreadable, invalid YAML, or schema errors
    WRONG_ID = "wrong_id"  # the id is not the folder (or file) name, e.g. a copied folder
    DUPLICATE_ID = "duplicate_id"  # two files define one landlord
    BOTH_FILE_NAMES = "both_file_names"  # a folder holds its file under the old and new name
    DUPLICATE_SMS_NUMBER = "duplicate_sms_number"  # one number claimed by two landlords
    LLM_UNAVAILABLE = "llm_unavailable"  # its LLM provider cannot be built (function init)


@dataclass(frozen=True)
class LandlordProblem:
    landlord: str  # the id the file's location gives (folder or file name)
    file: Path
    kind: ProblemKind
    message: str
    disables_landlord: bool = True  # False: the landlord is served, one setting is withheld

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass(frozen=True)
class LandlordCheck:
    landlords: list[LandlordConfig] = field(default_factory=list)
    problems: list[LandlordProblem] = field(default_factory=list)
    deprecations: list[str] = field(default_factory=list)  # served, but to be fixed

    @property
    def invalid_ids(self) -> set[str]:
        return {p.landlord for p in self.problems if p.disables_landlord}


def check_landlords(directory: Path) -> LandlordCheck:
    files = landlord_files(directory)
    problems: list[LandlordProblem] = []
    deprecations: list[str] = []
    loaded: list[tuple[Path, LandlordConfig]] = []
    for landlord_id, path in _without_old_file_names(files, problems, deprecations):
        try:
            loaded.append((path, load_landlord_file(path, landlord_id)))
        except LandlordConfigError as error:
            problems.append(_file_problem(landlord_id, path, error, files))
    loaded = _without_duplicate_ids(loaded, problems)
    landlords = _without_shared_numbers(loaded, problems)
    return LandlordCheck(landlords, problems, deprecations)


def _without_old_file_names(
    files: list[tuple[str, Path]], problems: list[LandlordProblem], deprecations: list[str]
) -> list[tuple[str, Path]]:
    """The files to load: an old-named file alone is kept (and deprecated), beside a new one
    neither is."""
    in_folders = [path for landlord_id, path in files if landlord_id == path.parent.name]
    old = {path.parent for path in in_folders if path.name == OLD_LANDLORD_FILE}
    both = {path.parent for path in in_folders if path.name == LANDLORD_FILE} & old
    kept = []
    for landlord_id, path in files:
        if path.parent in both:
            if path.name == LANDLORD_FILE:
                message = f"both {LANDLORD_FILE} and {OLD_LANDLORD_FILE}: keep {LANDLORD_FILE} only"
                problems.append(
                    LandlordProblem(landlord_id, path, ProblemKind.BOTH_FILE_NAMES, message)
                )
            continue
        if path.parent in old and path.name == OLD_LANDLORD_FILE:
            deprecations.append(f"{path}: deprecated file name, rename it to {LANDLORD_FILE}")
        kept.append((landlord_id, path))
    return kept


def _file_problem(
    landlord_id: str, path: Path, error: LandlordConfigError, files: list[tuple[str, Path]]
) -> LandlordProblem:
    message = str(error).removeprefix(f"{path}: ")
    if not isinstance(error, LandlordIdMismatchError):
        return LandlordProblem(landlord_id, path, ProblemKind.INVALID_FILE, message)
    owners = [other for other_id, other in files if other_id == error.claimed and other != path]
    hint = (
        f"; {owners[0]} already defines {error.claimed!r} (a copied folder? set id to "
        f"{landlord_id!r})"
        if owners
        else ""
    )
    return LandlordProblem(landlord_id, path, ProblemKind.WRONG_ID, f"{message}{hint}")


def _without_duplicate_ids(
    loaded: list[tuple[Path, LandlordConfig]], problems: list[LandlordProblem]
) -> list[tuple[Path, LandlordConfig]]:
    files_by_id: dict[str, list[Path]] = defaultdict(list)
    for path, config in loaded:
        files_by_id[config.id].append(path)
    kept = []
    for path, config in loaded:
        paths = files_by_id[config.id]
        if len(paths) == 1:
            kept.append((path, config))
            continue
        others = ", ".join(str(other) for other in paths if other != path)
        problems.append(
            LandlordProblem(
                config.id,
                path,
                ProblemKind.DUPLICATE_ID,
                f"landlord {config.id} is also defined by {others}: keep one file",
            )
        )
    return kept


def _without_shared_numbers(
    loaded: list[tuple[Path, LandlordConfig]], problems: list[LandlordProblem]
) -> list[LandlordConfig]:
    owners: dict[str, list[str]] = defaultdict(list)
    for _, config in loaded:
        for number in dict.fromkeys(config.sms.numbers):
            owners[number].append(config.id)
    shared = {number for number, ids in owners.items() if len(ids) > 1}
    landlords = []
    for path, config in loaded:
        contested = [number for number in config.sms.numbers if number in shared]
        for number in dict.fromkeys(contested):
            others = ", ".join(other for other in owners[number] if other != config.id)
            problems.append(
                LandlordProblem(
                    config.id,
                    path,
                    ProblemKind.DUPLICATE_SMS_NUMBER,
                    f"SMS number {number} is also claimed by {others}: it is routed to neither",
                    disables_landlord=False,
                )
            )
        if contested:
            kept = [number for number in config.sms.numbers if number not in shared]
            config = config.model_copy(update={"sms": SmsConfig(numbers=kept)})
        landlords.append(config)
    return landlords


def llm_problem(landlord_id: str, error: Exception) -> LandlordProblem:
    """A landlord whose LLM provider cannot be built (missing SDK, no region…): not served."""
    return LandlordProblem(
        landlord_id,
        Path(f"{landlord_id}.yaml"),
        ProblemKind.LLM_UNAVAILABLE,
        f"landlord {landlord_id}: its LLM provider cannot be built: {type(error).__name__}: "
        f"{error}",
    )
