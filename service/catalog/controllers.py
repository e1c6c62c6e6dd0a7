"""REST front door of the catalogue: translate HTTP into service calls, nothing more."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example, OpenAPIType, Schema
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.catalog import schemas, services
from service.catalog.cache import CatalogCache, cached_read_middleware
from service.catalog.enums import Level, Modality, MuscleRoleFilter, Phase
from service.catalog.vocabulary import MUSCLE_VIEWS, Vocabulary
from service.clients.auth import catalog_guard
from service.lib.errors import Invalid
from service.lib.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.web.problems import SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS, parse_instant, problem_spec

Limit = Annotated[
    int, Parameter(ge=1, le=MAX_LIMIT, description=f"Page size (default {DEFAULT_LIMIT}, max {MAX_LIMIT}).")
]
Cursor = Annotated[
    str | None,
    Parameter(max_length=512, description="Opaque `next_cursor` from the previous page; omit for the first page."),
]
SlugPath = Annotated[str, Parameter(max_length=80, description="Stable snake_case identifier.")]

NOT_MODIFIED = ResponseSpec(data_container=None, description="Not modified: the `If-None-Match` ETag still holds.")
BAD_REQUEST = problem_spec("A parameter is invalid; `errors` names each offending field.")
NOT_FOUND = problem_spec("No such resource.")
UNAUTHORIZED = problem_spec(
    "A key was sent but is malformed, unknown or revoked (or, with a private catalogue, none was)."
)
FORBIDDEN = problem_spec("The catalogue is private (REALIGN_PUBLIC_CATALOG=false) and the key lacks `catalog:read`.")
LIST_RESPONSES = {
    304: NOT_MODIFIED,
    400: BAD_REQUEST,
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    429: TOO_MANY_REQUESTS,
    503: SERVICE_UNAVAILABLE,
}
DETAIL_RESPONSES = {**LIST_RESPONSES, 404: NOT_FOUND}


def _enum(values: tuple[str, ...]) -> dict[str, Any]:
    return {"enum": list(values)}


def _enum_items(values: tuple[str, ...]) -> dict[str, Any]:
    # A Schema, not a dict, so that service.web.openapi_document.share_enums finds it and names it.
    return {"items": Schema(type=OpenAPIType.STRING, enum=list(values))}


def catalog_controller(
    vocabulary: Vocabulary, session_factory: async_sessionmaker[AsyncSession], cache: CatalogCache
) -> type[Controller]:
    """The catalogue routes, with the catalogue's slugs published as enums in the OpenAPI document, answered from
    `cache` (filled from sessions of `session_factory`)."""

    async def _cached(
        request: Request[Any, Any, Any], build: Callable[[AsyncSession], Awaitable[Any]]
    ) -> Response[Any]:
        """The cached answer; only a miss opens a database session."""

        async def build_in_session() -> Any:
            async with session_factory() as session:
                return await build(session)

        return await cache.respond(request, build_in_session)

    class CatalogController(Controller):
        path = "/v1"
        tags = ["catalogue"]
        guards = [catalog_guard]
        # Cached reads are answered before parameter parsing; the guard's decision is taken there too.
        middleware = [cached_read_middleware(cache)]
        # No security requirement: the catalogue is public by default and a generated client must not demand a
        # key (`[{}, {apiKey: []}]` reads as required to openapi-python-client). A key sent is checked all the same.

        @get(
            "/muscles",
            operation_id="listMuscles",
            summary="List muscles (flat or as a tree)",
            description=(
                "Muscles and other tissues: region → group → muscle → part. `view=flat` (default) pages through "
                "every node in tree order; `view=tree` returns the regions with their whole `subtree` in one "
                "response (no paging)."
            ),
            responses=LIST_RESPONSES,
        )
        async def list_muscles(
            self,
            request: Request[Any, Any, Any],
            view: Annotated[
                str,
                Parameter(
                    description="`flat`: every node, paged, in tree order; `tree`: the regions with their subtrees.",
                    schema_extra=_enum(MUSCLE_VIEWS),
                ),
            ] = "flat",
            limit: Limit = DEFAULT_LIMIT,
            cursor: Cursor = None,
        ) -> Response[schemas.MuscleList]:
            if view not in MUSCLE_VIEWS:
                raise Invalid.field("view", "must be 'flat' or 'tree'")
            return await _cached(
                request, lambda session: services.list_muscles(session, tree=view == "tree", limit=limit, cursor=cursor)
            )

        @get(
            "/muscles/{slug:str}",
            operation_id="getMuscle",
            summary="Get one muscle",
            description="A muscle with its parent, children, listed members and its `path` from the region down.",
            responses=DETAIL_RESPONSES,
        )
        async def get_muscle(self, request: Request[Any, Any, Any], slug: SlugPath) -> Response[schemas.MuscleDetail]:
            return await _cached(request, lambda session: services.get_muscle(session, slug))

        @get(
            "/equipment",
            operation_id="listEquipment",
            summary="List equipment",
            description="Every piece of equipment exercises may need, by slug; `bodyweight` stands for none.",
            responses=LIST_RESPONSES,
        )
        async def list_equipment(
            self,
            request: Request[Any, Any, Any],
            limit: Limit = DEFAULT_LIMIT,
            cursor: Cursor = None,
        ) -> Response[schemas.EquipmentList]:
            return await _cached(request, lambda session: services.list_equipment(session, limit=limit, cursor=cursor))

        @get(
            "/equipment/{slug:str}",
            operation_id="getEquipment",
            summary="Get one piece of equipment",
            description="One piece of equipment by its slug.",
            responses=DETAIL_RESPONSES,
        )
        async def get_equipment(self, request: Request[Any, Any, Any], slug: SlugPath) -> Response[schemas.Equipment]:
            return await _cached(request, lambda session: services.get_equipment(session, slug))

        @get(
            "/conditions",
            operation_id="listConditions",
            summary="List conditions (contraindication tags)",
            description=(
                "Health conditions that rule exercises out (an exercise's `contraindications` name them); an "
                "assessment or a program request lists those a person has, and programs leave those exercises out."
            ),
            responses=LIST_RESPONSES,
        )
        async def list_conditions(
            self,
            request: Request[Any, Any, Any],
            limit: Limit = DEFAULT_LIMIT,
            cursor: Cursor = None,
        ) -> Response[schemas.ConditionList]:
            return await _cached(request, lambda session: services.list_conditions(session, limit=limit, cursor=cursor))

        @get(
            "/patterns",
            operation_id="listPatterns",
            summary="List imbalance patterns",
            description="Lower and upper crossed syndrome, each with its typically overactive and underactive muscles.",
            responses=LIST_RESPONSES,
        )
        async def list_patterns(
            self,
            request: Request[Any, Any, Any],
            limit: Limit = DEFAULT_LIMIT,
            cursor: Cursor = None,
        ) -> Response[schemas.PatternList]:
            return await _cached(request, lambda session: services.list_patterns(session, limit=limit, cursor=cursor))

        @get(
            "/exercises",
            operation_id="listExercises",
            summary="List and search exercises",
            description=(
                "Filters combine with AND. `muscle` includes the group's descendants and listed members. "
                "`available_equipment` (repeatable) keeps only exercises doable with that set (bodyweight is "
                "always available); `equipment` (repeatable) keeps exercises that use every item named. `q` "
                "searches names and aliases and forgives typos; results are then ranked by relevance. Without `q` "
                "the order is by slug, stable across pages. Sync the whole catalogue with `updated_since` and "
                "`limit=500`."
            ),
            responses=LIST_RESPONSES,
        )
        async def list_exercises(
            self,
            request: Request[Any, Any, Any],
            muscle: Annotated[
                str | None,
                Parameter(
                    description="Muscle or group slug; includes its subtree.",
                    schema_extra=_enum(vocabulary.muscles),
                    examples=[Example(summary="The glutes and their members", value="glutes")],
                ),
            ] = None,
            role: Annotated[
                MuscleRoleFilter, Parameter(description="Which role `muscle` must play.")
            ] = MuscleRoleFilter.any,
            equipment: Annotated[
                list[str] | None,
                Parameter(
                    description="Requires these items (repeats count once).",
                    schema_extra=_enum_items(vocabulary.equipment),
                    max_items=len(vocabulary.equipment),
                ),
            ] = None,
            available_equipment: Annotated[
                list[str] | None,
                Parameter(
                    description=(
                        "Only exercises doable with this set. Bodyweight is always available; exercises whose "
                        "equipment is unknown (`other`) only when `other` is listed."
                    ),
                    schema_extra=_enum_items(vocabulary.equipment),
                    max_items=len(vocabulary.equipment),
                ),
            ] = None,
            modality: Annotated[Modality | None, Parameter(description="Kind of exercise.")] = None,
            phase: Annotated[Phase | None, Parameter(description="A program phase it can serve.")] = None,
            level: Annotated[Level | None, Parameter(description="Difficulty.")] = None,
            exclude_condition: Annotated[
                list[str] | None,
                Parameter(
                    description="Drop exercises contraindicated for these conditions.",
                    schema_extra=_enum_items(vocabulary.conditions),
                    max_items=len(vocabulary.conditions),
                ),
            ] = None,
            q: Annotated[
                str | None,
                Parameter(
                    max_length=200,
                    description="Search text over names and aliases (typo-tolerant).",
                    examples=[Example(summary="A misspelt search", value="hamstrng strech")],
                ),
            ] = None,
            updated_since: Annotated[
                str | None,
                Parameter(
                    description="Only exercises changed after this instant (RFC 3339, with an offset).",
                    schema_extra={"format": "date-time"},
                ),
            ] = None,
            source: Annotated[
                str | None,
                Parameter(
                    max_length=40,
                    description="Where records came from: `curated`, or an imported dataset like `free-exercise-db`.",
                ),
            ] = None,
            limit: Limit = DEFAULT_LIMIT,
            cursor: Cursor = None,
        ) -> Response[schemas.ExerciseList]:
            flt = services.ExerciseFilter(
                muscle=muscle,
                role=role,
                equipment=equipment or (),
                available_equipment=available_equipment or (),
                modality=modality,
                phase=phase,
                level=level,
                exclude_condition=exclude_condition or (),
                q=q,
                updated_since=parse_instant("updated_since", updated_since),
                source=source,
            )

            async def page(session: AsyncSession) -> schemas.ExerciseList:
                return (await services.list_exercises(session, flt, limit=limit, cursor=cursor)).as_list()

            return await _cached(request, page)

        @get(
            "/exercises/{slug:str}",
            operation_id="getExercise",
            summary="Get one exercise",
            description=(
                "Everything an app needs in one call: muscles with roles, equipment, contraindications with "
                "reasons, and regressions, progressions and alternatives with their names and levels."
            ),
            responses=DETAIL_RESPONSES,
        )
        async def get_exercise(
            self, request: Request[Any, Any, Any], slug: SlugPath
        ) -> Response[schemas.ExerciseDetail]:
            return await _cached(request, lambda session: services.get_exercise(session, slug))

    return CatalogController
