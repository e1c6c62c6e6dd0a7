"""One shape for every GraphQL list: a connection of edges (a cursor and a node each) and a `PageInfo`.

The domain services already page by keyset and hand back each item's cursor, so a connection is only a
translation: `Connection[Node].of(page, Node.from_domain)`. Strawberry names a generic type after its argument,
so `Connection[Program]` is `ProgramConnection` and `Edge[Program]` is `ProgramEdge` in the SDL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, Protocol, Self, TypeVar

import strawberry

from service.lib.errors import Invalid
from service.lib.pagination import MAX_LIMIT

Item = TypeVar("Item")
Item_co = TypeVar("Item_co", covariant=True)
Node = TypeVar("Node")


class DomainPage(Protocol[Item_co]):
    """What a domain's list service returns: the items, the cursor after each one, and the next page's cursor."""

    @property
    def items(self) -> Sequence[Item_co]: ...

    @property
    def cursors(self) -> Sequence[str]: ...

    @property
    def next_cursor(self) -> str | None: ...


def check_first(first: int) -> None:
    """A connection's page size: the same bounds as REST's `limit`."""
    if not 1 <= first <= MAX_LIMIT:
        raise Invalid.field("first", f"must be between 1 and {MAX_LIMIT}")


@strawberry.type(description="Where a page ends, and whether another follows.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when another page follows: ask with `after: endCursor`.")
    end_cursor: str | None = strawberry.field(description="The cursor of the page's last item; null when it is empty.")


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[Node]):
    cursor: str = strawberry.field(description="Opaque: pass it as `after` to continue after this item.")
    node: Node = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, with what is needed to ask for the next.")
class Connection(Generic[Node]):
    edges: list[Edge[Node]] = strawberry.field(description="The page's items, in order, with their cursors.")
    page_info: PageInfo = strawberry.field(description="Where the page ends, and whether another follows.")

    @classmethod
    def of(cls, page: DomainPage[Item], to_node: Callable[[Item], Node]) -> Self:
        """The connection of one domain page; `endCursor` is the last edge's cursor, on the last page too."""
        edges = [Edge(cursor=c, node=to_node(x)) for x, c in zip(page.items, page.cursors, strict=True)]
        end_cursor = edges[-1].cursor if edges else None
        return cls(edges=edges, page_info=PageInfo(has_next_page=page.next_cursor is not None, end_cursor=end_cursor))

    @classmethod
    def empty(cls) -> Self:
        """A connection with nothing in it, for a filter that can match nothing."""
        return cls(edges=[], page_info=PageInfo(has_next_page=False, end_cursor=None))
