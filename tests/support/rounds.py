"""Random tiny rounds for property tests (Hypothesis) and helpers to write them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import assume
from hypothesis import strategies as st

SPECIALTIES = ("therapist", "feldsher")


@st.composite
def tiny_rounds(draw, max_graduates: int = 5, max_facilities: int = 3):
    """Regions, facilities, vacancies, graduates and programmes small enough to enumerate."""
    n_regions = draw(st.integers(1, 3))
    regions = pd.DataFrame({
        "region_id": [f"r{i}" for i in range(n_regions)],
        "name": [f"Район {i}" for i in range(n_regions)],
        "lat": [53.0 + 0.4 * i for i in range(n_regions)],
        "lon": [44.0 + 0.3 * i for i in range(n_regions)],
        "population": [10_000] * n_regions,
        "weight": [draw(st.sampled_from([1.0, 1.5, 2.0, 0.5])) for _ in range(n_regions)],
    })
    n_fac = draw(st.integers(1, max_facilities))
    fac_regions = [draw(st.sampled_from(list(regions["region_id"]))) for _ in range(n_fac)]
    facilities = pd.DataFrame({
        "facility_id": [f"f{i}" for i in range(n_fac)],
        "name": [f"ФАП {i}" for i in range(n_fac)],
        "region_id": fac_regions,
        "lat": [53.0 + draw(st.floats(0, 1)) for _ in range(n_fac)],
        "lon": [44.0 + draw(st.floats(0, 1)) for _ in range(n_fac)],
        "rural": [draw(st.booleans()) for _ in range(n_fac)],
        "settlement_population": [draw(st.sampled_from([800, 20_000, 60_000])) for _ in range(n_fac)],
    })
    vac_rows = []
    for f in facilities["facility_id"]:
        for s in SPECIALTIES:
            n = draw(st.integers(0, 2))
            if n:
                vac_rows.append((f, s, n))
    if not vac_rows:  # a round needs at least one vacancy row (validation refuses an empty table)
        vac_rows.append(("f0", draw(st.sampled_from(SPECIALTIES)), 1))
    vacancies = pd.DataFrame(vac_rows, columns=["facility_id", "specialty", "vacancies"])
    n_grad = draw(st.integers(1, max_graduates))
    grad_rows = []
    for i in range(n_grad):
        funding = draw(st.sampled_from(["grant", "targeted", "paid"]))
        home = draw(st.sampled_from(list(regions["region_id"])))
        sponsor = draw(st.sampled_from(list(regions["region_id"]))) if funding == "targeted" else None
        max_km = draw(st.sampled_from([None, None, 40.0, 90.0]))
        grad_rows.append((f"g{i}", draw(st.sampled_from(SPECIALTIES)), funding, home, sponsor, max_km))
    graduates = pd.DataFrame(grad_rows, columns=["graduate_id", "specialty", "funding",
                                                 "home_region_id", "sponsor_region_id", "max_km"])
    prog_rows = []
    if draw(st.booleans()):
        prog_rows.append(("zd", "Земский", 1_000_000.0, draw(st.sampled_from([None, 1, 2])),
                          draw(st.sampled_from([None, 1_000_000.0, 5_000_000.0])), "therapist", None, 50_000))
    if draw(st.booleans()):
        prog_rows.append(("any", "Региональная", 150_000.0, draw(st.sampled_from([None, 1])), None, "",
                          draw(st.sampled_from([None, "r0"])), None))
    programmes = pd.DataFrame(prog_rows, columns=["programme_id", "name", "payment", "quota", "budget",
                                                  "specialties", "region_id", "max_settlement_population"])
    return {"regions": regions, "facilities": facilities, "vacancies": vacancies,
            "graduates": graduates, "programmes": programmes}


@st.composite
def tiny_rounds_with_couples(draw, max_graduates: int = 5, max_facilities: int = 3):
    """Tiny rounds with one or two couples (``partner_id``, mutual) among the graduates."""
    frames = draw(tiny_rounds(max_graduates=max_graduates, max_facilities=max_facilities))
    grads = frames["graduates"]
    ids = list(grads["graduate_id"])
    assume(len(ids) >= 2)
    partner: dict = {}
    order = draw(st.permutations(ids))
    for a, b in zip(order[0::2], order[1::2]):
        if not partner or draw(st.booleans()):
            partner[a], partner[b] = b, a
    frames["graduates"] = grads.assign(partner_id=[partner.get(g) for g in ids])
    return frames


def write_round(frames: dict, folder: Path, sep: str = ",", encoding: str = "utf-8",
                decimal: str = ".") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        if frame is None:
            continue
        frame.to_csv(folder / f"{name}.csv", index=False, sep=sep, encoding=encoding, decimal=decimal)
    return folder


def generated_frames(graduates: int, facilities: int, regions: int, seed: int) -> dict:
    """The tables of ``allocator generate`` (a synthetic round whose programme quotas bind), as frames."""
    from allocator.generate import generate_round

    frames = generate_round(graduates, facilities, regions, seed)
    frames["graduates"] = frames["graduates"].replace({"sponsor_region_id": {"": None}})
    return frames


def six_group_staffing(scales: dict[str, float]) -> pd.DataFrame:
    """A staffing table (synthetic) with seed 004's six staff groups per region: doctors and mid-level,
    all / ambulatory / district service (100 and 250 positions, shares 1, 0.6, 0.15), 90 % occupied and
    80 % filled by persons, both times the region's ``scale``."""
    rows = []
    for region, scale in scales.items():
        for cadre, base in (("doctors", 100), ("midlevel", 250)):
            for suffix, share in (("", 1.0), ("_amb", 0.6), ("_district", 0.15)):
                pos = base * share
                rows.append((region, cadre + suffix, pos, pos * 0.9 * scale, pos * 0.8 * scale))
    return pd.DataFrame(rows, columns=["region_id", "staff_group", "positions", "occupied", "persons"])


def town_and_village(preferences: bool = True) -> dict:
    """Frames of a round where the list of posts matters: one paid graduate lists a town post
    (region weight 1) before a village post (weight 2), one vacancy each; ``preferences`` adds
    that list."""
    frames = {
        "regions": pd.DataFrame({"region_id": ["town", "village"], "name": ["Город", "Село"], "lat": [53.2, 53.4],
                                 "lon": [45.0, 45.3], "population": [50_000, 3_000], "weight": [1.0, 2.0]}),
        "facilities": pd.DataFrame({"facility_id": ["fT", "fV"], "name": ["Поликлиника", "Амбулатория"],
                                    "region_id": ["town", "village"], "lat": [53.2, 53.4], "lon": [45.0, 45.3],
                                    "rural": [False, False], "settlement_population": [50_000, 3_000]}),
        "vacancies": pd.DataFrame({"facility_id": ["fT", "fV"], "specialty": ["therapist", "therapist"],
                                   "vacancies": [1, 1]}),
        "graduates": pd.DataFrame({"graduate_id": ["p1"], "specialty": ["therapist"], "funding": ["paid"],
                                   "home_region_id": ["town"], "rating": [4.5]}),
    }
    if preferences:
        frames["preferences"] = pd.DataFrame({"graduate_id": ["p1", "p1"], "rank": [1, 2],
                                              "facility_id": ["fT", "fV"]})
    return frames
