"""Issue 13: a create's body is decoded once, strictly (service.web.bodies.StrictJSON), over REST."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.personas import DESK_WORKER
from service.web import bodies

Client = AsyncTestClient[Litestar]


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[type]:
    made: list[type] = []
    decode = bodies.decode_strictly

    def counted(body: bytes, type_: type) -> Any:
        made.append(type_)
        return decode(body, type_)

    monkeypatch.setattr(bodies, "decode_strictly", counted)
    return made


async def test_the_body_is_decoded_once(client: Client, assessor: dict[str, str], decodes: list[type]) -> None:
    response = await client.post("/v1/assessments", json=DESK_WORKER, headers=assessor)
    assert response.status_code == 201, response.text
    assert [t.__name__ for t in decodes] == ["AssessmentInput"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lifestyle": {"sitting_hours_per_day": "10"}}, "lifestyle.sitting_hours_per_day"),
        ({"red_flags": {"saddle_numbness": 0}}, "red_flags.saddle_numbness"),
    ],
)
async def test_a_wrongly_typed_field_is_refused_not_coerced(
    client: Client, assessor: dict[str, str], change: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/assessments", json={**DESK_WORKER, **change}, headers=assessor)
    assert response.status_code == 400, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
