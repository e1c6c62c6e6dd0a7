"""The API reference (Scalar, at /schema) and GraphiQL (at /graphql in a browser), self-contained.

Every script and stylesheet of both pages is a file of this package under /docs/static: the front-end packages are
vendored from the npm registry at pinned versions (docs-ui/package-lock.json, `make docs-assets`) and committed, so
the pages work air-gapped and nothing is fetched from another host at run time. Each page is sent with a content
security policy that says so: scripts, styles, fonts and requests from the service only (fonts also as data: URIs
inside the vendored stylesheets); no inline script (each page's set-up is a file too) and no eval.

What the pinned versions need beyond that, found by loading them under the policy (tests/browser/test_docs_pages.py):
- Scalar 1.76 styles itself inline: <style> elements created at run time (its theme, vue-sonner's toasts) and style
  attributes in the HTML it renders (code blocks), none of which can carry a nonce or a fixed hash, so its page allows
  'unsafe-inline' for styles only. Scalar's fonts are turned off (`withDefaultFonts: false`: they come from
  fonts.scalar.com); the page uses the system's. Its bundle probes `Function("")` once (zod's eval feature test,
  caught, with a fallback): the browser reports that probe as a violation and the page works without eval.
- GraphiQL 3.8 (React 18 UMD builds, CodeMirror 5) needs nothing inline.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from litestar import MediaType, Request, Response, Router, get
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.static_files import create_static_files_router

STATIC = Path(__file__).parent / "static"
ASSETS = "/docs/static"
VENDOR = f"{ASSETS}/vendor"

_COMMON_POLICY = (
    "default-src 'none'; script-src 'self'; font-src 'self' data:; img-src 'self' data:; connect-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
FAVICON = (STATIC / "favicon.ico").read_bytes()
GRAPHIQL_POLICY = f"{_COMMON_POLICY}; style-src 'self'"
SCALAR_POLICY = f"{_COMMON_POLICY}; style-src 'self' 'unsafe-inline'"

SCALAR_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/docs.css">
</head>
<body>
<noscript>The API reference needs JavaScript; the document itself is at <a href="{url}">{url}</a>.</noscript>
<div id="reference" data-url="{url}" data-configuration="{configuration}"></div>
<script src="{vendor}/scalar-api-reference.standalone.js"></script>
<script src="{assets}/scalar-init.js"></script>
</body>
</html>
"""

GRAPHIQL_PAGE = f"""\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Realign GraphiQL</title>
<link rel="stylesheet" href="{VENDOR}/graphiql.min.css">
<link rel="stylesheet" href="{VENDOR}/graphiql-plugin-explorer.css">
<link rel="stylesheet" href="{ASSETS}/graphiql-page.css">
</head>
<body>
<div id="graphiql">Loading…</div>
<script src="{VENDOR}/react.production.min.js"></script>
<script src="{VENDOR}/react-dom.production.min.js"></script>
<script src="{VENDOR}/graphiql.min.js"></script>
<script src="{VENDOR}/graphiql-plugin-explorer.umd.js"></script>
<script src="{ASSETS}/graphiql-init.js"></script>
</body>
</html>
"""

# Scalar options (https://scalar.com/products/api-references/configuration): nothing that reaches another host.
SCALAR_OPTIONS: dict[str, Any] = {
    "withDefaultFonts": False,
    "showDeveloperTools": "never",
    "agent": {"disabled": True},
    "mcp": {"disabled": True},
}


class ScalarPage(ScalarRenderPlugin):
    """Litestar's Scalar plugin with the vendored bundle, its own page and a content security policy."""

    def __init__(self, *, path: str = "/") -> None:
        super().__init__(path=path, js_url=f"{VENDOR}/scalar-api-reference.standalone.js", css_url=f"{ASSETS}/docs.css")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return SCALAR_PAGE.format(
            title=html.escape(str(openapi_schema["info"]["title"])),
            url=html.escape(self.get_openapi_json_route(request)),
            configuration=html.escape(json.dumps(SCALAR_OPTIONS)),
            assets=ASSETS,
            vendor=VENDOR,
        ).encode()

    def receive_router(self, router: Router) -> None:
        # Every answer under the schema path (the page, the JSON and YAML documents, its 404s) carries the policy.
        policy = ResponseHeader(name="Content-Security-Policy", value=SCALAR_POLICY)
        router.response_headers = [*(router.response_headers or ()), policy]


def graphiql_page() -> Response[str]:
    return Response(
        GRAPHIQL_PAGE,
        media_type=MediaType.HTML,
        headers={"Content-Security-Policy": GRAPHIQL_POLICY, "Cache-Control": "no-cache"},
    )


@get("/favicon.ico", include_in_schema=False, sync_to_thread=False)
def favicon() -> Response[bytes]:
    """The service's icon, for browsers that ask for it on any page (a 404 there fills consoles and logs)."""
    return Response(FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"})


def docs_assets_router() -> Router:
    """/docs/static: the pages' own scripts and styles and the vendored packages (revalidated, they are small
    in number and change with a `make docs-assets`)."""
    return create_static_files_router(
        path=ASSETS,
        directories=[STATIC],
        include_in_schema=False,
        name="docs-static",
        cache_control=CacheControlHeader(no_cache=True),
    )
