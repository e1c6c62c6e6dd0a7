"""`python -m service clients …` and `keys …`: manage API clients and their keys."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.clients import services
from service.clients.scopes import ALL_SCOPES
from service.db.engine import create_engine, create_session_factory
from service.settings import Settings


def _run(settings: Settings, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        engine = create_engine(settings)
        try:
            async with create_session_factory(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except services.ClientError as exc:
        raise SystemExit(f"error: {exc}") from None


def _pepper(settings: Settings) -> bytes:
    if not settings.key_pepper:
        raise SystemExit("error: REALIGN_KEY_PEPPER is not set; keys made without it would never verify")
    return settings.key_pepper.encode()


def clients_create(args: argparse.Namespace, settings: Settings) -> None:
    scopes = list(ALL_SCOPES) if args.all_scopes else args.scope
    client = _run(settings, lambda s: services.create_client(s, args.name, scopes, internal=args.internal))
    print(f"created client {client.name} ({client.id}) with scopes: {' '.join(client.scopes) or '(none)'}")


def clients_list(_: argparse.Namespace, settings: Settings) -> None:
    rows = _run(settings, services.list_clients)
    print(f"{'id':36}  {'name':24}  {'state':8}  keys  scopes")
    for client, active_keys in rows:
        state = "disabled" if client.disabled else ("internal" if client.internal else "active")
        print(f"{client.id!s:36}  {client.name:24}  {state:8}  {active_keys:>4}  {' '.join(client.scopes)}")


def clients_disable(args: argparse.Namespace, settings: Settings) -> None:
    client = _run(settings, lambda s: services.set_client_disabled(s, args.client, True))
    print(f"disabled client {client.name}: its keys stop working at once")


def clients_enable(args: argparse.Namespace, settings: Settings) -> None:
    client = _run(settings, lambda s: services.set_client_disabled(s, args.client, False))
    print(f"enabled client {client.name}")


def keys_create(args: argparse.Namespace, settings: Settings) -> None:
    pepper = _pepper(settings)
    key, secret = _run(settings, lambda s: services.create_key(s, args.client, pepper))
    print(f"created key {key.id} ({key.prefix}…); it is shown once, store it now:")
    print(secret)


def keys_list(args: argparse.Namespace, settings: Settings) -> None:
    rows = _run(settings, lambda s: services.list_keys(s, args.client))
    print(f"{'id':36}  {'prefix':16}  {'created':20}  {'last used':20}  state")
    for key in rows:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        last_used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
        print(f"{key.id!s:36}  {key.prefix:16}  {key.created_at:%Y-%m-%d %H:%M}    {last_used:20}  {state}")


def keys_revoke(args: argparse.Namespace, settings: Settings) -> None:
    key = _run(settings, lambda s: services.revoke_key(s, args.key_id))
    print(f"revoked key {key.id} ({key.prefix}…): it gets 401 from its next request on")


def register(commands: Any, handler: Callable[[Callable[[argparse.Namespace, Settings], None]], Any]) -> None:
    """Add the `clients` and `keys` command groups; `handler` wraps each with how settings are found."""
    clients = commands.add_parser("clients", help="manage API clients").add_subparsers(dest="action", required=True)
    create = clients.add_parser("create", help="create a client")
    create.add_argument("name")
    create.add_argument("--scope", action="append", default=[], choices=ALL_SCOPES, help="repeat for several")
    create.add_argument("--all-scopes", action="store_true")
    create.add_argument("--internal", action="store_true", help="the operator's own client (sees all stats)")
    create.set_defaults(handler=handler(clients_create))
    clients.add_parser("list", help="list clients").set_defaults(handler=handler(clients_list))
    for name, action in (("disable", clients_disable), ("enable", clients_enable)):
        sub = clients.add_parser(name, help=f"{name} a client (name or id)")
        sub.add_argument("client")
        sub.set_defaults(handler=handler(action))

    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(dest="action", required=True)
    key_create = keys.add_parser("create", help="create a key; prints it alone on the last line")
    key_create.add_argument("client")
    key_create.set_defaults(handler=handler(keys_create))
    key_list = keys.add_parser("list", help="list a client's keys")
    key_list.add_argument("client")
    key_list.set_defaults(handler=handler(keys_list))
    revoke = keys.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=handler(keys_revoke))
