"""Finding F11 (issue 12): a failed statement's error names the statement, never its bound values."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from service.db.engine import create_engine
from service.settings import Settings
from service.web.observability import JsonFormatter

SECRET = "f11-subject-ref-8c1f"


# The one-statement pool (service.db.oneshot) is asyncpg's own: its errors are PostgreSQL's messages, which never
# quote bound values; only SQLAlchemy renders them, so its engines are the ones to check.
@pytest.mark.parametrize("make_engine", [create_engine])
async def test_f11_errors_of_a_failing_statement_do_not_carry_its_values(
    settings: Settings, make_engine: Callable[[Settings], AsyncEngine]
) -> None:
    engine = make_engine(settings)
    try:
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError) as failure:
                # Fails at execution (division by zero), after the value is bound; PostgreSQL's own message does
                # not quote it, so only SQLAlchemy's rendering of the parameters could.
                await connection.execute(text("SELECT CAST(:subject AS text), 1 / 0"), {"subject": SECRET})
    finally:
        await engine.dispose()
    message = str(failure.value)
    assert "division by zero" in message and "SELECT CAST(" in message, message
    assert SECRET not in message
    record = logging.LogRecord("service", logging.ERROR, __file__, 1, "failed: %s", (failure.value,), None)
    record.exc_info = (type(failure.value), failure.value, failure.value.__traceback__)
    line = json.loads(JsonFormatter().format(record))
    assert SECRET not in line["message"] and SECRET not in line["error"]
