"""Result tables, headline figures, comparisons, map layers and charts.

Pure functions of a :class:`allocator.Round` and its :class:`allocator.Solution`
(or of several :class:`ui.state.RunRecord`), with labels from :mod:`ui.i18n`.
Tables come back with codes in the data and translated column headers applied
by :func:`localise` at the end, so filters work on codes.
"""

from __future__ import annotations

import math
from dataclasses import asdict

import numpy as np
import pandas as pd

from allocator.output import CAVEAT_COLUMNS, assignment_facts

from . import i18n
from .i18n import t

# data column -> i18n key of its header
HEADERS = {
    "region_id": "col_region_id", "region": "col_region", "name": "col_name", "population": "col_population",
    "provision": "col_provision", "staffing": "col_staffing", "provision_mid": "col_provision_mid",
    "staffing_mid": "col_staffing_mid", "komk": "col_komk", "group": "col_group", "weight": "col_weight",
    "weight_basis": "col_weight_basis", "facility_id": "col_facility_id", "facility": "col_facility",
    "specialty": "col_specialty", "vacancies": "col_vacancies", "placed": "col_placed",
    "remaining": "col_remaining", "programme_id": "col_programme_id", "programme": "col_programme",
    "payment": "col_payment", "quota": "col_quota", "budget": "col_budget", "spend": "col_spend",
    "lp_dual": "col_lp_dual",
    "specialties": "col_specialties", "max_settlement_population": "col_max_settlement",
    "graduate_id": "col_graduate_id", "funding": "col_funding", "home_region_id": "col_home_region",
    "home_region": "col_home_region", "sponsor_region_id": "col_sponsor_region", "max_km": "col_max_km",
    "km": "col_km", "reason": "col_reason", "reason_code": "col_reason_code", "count": "col_count",
    "before": "col_before", "after": "col_after", "figure": "figure", "value": "value",
    "sign": "col_sign", "table": "col_table", "type": "col_type", "required": "col_required",
    "description_ru": "col_description_ru", "description_en": "col_description_en",
    "payment_remote": "col_payment_remote", "currency": "col_currency", "benefits": "col_benefits",
    "post_source": "col_post_source", "post_planned_date": "col_post_planned_date", "source": "col_source",
    "planned_date": "col_planned_date", "service_until": "col_service_until", "weight_caveat": "col_weight_caveat",
    "weight_caveat_ru": "col_weight_caveat_ru", "weight_caveat_en": "col_weight_caveat_en",
    "tier": "col_tier", "payment_total": "col_payment_total",
}
#: Money columns: with a round's currency their header names it (``col_payment_in``: "Выплата, ₸").
MONEY = ("payment", "payment_remote", "payment_total", "budget", "spend")


def localise(frame: pd.DataFrame, lang: str, currency: str | None = None) -> pd.DataFrame:
    """Rename known columns to their header in ``lang``; others keep their name. With a
    ``currency`` (default: the frame's ``attrs["currency"]``) money columns name it in the header,
    their cells stay numbers."""
    return frame.rename(columns=column_labels(frame.columns, lang, currency or frame.attrs.get("currency")))


def column_labels(columns, lang: str, currency: str | None = None) -> dict[str, str]:
    """Data column -> its header in ``lang``, for the known columns of ``columns``; money columns
    (:data:`MONEY`) with the ``currency`` sign when one is given ("Бюджет, ₸")."""
    out = {}
    for c in columns:
        if c in MONEY and currency:
            out[c] = t(f"{HEADERS[c]}_in", lang, currency=currency)
        elif c in HEADERS:
            out[c] = t(HEADERS[c], lang)
    return out


def weight_caveats(round_, lang: str) -> pd.Series:
    """region_id -> the caveat to its weight in ``lang`` (``Round.regions.weight_caveat_<lang>``, else
    the other language's); empty when the round has no caveat columns, regions without one left out."""
    regions = round_.regions
    columns = [c for c in (f"weight_caveat_{lang}",) + CAVEAT_COLUMNS if c in regions]
    out = {}
    for i, rid in enumerate(regions["region_id"]):
        for c in columns:
            v = regions[c].iat[i]
            if isinstance(v, str) and v.strip():
                out[rid] = v.strip()
                break
    return pd.Series(out, dtype=object)


# ------------------------------------------------------------------------- headline


