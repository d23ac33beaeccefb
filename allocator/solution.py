"""A solved round: the assignments, unplaced and deficits tables and the typed figures.

:class:`Solution` holds the tables and every figure of the run typed (levels,
status, gap, timings, programme use, ...); ``summary.json`` is written from
it (:attr:`Solution.summary`, with ``schema_version``) and the run store keeps
that dict, from which :meth:`Solution.from_summary` rebuilds an equal solution.

For a round with preferences (issue 13) the summary gains ``blocking_pairs``, the
justified-envy pairs of the distribution (:mod:`allocator.mechanisms.audit`, against the posts
``offered`` when the solution has them, else the vacancies), and ``choice_ranks``
(:func:`allocator.mechanisms.ranks.rank_distribution`). A round without preferences has
neither: its outputs are as before issue 13 (the keys are absent, which a reader takes as
null). ``offered`` (facility_id, specialty, offered), when not None, is written as
``offered.csv`` (:mod:`allocator.output`). With preferences the assignments gain
``choice_rank`` (:func:`allocator.mechanisms.ranks.choice_ranks`): the rank on the graduate's
list of the post they got, empty when it is not on the list (``choice`` and ``menu`` also leave
it empty for the commission's placements); the run store keeps it (migration 0005).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from .diagnose import unplaced_reasons
from .mechanisms.audit import blocking_pairs
from .mechanisms.ranks import choice_ranks, rank_distribution
from .messages import Problem
from .pairs import OBLIGATED, Pairs, available_mask, deficit_cells
from .problem import Round
from .programmes import money_by_year, pair_payments
from .scaling import exact_money, exact_spend, weight_warnings
from .status import Status

ASSIGNMENT_COLUMNS = ["graduate_id", "facility_id", "region_id", "specialty", "km", "programme_id", "payment",
                      "tier", "payment_total", "service_until"]


SCHEMA_VERSION = 1  # of summary.json; 1 added schema_version, levels and checks
LEVEL_KEYS = {"obligated": "1_obligated_placed", "deficit": "2_weighted_deficit", "km": "3_total_km"}


@dataclass(frozen=True)
class Level:
    """One level of the lexicographic objective as reported.

    ``value``: obligated graduates placed (int), weighted deficit after (recomputed from
    the unrounded data), or total km as optimised (whole metres; the exact sum when the
    level was not reached); ``status``: the level's own status, None when the driver
    stopped before it; ``method``: how it was solved (``empty``: nothing to optimise).
    """

    name: str
    value: float
    status: Status | None = None
    method: str | None = None


@dataclass(frozen=True)
class ProgrammeUse:
    """What a run uses of one support programme; ``spend`` counted exactly, in money units.

    ``lp_dual``: the weighted deficit one more funded place would remove by the LP duals that
    proved the deficit level (the flow engine; 0 when the programme's places do not bind), None
    when that level was not proven by duals, the engine has none, or the programme has no limit.
    Local: it holds while the LP's basis does; the exact step is ``allocator marginal``'s.
    """

    programme_id: str
    name: str
    placed: int
    spend: float
    quota: int | None
    budget: float | None
    lp_dual: float | None = None


@dataclass(frozen=True)
class RunWarning:
    """A warning the run went on despite (the round's and the weights' scaling), in both languages."""

    code: str
    file: str | None
    row: int | None
    column: str | None
    en: str
    ru: str

    def text(self, lang: str) -> str:
        """The message in ``lang`` (ru or en)."""
        return self.ru if lang == "ru" else self.en


@dataclass(frozen=True)
class ModelSize:
    """Size of the solved model: allowed pairs, variables (flow: arcs) and rows (flow: nodes)."""

    pairs: int
    variables: int
    constraints: int


@dataclass(frozen=True)
class Solution:
    """A solved round: the three tables and the typed figures ``summary.json`` is written from.

    ``==`` compares the figures, not the tables. ``checks`` lists the rules of the round the
    solution breaks (:mod:`allocator.check`); a returned solution has none.
    """

    assignments: pd.DataFrame = field(compare=False, repr=False)
    unplaced: pd.DataFrame = field(compare=False, repr=False)
    deficits: pd.DataFrame = field(compare=False, repr=False)
    status: Status
    solver: str
    gap: float | None
    levels: tuple[Level, ...]
    total_km: float
    obligated_total: int
    graduates_total: int
    placed_total: int
    placed_by_funding: dict
    vacancies_total: int
    weighted_deficit_before: float
    programmes: tuple[ProgrammeUse, ...]
    unplaced_by_reason: dict
    warnings: tuple[RunWarning, ...]
    model_size: ModelSize
    scenario: dict
    timings: dict  # seconds by stage (build, each level solved, total), rounded to ms
    input_hash: str
    checks: tuple[str, ...] = ()
    # issue 13: None for a round without preferences (and, for offered, for the assign mechanism)
    blocking_pairs: int | None = None
    choice_ranks: dict | None = None
    offered: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    # the menu mechanism's proof: status, gap, each level's value, bound and seconds, the model's size
    menu: dict | None = None

    def level(self, name: str) -> Level:
        """The level ``name`` (obligated, deficit or km)."""
        return next(lv for lv in self.levels if lv.name == name)

    @property
    def obligated_placed(self) -> int:
        """Level 1: obligated graduates placed."""
        return int(self.level("obligated").value)

    @property
    def weighted_deficit(self) -> float:
        """Level 2: the weighted deficit after the round."""
        return self.level("deficit").value

    @property
    def km_objective(self) -> float:
        """Level 3: total km as optimised."""
        return self.level("km").value

    @property
    def summary(self) -> dict:
        """The figures as ``summary.json`` holds them (the keys of schema 0, plus schema_version,
        levels and checks)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "status": str(self.status),
            "solver": self.solver,
            "gap": self.gap,
            "objective": {LEVEL_KEYS[lv.name]: lv.value for lv in self.levels},
            "levels": [{"name": lv.name, "value": lv.value, "status": None if lv.status is None else str(lv.status),
                        "method": lv.method} for lv in self.levels],
            "total_km": self.total_km,
            "obligated_total": self.obligated_total,
            "graduates_total": self.graduates_total,
            "placed_total": self.placed_total,
            "placed_by_funding": dict(self.placed_by_funding),
            "vacancies_total": self.vacancies_total,
            "weighted_deficit_before": self.weighted_deficit_before,
            "programmes": [asdict(p) for p in self.programmes],
            "unplaced_by_reason": dict(self.unplaced_by_reason),
            "warnings": [asdict(w) for w in self.warnings],
            "model": {"pairs": self.model_size.pairs, "variables": self.model_size.variables,
                      "constraints": self.model_size.constraints},
            "scenario": self.scenario,
            "wall_time_s": dict(self.timings),
            "input_hash": self.input_hash,
            "checks": {"broken_rules": list(self.checks)},
            **({} if self.blocking_pairs is None else {"blocking_pairs": self.blocking_pairs}),
            **({} if self.choice_ranks is None else {"choice_ranks": dict(self.choice_ranks)}),
            **({} if self.menu is None else {"menu": self.menu}),
        }

    @classmethod
    def from_summary(cls, summary: dict, assignments: pd.DataFrame, unplaced: pd.DataFrame,
                     deficits: pd.DataFrame) -> Solution:
        """The solution a ``summary`` (as :attr:`summary` wrote it, or of schema 0) and tables describe."""
        objective = summary["objective"]
        if "levels" in summary:
            levels = tuple(Level(lv["name"], lv["value"], None if lv["status"] is None else Status(lv["status"]),
                                 lv["method"]) for lv in summary["levels"])
        else:  # schema 0: the values only
            levels = tuple(Level(name, objective[key]) for name, key in LEVEL_KEYS.items() if key in objective)
        model = summary["model"]
        return cls(
            assignments=assignments, unplaced=unplaced, deficits=deficits,
            status=Status(summary["status"]), solver=summary["solver"], gap=summary.get("gap"), levels=levels,
            total_km=summary["total_km"], obligated_total=summary["obligated_total"],
            graduates_total=summary["graduates_total"], placed_total=summary["placed_total"],
            placed_by_funding=dict(summary["placed_by_funding"]), vacancies_total=summary["vacancies_total"],
            weighted_deficit_before=summary["weighted_deficit_before"],
            programmes=tuple(ProgrammeUse(**p) for p in summary["programmes"]),
            unplaced_by_reason=dict(summary["unplaced_by_reason"]),
            warnings=tuple(RunWarning(**w) for w in summary.get("warnings", [])),
            model_size=ModelSize(model["pairs"], model["variables"], model["constraints"]),
            scenario=summary["scenario"], timings=dict(summary["wall_time_s"]), input_hash=summary["input_hash"],
            checks=tuple(summary.get("checks", {}).get("broken_rules", ())),
            blocking_pairs=summary.get("blocking_pairs"), choice_ranks=summary.get("choice_ranks"),
            menu=summary.get("menu"),
        )


