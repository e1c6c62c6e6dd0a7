"""`make serve` with several workers: one /metrics for all of them, and every worker takes connections."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from service.settings import Settings
from service.web.server import metrics_directory
from tests.conftest import METRICS_AUTH, TEST_METRICS_TOKEN, server_process


def _requests_total(metrics: str, path: str) -> float:
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith("realign_requests_total{") and f'path="{path}"' in line and 'status_code="200"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_add_up_every_workers_requests(settings: Settings, tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"stale file of an earlier run")
    env = {
        "REALIGN_EXPOSE_WORKER": "true",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "REALIGN_METRICS_TOKEN": TEST_METRICS_TOKEN,
    }
    with server_process(["service", "serve", "--workers", "2"], settings, env) as base:
        workers: set[str] = set()
        sent = 0
        # A new connection each time; the kernel spreads them over the workers' sockets.
        while sent < 20 or (len(workers) < 2 and sent < 300):
            response = httpx.get(f"{base}/v1/patterns")
            assert response.status_code == 200
            workers.add(response.headers["x-served-by"])
            sent += 1
        assert len(workers) == 2, "every request reached one worker; the test would prove nothing"
        scrapes = [httpx.get(f"{base}/metrics", headers=METRICS_AUTH).text for _ in range(6)]
        # Whichever worker answers the scrape reports every worker's requests.
        assert {_requests_total(scrape, "/v1/patterns") for scrape in scrapes} == {float(sent)}
        assert all("realign_db_pool_connections_in_use" in scrape for scrape in scrapes)
        assert not (metrics_dir / "counter_1.db").exists(), "files of an earlier run are removed at start"


def test_a_multiworker_server_gets_a_fresh_metrics_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    with metrics_directory(1) as single:
        assert single is None and "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    with metrics_directory(2) as made:
        assert made is not None and os.environ["PROMETHEUS_MULTIPROC_DIR"] == made
        assert Path(made).is_dir() and not any(Path(made).iterdir())
    assert not Path(made).exists() and "PROMETHEUS_MULTIPROC_DIR" not in os.environ
