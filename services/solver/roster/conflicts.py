"""Why a roster request is infeasible: the smallest set of rules and pinned cells that cannot all hold.

HiGHS reports only "infeasible", which a site manager cannot act on. So the model is rebuilt elastic
(model.build(elastic=True): every hard row tagged with its rule group = rule, person, first day), each
grouped row gets a slack, each group a binary switch that allows its slacks, and a MIP minimises the
weighted number of switched groups (relax-and-report). Two solves name both sides of the conflict:
1. pinned cells (指定勤務 / 指定休, the manager's inputs) cost 1 and rules 10: the fewest pins to drop;
2. pins may not be relaxed: the fewest rules (law, contract, leave) those pins run into.
A minimum-cardinality relaxation is a smallest conflicting set in the sense a manager needs ("drop one of
these, or these rules would have to bend"); it is not an enumeration of every IIS.
"""
from __future__ import annotations

import datetime as dt

import highspy
import numpy as np

from services.solver.roster.model import build
from services.solver.roster.spec import RosterSpec

PINS = ("指定勤務", "指定休")
PER_DAY = ("休暇・休日", "担当できない勤務", "指定勤務", "指定休")
# the law or contract behind each rule group, for the manager's reading
SOURCES = {
    "週休・契約日数": "労働基準法35条（週1日の休日）・雇用契約（週の勤務日数）",
    "週40時間": "労働基準法32条（週40時間）",
    "4週4休": "労働基準法35条2項（4週4休）",
    "36協定": "36協定（残業の上限）",
    "勤務間インターバル": "勤務間インターバル（終業から次の始業までの休息）",
    "連続勤務日数の上限": "就業規則（連続勤務日数の上限）",
    "休暇・休日": "労働基準法39条・承認済みの休み（有給休暇・希望休）",
    "担当できない勤務": "雇用契約・資格（担当できる勤務種別）",
}


def _relax(model, weight_of, time_limit: float) -> list[tuple] | None:
    """Groups switched on in a min-weight relaxation; None when even that finds nothing in time."""
    lp = model.lp
    groups = sorted({g for g in model.row_groups if g is not None}, key=str)
    gi = {g: i for i, g in enumerate(groups)}
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", time_limit)
    h.passModel(lp)
    n0 = lp.num_col_
    h.changeColsCost(n0, np.arange(n0, dtype=np.int32), np.zeros(n0))
    h.changeObjectiveOffset(0.0)
    # one binary switch per group
    nz = len(groups)
    h.addCols(nz, np.array([weight_of(g) for g in groups], float), np.zeros(nz), np.ones(nz), 0,
              np.zeros(nz, dtype=np.int32), np.array([], dtype=np.int32), np.array([]))
    h.changeColsIntegrality(nz, np.arange(n0, n0 + nz, dtype=np.int32),
                            np.array([highspy.HighsVarType.kInteger] * nz))
    starts = np.asarray(lp.a_matrix_.start_)
    values = np.asarray(lp.a_matrix_.value_)
    lo, hi = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    next_col = n0 + nz
    for r, g in enumerate(model.row_groups):
        if g is None:
            continue
        big = float(np.abs(values[starts[r]:starts[r + 1]]).sum() + max(abs(lo[r]) if lo[r] > -1e20 else 0,
                                                                          abs(hi[r]) if hi[r] < 1e20 else 0))
        for sign, finite in ((1.0, lo[r] > -1e20), (-1.0, hi[r] < 1e20)):
            if not finite:
                continue
            # slack column in row r, tiny cost so the relaxation stays as small as the switches allow
            h.addCols(1, np.array([1e-3]), np.array([0.0]), np.array([big]), 1, np.array([0], dtype=np.int32),
                      np.array([r], dtype=np.int32), np.array([sign]))
            h.addRows(1, np.array([-highspy.kHighsInf]), np.array([0.0]), 2, np.array([0], dtype=np.int32),
                      np.array([next_col, n0 + gi[g]], dtype=np.int32), np.array([1.0, -big]))
            next_col += 1
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None
    x = h.getSolution().col_value
    return [g for g in groups if x[n0 + gi[g]] > 0.5]


def explain(spec: RosterSpec, names: list[str], dates: list[dt.date], shift_names: dict[str, str],
            time_limit: float = 5.0) -> list[str]:
    """Japanese lines naming the conflicting pins and rules; [] when the hard rules can all hold."""
    model = build(spec, elastic=True)
    pins = _relax(model, lambda g: 1.0 if g[0] in PINS else 10.0, time_limit)
    if not pins:
        return []
    rules = _relax(model, lambda g: 1e4 if g[0] in PINS else 1.0, time_limit) or []
    rules = [g for g in rules if g[0] not in PINS]

    def day(d: int | None) -> str:
        return "" if d is None else f"{dates[d]:%m/%d}({'月火水木金土日'[dates[d].weekday()]})"

    def where(g: tuple) -> str:
        label, e, d = g
        if label in PER_DAY or d is None:
            return f"{names[e]}さん {day(d)}".rstrip()
        if label == "勤務間インターバル":
            return f"{names[e]}さん {day(d)}→{day(d + 1) if d + 1 < len(dates) else ''}"
        return f"{names[e]}さん {day(d)}からの期間"

    lines = ["勤務表を作れません: 次の指定とルールが同時には満たせません。"]
    for g in (g for g in pins if g[0] in PINS):
        label, e, d = g
        fixed = spec.fixed.get((e, d))
        what = f"{shift_names.get(fixed, fixed)}の指定" if fixed else "休みの指定"
        lines.append(f"・{where(g)} の{what}")
    for g in rules:
        lines.append(f"・{SOURCES.get(g[0], g[0])}: {where(g)}")
    lines.append("対処: 上の指定のいずれかを外すか、該当者・日付の割り当てを見直してください。")
    return lines
