"""The package as pip builds it: the production image installs a wheel (`pip install .`, Dockerfile), and `make run`
an editable install (issue 17, item 11: it printed setuptools' editable-install warning).

Both build with setuptools from the package index in pip's isolated build environment, as on a user's machine;
without the index the tests are skipped, except under CI=true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]


def _copy_project(into: Path) -> Path:
    """What the Dockerfile copies, so that the build leaves nothing in the checkout (build/, *.egg-info)."""
    project = into / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, project / name)
    shutil.copytree(PROJECT_ROOT / "service", project / "service", ignore=shutil.ignore_patterns("__pycache__"))
    return project


# The tests' own environment (PYTHONPATH pointing at a checkout, say) must not reach the builds or the new venv.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*PIP, *args], capture_output=True, text=True, timeout=600, check=False, env=CLEAN_ENV)
    if done.returncode != 0 and "setuptools" in done.stderr and "satisf" in done.stderr:
        message = f"setuptools is not available from the package index: {done.stderr.strip()[-300:]}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert done.returncode == 0, done.stderr
    return done


def test_the_wheel_holds_every_file_the_service_reads(tmp_path: Path) -> None:
    """Rules files, the curated catalogue, the dashboard's and the docs pages' assets: every file of the package that
    is not Python code is in the wheel the production image installs."""
    project = _copy_project(tmp_path)
    _pip("wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp_path / "dist"), str(project))
    [wheel] = (tmp_path / "dist").glob("realign-*.whl")
    packed = set(zipfile.ZipFile(wheel).namelist())
    data = {
        path.relative_to(project).as_posix()
        for path in (project / "service").rglob("*")
        if path.is_file() and path.suffix != ".py"
    }
    assert data, "the package has data files"
    assert data <= packed, sorted(data - packed)


def test_the_editable_install_prints_no_warning(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    done = _pip("--python", str(tmp_path / "venv" / "bin" / "python"), "install", "--no-deps", "-e", str(project))
    said = done.stdout + done.stderr
    assert "Editable installation" not in said and "setuptools" not in said.lower(), said[-2000:]
    found = subprocess.run(
        [str(tmp_path / "venv" / "bin" / "python"), "-c", "import service; print(service.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
        env=CLEAN_ENV,
    )
    assert Path(found.stdout.strip()) == project / "service" / "__init__.py"
