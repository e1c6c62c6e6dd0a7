"""Debian packages the test setup installs when a machine lacks them (Chromium for the pages, Node.js for the
generated TypeScript client), as a fresh machine's first `make test` needs."""

from __future__ import annotations

import os
import shutil
import subprocess


def install(*packages: str) -> str:
    """Try `apt-get install PACKAGES`; what happened, for a skip message."""
    if not shutil.which("apt-get"):
        return "no apt-get on this machine"
    if os.geteuid() != 0:
        return f"installing it needs root (apt-get install {' '.join(packages)})"
    command = ["apt-get", "install", "-y", "-q", *packages]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:  # stale package lists on a fresh machine: refresh them once and retry
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, timeout=900, check=False)
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    return "installed" if done.returncode == 0 else f"apt-get failed: {done.stderr.strip()[-300:]}"
