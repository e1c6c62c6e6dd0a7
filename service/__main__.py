"""Command line: `python -m service <command>` (also installed as `realign`).

  run              development: embedded PostgreSQL when DATABASE_URL is unset, migrate, seed, a development
                   key, serve
  serve            serve against DATABASE_URL (no migration, no seed)
  migrate          alembic upgrade head on DATABASE_URL
  seed             load the curated catalogue into DATABASE_URL
  clients, keys    manage API clients and keys (`clients --help`, `keys --help`)
  import free-exercise-db PATH [--dry-run]
                   import the free-exercise-db JSON into DATABASE_URL (after `seed`); --dry-run writes nothing
  export-schemas   write openapi/openapi.json and openapi/schema.graphql

Without DATABASE_URL, every command that needs a database (`run`, `migrate`, `seed`, `clients`, `keys`, `import`)
uses the development database and key pepper under .data/, the one `make run` serves (started if it is not).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / ".data"
DEV_DATABASE = "realign"
DEV_CLIENT = "development"
DEV_KEY_FILE = DATA_DIR / "dev-api-key"
DEV_PEPPER_FILE = DATA_DIR / "key-pepper"


def _write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    path.chmod(0o600)


def use_development_environment() -> None:
    """Point at the embedded database and the generated pepper when the environment names none."""
    if os.environ.get("DATABASE_URL"):
        return
    from service.db.embedded import ensure_database, start_embedded_postgres

    print(f"DATABASE_URL is unset: using the embedded PostgreSQL in {DATA_DIR / 'postgres'}")
    admin_url = start_embedded_postgres(DATA_DIR / "postgres")
    os.environ["DATABASE_URL"] = ensure_database(admin_url, DEV_DATABASE)
    if not os.environ.get("REALIGN_KEY_PEPPER"):
        if not DEV_PEPPER_FILE.exists():
            _write_secret(DEV_PEPPER_FILE, secrets.token_urlsafe(32))
        os.environ["REALIGN_KEY_PEPPER"] = DEV_PEPPER_FILE.read_text().strip()


async def _seed(settings: Settings) -> str:
    from service.catalog.seed import seed_database

    return (await seed_database(settings)).summary()


async def _development_key(settings: Settings) -> str:
    """The key in .data/dev-api-key if it still works, else a new one for the development client."""
    from service.clients import services
    from service.clients.scopes import ALL_SCOPES
    from service.db.engine import create_engine, create_session_factory

    pepper = settings.key_pepper.encode()
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            if DEV_KEY_FILE.exists():
                key = DEV_KEY_FILE.read_text().strip()
                if await services.authenticate(session, key, pepper):
                    return key
            key = await services.new_key_for(session, DEV_CLIENT, list(ALL_SCOPES), pepper, internal=True)
    finally:
        await engine.dispose()
    _write_secret(DEV_KEY_FILE, key)
    return key


async def _import_free_exercise_db(settings: Settings, plan: Any, dry_run: bool) -> Any:
    from service.catalog.importers.free_exercise_db import run_import
    from service.db.engine import create_engine, create_session_factory

    engine = create_engine(settings)
    try:
        return await run_import(create_session_factory(engine), plan, dry_run=dry_run)
    finally:
        await engine.dispose()


def cmd_import_free_exercise_db(args: argparse.Namespace) -> None:
    """One transaction: an invalid file or a failed write leaves the database as it was."""
    from service.catalog.importers.free_exercise_db import DatasetError, plan_import, read_dataset
    from service.catalog.seed import MissingTargetError, ProvenanceError

    try:
        plan = plan_import(read_dataset(args.path))
    except DatasetError as exc:
        raise SystemExit(f"import failed, nothing written: {args.path}: {exc}") from None
    use_development_environment()
    try:
        report = asyncio.run(_import_free_exercise_db(Settings.from_env(), plan, args.dry_run))
    except (MissingTargetError, ProvenanceError) as exc:
        raise SystemExit(f"import failed, nothing written: {exc}") from None
    print("\n".join(report.lines()))


def cmd_migrate(_: argparse.Namespace) -> None:
    from service.db.migrate import upgrade

    use_development_environment()
    upgrade(Settings.from_env().database_url)
    print("migrations applied")


def cmd_seed(_: argparse.Namespace) -> None:
    use_development_environment()
    print("catalogue seeded:", asyncio.run(_seed(Settings.from_env())))


def _serve(host: str, port: int, workers: int = 1) -> None:
    from service.web.observability import configure_logging
    from service.web.server import metrics_directory, serve

    configure_logging()
    # The factory import string lets uvicorn start several worker processes, each building its own app; with
    # several, each worker listens on its own SO_REUSEPORT socket and writes its metrics where /metrics of any
    # worker adds them up (PROMETHEUS_MULTIPROC_DIR, a fresh temporary directory unless set; see service.web.server).
    # Read here, not only in each worker, for the server's own settings (the header timeout).
    header_timeout = Settings.from_env().header_timeout_seconds
    with metrics_directory(workers):
        serve(
            "service.asgi:app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            header_timeout_seconds=header_timeout,
        )


def cmd_serve(args: argparse.Namespace) -> None:
    _serve(args.host, args.port, args.workers)


def cmd_run(args: argparse.Namespace) -> None:
    """Everything a newcomer needs, in one process: Ctrl-C stops the server and the embedded database."""
    from service.db.migrate import upgrade

    use_development_environment()
    settings = Settings.from_env()
    upgrade(settings.database_url)
    print("migrations applied; catalogue seeded:", asyncio.run(_seed(settings)))
    key = asyncio.run(_development_key(settings)) if settings.key_pepper else None
    base = f"http://{args.host}:{args.port}"
    print(
        "\nRealign is starting:\n"
        f"  API docs     {base}/docs\n"
        f"  OpenAPI      {base}/schema/openapi.json\n"
        f"  GraphQL      {base}/graphql\n"
        f"  Dashboard    {base}/dashboard   (enter the API key below: the development client is an operator)\n"
        + (f"  API key      {key}   (development client, every scope; also in {DEV_KEY_FILE})\n" if key else "")
        + f"  Try          curl '{base}/v1/exercises?muscle=glutes&phase=strengthen&available_equipment=step'\n",
        flush=True,
    )
    _serve(args.host, args.port, args.workers)


def cmd_export_schemas(args: argparse.Namespace) -> None:
    from service.schema_export import graphql_sdl, openapi_document

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "openapi.json").write_text(json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n")
    (out / "schema.graphql").write_text(graphql_sdl())
    print(f"wrote {out / 'openapi.json'} and {out / 'schema.graphql'}")


def _with_settings(
    action: Callable[[argparse.Namespace, Settings], None],
) -> Callable[[argparse.Namespace], None]:
    def handler(args: argparse.Namespace) -> None:
        use_development_environment()
        action(args, Settings.from_env())

    return handler


def main(argv: list[str] | None = None) -> None:
    from service.clients import cli as clients_cli

    parser = argparse.ArgumentParser(prog="realign", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler in (("run", cmd_run), ("serve", cmd_serve)):
        sub = commands.add_parser(name)
        sub.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        sub.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        sub.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
        sub.set_defaults(handler=handler)
    commands.add_parser("migrate").set_defaults(handler=cmd_migrate)
    commands.add_parser("seed").set_defaults(handler=cmd_seed)
    clients_cli.register(commands, _with_settings)
    datasets = commands.add_parser("import", help="import an open dataset").add_subparsers(
        dest="dataset", required=True
    )
    fedb = datasets.add_parser("free-exercise-db", help="the combined exercises.json of free-exercise-db")
    fedb.add_argument("path", type=Path)
    fedb.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    fedb.set_defaults(handler=cmd_import_free_exercise_db)
    export = commands.add_parser("export-schemas")
    export.add_argument("--out", default=str(PROJECT_ROOT / "openapi"))
    export.set_defaults(handler=cmd_export_schemas)
    args = parser.parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
