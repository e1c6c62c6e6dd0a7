"""Finishing touches on the generated OpenAPI document: examples drawn from the curated catalogue (so they never
drift from real data) and the constraints the body types cannot express themselves."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

import msgspec
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
)
from litestar.openapi.spec.base import BaseSchemaObject

from service.assessments.schemas import SUBJECT_REF_PATTERN, AssessmentInput
from service.catalog import schemas
from service.catalog.models import SLUG_LENGTH
from service.catalog.records import SLUG_RE, CatalogData, ExerciseRecord
from service.catalog.vocabulary import MUSCLE_VIEWS, Vocabulary
from service.lib.pagination import encode_cursor
from service.settings import DEFAULT_PUBLIC_URL
from service.web.openapi_examples import ExactExample
from service.web.problem_types import BY_SLUG, type_uri

EXAMPLE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
SLUG_PATTERN = SLUG_RE.pattern


def _exercise(record: ExerciseRecord) -> schemas.Exercise:
    fields = msgspec.to_builtins(record)
    fields["contraindications"] = [schemas.Contraindication(**c) for c in fields["contraindications"]]
    fields["dose"] = schemas.Dose(**fields["dose"])
    return msgspec.convert(
        {**fields, "source": "curated", "license": None, "updated_at": EXAMPLE_TIME}, schemas.Exercise
    )


def _muscles(data: CatalogData) -> list[schemas.MuscleNode]:
    children: dict[str, list[str]] = {}
    for record in data.muscles:
        if record.parent:
            children.setdefault(record.parent, []).append(record.slug)
    return [
        schemas.MuscleNode(
            **{k: v for k, v in msgspec.structs.asdict(record).items()},
            children=children.get(record.slug, []),
            updated_at=EXAMPLE_TIME,
        )
        for record in data.muscles
    ]


def _exercise_detail(data: CatalogData, slug: str) -> schemas.ExerciseDetail:
    exercises = {e.slug: e for e in data.exercises}
    muscles = {m.slug: m for m in data.muscles}
    equipment = {e.slug: e for e in data.equipment}
    conditions = {c.slug: c for c in data.conditions}
    exercise = _exercise(exercises[slug])
    roles = [("primary", s) for s in exercise.primary_muscles] + [("secondary", s) for s in exercise.secondary_muscles]
    relations = [
        (kind, s)
        for kind, slugs in (
            ("regression", exercise.regressions),
            ("progression", exercise.progressions),
            ("alternative", exercise.alternatives),
        )
        for s in slugs
    ]
    details = {
        "muscle_details": [
            {"slug": s, "name": muscles[s].name, "kind": muscles[s].kind, "role": role} for role, s in roles
        ],
        "equipment_details": [
            {"slug": s, "name": equipment[s].name, "category": equipment[s].category} for s in exercise.equipment
        ],
        "contraindication_details": [
            {"condition": c.condition, "name": conditions[c.condition].name, "reason": c.reason}
            for c in exercise.contraindications
        ],
        "relation_details": [
            {"relation": kind, "slug": s, "name": exercises[s].name, "level": exercises[s].level}
            for kind, s in relations
        ],
    }
    return msgspec.convert({**msgspec.to_builtins(exercise), **msgspec.to_builtins(details)}, schemas.ExerciseDetail)


def _problem(public_url: str, status: int, kind: str, detail: str, instance: str, field: str | None = None) -> Any:
    problem: dict[str, Any] = {
        "type": type_uri(public_url, kind),
        "title": BY_SLUG[kind].title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if field:
        problem["errors"] = [{"field": field, "message": detail.split(": ", 1)[1]}]
    return problem


def response_examples(data: CatalogData, public_url: str = DEFAULT_PUBLIC_URL) -> dict[str, dict[str, Any]]:
    """operationId → status → example value."""
    exercises = {e.slug: e for e in data.exercises}
    equipment = [{**msgspec.to_builtins(e), "updated_at": EXAMPLE_TIME} for e in data.equipment]
    conditions = [{**msgspec.to_builtins(c), "updated_at": EXAMPLE_TIME} for c in data.conditions]
    patterns = [{**msgspec.to_builtins(p), "updated_at": EXAMPLE_TIME} for p in data.patterns]
    step_up = _exercise(exercises["step_up"])
    muscles = {m.slug: m for m in _muscles(data)}
    hamstrings = muscles["hamstrings"]
    bad_muscle = _problem(
        public_url,
        400,
        "invalid-request",
        "muscle: unknown muscle 'hamstring'",
        "/v1/exercises",
        "muscle",
    )
    return {
        "listExercises": {
            "200": schemas.ExerciseList(items=[step_up], next_cursor=encode_cursor({"after": "step_up"})),
            "400": bad_muscle,
        },
        "getExercise": {
            "200": _exercise_detail(data, "barbell_back_squat"),
            "404": _problem(
                public_url, 404, "not-found", "No exercise with slug 'step_upp'.", "/v1/exercises/step_upp"
            ),
        },
        "listEquipment": {"200": {"items": equipment[:2], "next_cursor": encode_cursor({"i": 2})}},
        "getEquipment": {"200": equipment[8]},
        "listConditions": {"200": {"items": conditions[:2], "next_cursor": encode_cursor({"i": 2})}},
        "listPatterns": {"200": {"items": patterns, "next_cursor": None}},
        "listMuscles": {"200": schemas.MuscleList(items=[hamstrings], next_cursor=None)},
        "getMuscle": {
            "200": schemas.MuscleDetail(
                **{f: getattr(hamstrings, f) for f in schemas.Muscle.__struct_fields__}, path=["lower_body"]
            )
        },
    }


def add_examples(document: OpenAPI, data: CatalogData, public_url: str, *more: dict[str, dict[str, Any]]) -> None:
    """Response examples of the catalogue, and `more` of the domains (operationId → {"request" or a status:
    example}, e.g. service.programs.examples); problem types under `public_url`."""
    examples = response_examples(data, public_url)
    requests: dict[str, Any] = {}
    for domain in more:
        for operation_id, by_status in domain.items():
            statuses = dict(by_status)
            if "request" in statuses:
                requests[operation_id] = statuses.pop("request")
            examples[operation_id] = statuses
    for path_item in (document.paths or {}).values():
        for operation in (path_item.get, path_item.post, path_item.put, path_item.patch, path_item.delete):
            if not isinstance(operation, Operation):
                continue
            for status, value in examples.get(operation.operation_id or "", {}).items():
                response = (operation.responses or {}).get(status)
                for media in (getattr(response, "content", None) or {}).values():
                    media.examples = {"example": ExactExample(value=msgspec.to_builtins(value))}
            body = operation.request_body
            if operation.operation_id in requests and isinstance(body, RequestBody):
                for media in body.content.values():
                    media.examples = {
                        "example": ExactExample(value=msgspec.to_builtins(requests[operation.operation_id]))
                    }


def numeric_bounds(root: type) -> dict[str, dict[str, tuple[float | None, float | None]]]:
    """struct name → field → (ge, le), for every numeric field of `root` and the structs inside it."""
    bounds: dict[str, dict[str, tuple[float | None, float | None]]] = {}
    for struct in _structs(root):
        fields = bounds.setdefault(struct.__name__, {})
        for field in cast(msgspec.inspect.StructType, msgspec.inspect.type_info(struct)).fields:
            inner = field.type
            for member in inner.types if isinstance(inner, msgspec.inspect.UnionType) else (inner,):
                while isinstance(member, msgspec.inspect.Metadata):
                    member = member.type
                if isinstance(member, msgspec.inspect.FloatType | msgspec.inspect.IntType):
                    fields[field.name] = (member.ge, member.le)
    return bounds


def publish_constraints(document: OpenAPI, data: CatalogData, screening_questions: Mapping[str, str]) -> None:
    """What the body types cannot say for themselves: tender spots are muscle slugs, screening answers are keyed by
    the rules' codes (each described by its question, code → question in `screening_questions`), conditions are the
    catalogue's, and lists hold no repeats."""
    schemas_ = (document.components.schemas if document.components else None) or {}

    def array_branch(schema: Any) -> Any:
        return next((branch for branch in schema.one_of or [] if getattr(branch, "items", None) is not None), schema)

    if (assessment := schemas_.get("AssessmentInput")) is not None and assessment.properties:
        tender = array_branch(assessment.properties["tender_spots"])
        tender.items.enum = [m.slug for m in data.muscles if m.parent is not None]  # body regions are refused
        # validate_input's rules (no "@", no control characters, not blank), stated for client generators; the
        # service checks them itself so that the 400 says which rule was broken.
        subject_ref: Any = assessment.properties["subject_ref"]
        string_branch = next((b for b in subject_ref.one_of or [] if b.type == "string"), subject_ref)
        string_branch.pattern = SUBJECT_REF_PATTERN
        # Litestar keeps neither the answers' key pattern nor maxProperties: name every code instead.
        screening: Any = assessment.properties["screening"]
        answers = next(b for b in screening.one_of or [] if b.type == "object")
        answers.properties = {
            code: Schema(type=OpenAPIType.BOOLEAN, description=screening_questions[code])
            for code in sorted(screening_questions)
        }
        answers.additional_properties = False
    conditions = [c.slug for c in data.conditions]
    for name in ("AssessmentInput", "Restrictions"):
        if (schema := schemas_.get(name)) is not None and schema.properties:
            branch = array_branch(schema.properties["conditions"])
            branch.unique_items, branch.items.enum = True, conditions
    if (restrictions := schemas_.get("Restrictions")) is not None and restrictions.properties:
        branch = array_branch(restrictions.properties["exercises"])
        branch.unique_items = True
        branch.items.pattern, branch.items.min_length, branch.items.max_length = SLUG_PATTERN, 1, SLUG_LENGTH
    if (program := schemas_.get("ProgramRequest")) is not None and program.properties:
        # Litestar drops the item constraints of these lists: each names catalogue slugs, each at most once.
        known = {
            "available_equipment": [e.slug for e in data.equipment],
            "conditions": [c.slug for c in data.conditions],
        }
        for field in ("available_equipment", "exclude_exercises", "conditions"):
            branch = array_branch(program.properties[field])
            branch.unique_items = True
            if field in known:
                branch.items.enum = known[field]
            else:  # imported exercises count too, so no enum: the slug's shape, and a 400 for an unknown one
                branch.items.pattern, branch.items.min_length, branch.items.max_length = SLUG_PATTERN, 1, SLUG_LENGTH
        array_branch(program.properties["days"]).unique_items = True
    # The request bodies reject unknown fields (msgspec forbid_unknown_fields); say so.
    for name in (
        "AssessmentInput", "Lifestyle", "Pain", "RedFlags", "MovementScreen",
        "FieldTests", "StraightLegRaise", "ThomasTest", "SingleLegBridge", "ProgramRequest",
        "Pregnancy", "Clearance", "Restrictions",
    ):  # fmt: skip
        if (schema := schemas_.get(name)) is not None:
            schema.additional_properties = False
    # Litestar drops a lower bound of 0 (a falsy check); restore every bound from the body types themselves.
    for name, fields in numeric_bounds(AssessmentInput).items():
        if (schema := schemas_.get(name)) is not None and schema.properties:
            for field_name, (low, high) in fields.items():
                prop: Any = schema.properties[field_name]
                prop.minimum, prop.maximum = low, high
    for name, field in (("Pain", "regions"), ("MovementScreen", "overhead_squat")):
        if (schema := schemas_.get(name)) is not None and schema.properties:
            array_branch(schema.properties[field]).unique_items = True


