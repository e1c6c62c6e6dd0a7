"""A failure half way through creating an assessment leaves nothing behind, and the key can be retried."""

from __future__ import annotations

import uuid

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.personas import DESK_WORKER
from service.idempotency import services as idempotency

Client = AsyncTestClient[Litestar]


async def test_failure_after_the_insert_rolls_everything_back(
    client: Client, assessor: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = f"atomic-{uuid.uuid4()}"
    key = f"atomic-{uuid.uuid4()}"
    body = {**DESK_WORKER, "subject_ref": subject}

    async def broken_complete(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated crash after the assessment row was written")

    monkeypatch.setattr(idempotency, "complete", broken_complete)
    failed = await client.post("/v1/assessments", json=body, headers={**assessor, "Idempotency-Key": key})
    assert failed.status_code == 500 and failed.headers["content-type"].startswith("application/problem+json")
    listed = await client.get("/v1/assessments", params={"subject_ref": subject}, headers=assessor)
    assert listed.json()["items"] == [], "the assessment row survived a failed transaction"

    monkeypatch.undo()
    retried = await client.post("/v1/assessments", json=body, headers={**assessor, "Idempotency-Key": key})
    assert retried.status_code == 201, "the failed attempt's claim was not released"
