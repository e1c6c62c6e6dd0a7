"""Command line: `python -m service <command>` (also installed as `realign`).

run              development: embedded PostgreSQL when DATABASE_URL is unset, migrate, seed, serve
serve            serve against DATABASE_URL (no migration, no seed)
migrate          alembic upgrade head on DATABASE_URL
seed             load the curated catalogue into DATABASE_URL
import free-exercise-db PATH [--dry-run]
                 import the free-exercise-db JSON into DATABASE_URL (after `seed`); --dry-run writes nothing
export-schemas   write openapi/openapi.json and openapi/schema.graphql
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / ".data"
DEV_DATABASE = "realign"


async def _seed(database_url: str) -> str:
    from service.catalog.records import load_catalog
    from service.catalog.seed import seed_catalog
    from service.db.engine import create_engine, create_session_factory
    from service.settings import Settings

    engine = create_engine(Settings(database_url=database_url))
    try:
        async with create_session_factory(engine)() as session, session.begin():
            report = await seed_catalog(session, load_catalog())
    finally:
        await engine.dispose()
    return report.summary()


async def _import_free_exercise_db(database_url: str, plan: Any, dry_run: bool) -> Any:
    from service.catalog.importers.free_exercise_db import run_import
    from service.db.engine import create_engine, create_session_factory
    from service.settings import Settings

    engine = create_engine(Settings(database_url=database_url))
    try:
        return await run_import(create_session_factory(engine), plan, dry_run=dry_run)
    finally:
        await engine.dispose()


def _database_url() -> str:
    from service.settings import Settings

    return Settings.from_env().database_url


def cmd_migrate(_: argparse.Namespace) -> None:
    from service.db.migrate import upgrade

    upgrade(_database_url())
    print("migrations applied")


def cmd_seed(_: argparse.Namespace) -> None:
    print("catalogue seeded:", asyncio.run(_seed(_database_url())))


def cmd_import_free_exercise_db(args: argparse.Namespace) -> None:
    """One transaction: an invalid file or a failed write leaves the database as it was."""
    from service.catalog.importers.free_exercise_db import DatasetError, plan_import, read_dataset
    from service.catalog.seed import MissingTargetError, ProvenanceError

    try:
        plan = plan_import(read_dataset(args.path))
    except DatasetError as exc:
        raise SystemExit(f"import failed, nothing written: {args.path}: {exc}") from None
    try:
        report = asyncio.run(_import_free_exercise_db(_database_url(), plan, args.dry_run))
    except (MissingTargetError, ProvenanceError) as exc:
        raise SystemExit(f"import failed, nothing written: {exc}") from None
    print("\n".join(report.lines()))


def _serve(host: str, port: int) -> None:
    import uvicorn

    from service.app import create_app
    from service.settings import Settings

    uvicorn.run(create_app(Settings.from_env()), host=host, port=port, log_level="info")


def cmd_serve(args: argparse.Namespace) -> None:
    _serve(args.host, args.port)


def cmd_run(args: argparse.Namespace) -> None:
    """Everything a newcomer needs, in one process: Ctrl-C stops the server and the embedded database."""
    from service.db.migrate import upgrade
    from service.settings import to_async_url

    if not os.environ.get("DATABASE_URL"):
        from service.db.embedded import ensure_database, start_embedded_postgres

        print(f"DATABASE_URL is unset: starting the embedded PostgreSQL in {DATA_DIR / 'postgres'}")
        admin_url = start_embedded_postgres(DATA_DIR / "postgres")
        os.environ["DATABASE_URL"] = ensure_database(admin_url, DEV_DATABASE)
    url = to_async_url(os.environ["DATABASE_URL"])
    upgrade(url)
    print("migrations applied; catalogue seeded:", asyncio.run(_seed(url)))
    base = f"http://{args.host}:{args.port}"
    print(
        "\nRealign is starting:\n"
        f"  API docs     {base}/docs\n"
        f"  OpenAPI      {base}/schema/openapi.json\n"
        f"  GraphQL      {base}/graphql\n"
        f"  Try          curl '{base}/v1/exercises?muscle=glutes&phase=strengthen&available_equipment=step'\n",
        flush=True,
    )
    _serve(args.host, args.port)


def cmd_export_schemas(args: argparse.Namespace) -> None:
    from service.schema_export import graphql_sdl, openapi_document

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "openapi.json").write_text(json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n")
    (out / "schema.graphql").write_text(graphql_sdl())
    print(f"wrote {out / 'openapi.json'} and {out / 'schema.graphql'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="realign", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler in (("run", cmd_run), ("serve", cmd_serve)):
        sub = commands.add_parser(name)
        sub.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        sub.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        sub.set_defaults(handler=handler)
    commands.add_parser("migrate").set_defaults(handler=cmd_migrate)
    commands.add_parser("seed").set_defaults(handler=cmd_seed)
    datasets = commands.add_parser("import", help="import an open dataset").add_subparsers(
        dest="dataset", required=True
    )
    fedb = datasets.add_parser("free-exercise-db", help="the combined exercises.json of free-exercise-db")
    fedb.add_argument("path", type=Path, help="path to exercises.json")
    fedb.add_argument("--dry-run", action="store_true", help="print what would change and write nothing")
    fedb.set_defaults(handler=cmd_import_free_exercise_db)
    export = commands.add_parser("export-schemas")
    export.add_argument("--out", default=str(PROJECT_ROOT / "openapi"))
    export.set_defaults(handler=cmd_export_schemas)
    args = parser.parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
