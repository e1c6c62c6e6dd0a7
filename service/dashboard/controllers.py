"""The operator dashboard: a static page that draws the GraphQL stats API (the key is entered in the page).

The page and its assets are files of this package (Chart.js vendored from the npm registry by
`make dashboard-assets`); nothing is fetched from elsewhere at run time, and the content security policy says so.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, Router, get
from litestar.static_files import create_static_files_router

STATIC = Path(__file__).parent / "static"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)


@get("/dashboard", include_in_schema=False, sync_to_thread=False)
def dashboard_page() -> Response[bytes]:
    return Response(
        (STATIC / "index.html").read_bytes(),
        media_type="text/html",  # Litestar adds "; charset=utf-8" to text types
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"},
    )


def dashboard_router() -> Router:
    assets = create_static_files_router(
        path="/dashboard/static", directories=[STATIC], include_in_schema=False, name="dashboard-static"
    )
    return Router(path="/", route_handlers=[dashboard_page, assets], include_in_schema=False)
