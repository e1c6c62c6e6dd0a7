"""Time buckets of the stats: UTC days, ISO weeks (Monday) and months, in Python (the series' axis) and in SQL (the
bucket a row falls in), so that every aggregate of a report lands in the same buckets."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, DateTime, cast, func
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

MAX_BUCKETS = 1000


class Bucket(StrEnum):
    day = "day"
    week = "week"  # ISO weeks, starting on Monday
    month = "month"


def bucket_start(day: date, bucket: Bucket) -> date:
    if bucket is Bucket.week:
        return day - timedelta(days=day.weekday())
    if bucket is Bucket.month:
        return day.replace(day=1)
    return day


def bucket_starts(start: date, end: date, bucket: Bucket) -> list[date]:
    """Every bucket that overlaps [start, end)."""
    starts = []
    current = bucket_start(start, bucket)
    while current < end:
        starts.append(current)
        try:
            if bucket is Bucket.day:
                current += timedelta(days=1)
            elif bucket is Bucket.week:
                current += timedelta(days=7)
            else:
                current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        except OverflowError:
            break  # the bucket after the last one of year 9999: `end` (a date too) cannot lie beyond it
        if len(starts) > MAX_BUCKETS:
            break
    return starts


def truncated(day: ColumnElement[Any] | InstrumentedAttribute[Any], bucket: Bucket) -> ColumnElement[date]:
    """The first day of the bucket a date column falls in. On a plain timestamp: date_trunc of a timestamptz would
    depend on the session's time zone."""
    return cast(func.date_trunc(bucket.value, cast(day, DateTime)), Date)
