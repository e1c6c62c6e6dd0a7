"""The one connection helper: edges keep the domain's cursors, `pageInfo` follows the page, names follow the node."""

from dataclasses import dataclass

import strawberry

from service.graphql.connections import Connection


@dataclass(frozen=True)
class Page:
    items: list[int]
    cursors: list[str]
    next_cursor: str | None


@strawberry.type
class Thing:
    n: int


@strawberry.type
class Query:
    @strawberry.field
    def middle(self) -> Connection[Thing]:
        return Connection.of(Page([1, 2], ["c1", "c2"], "c2"), lambda n: Thing(n=n))

    @strawberry.field
    def last(self) -> Connection[Thing]:
        return Connection.of(Page([3], ["c3"], None), lambda n: Thing(n=n))

    @strawberry.field
    def nothing(self) -> Connection[Thing]:
        return Connection.empty()


SCHEMA = strawberry.Schema(query=Query)
PAGE = "{ edges { cursor node { n } } pageInfo { hasNextPage endCursor } }"


def test_edges_carry_the_domain_cursors_and_page_info_follows_the_page() -> None:
    result = SCHEMA.execute_sync(f"{{ middle {PAGE} last {PAGE} nothing {PAGE} }}")
    assert result.errors is None
    assert result.data == {
        "middle": {
            "edges": [{"cursor": "c1", "node": {"n": 1}}, {"cursor": "c2", "node": {"n": 2}}],
            "pageInfo": {"hasNextPage": True, "endCursor": "c2"},
        },
        # The last page still names its last cursor, though nothing follows it.
        "last": {"edges": [{"cursor": "c3", "node": {"n": 3}}], "pageInfo": {"hasNextPage": False, "endCursor": "c3"}},
        "nothing": {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}},
    }


def test_sdl_names_come_from_the_node_and_page_info_is_shared() -> None:
    def fields(name: str) -> dict[str, str]:  # the type's fields and their types, descriptions aside
        return {field: str(f.type) for field, f in SCHEMA._schema.type_map[name].fields.items()}

    assert fields("ThingConnection") == {"edges": "[ThingEdge!]!", "pageInfo": "PageInfo!"}
    assert fields("ThingEdge") == {"cursor": "String!", "node": "Thing!"}
