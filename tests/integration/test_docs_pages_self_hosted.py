"""Issue #17, item 2: the API reference (/schema) and GraphiQL (/graphql) load every script and stylesheet from the
service itself, pinned and vendored, under a content security policy that allows nothing from another host.

Before, /schema loaded `@scalar/api-reference@latest` from jsDelivr and GraphiQL loaded React and GraphiQL from
unpkg: without internet (or under a strict policy) both pages were blank. The browser test
(tests/browser/test_docs_pages.py) checks that they render with other hosts unreachable.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]
PAGES = {
    "/schema": {},
    "/graphql": {"Accept": "text/html"},  # what a browser sends: strawberry answers with GraphiQL
}
CONTENT_TYPES = {"script": "javascript", "stylesheet": "text/css"}


class Assets(HTMLParser):
    """The page's <script src> and <link href> (rel stylesheet, icon, preload...), as (kind, url)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.found.append(("script", attributes["src"] or ""))
        elif tag == "link" and attributes.get("href"):
            self.found.append((attributes.get("rel") or "link", attributes["href"] or ""))


async def page(client: Client, path: str) -> tuple[str, str]:
    response = await client.get(path, headers=PAGES[path])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text, response.headers.get("content-security-policy", "")


@pytest.mark.parametrize("path", PAGES)
async def test_every_asset_of_the_page_is_served_by_the_service(client: Client, path: str) -> None:
    text, _ = await page(client, path)
    for needle in ("unpkg", "jsdelivr", "cdn.", "@latest"):
        assert needle not in text, needle
    parser = Assets()
    parser.feed(text)
    kinds = {kind for kind, _ in parser.found}
    assert {"script", "stylesheet"} <= kinds, parser.found
    for kind, url in parser.found:
        # A same-origin path: no scheme, no host, no protocol-relative //host.
        assert url.startswith("/") and not url.startswith("//"), url
        asset = await client.get(url)
        assert asset.status_code == 200, (url, asset.status_code)
        expected = CONTENT_TYPES.get(kind)
        if expected:
            assert expected in asset.headers["content-type"], (url, asset.headers["content-type"])
        assert len(asset.content) > 0, url


@pytest.mark.parametrize("path", PAGES)
async def test_the_page_allows_only_the_service_itself(client: Client, path: str) -> None:
    _, policy = await page(client, path)
    directives = {name: sources for name, *sources in (part.split() for part in policy.split(";") if part.strip())}
    assert directives.get("default-src") == ["'none'"], policy
    assert directives.get("script-src") == ["'self'"], policy  # no inline script, no eval, no other host
    for name in ("style-src", "font-src", "connect-src", "img-src"):
        assert "'self'" in directives.get(name, []), (name, policy)
        assert not [s for s in directives[name] if s not in ("'self'", "'unsafe-inline'", "data:")], (name, policy)
    # Inline styles are Scalar's need alone (service/docs/pages.py); GraphiQL runs without.
    if path == "/graphql":
        assert directives["style-src"] == ["'self'"], policy
    assert directives.get("frame-ancestors") == ["'none'"], policy


async def test_the_vendored_packages_carry_their_licenses(client: Client) -> None:
    """Each vendored file is served with the license of its package next to it."""
    for name in (
        "scalar-api-reference",
        "graphiql",
        "graphiql-plugin-explorer",
        "react",
        "react-dom",
    ):
        license_ = await client.get(f"/docs/static/vendor/{name}-LICENSE")
        assert license_.status_code == 200, name
        assert "MIT License" in license_.text, name
