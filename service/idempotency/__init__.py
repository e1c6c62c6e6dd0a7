"""`Idempotency-Key` for creating POSTs: a retried request replays the first answer instead of creating twice."""