def headline(solution, lang: str) -> list[tuple[str, str]]:
    """(label, value) rows of the headline figures of a Solution, in display order, the values as
    ``lang`` writes them (:func:`ui.i18n.number`: counts whole, deficits and km to one decimal)."""
    s = solution
    currency = i18n.currency_of(s)

    def whole(n) -> str:
        return i18n.number(n, lang, 0)

    def one(x) -> str:
        return i18n.number(x, lang, 1)

    rows: list[tuple[str, str]] = [
        (t("f_status", lang), i18n.status(s.status, lang)),
        (t("f_solver", lang), i18n.solver(s.solver, lang)),
        (t("f_obligated_placed", lang), whole(s.obligated_placed)),
        (t("f_obligated_total", lang), whole(s.obligated_total)),
        (t("f_graduates_total", lang), whole(s.graduates_total)),
        (t("f_placed_total", lang), whole(s.placed_total)),
    ]
    for f in ("grant", "targeted", "paid"):
        rows.append((t(f"f_placed_{f}", lang), whole(s.placed_by_funding.get(f, 0))))
    rows += [
        (t("f_vacancies_total", lang), whole(s.vacancies_total)),
        (t("f_deficit_before", lang), one(s.weighted_deficit_before)),
        (t("f_deficit_after", lang), one(s.weighted_deficit)),
        (t("f_total_km", lang), one(s.km_objective)),
        (t("f_unplaced", lang), whole(s.graduates_total - s.placed_total)),
    ]
    for p in s.programmes:
        rows.append((t("f_programme_places", lang, name=p.name),
                     f"{whole(p.placed)} / {whole(p.quota)}" if p.quota is not None else whole(p.placed)))
        rows.append((t("f_programme_spend_money" if currency else "f_programme_spend", lang, name=p.name),
                     f"{i18n.money(p.spend, lang, currency)} / {i18n.money(p.budget, lang, currency)}"
                     if p.budget is not None else i18n.money(p.spend, lang, currency)))
    if currency:
        rows.append((t("f_currency", lang), currency))
    return rows


def programmes_table(solution, lang: str) -> pd.DataFrame:
    """One row per support programme: places and money used of a Solution (numbers; the round's
    currency in ``attrs["currency"]``, which :func:`localise` puts in the money headers)."""
    frame = pd.DataFrame([asdict(p) for p in solution.programmes],
                         columns=["programme_id", "name", "placed", "quota", "spend", "budget", "lp_dual"])
    frame = frame.rename(columns={"name": "programme"})
    frame.attrs["currency"] = i18n.currency_of(solution)
    return frame


def unplaced_reasons_table(solution, lang: str) -> pd.DataFrame:
    """How many graduates are unplaced for each reason: code, reason in ``lang``, count."""
    counts = solution.unplaced["reason"].value_counts().rename_axis("reason_code").reset_index(name="count")
    counts.insert(1, "reason", counts["reason_code"].map(lambda c: i18n.reason(c, lang)))
    return counts


# --------------------------------------------------------------------------- tables


def region_names(round_) -> dict[str, str]:
    """region_id -> region name of ``round_``."""
    return dict(zip(round_.regions["region_id"], round_.regions["name"]))


def assignments_table(round_, solution, lang: str) -> pd.DataFrame:
    """Assignments with names: graduate, funding, specialty, facility, region, km, programme, payment
    (a number; the round's currency in ``attrs["currency"]``), and what the round says of each
    placement when it says it (:func:`allocator.output.assignment_facts`: the programme's other
    benefits, the post's source and planned date; ``service_until`` when the solution has it)."""
    a = assignment_facts(solution.assignments, round_)
    grads = round_.graduates.set_index("graduate_id")
    fac = round_.facilities.set_index("facility_id")
    progs = round_.programmes.set_index("programme_id")["name"] if len(round_.programmes) else pd.Series(dtype=str)
    names = region_names(round_)
    out = pd.DataFrame({
        "graduate_id": a["graduate_id"],
        "funding": a["graduate_id"].map(grads["funding"]),
        "specialty": a["specialty"],
        "home_region": a["graduate_id"].map(grads["home_region_id"]).map(names),
        "facility": a["facility_id"].map(fac["name"]),
        "region": a["region_id"].map(names),
        "km": a["km"].round(1),
        "programme": a["programme_id"].map(progs),
        "payment": a["payment"],
        **{c: a[c] for c in ("tier", "payment_total", "benefits", "service_until", "post_source",
                             "post_planned_date") if c in a},
        # codes for filtering, dropped before display
        "_region_id": a["region_id"],
        "_programme_id": a["programme_id"],
    })
    out.attrs["currency"] = i18n.currency_of(round_) or i18n.currency_of(solution)
    return out