def _operations(document: OpenAPI) -> list[Operation]:
    methods = ("get", "post", "put", "patch", "delete")
    return [
        operation
        for path_item in (document.paths or {}).values()
        for operation in (getattr(path_item, method) for method in methods)
        if isinstance(operation, Operation)
    ]


def parameters_without_null(document: OpenAPI) -> None:
    """Litestar states an optional parameter as `oneOf: [T, null]` with its constraints (format, enum, items,
    pattern) beside the `oneOf`, where client generators, reading the type from the branch, drop them:
    `updated_since` came out a plain string and the equipment filter `list[str]`. A string or a list is sent or
    absent, never null (`?q=null` searches for "null"): such a parameter becomes its branch with the constraints on
    it. An enum, a boolean or a UUID keeps its null branch, because the service reads the value `null` as absent
    there (msgspec's lax conversion of query strings)."""
    for operation in _operations(document):
        for parameter in operation.parameters or []:
            schema = parameter.schema if isinstance(parameter, Parameter) else None
            branches = (schema.one_of or []) if isinstance(schema, Schema) else []
            values = [b for b in branches if not (isinstance(b, Schema) and b.type == OpenAPIType.NULL)]
            value = values[0] if len(branches) == 2 and len(values) == 1 else None
            if not isinstance(value, Schema) or not isinstance(parameter, Parameter):
                continue
            if value.type not in (OpenAPIType.STRING, OpenAPIType.ARRAY) or value.format == "uuid":
                continue
            beside = {
                field.name: getattr(schema, field.name)
                for field in dataclasses.fields(Schema)
                if field.name != "one_of" and getattr(schema, field.name) is not None
            }
            parameter.schema = dataclasses.replace(value, **beside)


