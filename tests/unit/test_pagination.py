from __future__ import annotations

import pytest

from service.lib.errors import Invalid
from service.lib.pagination import decode_cursor, encode_cursor
from service.web.problems import problem_of


def test_cursor_round_trip() -> None:
    assert decode_cursor(encode_cursor({"after": "glute_bridge"}), keys={"after"}) == {"after": "glute_bridge"}


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90IGpzb24", encode_cursor({"offset": 3}), encode_cursor([1])])
def test_foreign_cursor_is_a_400_naming_the_field(cursor: str) -> None:
    with pytest.raises(Invalid) as error:
        decode_cursor(cursor, keys={"after"})
    assert problem_of(error.value).status_code == 400
    assert error.value.errors[0].field == "cursor"