def display_assignments(table: pd.DataFrame, lang: str, currency: str | None = None) -> pd.DataFrame:
    """An assignments table ready to show: filter-only columns (``_``) dropped, funding,
    specialty and "no programme" translated, headers in ``lang`` (the payment's with ``currency``,
    default the table's ``attrs["currency"]``)."""
    currency = currency or table.attrs.get("currency")
    out = table.drop(columns=[c for c in table.columns if c.startswith("_")]).copy()
    out["funding"] = out["funding"].map(lambda v: i18n.funding(v, lang))
    out["specialty"] = out["specialty"].map(lambda v: i18n.specialty(v, lang))
    out["programme"] = out["programme"].fillna(t("no_programme", lang))
    if "tier" in out:
        out["tier"] = out["tier"].map(lambda v: i18n.tier(v, lang) if isinstance(v, str) else v)  # none: empty
    return localise(out, lang, currency)


def unplaced_table(round_, solution, lang: str) -> pd.DataFrame:
    """Unplaced graduates with funding, specialty, home region, max_km and reason in ``lang``."""
    u = solution.unplaced.copy()
    grads = round_.graduates.set_index("graduate_id")
    names = region_names(round_)
    return localise(pd.DataFrame({
        "graduate_id": u["graduate_id"],
        "funding": u["funding"].map(lambda v: i18n.funding(v, lang)),
        "specialty": u["specialty"].map(lambda v: i18n.specialty(v, lang)),
        "home_region": u["graduate_id"].map(grads["home_region_id"]).map(names),
        "max_km": u["graduate_id"].map(grads["max_km"]),
        "reason": u["reason"].map(lambda c: i18n.reason(c, lang)),
    }), lang)


def deficits_table(round_, solution, lang: str) -> pd.DataFrame:
    """Remaining deficit per region and specialty with the region's name, weight basis in ``lang``
    and, when the round has one for some region, the caveat to the weight beside it."""
    d = solution.deficits.copy()
    d.insert(1, "region", d["region_id"].map(region_names(round_)))
    d["specialty"] = d["specialty"].map(lambda v: i18n.specialty(v, lang))
    d["weight_basis"] = d["weight_basis"].map(lambda v: i18n.weight_basis(v, lang))
    caveats = weight_caveats(round_, lang)
    if len(caveats):
        d.insert(list(d.columns).index("weight_basis") + 1, "weight_caveat", d["region_id"].map(caveats).fillna(""))
    return localise(d.drop(columns=["region_id"]), lang)


