"""A failure half way through creating an assessment leaves nothing behind, and the key can be retried.

The key's claim, the row and the stored answer are one statement: here the database refuses the row (a value its
CHECK constraint rejects) after the statement has claimed the key, and neither may survive."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.personas import DESK_WORKER
from service.assessments import services
from service.idempotency.services import NewRow

Client = AsyncTestClient[Litestar]


async def test_failure_after_the_insert_rolls_everything_back(
    client: Client, assessor: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = f"atomic-{uuid.uuid4()}"
    key = f"atomic-{uuid.uuid4()}"
    body = {**DESK_WORKER, "subject_ref": subject}

    new_row = services.new_row

    def refused_row(*args: object, **kwargs: object) -> NewRow:
        row = new_row(*args, **kwargs)  # type: ignore[arg-type]
        return replace(row, values={**row.values, "status": "bogus"})

    monkeypatch.setattr(services, "new_row", refused_row)
    failed = await client.post("/v1/assessments", json=body, headers={**assessor, "Idempotency-Key": key})
    assert failed.status_code == 500 and failed.headers["content-type"].startswith("application/problem+json")
    listed = await client.get("/v1/assessments", params={"subject_ref": subject}, headers=assessor)
    assert listed.json()["items"] == [], "the assessment row survived a failed transaction"

    monkeypatch.undo()
    retried = await client.post("/v1/assessments", json=body, headers={**assessor, "Idempotency-Key": key})
    assert retried.status_code == 201, "the failed attempt's claim was not released"
