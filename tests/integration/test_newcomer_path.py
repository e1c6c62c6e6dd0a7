"""Issue 17, item 11: what a newcomer meets first. The service's address lands on the docs, browsers get an icon,
pages say their charset once, and every command that needs a database finds the development one `make run` serves,
as `clients` and `keys` already did."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service import __main__ as cli

Client = AsyncTestClient[Litestar]
SAMPLE = Path(__file__).parents[1] / "fixtures" / "free_exercise_db_sample.json"


async def test_the_services_address_lands_on_the_docs(client: Client) -> None:
    for method in ("GET", "HEAD"):
        landing = await client.request(method, "/", follow_redirects=False)
        assert landing.status_code in (302, 307), (method, landing.status_code)
        assert landing.headers["location"] == "/docs"
    docs = await client.get("/", follow_redirects=True)
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")


async def test_browsers_get_an_icon(client: Client) -> None:
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file's header: reserved 0, type 1 (icon)
    assert "max-age" in icon.headers["cache-control"]


@pytest.mark.parametrize("page", ["/dashboard", "/schema", "/graphql"])
async def test_pages_name_their_charset_once(client: Client, page: str) -> None:
    response = await client.get(page, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].lower().count("charset") == 1, response.headers["content-type"]


@pytest.fixture
def development_database(monkeypatch: pytest.MonkeyPatch, database_url: str) -> list[str]:
    """No DATABASE_URL, as on a newcomer's machine; the 'embedded' server is the test one (already started, as
    `make run` leaves it). Returns the databases the command asked for."""
    from service.db import embedded

    asked: list[str] = []

    def ensure(admin_url: str, database: str, *, recreate: bool = False) -> str:
        asked.append(database)
        return database_url

    monkeypatch.setenv("DATABASE_URL", "unset-below")  # recorded, so that teardown removes what the command sets
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("REALIGN_KEY_PEPPER", "test-pepper-not-secret")
    monkeypatch.setattr(embedded, "start_embedded_postgres", lambda data_dir: database_url)
    monkeypatch.setattr(embedded, "ensure_database", ensure)
    return asked


@pytest.mark.parametrize(
    "command",
    [["migrate"], ["seed"], ["import", "free-exercise-db", str(SAMPLE), "--dry-run"]],
    ids=["migrate", "seed", "import"],
)
def test_database_commands_find_the_development_database(
    development_database: list[str], command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(command)
    assert development_database == [cli.DEV_DATABASE]
    assert "DATABASE_URL is unset: using the embedded PostgreSQL" in capsys.readouterr().out


def _shell_examples(readme: str, *headings: str) -> str:
    """The `sh` code blocks of the README sections with these headings, in order."""
    script = []
    for heading in headings:
        section = readme.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
        script += [block.split("```", 1)[0] for block in section.split("```sh\n")[1:]]
    return "\n".join(script)


def test_the_readmes_assessment_and_program_examples_run_as_written(live_server: str, full_access_key: str) -> None:
    """Pasted into a shell in order, with `make run` up: every request succeeds (curl fails the script on any 4xx or
    5xx), ids flow from one example to the next, and nothing needs a tool the README does not name."""
    examples = _shell_examples(
        (cli.PROJECT_ROOT / "README.md").read_text(), "Assessments", "Programs", "Check-ins and outcome measures"
    )
    assert "KEY=$(cat .data/dev-api-key)" in examples and "<id>" not in examples
    script = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n' + examples.replace(
        "KEY=$(cat .data/dev-api-key)", f"KEY={full_access_key}"
    ).replace("http://127.0.0.1:8000", live_server)
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-2000:])
    assert '"ruleset_version"' in done.stdout and '"schedule"' in done.stdout  # the assessment and program GETs
