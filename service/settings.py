"""One typed settings object, read from the environment when asked and passed in from there on."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


def to_async_url(url: str) -> str:
    """Accept the usual `postgresql://` spellings and point SQLAlchemy at asyncpg."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(f"DATABASE_URL must be a PostgreSQL URL, got {url.split(':', 1)[0]}://…")


def statement_cache_disabled_in(url: str) -> bool:
    """Whether the URL itself turns prepared-statement caching off (`?prepared_statement_cache_size=0`)."""
    from urllib.parse import parse_qs, urlsplit

    values = parse_qs(urlsplit(url).query).get("prepared_statement_cache_size", [])
    return any(value.strip() == "0" for value in values)


def trusted_proxies(value: str) -> tuple[str, ...]:
    """REALIGN_TRUSTED_PROXIES: comma-separated IP addresses and CIDR networks, checked here so that a typo fails
    at start instead of silently trusting nothing (uvicorn would take it for a literal host name)."""
    import ipaddress

    proxies = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            proxies.append(str(ipaddress.ip_network(item, strict=False) if "/" in item else ipaddress.ip_address(item)))
        except ValueError:
            raise ValueError(f"REALIGN_TRUSTED_PROXIES: {item!r} is neither an IP address nor a CIDR network") from None
    return tuple(proxies)


# Where clients reach the service: problem `type` URIs are absolute under it (service.web.problem_types). `make run`'s.
DEFAULT_PUBLIC_URL = "http://localhost:8000"


def public_url(value: str) -> str:
    """REALIGN_PUBLIC_URL: the http(s) origin (and path prefix, behind a proxy that adds one) clients use."""
    from urllib.parse import urlsplit

    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"REALIGN_PUBLIC_URL must be an http(s) URL such as https://api.example.com, got {value!r}")
    return url


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str
    key_pepper: str = ""
    public_catalog: bool = True
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1024 * 1024
    rate_limit: str = "600/60"
    anonymous_rate_limit: str = "300/60"
    redis_url: str | None = None
    expose_worker: bool = False
    graphql_introspection: bool = True
    debug: bool = False
    db_pool_size: int = 10
    db_statement_timeout_ms: int = 5000
    # False behind PgBouncer in transaction mode: no prepared statement outlives its statement.
    db_statement_cache: bool = True
    catalog_cache_seconds: int = 60
    catalog_check_seconds: float = 2.0
    graphql_max_depth: int = 10
    graphql_max_tokens: int = 2000
    graphql_max_aliases: int = 15
    # Peers whose X-Forwarded-For names the client (rate limits per IP); none by default: see service.app.
    trusted_proxies: tuple[str, ...] = ()
    # The bearer token of the Prometheus scraper; without one /metrics is not served (404).
    metrics_token: str | None = None
    # Seconds a connection has to send a request head; None: the server's limit (service.web.server_protocol says why).
    header_timeout_seconds: float | None = None
    public_url: str = DEFAULT_PUBLIC_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        url = env.get("DATABASE_URL")
        if not url:
            raise RuntimeError("DATABASE_URL is not set. `make run` starts an embedded PostgreSQL and sets it for you.")
        return cls(
            database_url=to_async_url(url),
            key_pepper=env.get("REALIGN_KEY_PEPPER", ""),
            public_catalog=_flag(env.get("REALIGN_PUBLIC_CATALOG"), True),
            cors_origins=tuple(o.strip() for o in env.get("REALIGN_CORS_ORIGINS", "").split(",") if o.strip()),
            rate_limit=env.get("REALIGN_RATE_LIMIT", "600/60"),
            anonymous_rate_limit=env.get("REALIGN_ANONYMOUS_RATE_LIMIT", "300/60"),
            redis_url=env.get("REDIS_URL") or None,
            expose_worker=_flag(env.get("REALIGN_EXPOSE_WORKER"), False),
            graphql_introspection=_flag(env.get("REALIGN_GRAPHQL_INTROSPECTION"), True),
            debug=_flag(env.get("REALIGN_DEBUG"), False),
            db_pool_size=int(env.get("REALIGN_DB_POOL_SIZE", "10")),
            db_statement_timeout_ms=int(env.get("REALIGN_DB_STATEMENT_TIMEOUT_MS", "5000")),
            db_statement_cache=_flag(env.get("REALIGN_DB_STATEMENT_CACHE"), True)
            and not statement_cache_disabled_in(url),
            catalog_cache_seconds=int(env.get("REALIGN_CATALOG_CACHE_SECONDS", "60")),
            catalog_check_seconds=float(env.get("REALIGN_CATALOG_CHECK_SECONDS", "2")),
            trusted_proxies=trusted_proxies(env.get("REALIGN_TRUSTED_PROXIES", "")),
            metrics_token=env.get("REALIGN_METRICS_TOKEN") or None,
            header_timeout_seconds=float(env["REALIGN_HEADER_TIMEOUT_SECONDS"])
            if env.get("REALIGN_HEADER_TIMEOUT_SECONDS")
            else None,
            public_url=public_url(env.get("REALIGN_PUBLIC_URL") or DEFAULT_PUBLIC_URL),
        )