def region_before_after(round_, solution, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Per region: vacancies, placed, remaining, weighted before/after, weight, and the weight's
    caveat in ``lang`` ("" for a region without one)."""
    d = solution.deficits
    g = d.assign(w_before=d["vacancies"] * d["weight"], w_after=d["remaining"] * d["weight"]) \
        .groupby("region_id")[["vacancies", "placed", "remaining", "w_before", "w_after"]].sum()
    regions = round_.regions.set_index("region_id")
    out = regions[["name", "lat", "lon", "weight"]].join(g, how="left").fillna(
        {"vacancies": 0, "placed": 0, "remaining": 0, "w_before": 0.0, "w_after": 0.0})
    out["weight_caveat"] = out.index.map(weight_caveats(round_, lang)).fillna("")
    return out.reset_index()


# ---------------------------------------------------------------------------- map


FUNDING_COLOURS = {"grant": [31, 119, 180, 140], "targeted": [255, 127, 14, 140], "paid": [148, 103, 189, 140]}


def _share_colour(share: float) -> list[int]:
    """Green (0 % left open) through yellow to red (100 %)."""
    if share is None or math.isnan(share):
        return [160, 160, 160, 160]
    s = min(max(share, 0.0), 1.0)
    return [int(255 * min(1.0, 2 * s)), int(200 * min(1.0, 2 * (1 - s))), 40, 190]


def map_deck(round_, solution, lang: str, lines: bool = True, basemap: bool = True):
    """A pydeck map: regions coloured by remaining deficit and labelled with their names, lines
    home -> post, the view fitted to every region, facility and graduate (:mod:`ui.maps`)."""
    import pydeck as pdk

    from . import maps

    per = region_before_after(round_, solution, lang)
    live = per["vacancies"] > 0
    per["share"] = np.where(live, per["remaining"] / per["vacancies"].where(live), np.nan)
    per["colour"] = per["share"].map(_share_colour)
    per["radius"] = 1500 + 900 * np.sqrt(per["vacancies"].astype(float))
    per["label"] = per.apply(region_label, axis=1, lang=lang)
    layers = [pdk.Layer("ScatterplotLayer", id="regions", data=per[["lon", "lat", "radius", "colour", "label"]],
                        get_position="[lon, lat]", get_radius="radius", get_fill_color="colour",
                        pickable=True, stroked=True, get_line_color=[60, 60, 60], line_width_min_pixels=1)]
    if lines and len(solution.assignments):
        a = solution.assignments
        grads = round_.graduates.set_index("graduate_id")
        fac = round_.facilities.set_index("facility_id")
        seg = pd.DataFrame({
            "from_lon": a["graduate_id"].map(grads["lon"]).astype(float),
            "from_lat": a["graduate_id"].map(grads["lat"]).astype(float),
            "to_lon": a["facility_id"].map(fac["lon"]).astype(float),
            "to_lat": a["facility_id"].map(fac["lat"]).astype(float),
            "colour": a["graduate_id"].map(grads["funding"]).map(FUNDING_COLOURS),
            "label": a["graduate_id"] + " → " + a["facility_id"].map(fac["name"]).astype(str)
                     + " (" + a["km"].round(0).astype(int).astype(str) + " km)",
        })
        seg["colour"] = seg["colour"].map(lambda c: c if isinstance(c, list) else [120, 120, 120, 140])
        layers.append(pdk.Layer("LineLayer", data=seg, get_source_position="[from_lon, from_lat]",
                                get_target_position="[to_lon, to_lat]", get_color="colour", get_width=2,
                                pickable=True))
        facs = round_.facilities[["lon", "lat", "name"]].rename(columns={"name": "label"})
        layers.append(pdk.Layer("ScatterplotLayer", data=facs, get_position="[lon, lat]", get_radius=900,
                                get_fill_color=[30, 30, 30, 200], pickable=True))
    layers += maps.district_layers(round_.regions)
    return maps.deck(layers, maps.fit_view(_map_points(round_, lines)), basemap=basemap)


def region_label(row, lang: str) -> str:
    """A region's map tooltip: name, vacancies, placed, remaining, its weight and the weight's
    caveat when it has one (a row of :func:`region_before_after`)."""
    label = (f"{row['name']}: {t('col_vacancies', lang)} {int(row['vacancies'])}, "
             f"{t('col_placed', lang)} {int(row['placed'])}, {t('col_remaining', lang)} {int(row['remaining'])}; "
             f"{t('map_weight', lang, weight=i18n.number(row['weight'], lang))}")
    caveat = row.get("weight_caveat", "")
    return f"{label} ({caveat})" if isinstance(caveat, str) and caveat else label


def _map_points(round_, lines: bool) -> pd.DataFrame:
    """The points the map's view must show: the regions, and with the posting lines the
    facilities and the graduates' homes too."""
    frames = [round_.regions[["lat", "lon"]]]
    if lines:
        frames += [round_.facilities[["lat", "lon"]], round_.graduates[["lat", "lon"]]]
    return pd.concat(frames, ignore_index=True).astype(float).dropna()


# -------------------------------------------------------------------------- charts


def before_after_chart(round_, solution, lang: str, weighted: bool = False):
    """Plotly grouped bars per region: deficit before and after, worst first."""
    import plotly.graph_objects as go

    per = region_before_after(round_, solution)
    b, a = ("w_before", "w_after") if weighted else ("vacancies", "remaining")
    per = per.sort_values([b, a], ascending=False)
    fig = go.Figure([
        go.Bar(name=t("chart_before", lang), x=per["name"], y=per[b], marker_color="#d62728"),
        go.Bar(name=t("chart_after", lang), x=per["name"], y=per[a], marker_color="#2ca02c"),
    ])
    fig.update_layout(barmode="group", height=420, margin=dict(l=10, r=10, t=30, b=10),
                      yaxis_title=t("chart_value_weighted" if weighted else "chart_value", lang),
                      legend=dict(orientation="h", y=1.08), xaxis_tickangle=-45)
    return fig


# ------------------------------------------------------------------------- compare


class MixedRounds(ValueError):
    """Runs of different rounds (``RunRecord.round_hash``): their regions and graduates are not
    compared; the message names each run's round."""


def round_label(rec) -> str:
    """A run's round as a person reads it: the round's name and the start of its round hash."""
    return f"{rec.round.name} · {(rec.round_hash or '')[:8]}"


def check_one_round(records, lang: str) -> None:
    """Raise :class:`MixedRounds` (in ``lang``, naming each run's round) unless all ``records``
    are of one round."""
    if len({rec.round_hash for rec in records}) > 1:
        rounds = "; ".join(t("compare_run_round", lang, name=rec.name, round=round_label(rec)) for rec in records)
        raise MixedRounds(t("compare_mixed_rounds", lang, rounds=rounds))


def compare_figures(records, lang: str) -> pd.DataFrame:
    """Headline figures of several runs side by side (rows: figures, columns: scenarios), the
    first row each run's round (runs of different rounds may be shown side by side, never
    subtracted)."""
    table = {}
    for rec in records:
        rows = [(t("f_round", lang), round_label(rec))] + headline(rec.solution, lang)
        opts = rec.round.scenario
        rows += [
            (t("f_max_km", lang), "—" if opts.max_km is None else opts.max_km),
            (t("f_time_limit", lang), "—" if opts.time_limit is None else opts.time_limit),
            (t("f_diminishing", lang), t("yes" if opts.diminishing_returns else "no", lang)),
            (t("f_weights", lang), ", ".join(f"{k}={v:g}" for k, v in sorted(opts.weights.items())) or "—"),
            (t("f_wall_time", lang), rec.solution.timings.get("total")),
        ]
        table[rec.name] = {label: value for label, value in rows}
    frame = pd.DataFrame(table)
    frame.index.name = t("figure", lang)
    return frame.astype(str)


def compare_regions(records, lang: str) -> pd.DataFrame:
    """Remaining open vacancies per region in each run, and the change from the first; raises
    :class:`MixedRounds` for runs of different rounds."""
    check_one_round(records, lang)
    base = records[0]
    names = region_names(base.round)
    cols = {}
    for rec in records:
        per = region_before_after(rec.round, rec.solution).set_index("region_id")
        cols[rec.name] = per["remaining"].astype(int)
    frame = pd.DataFrame(cols).fillna(0).astype(int)
    first = frame.columns[0]
    for name in frame.columns[1:]:
        frame[t("diff_vs", lang, name=name)] = frame[name] - frame[first]
    frame.insert(0, t("col_region", lang), frame.index.map(lambda r: names.get(r, r)))
    diff_cols = [c for c in frame.columns if c.startswith("Δ")]
    if diff_cols:
        frame = frame[(frame[diff_cols] != 0).any(axis=1)]
        frame = frame.reindex(frame[diff_cols].abs().max(axis=1).sort_values(ascending=False).index)
    return frame.reset_index(drop=True)


def changed_posts(records, lang: str) -> pd.DataFrame:
    """Graduates whose post (facility, or placed/not placed) differs from the first run; raises
    :class:`MixedRounds` for runs of different rounds."""
    check_one_round(records, lang)
    base = records[0]
    fac_names = {}
    for rec in records:
        fac_names.update(dict(zip(rec.round.facilities["facility_id"], rec.round.facilities["name"])))
    posts = {}
    for rec in records:
        posts[rec.name] = rec.solution.assignments.set_index("graduate_id")["facility_id"]
    ids = base.round.graduates["graduate_id"]
    frame = pd.DataFrame({name: ids.map(s) for name, s in posts.items()})
    frame.index = ids
    first = frame.columns[0]
    differs = pd.Series(False, index=frame.index)
    for name in frame.columns[1:]:
        differs |= frame[name].fillna("") != frame[first].fillna("")
    frame = frame[differs]
    not_placed = t("not_placed", lang)
    shown = frame.apply(lambda s: s.map(lambda f: fac_names.get(f, f) if isinstance(f, str) else not_placed))
    grads = base.round.graduates.set_index("graduate_id")
    shown.insert(0, t("col_specialty", lang), shown.index.map(lambda g: i18n.specialty(grads.at[g, "specialty"], lang)))
    shown.insert(0, t("col_funding", lang), shown.index.map(lambda g: i18n.funding(grads.at[g, "funding"], lang)))
    shown.index.name = t("col_graduate_id", lang)
    return shown.reset_index()
