"""The API contracts as committed under openapi/: generated from the app, never written by hand."""

from __future__ import annotations

from typing import Any

from service.app import create_app
from service.catalog.records import load_catalog
from service.catalog.vocabulary import Vocabulary
from service.graphql.schema import build_schema
from service.settings import Settings

# Generating the documents opens no connection; the URL only has to be well formed.
_OFFLINE = Settings(database_url="postgresql+asyncpg://offline@localhost/offline", key_pepper="offline")


def openapi_document() -> dict[str, Any]:
    return create_app(_OFFLINE).openapi_schema.to_schema()


def graphql_sdl() -> str:
    return build_schema(_OFFLINE, Vocabulary.from_catalog(load_catalog())).as_str() + "\n"
