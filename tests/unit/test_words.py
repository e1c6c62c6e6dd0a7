"""Words (issue 15, CLINICAL.md §7): nothing the service ships speaks of its source material to end users."""

from __future__ import annotations

import re
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[2] / "service"
SOURCE_TALK = re.compile(r"the\s+article|weapon", re.IGNORECASE)  # \s+: folded YAML splits a phrase across lines


def test_no_text_under_service_says_the_article_or_weapon() -> None:
    found = {
        str(path.relative_to(SERVICE)): len(SOURCE_TALK.findall(path.read_text(encoding="utf-8")))
        for path in sorted(SERVICE.rglob("*"))
        if path.suffix in {".py", ".yaml", ".yml", ".md", ".json", ".html"}
    }
    assert {name: n for name, n in found.items() if n} == {}
