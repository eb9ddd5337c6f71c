"""One landlord's bad file disables that landlord only; the check names every problem's file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pierre_rag.cli import main
from pierre_rag.health import health_payload
from pierre_rag.landlord_check import ProblemKind
from pierre_rag.landlords import InvalidLandlordError, LandlordRegistry, UnknownLandlordError
from pierre_rag.llm.landlords import LandlordLlms

GOOD = "exemple-hlm.fr"
OTHER = "second-hlm.fr"


def _landlord(landlord_id: str, number: str = "+33199000042", extra: str = "") -> str:
    return (
        f"id: {landlord_id}\nname: Bailleur {landlord_id}\n"
        f'sms: {{numbers: ["{number}"]}}\n'
        f"contexts:\n  default:\n    greeting: Bonjour\n{extra}"
    )


def _write(root: Path, folder: str, text: str) -> Path:
    path = root / folder / "landlord.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_copied_folder_with_an_unchanged_id_disables_only_the_copy(tmp_path):
    # Given a landlord and a copy of its folder whose id was not changed
    original = _write(tmp_path, GOOD, _landlord(GOOD))
    copy = _write(tmp_path, OTHER, _landlord(GOOD))

    # When the registry is loaded
    registry = LandlordRegistry.from_directory(tmp_path)

    # Then the original is served, the copy is refused with a clear error, and one problem
    # names the copy's file and the file that already defines the id
    assert registry.ids == [GOOD]
    assert registry.by_sms_number("+33199000042") is registry.get(GOOD)
    with pytest.raises(InvalidLandlordError, match=OTHER):
        registry.get(OTHER)
    [problem] = registry.problems
    assert (problem.landlord, problem.file, problem.kind) == (OTHER, copy, ProblemKind.WRONG_ID)
    assert str(original) in problem.message and "copied folder" in problem.message


def test_one_landlord_defined_twice_is_not_served_and_the_others_are(tmp_path):
    # Given the same landlord in both layouts, and another valid landlord
    _write(tmp_path, GOOD, _landlord(GOOD))
    (tmp_path / f"{GOOD}.yaml").write_text(_landlord(GOOD), encoding="utf-8")
    _write(tmp_path, OTHER, _landlord(OTHER, "+33199000043"))

    # When the registry is loaded
    registry = LandlordRegistry.from_directory(tmp_path)

    # Then the ambiguous landlord is refused (which file is right is unknown), the other served
    assert registry.ids == [OTHER]
    assert registry.invalid_ids == [GOOD]
    with pytest.raises(InvalidLandlordError):
        registry.get(GOOD)
    assert {p.kind for p in registry.problems} == {ProblemKind.DUPLICATE_ID}
    assert len(registry.problems) == 2  # one per file


def test_a_number_claimed_by_two_landlords_is_routed_to_neither(tmp_path):
    # Given two landlords that both claim one SMS number; the second also has its own number
    _write(tmp_path, GOOD, _landlord(GOOD))
    _write(
        tmp_path,
        OTHER,
        _landlord(OTHER).replace('["+33199000042"]', '["+33199000042", "+33199000043"]'),
    )

    # When the registry is loaded
    registry = LandlordRegistry.from_directory(tmp_path)

    # Then both landlords are served, the shared number reaches nobody, the other still routes
    assert registry.ids == [GOOD, OTHER]
    assert registry.by_sms_number("+33199000042") is None
    assert registry.by_sms_number("+33199000043") is registry.get(OTHER)
    problems = {(p.landlord, p.kind) for p in registry.problems}
    assert problems == {
        (GOOD, ProblemKind.DUPLICATE_SMS_NUMBER),
        (OTHER, ProblemKind.DUPLICATE_SMS_NUMBER),
    }
    assert registry.invalid_ids == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("id: [unclosed\n", "cannot read YAML"),
        (_landlord(OTHER).replace("greeting: Bonjour", "greting: Bonjour"), "greting"),
        (_landlord(OTHER).replace("default:", "accueil:"), "default"),
        ("- just\n- a list\n", "mapping"),
    ],
    ids=["invalid-yaml", "unknown-field", "no-default-context", "not-a-mapping"],
)
def test_an_invalid_file_disables_its_landlord_only(tmp_path, text, words):
    # Given a valid landlord and an invalid file for another
    _write(tmp_path, GOOD, _landlord(GOOD))
    bad = _write(tmp_path, OTHER, text)

    # When the registry is loaded
    registry = LandlordRegistry.from_directory(tmp_path)

    # Then the valid landlord is served; the other gets a clear error, not "unknown"
    assert registry.get(GOOD).id == GOOD
    with pytest.raises(InvalidLandlordError):
        registry.get(OTHER)
    with pytest.raises(UnknownLandlordError):
        registry.get("jamais-vu.fr")
    [problem] = registry.problems
    assert problem.file == bad and problem.kind is ProblemKind.INVALID_FILE
    assert words in problem.message


def test_health_says_degraded_and_names_files_without_details(tmp_path):
    # Given a valid landlord and one whose YAML is broken
    _write(tmp_path, GOOD, _landlord(GOOD))
    _write(tmp_path, OTHER, "persona: 'secret staff note\n")

    # When a function reports its health
    payload = health_payload("chat", LandlordRegistry.from_directory(tmp_path))

    # Then it is degraded, lists the landlords, and gives the file and kind but not the content
    assert payload["status"] == "degraded"
    assert payload["landlords"] == [GOOD]
    assert payload["invalid_landlords"] == [OTHER]
    assert payload["landlord_problems"] == [
        {"landlord": OTHER, "file": f"{OTHER}/landlord.yaml", "kind": "invalid_file"}
    ]
    assert "secret" not in str(payload)


def test_health_is_ok_when_every_landlord_is_valid(tmp_path):
    _write(tmp_path, GOOD, _landlord(GOOD))

    payload = health_payload("sms_webhook", LandlordRegistry.from_directory(tmp_path))

    assert payload["status"] == "ok"
    assert payload["invalid_landlords"] == [] and payload["landlord_problems"] == []


def test_the_check_command_prints_each_problem_with_its_file_and_fails(tmp_path):
    # Given a copied folder, a broken file and a shared number
    _write(tmp_path, GOOD, _landlord(GOOD))
    copy = _write(tmp_path, "copie-hlm.fr", _landlord(GOOD))
    broken = _write(tmp_path, "casse-hlm.fr", "id: [\n")
    _write(tmp_path, OTHER, _landlord(OTHER))
    out, err = io.StringIO(), io.StringIO()

    # When `pierre landlords check` runs
    code = main(["landlords", "check", "--dir", str(tmp_path)], stdout=out, stderr=err)

    # Then it exits 1 and prints one line per problem, starting with the file
    assert code == 1
    lines = err.getvalue().splitlines()
    assert any(line.startswith(f"{copy}: id 'exemple-hlm.fr' must equal") for line in lines)
    assert any(line.startswith(f"{broken}: cannot read YAML") for line in lines)
    shared = [line for line in lines if "SMS number +33199000042" in line]
    assert len(shared) == 2
    assert lines[-1].startswith("pierre: 4 problem(s)")


def test_the_check_command_passes_on_the_repository_landlords(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    repo_knowledge = Path(__file__).parents[3] / "knowledge"

    code = main(["landlords", "check", "--dir", str(repo_knowledge)], stdout=out, stderr=err)

    assert code == 0, err.getvalue()
    assert "pierre-habitat.fr" in out.getvalue()


def test_a_provider_that_cannot_be_built_disables_its_landlord_at_init(tmp_path, monkeypatch):
    # Given two landlords; one uses Bedrock, which cannot be built without an AWS region
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "PIERRE_LLM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    root = tmp_path / "landlords"
    _write(root, GOOD, _landlord(GOOD))
    _write(
        root,
        OTHER,
        _landlord(OTHER, "+33199000043", extra="llm: {provider: bedrock, model: m}\n"),
    )
    registry = LandlordRegistry.from_directory(root)

    # When the function builds its LLM clients at init
    llms, problems = LandlordLlms.build(registry, read_secret=None)
    served = registry.with_problems(problems)

    # Then only that landlord is disabled, with a reason, and health reports it
    assert served.ids == [GOOD]
    assert llms(served.get(GOOD)) is None  # no LLM configured: extractive answers
    with pytest.raises(InvalidLandlordError):
        served.get(OTHER)
    [problem] = problems
    assert problem.kind is ProblemKind.LLM_UNAVAILABLE and "NoRegionError" in problem.message
    assert health_payload("chat", served)["invalid_landlords"] == [OTHER]
