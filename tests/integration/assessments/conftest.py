from __future__ import annotations

import pytest

from devkit.keys import make_key
from service.settings import Settings


@pytest.fixture(scope="session")
async def assessor(settings: Settings) -> dict[str, str]:
    key = await make_key(settings, "assessor-app", ["assessments:read", "assessments:write"])
    return {"Authorization": f"Bearer {key}"}
