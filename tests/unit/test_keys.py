from __future__ import annotations

from service.clients import keys


def test_keys_are_recognisable_and_self_checking() -> None:
    key = keys.generate_key()
    assert key.startswith("rl_live_") and len(key) == len("rl_live_") + 36
    assert keys.is_well_formed(key)
    assert keys.generate_key() != key


def test_a_typo_fails_the_checksum() -> None:
    key = keys.generate_key()
    body = key[len("rl_live_") :]
    flipped = "A" if body[3] != "A" else "B"
    tampered = "rl_live_" + body[:3] + flipped + body[4:]
    assert not keys.is_well_formed(tampered)
    assert not keys.is_well_formed(key[:-1])
    assert not keys.is_well_formed("rl_test_" + body)


def test_digest_depends_on_the_pepper() -> None:
    key = keys.generate_key()
    assert keys.digest(key, b"one") != keys.digest(key, b"two")
    assert keys.digest(key, b"one") == keys.digest(key, b"one")
    assert key not in keys.digest(key, b"one")
