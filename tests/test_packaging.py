"""The package people install: the sdist and the wheel carry the licence and every data file the app
reads, the metadata says what it is (PEP 639 licence expression, URLs, classifiers), and the tested
versions (constraints.txt) lie inside the ranges users get (pyproject.toml)."""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "quittex_tui"
SKIP = shutil.ignore_patterns(
    ".venv",
    ".git",
    "__pycache__",
    "*.egg-info",
    "build",
    "dist",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "out",
    "screenshots",
    "snapshot_report.html",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sdist, wheel) built offline from a copy of the tree (the work tree stays clean)."""
    tmp = tmp_path_factory.mktemp("build")
    tree = tmp / "tree"
    shutil.copytree(ROOT, tree, ignore=SKIP)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--sdist",
            "--wheel",
            "--outdir",
            str(tmp / "dist"),
            str(tree),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (sdist,) = (tmp / "dist").glob("*.tar.gz")
    (wheel,) = (tmp / "dist").glob("*.whl")
    return sdist, wheel


def data_files() -> set[str]:
    """Every file of the package that is not Python source: what the app reads at run time."""
    return {
        p.relative_to(PACKAGE.parent).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }


def test_the_wheel_carries_the_licence_metadata_and_every_data_file(built: tuple[Path, Path]) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = email.message_from_bytes(zf.read(metadata_name))
        licence = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
        assert b"MIT License" in zf.read(licence)
    wanted = data_files()
    expected = {
        "demo/demo-archive.zip",
        "locales/fr.toml",
        "cli/locales/fr.toml",
        "tui/locales/fr.toml",
        "tui/app.tcss",
    }
    assert {f"quittex_tui/{name}" for name in expected} <= wanted
    assert wanted <= names, sorted(wanted - names)
    assert metadata["License-Expression"] == "MIT"
    assert metadata["License-File"] == "LICENSE"
    urls = metadata.get_all("Project-URL") or []
    assert any(u.startswith("Source, https://") for u in urls) and any(u.startswith("Issues, ") for u in urls)
    classifiers = metadata.get_all("Classifier") or []
    assert "Natural Language :: French" in classifiers and "Environment :: Console" in classifiers
    assert not any(c.startswith("License ::") for c in classifiers)  # PEP 639: the expression says it
    requires = {
        Requirement(r).name.lower(): Requirement(r)
        for r in metadata.get_all("Requires-Dist") or []
        if "extra ==" not in r
    }
    assert not requires["atproto"].specifier.contains("0.0.74")  # the SDK's next release is not ours yet
    assert metadata["Requires-Python"] == ">=3.11"


def test_the_sdist_carries_the_licence_and_the_data_files(built: tuple[Path, Path]) -> None:
    sdist, _ = built
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert {"LICENSE", "README.md", "pyproject.toml"} <= names
    assert {f"src/{f}" for f in data_files()} <= names


def test_tested_versions_lie_inside_the_ranges_users_get() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pinned[name.lower().replace("_", "-").replace(".", "-")] = version
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    for text in requirements:
        req = Requirement(text)
        key = req.name.lower().replace("_", "-").replace(".", "-")
        assert key in pinned, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pinned[key], prereleases=True), (text, pinned[key])
        if text in project["dependencies"]:
            upper = any(s.operator in ("<", "<=", "~=", "==") for s in req.specifier)
            assert upper, f"{text}: no upper bound"
