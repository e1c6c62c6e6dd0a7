"""The exercise catalogue over real HTTP and a real PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]


async def _all_pages(client: Client, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        response = await client.get("/v1/exercises", params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


async def test_home_glute_work_done_when_query(client: Client) -> None:
    response = await client.get(
        "/v1/exercises",
        params=[
            ("muscle", "glutes"),
            ("phase", "strengthen"),
            ("available_equipment", "bodyweight"),
            ("available_equipment", "step"),
            ("limit", "500"),
        ],
    )
    assert response.status_code == 200
    items = response.json()["items"]
    slugs = {item["slug"] for item in items}
    assert {"glute_bridge", "step_up"} <= slugs
    glute_muscles = {"glutes", "gluteus_maximus", "gluteus_medius", "gluteus_minimus"}
    for item in items:
        assert set(item["equipment"]) <= {"bodyweight", "step"}, item["slug"]
        assert "strengthen" in item["phases"], item["slug"]
        assert glute_muscles & set(item["primary_muscles"] + item["secondary_muscles"]), item["slug"]


ARTICLE_SEARCHES = [
    ("foam rolling calves", "foam_roll_calves"),
    ("foam roll IT band", "foam_roll_it_band"),
    ("piriformis foam roll", "foam_roll_piriformis"),
    ("glute minimus", "massage_ball_glute_minimus"),
    ("foam roll hamstrings", "foam_roll_hamstrings"),
    ("lying hamstring stretch", "lying_hamstring_stretch"),
    ("calf stretch on a step", "calf_stretch_on_step"),
    ("stiff legged deadlift", "light_stiff_legged_deadlift"),
    ("calf raise", "calf_raise_on_step"),
    ("deadlift", "conventional_deadlift"),
    ("cable deadlift", "cable_deadlift"),
    ("step ups", "step_up"),
    ("stationary lunge", "stationary_lunge"),
    ("reverse lunge", "reverse_lunge"),
    ("box squat", "box_squat"),
    ("cable squat", "wide_stance_cable_squat"),
    ("trap bar squat", "trap_bar_squat"),
    ("hyperextensions", "hyperextension"),
    ("good mornings", "good_morning"),
    ("pull-ups", "pull_up"),
    ("pull downs", "lat_pulldown"),
    ("rows", "seated_cable_row"),
    ("straight arm pull downs", "straight_arm_pulldown"),
    ("dumbbell pull overs", "dumbbell_pullover"),
    ("rear delt flyes", "rear_delt_fly"),
    ("face pulls", "face_pull"),
    ("reverse shrugs", "reverse_shrug"),
    ("shrugs", "barbell_shrug"),
    ("leg extensions", "leg_extension"),
    ("leg press", "leg_press"),
    ("barbell squat", "barbell_back_squat"),
    # Typos are forgiven.
    ("hamstrng strech", "lying_hamstring_stretch"),
    ("deadlfit", "conventional_deadlift"),
    ("fase pull", "face_pull"),
]


@pytest.mark.parametrize(("q", "expected"), ARTICLE_SEARCHES)
async def test_every_exercise_the_article_names_is_found_by_q(client: Client, q: str, expected: str) -> None:
    response = await client.get("/v1/exercises", params={"q": q, "limit": 20})
    assert response.status_code == 200
    assert expected in [item["slug"] for item in response.json()["items"]]


async def test_pagination_visits_every_exercise_once_in_slug_order(client: Client) -> None:
    everything = await _all_pages(client, {"limit": 500})
    paged = await _all_pages(client, {"limit": 7})
    assert [i["slug"] for i in paged] == [i["slug"] for i in everything]
    assert [i["slug"] for i in paged] == sorted(i["slug"] for i in paged)
    assert len(everything) > 100


async def test_search_pages_do_not_repeat(client: Client) -> None:
    paged = await _all_pages(client, {"q": "stretch", "limit": 3})
    slugs = [i["slug"] for i in paged]
    assert len(slugs) == len(set(slugs)) and len(slugs) > 3


async def test_muscle_filter_follows_descendants_and_listed_members(client: Client) -> None:
    hip_flexors = {i["slug"]: i for i in await _all_pages(client, {"muscle": "hip_flexors", "limit": 500})}
    rectus = {i["slug"] for i in await _all_pages(client, {"muscle": "rectus_femoris", "limit": 500})}
    iliopsoas = {i["slug"] for i in await _all_pages(client, {"muscle": "iliopsoas", "limit": 500})}
    assert rectus and iliopsoas
    assert rectus | iliopsoas <= set(hip_flexors)
    hamstrings = await _all_pages(client, {"muscle": "hamstrings", "role": "primary", "limit": 500})
    parts = {"hamstrings", "biceps_femoris", "biceps_femoris_long_head", "biceps_femoris_short_head"}
    parts |= {"semitendinosus", "semimembranosus"}
    assert hamstrings
    for item in hamstrings:
        assert parts & set(item["primary_muscles"]), item["slug"]


async def test_equipment_filters(client: Client) -> None:
    cable = await _all_pages(client, {"equipment": "cable_machine", "limit": 500})
    assert cable and all("cable_machine" in i["equipment"] for i in cable)
    nothing = await _all_pages(client, {"available_equipment": "bodyweight", "limit": 500})
    assert nothing and all(i["equipment"] == ["bodyweight"] for i in nothing)
    phases = {phase for item in nothing for phase in item["phases"]}
    assert phases == {"release", "lengthen", "strengthen", "integrate"}, "every phase has a bodyweight option"


async def test_exclude_condition_drops_contraindicated(client: Client) -> None:
    everything = {i["slug"]: i for i in await _all_pages(client, {"limit": 500})}
    safe = {i["slug"] for i in await _all_pages(client, {"exclude_condition": "low_back_pain", "limit": 500})}
    flagged = {
        s for s, i in everything.items() if any(c["condition"] == "low_back_pain" for c in i["contraindications"])
    }
    assert {"barbell_back_squat", "leg_press"} <= flagged
    assert safe == set(everything) - flagged


async def test_modality_phase_level_filters(client: Client) -> None:
    items = await _all_pages(client, {"modality": "static_stretch", "phase": "lengthen", "level": "beginner"})
    assert items
    for item in items:
        assert (item["modality"], item["level"]) == ("static_stretch", "beginner") and "lengthen" in item["phases"]


async def test_updated_since_filters_by_change_time(client: Client) -> None:
    everything = await _all_pages(client, {"limit": 500})
    newest = max(i["updated_at"] for i in everything)
    assert await _all_pages(client, {"updated_since": newest}) == []
    assert len(await _all_pages(client, {"updated_since": "2000-01-01T00:00:00Z", "limit": 500})) == len(everything)


async def test_detail_embeds_what_an_app_needs(client: Client) -> None:
    response = await client.get("/v1/exercises/barbell_back_squat")
    assert response.status_code == 200
    body = response.json()
    assert {d["role"] for d in body["muscle_details"]} == {"primary", "secondary"}
    assert {d["slug"] for d in body["equipment_details"]} == set(body["equipment"])
    assert any(
        d["condition"] == "low_back_pain" and d["name"] and d["reason"] for d in body["contraindication_details"]
    )
    related = {(d["relation"], d["slug"]) for d in body["relation_details"]}
    expected = {("regression", s) for s in body["regressions"]} | {("alternative", s) for s in body["alternatives"]}
    assert expected <= related


async def test_etag_and_conditional_get(client: Client) -> None:
    first = await client.get("/v1/exercises/step_up")
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = await client.get("/v1/exercises/step_up", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = await client.get("/v1/exercises/glute_bridge", headers={"If-None-Match": etag})
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/exercises?muscle=not_a_muscle", "muscle"),
        ("/v1/exercises?modality=yoga", "modality"),
        ("/v1/exercises?limit=501", "limit"),
        ("/v1/exercises?limit=0", "limit"),
        ("/v1/exercises?available_equipment=spaceship", "available_equipment"),
        ("/v1/exercises?exclude_condition=broken_heart", "exclude_condition"),
        ("/v1/exercises?cursor=garbage", "cursor"),
        ("/v1/exercises?updated_since=yesterday", "updated_since"),
        ("/v1/exercises?updated_since=0.5", "updated_since"),
        ("/v1/exercises?updated_since=2026-01-01T00:00:00", "updated_since"),
        ("/v1/muscles?view=sideways", "view"),
    ],
)
async def test_bad_filter_is_a_problem_naming_the_field(client: Client, path: str, field: str) -> None:
    response = await client.get(path)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400 and problem["type"].endswith("/invalid-request") and problem["detail"]
    assert field in [e["field"] for e in problem["errors"]]


@pytest.mark.parametrize("path", ["/v1/exercises/nope", "/v1/muscles/nope", "/v1/equipment/nope"])
async def test_unknown_slug_is_a_404_problem(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "Not found"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/exercises/step%00up",
        "/v1/equipment/x%00",
        "/v1/muscles/x%00",
        "/v1/exercises?source=cur%00ated",
        "/v1/exercises?q=fa%00ce%01pull",
        "/v1/exercises?muscle=gl%00utes",
        "/v1/exercises?available_equipment=st%00ep",
    ],
)
async def test_control_characters_never_reach_postgres(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code in {200, 400, 404}, response.text
