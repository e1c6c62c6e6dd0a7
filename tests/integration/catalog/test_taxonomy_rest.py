"""Muscles, equipment, conditions and patterns over REST."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]


async def test_muscle_tree_nests_regions_down_to_parts(client: Client) -> None:
    response = await client.get("/v1/muscles", params={"view": "tree"})
    assert response.status_code == 200
    roots = {node["slug"]: node for node in response.json()["items"]}
    assert {"lower_body", "trunk", "upper_body", "neck"} <= set(roots)
    hamstrings = next(n for n in roots["lower_body"]["subtree"] if n["slug"] == "hamstrings")
    biceps = next(n for n in hamstrings["subtree"] if n["slug"] == "biceps_femoris")
    assert {n["slug"] for n in biceps["subtree"]} == {"biceps_femoris_long_head", "biceps_femoris_short_head"}
    assert biceps["children"] == [n["slug"] for n in biceps["subtree"]]


async def test_flat_muscles_page_through_the_whole_tree(client: Client) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 25, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/v1/muscles", params=params)).json()
        seen += [m["slug"] for m in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) > 50
    assert seen.index("hamstrings") < seen.index("biceps_femoris") < seen.index("biceps_femoris_long_head")


async def test_muscle_detail_has_parent_children_path(client: Client) -> None:
    body = (await client.get("/v1/muscles/biceps_femoris_short_head")).json()
    assert body["parent"] == "biceps_femoris"
    assert body["path"] == ["lower_body", "hamstrings", "biceps_femoris"]
    assert body["kind"] == "part"
    hip_flexors = (await client.get("/v1/muscles/hip_flexors")).json()
    assert hip_flexors["members"] == ["rectus_femoris"] and "iliopsoas" in hip_flexors["children"]


async def test_equipment_conditions_patterns(client: Client) -> None:
    equipment = (await client.get("/v1/equipment", params={"limit": 500})).json()["items"]
    assert {"bodyweight", "trap_bar", "cable_machine"} <= {e["slug"] for e in equipment}
    assert (await client.get("/v1/equipment/trap_bar")).json()["name"]
    conditions = (await client.get("/v1/conditions")).json()["items"]
    assert {"low_back_pain", "acute_disc_injury"} <= {c["slug"] for c in conditions}
    patterns = {p["slug"]: p for p in (await client.get("/v1/patterns")).json()["items"]}
    lower = patterns["lower_crossed_syndrome"]
    assert {"hamstrings", "hip_flexors", "erector_spinae"} <= set(lower["overactive"])
    assert {"gluteus_maximus", "transverse_abdominis"} <= set(lower["underactive"])
    upper = patterns["upper_crossed_syndrome"]
    assert {"upper_trapezius", "pectoralis_minor"} <= set(upper["overactive"])
    assert {"deep_cervical_flexors", "lower_trapezius"} <= set(upper["underactive"])