def deficit_penalty(remaining, vacancies, weight, diminishing_returns: bool) -> np.ndarray:
    """Per-cell weighted remaining deficit: w*d, or w*d(d+1)/(2N) with diminishing returns."""
    remaining = np.asarray(remaining, dtype=float)
    weight = np.asarray(weight, dtype=float)
    if not diminishing_returns:
        return weight * remaining
    n = np.maximum(np.asarray(vacancies, dtype=float), 1.0)
    return weight * remaining * (remaining + 1) / (2 * n)


def _with_terms(round_: Round, chosen: pd.DataFrame) -> pd.DataFrame:
    """The placements' programme terms: ``tier`` (remote or standard, with a programme; None
    without), ``payment_total`` (every year's payment of the programme at the tier, exact decimals
    summed) and ``service_until`` (the round's year plus the longest service owed: the scenario's
    years for the graduate's funding, the paying programme's service_years; missing without a year
    or any service)."""
    out = chosen.copy()
    remote = out["remote"].to_numpy(bool) if "remote" in out else np.zeros(len(out), bool)
    prog = out["programme_id"].to_numpy(object)
    has = pd.notna(prog)
    out["tier"] = np.where(has, np.where(remote, "remote", "standard"), None).astype(object)
    money = money_by_year(round_.programmes, round_.instalments)
    total = [Decimal(0)] * len(out)
    for year in sorted(set(money["year"])):  # summed in the typed decimals
        total = [t + exact_money(x) for t, x in zip(total, pair_payments(prog, remote, money, year))]
    out["payment_total"] = np.array([float(t) for t in total], dtype=float)
    year = round_.scenario.year
    funding = out["graduate_id"].map(round_.graduates.set_index("graduate_id")["funding"])
    owed = funding.map(dict(round_.scenario.service_years)).astype(float).to_numpy()
    years = round_.programmes.set_index("programme_id")["service_years"] if "service_years" in round_.programmes \
        else pd.Series(dtype=float)
    by_programme = pd.Series(prog, dtype=object).map(years).astype(float).to_numpy()
    longest = np.fmax(owed, by_programme)
    out["service_until"] = pd.array(np.where(np.isnan(longest) | (year is None), np.nan,
                                             (year or 0) + np.nan_to_num(longest)), dtype="Float64").astype("Int64")
    return out


