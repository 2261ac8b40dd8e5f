"""The logwarden wheel: one import package, no emulator code, and a demo that says how to get
the emulators when they are not installed."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def build_wheel(project: Path, out: Path) -> Path:
    """``pip wheel --no-deps`` of ``project`` (offline: the test venv has the build tools)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(project)],
        check=True,
    )  # fmt: skip
    [wheel] = [p for p in out.glob("*.whl") if p.name.split("-")[0] == wheel_name(project)]
    return wheel


def wheel_name(project: Path) -> str:
    """The distribution name of ``project`` as its wheel's file name spells it."""
    doc = tomllib.loads((project / "pyproject.toml").read_text())
    return str(doc["project"]["name"]).replace("-", "_")


def make_clean_venv(home: Path, *wheels: Path) -> Path:
    """A new venv at ``home`` with only ``wheels`` installed; its third-party dependencies
    come from this venv's site-packages (a .pth line), which activates none of the editable
    installs of this checkout."""
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    Path(purelib, "deps-of-the-test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", *map(str, wheels)],
        check=True,
    )
    return home


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(ROOT, tmp_path_factory.mktemp("wheel"))


def test_the_wheel_has_one_top_level_package_and_no_emulator(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"logwarden"}
    assert {"logwarden/scanner/rules.yaml", "logwarden/scanner/frameworks.yaml"} <= set(names)
    assert "logwarden/reports/templates/report.html.j2" in names
    sources = {n: zipfile.ZipFile(wheel).read(n).decode() for n in names if n.endswith(".py")}
    emulators = [n for n, text in sources.items() if "import moto" in text or "from moto" in text]
    assert emulators == []
    assert not any("sandbox" in n for n in names)


@pytest.fixture(scope="module")
def clean_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A new venv with only the logwarden wheel installed (see ``make_clean_venv``)."""
    yield make_clean_venv(tmp_path_factory.mktemp("venv") / "clean", wheel)


def test_demo_without_the_emulators_is_a_usage_error_naming_the_install(clean_venv: Path) -> None:
    python = clean_venv / "bin" / "python"
    found = subprocess.run(
        [python, "-c", "import logwarden_sandbox"], capture_output=True, text=True, cwd="/"
    )
    assert "No module named 'logwarden_sandbox'" in found.stderr
    done = subprocess.run(
        [clean_venv / "bin" / "logwarden", "demo", "--output", str(clean_venv / "demo")],
        capture_output=True, text=True, cwd="/",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "logwarden-sandbox" in done.stderr and "pip install ./sandbox" in done.stderr
    assert "Traceback" not in done.stderr