def shared_enums(data: CatalogData) -> dict[str, tuple[tuple[str, ...], str]]:
    """The catalogue's slug vocabularies (name → values, description), each published once as a named component:
    listed inline, every generated client made a new type of each occurrence (the 77 muscle slugs twice, the
    equipment three times)."""
    vocabulary = Vocabulary.from_catalog(data)
    return {
        "MuscleSlug": (vocabulary.muscles, "A node of the muscle tree: region, group, muscle, part or fascia."),
        "TenderSpotSlug": (vocabulary.tender_spots, "A muscle, part, group or fascia that can be tender (no region)."),
        "EquipmentSlug": (vocabulary.equipment, "A piece of equipment of the catalogue."),
        "ConditionSlug": (vocabulary.conditions, "A condition of the catalogue (a contraindication tag)."),
        "MuscleView": (MUSCLE_VIEWS, "`flat`: every node in tree order, paged; `tree`: the regions with subtrees."),
    }


def share_enums(document: OpenAPI, data: CatalogData) -> None:
    """Every inline enum listing one of `shared_enums` becomes a reference to its component (parameters and bodies
    alike); run it after the steps that add enums (publish_constraints)."""
    shared = shared_enums(data)
    named = {frozenset(values): name for name, (values, _) in shared.items()}

    def replaced(node: Any) -> Any:
        if isinstance(node, Schema) and node.enum is not None and frozenset(node.enum) in named:
            reference = Reference(ref=f"#/components/schemas/{named[frozenset(node.enum)]}")
            # A default cannot sit beside a Reference here; generators read it beside `allOf` with the reference.
            return reference if node.default is None else Schema(all_of=[reference], default=node.default)
        if isinstance(node, BaseSchemaObject):
            for field in dataclasses.fields(node):
                value = getattr(node, field.name)
                if isinstance(value, BaseSchemaObject | list | dict):
                    setattr(node, field.name, replaced(value))
        elif isinstance(node, list):
            return [replaced(item) for item in node]
        elif isinstance(node, dict):
            return {key: replaced(value) for key, value in node.items()}
        return node

    replaced(document.paths)
    if document.components is not None:
        schemas_ = {name: replaced(schema) for name, schema in (document.components.schemas or {}).items()}
        for name, (values, description) in shared.items():
            schemas_[name] = Schema(type=OpenAPIType.STRING, enum=list(values), title=name, description=description)
        document.components.schemas = dict(sorted(schemas_.items()))


