"""A real browser for page tests: Debian's Chromium, installed by the test setup when it is missing and it can be.

Where no browser can be installed the tests say so and are skipped, except under CI=true, where a missing browser
fails the run (the page must be tested there).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from tests import apt

NAMES = ("chromium", "chromium-browser")


def _find() -> str | None:
    return next((path for name in NAMES if (path := shutil.which(name))), None)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _find()
    if path is None:
        outcome = apt.install("chromium")
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
