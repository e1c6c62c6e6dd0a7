"""The client generators integrators use, installed from their registries by the test setup (as Chromium is for the
browser tests) and cached under .data/client-tools, keyed by their pinned lists:

- Python: openapi-python-client and ariadne-codegen, pinned in python-tools.txt, in a virtual environment of their
  own (the generated clients need attrs and pydantic, which the service does not);
- Node: openapi-typescript, openapi-fetch and TypeScript 5, pinned in ts/package-lock.json (`npm ci`); Node itself
  from Debian's packages when it is missing.

Where a registry cannot be reached the tests say so and are skipped, except under CI=true, where that fails the run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import apt
from tests.conftest import PROJECT_ROOT

HERE = Path(__file__).resolve().parent
TOOLS = PROJECT_ROOT / ".data" / "client-tools"
STAMP = "installed-from"  # the digest of the pinned list an installation was made from


def _last_lines(error: Exception, count: int = 3) -> str:
    return " / ".join([line.strip() for line in str(error).splitlines() if line.strip()][-count:])


def unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def run(command: list[str | Path], cwd: Path | None = None, timeout: float = 600, **env: str) -> str:
    """Run `command`; its output (stdout and stderr) when it succeeds, else an AssertionError with that output."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{command[0]} exited with {done.returncode}:\n{output}"
    return output


def _digest(*files: Path) -> str:
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()


def _installed(place: Path, digest: str) -> bool:
    return (place / STAMP).is_file() and (place / STAMP).read_text() == digest


@pytest.fixture(scope="session")
def python_tools() -> Path:
    """The bin directory of a virtual environment holding python-tools.txt."""
    requirements = HERE / "python-tools.txt"
    venv = TOOLS / "python"
    digest = _digest(requirements)
    if not _installed(venv, digest):
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        try:
            run([*pip, "--no-input", "-r", requirements])
        except (AssertionError, subprocess.TimeoutExpired) as error:
            unavailable(f"pip could not install the client generators from PyPI: {_last_lines(error)}")
        (venv / STAMP).write_text(digest)
    return venv / "bin"


@pytest.fixture(scope="session")
def node_tools() -> Path:
    """A directory holding ts/package.json with its locked node_modules, where the TypeScript client is built."""
    if not (shutil.which("node") and shutil.which("npm")):
        outcome = apt.install("nodejs", "npm")
        if not (shutil.which("node") and shutil.which("npm")):
            unavailable(f"no Node.js for the TypeScript client ({outcome})")
    work = TOOLS / "ts"
    manifests = [HERE / "ts" / "package.json", HERE / "ts" / "package-lock.json"]
    digest = _digest(*manifests)
    if not _installed(work, digest):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        for manifest in manifests:
            shutil.copy(manifest, work)
        try:
            run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=work)
        except (AssertionError, subprocess.TimeoutExpired) as error:
            unavailable(f"npm could not install the TypeScript tools from the npm registry: {_last_lines(error)}")
        (work / STAMP).write_text(digest)
    return work