def strict_bodies(
    document: OpenAPI, roots: Sequence[type], named_keys: Mapping[tuple[str, str], Mapping[str, str]]
) -> None:
    """What Litestar leaves out of the request bodies `roots` and the structs inside them: that unknown fields are
    refused (msgspec's forbid_unknown_fields), lower bounds of 0 (Litestar drops a falsy bound), and the keys a dict
    field takes ((schema, field) → key → description)."""
    schemas_ = (document.components.schemas if document.components else None) or {}
    for root in roots:
        for name, fields in numeric_bounds(root).items():
            if (schema := schemas_.get(name)) is None or not schema.properties:
                continue
            for field_name, (low, high) in fields.items():
                for branch in _branches(schema.properties[field_name]):
                    if getattr(branch, "type", None) in (OpenAPIType.INTEGER, OpenAPIType.NUMBER):
                        branch.minimum, branch.maximum = low, high
        for struct in _structs(root):
            if struct.__struct_config__.forbid_unknown_fields and (schema := schemas_.get(struct.__name__)):
                schema.additional_properties = False
    for (name, field_name), keys in named_keys.items():
        if (schema := schemas_.get(name)) is None or not schema.properties:
            continue
        for branch in _branches(schema.properties[field_name]):
            if getattr(branch, "type", None) == OpenAPIType.OBJECT:
                branch.properties = {
                    key: Schema(type=OpenAPIType.BOOLEAN, description=keys[key]) for key in sorted(keys)
                }
                branch.additional_properties = False


def _branches(schema: Any) -> list[Any]:
    return list(schema.one_of or []) if getattr(schema, "one_of", None) else [schema]


def _structs(root: type) -> list[Any]:
    """The struct classes inside `root`, itself included."""
    found: list[Any] = []

    def walk(t: Any) -> None:
        while isinstance(t, msgspec.inspect.Metadata):
            t = t.type
        if isinstance(t, msgspec.inspect.UnionType):
            for member in t.types:
                walk(member)
        elif isinstance(t, msgspec.inspect.ListType | msgspec.inspect.DictType):
            walk(getattr(t, "item_type", None) or getattr(t, "value_type", None))
        elif isinstance(t, msgspec.inspect.StructType) and t.cls not in found:
            found.append(t.cls)
            for field in t.fields:
                walk(field.type)

    walk(msgspec.inspect.type_info(root))
    return found
