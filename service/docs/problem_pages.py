"""The pages problem `type` URIs resolve to (#17 item 8): `/problems` lists every problem type of the registry
(service.web.problem_types) and `/problems/{slug}` says what one means and what to do. Plain HTML with no script,
style or image, so the policy allows nothing at all."""

from __future__ import annotations

import html
import re
from typing import Annotated

from litestar import MediaType, Response, Router, get
from litestar.params import PathParameter

from service.web.problem_types import BY_SLUG, PATH, PROBLEM_TYPES, ProblemType
from service.web.problems import ProblemError

POLICY = "default-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
# The registry changes only with a release; an hour keeps a page fresh enough and spares a documentation crawler.
CACHE_CONTROL = "public, max-age=3600"

PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body>
{body}
</body>
</html>
"""


def _inline(text: str) -> str:
    """Escaped text with its `code` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _page(title: str, body: str) -> Response[str]:
    return Response(
        PAGE.format(title=html.escape(title), body=body),
        media_type=MediaType.HTML,
        headers={"Content-Security-Policy": POLICY, "Cache-Control": CACHE_CONTROL},
    )


def _entry(problem: ProblemType) -> str:
    return (
        f"<h1>{html.escape(problem.title)}</h1>\n<p>HTTP status <strong>{problem.status}</strong>, problem type "
        f"<code>{html.escape(problem.slug)}</code>.</p>\n<p>{_inline(problem.meaning)}</p>\n"
        f'<p><a href="{PATH}">Every problem type</a> · <a href="/schema">API reference</a></p>'
    )


@get(PATH, include_in_schema=False)
async def problem_index() -> Response[str]:
    items = "\n".join(
        f'<li><a href="{PATH}/{p.slug}">{html.escape(p.title)}</a> ({p.status}, <code>{p.slug}</code>)</li>'
        for p in PROBLEM_TYPES
    )
    body = (
        "<h1>Problem types</h1>\n<p>Every error of the Realign API is an RFC 9457 problem document "
        "(<code>application/problem+json</code>) whose <code>type</code> is one of these pages.</p>\n"
        f"<ul>\n{items}\n</ul>"
    )
    return _page("Problem types", body)


@get(f"{PATH}/{{slug:str}}", include_in_schema=False)
async def problem_page(slug: Annotated[str, PathParameter(max_length=80)]) -> Response[str]:
    problem = BY_SLUG.get(slug)
    if problem is None:
        raise ProblemError(404, f"No problem type '{slug}'; {PATH} lists them.")
    return _page(problem.title, _entry(problem))


def problem_pages_router() -> Router:
    return Router(path="/", route_handlers=[problem_index, problem_page], include_in_schema=False)