def make_solution(round_: Round, pairs: Pairs, size: ModelSize, chosen: pd.DataFrame, *, status: Status,
                  gap: float | None, timings: dict, km_objective: float | None,
                  level_states: dict | None = None, lp_duals: dict | None = None,
                  offered: pd.DataFrame | None = None) -> Solution:
    """Frames and figures of the chosen pairs (rows of ``pairs.table``, one per placed graduate).

    ``km_objective`` is level 3 as optimised (km rounded to whole metres per placement,
    see :mod:`allocator.model`), identical across solvers at the optimum;
    ``total_km`` is the exact sum of the assignments' km (also used for level 3
    when it was not reached). ``level_states``: level name -> (status, method) as the
    driver saw it (:func:`allocator.solve.level_states`). ``lp_duals``: programme_id -> the
    deficit one more place removes by the deficit level's LP duals (:class:`ProgrammeUse`).
    ``offered``: the posts offered (facility_id, specialty, offered), kept on the solution and
    audited against (the vacancies when None).
    """
    chosen = chosen.copy()
    chosen["km"] = chosen["km"].round(3)
    chosen["payment"] = chosen["payment"].astype(float)
    chosen = _with_terms(round_, chosen)
    assignments = chosen[ASSIGNMENT_COLUMNS].sort_values("graduate_id", kind="mergesort").reset_index(drop=True)
    prefs = round_.preferences
    with_prefs = prefs is not None and not prefs.empty
    if with_prefs:  # the rank on the graduate's list of the post they got (empty: not listed)
        assignments["choice_rank"] = choice_ranks(prefs, assignments)

    cells = deficit_cells(round_)
    placed = assignments.groupby(["region_id", "specialty"]).size().rename("placed")
    deficits = cells.merge(placed, on=["region_id", "specialty"], how="left")
    deficits["placed"] = deficits["placed"].fillna(0).astype(int)
    deficits["remaining"] = deficits["vacancies"] - deficits["placed"]
    basis = round_.regions.set_index("region_id")["weight_basis"]
    deficits["weight_basis"] = deficits["region_id"].map(basis)  # where each weight came from
    deficits = deficits[["region_id", "specialty", "vacancies", "placed", "remaining", "weight", "weight_basis"]]

    unplaced = unplaced_reasons(round_, pairs, assignments)
    total_km = float(assignments["km"].sum())
    dr = round_.scenario.diminishing_returns
    before = deficit_penalty(deficits["vacancies"], deficits["vacancies"], deficits["weight"], dr).sum()
    after = deficit_penalty(deficits["remaining"], deficits["vacancies"], deficits["weight"], dr).sum()
    grads = round_.graduates
    obligated = grads["funding"].isin(OBLIGATED) & available_mask(grads)  # exempt and deferred owe nothing now
    placed = pd.Index(assignments["graduate_id"]).get_indexer(grads["graduate_id"]) >= 0

    programmes = []
    for prog in round_.programmes.sort_values("programme_id").itertuples(index=False):
        used = assignments[assignments["programme_id"] == prog.programme_id]
        programmes.append(ProgrammeUse(
            programme_id=prog.programme_id,
            name=prog.name,
            placed=len(used),
            spend=float(exact_spend(used["payment"])),  # exact: counted in the typed decimals
            quota=None if pd.isna(prog.quota) else int(prog.quota),
            budget=None if pd.isna(prog.budget) else float(exact_money(prog.budget)),
            lp_dual=(lp_duals or {}).get(prog.programme_id),
        ))

    values = {
        "obligated": int((placed & obligated.to_numpy()).sum()),
        "deficit": round(float(after), 6),
        "km": round(total_km if km_objective is None else float(km_objective), 3),
    }
    states = level_states or {}
    levels = tuple(Level(name, value, *states.get(name, (None, None))) for name, value in values.items())
    return Solution(
        assignments=assignments, unplaced=unplaced, deficits=deficits,
        status=Status(status),
        solver=round_.scenario.solver,
        gap=None if gap is None else float(gap),
        levels=levels,
        total_km=round(total_km, 3),
        obligated_total=int(obligated.sum()),
        graduates_total=len(grads),
        placed_total=len(assignments),
        placed_by_funding={f: int((placed & (grads["funding"] == f).to_numpy()).sum())
                           for f in ("grant", "targeted", "paid")},
        vacancies_total=int(deficits["vacancies"].sum()),
        weighted_deficit_before=round(float(before), 6),
        programmes=tuple(programmes),
        unplaced_by_reason={k: int(v) for k, v in unplaced["reason"].value_counts().sort_index().items()},
        warnings=tuple(_warning(p) for p in run_warnings(round_, deficits)),
        model_size=ModelSize(pairs.n_pairs, int(size.variables), int(size.constraints)),
        scenario=round_.scenario.as_dict(),
        timings={k: round(v, 3) for k, v in timings.items()},
        input_hash=round_.input_hash(),
        blocking_pairs=len(blocking_pairs(round_, assignments, offered)) if with_prefs else None,
        choice_ranks=rank_distribution(prefs, assignments, round_.graduates) if with_prefs else None,
        offered=offered,
    )


def run_warnings(round_: Round, deficits: pd.DataFrame) -> list[Problem]:
    """The round's own warnings and what the scaling of its weights loses (allocator.scaling)."""
    out = list(round_.warnings)
    live = deficits.loc[deficits["vacancies"] > 0, "weight"]
    for item in weight_warnings(live):
        code = "weights_merged" if item["kind"] == "merged" else "weights_lifted"
        shown = ", ".join(f"{w:g}" for w in item["weights"][:6]) + (" ..." if len(item["weights"]) > 6 else "")
        out.append(Problem.of("regions", None, "weight", code, weights=shown))
    return out


def _warning(problem: Problem) -> RunWarning:
    return RunWarning(code=problem.code, file=problem.file, row=problem.row, column=problem.column,
                      en=problem.message, ru=problem.message_ru)
