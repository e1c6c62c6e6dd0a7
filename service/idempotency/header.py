"""The Idempotency-Key header of creating POSTs, and the problems it adds to their responses."""

from typing import Annotated, Any

from litestar import MediaType, Response
from litestar.params import HeaderParameter

from service.idempotency.services import MAX_KEY_LENGTH, Created
from service.web.problems import problem_spec

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        max_length=MAX_KEY_LENGTH,
        description="Retry-safe creation: the same key and body replay the first answer; "
        "another body with the same key is a 422, a key still in flight a 409.",
    ),
]
IN_FLIGHT = problem_spec("A request with this Idempotency-Key is still in flight.")


def created_response(created: Created, collection: str) -> Response[Any]:
    """The answer of a creating POST: the resource as created (or as first answered, on a replay), its `Location`,
    and `Idempotent-Replayed` on a replay."""
    headers = {"Location": f"{collection}/{created.field('id')}"}
    if created.replayed:
        headers["Idempotent-Replayed"] = "true"
    # The stored text as it is (not the dict encoded anew): a replay is byte-identical to the first answer.
    return Response(created.encoded, status_code=created.status, headers=headers, media_type=MediaType.JSON)
