"""A real browser for page tests: Debian's Chromium, installed by the test setup when it is missing and it can be.

Where no browser can be installed the tests say so and are skipped, except under CI=true, where a missing browser
fails the run (the page must be tested there).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

NAMES = ("chromium", "chromium-browser")


def _find() -> str | None:
    return next((path for name in NAMES if (path := shutil.which(name))), None)


def _install() -> str:
    """Try `apt-get install chromium`; return what happened, for the skip message."""
    if not shutil.which("apt-get"):
        return "no apt-get on this machine"
    if os.geteuid() != 0:
        return "installing it needs root (apt-get install chromium)"
    install = ["apt-get", "install", "-y", "-q", "chromium"]
    done = subprocess.run(install, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:  # stale package lists on a fresh machine: refresh them once and retry
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, timeout=900, check=False)
        done = subprocess.run(install, capture_output=True, text=True, timeout=900, check=False)
    return "installed" if done.returncode == 0 else f"apt-get failed: {done.stderr.strip()[-300:]}"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _find()
    if path is None:
        outcome = _install()
        path = _find()
        if path is None:
            message = f"no Chromium for the browser tests ({outcome})"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
    return path


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # --no-sandbox: the tests may run as root, where Chromium's sandbox refuses to start.
        browser = await playwright.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()
