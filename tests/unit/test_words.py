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


# Trainer's shorthand the person cannot be expected to know: it belongs in `basis`, or needs an everyday name beside it.
JARGON = re.compile(
    r"\bTFL\b|deep core|\binhibited\b|\btrapezius\b|levator|sternocleidomastoid|\bgluteus\b|\blats\b(?! ?\))|NASM|Janda"
    r"|^Reports\b|\bdominate|\boveractive\b|\bunderactive\b",
    re.IGNORECASE,
)
SECOND_PERSON = re.compile(r"\byou(r)?\b", re.IGNORECASE)


def test_assessment_summaries_are_plain_second_person_words_with_a_professional_basis() -> None:
    """Every summary the person reads speaks to them without trainer's shorthand; each finding rule and resolution
    also carries the professional basis (the test, the source, the muscles in the source's terms)."""
    from service.assessments.rules import load_rules

    rules = load_rules()
    summaries = {rule.id: rule.summary for rule in rules.rules}
    summaries |= {r.id: r.summary for r in rules.resolutions}
    summaries |= {a.test: a.summary for a in rules.asymmetry}
    jargon = {key: JARGON.findall(text) for key, text in summaries.items() if JARGON.search(text)}
    assert jargon == {}
    assert [key for key, text in summaries.items() if not SECOND_PERSON.search(text)] == []
    assert [r.id for r in [*rules.rules, *rules.resolutions] if len(r.basis.split()) < 5] == []
