"""Header row → which cell fills which column of a kind, and the row converter built from it.

Why compiled once per file: the converter runs a million times for a large attendance file, so the
column lookups and the choice of converter per cell are decided here, not per row.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from services.common.errors import InvalidArgument
from services.dataio.kinds import KINDS, Field, Kind, normalise_header
from services.dataio.refs import AMBIGUOUS, REF_LABELS, Refs
from services.dataio.values import BadValue

MAX_UNKNOWN_PER_REF = 50


@dataclass
class RowErrors:
    """Bad cells of one file: the first `cap` in full, the rest counted."""

    cap: int = 200
    items: list[dict] = field(default_factory=list)
    bad_rows: int = 0
    unknown: dict[str, set] = field(default_factory=dict)

    def add(self, line: int, column: str, value, message: str) -> None:
        if len(self.items) < self.cap:
            shown = "" if value is None else str(value)
            self.items.append({"line": line, "column": column, "value": shown[:100],
                               "message": f"{line}行目 {column}: {message}"})


@dataclass
class Plan:
    kind: Kind
    slots: list[tuple]                 # per staging column: (mode, cell index, field)
    ignored: list[str]                 # header cells no field claimed
    text_columns: frozenset[int]       # staging positions holding free text (TSV-escaped)


def build_plan(kind: Kind, header: list[str]) -> Plan:
    wanted: dict[str, Field] = {}
    for f in kind.fields:
        for h in f.headers():
            wanted.setdefault(normalise_header(h), f)
    index: dict[str, int] = {}
    ignored: list[str] = []
    for i, h in enumerate(header):
        f = wanted.get(normalise_header(h))
        if f is None or f.column in index:
            if str(h).strip():
                ignored.append(str(h))
            continue
        index[f.column] = i
    missing = [f for f in kind.fields if f.required and f.column not in index]
    if missing:
        names = "、".join(f"{f.name}（{f.english}）" for f in missing)
        guess = guess_kind(header)
        hint = f"このファイルは「{KINDS[guess].label}」（{guess}）のようです。" if guess and guess != kind.name else ""
        raise InvalidArgument(f"「{kind.label}」の必須の列がありません: {names}。{hint}"
                              "見出し行の列名を docs/imports.md の対応表に合わせてください。何も取り込んでいません")
    slots: list[tuple] = []
    text_cols: set[int] = set()
    by_column = {f.column: f for f in kind.fields}
    for pos, column in enumerate(kind.columns):
        f = by_column.get(column)
        if column in kind.constant:
            slots.append(("const", kind.constant[column], None))
        elif f is None:  # derived location_id
            slots.append(("derived", -1, None))
        elif column in index:
            slots.append(("ref" if f.ref else "cell", index[column], f))
        elif f.ref:  # optional ref left out (daily_assignments 拠点): from the employee
            slots.append(("derived", -1, f))
        else:
            slots.append(("default", f.default, f))
        if f is not None and not f.ref and getattr(f.convert, "free_text", False):
            text_cols.add(pos)
    return Plan(kind, slots, ignored, frozenset(text_cols))


def guess_kind(header: list[str]) -> str:
    """The kind whose required headers the file matches best (for a 'wrong kind' hint)."""
    norm = {normalise_header(h) for h in header}
    best, score = "", 0.0
    for name, kind in KINDS.items():
        req = [f for f in kind.fields if f.required]
        hit = sum(1 for f in req if any(normalise_header(h) in norm for h in f.headers()))
        if req and hit / len(req) > score:
            best, score = name, hit / len(req)
    return best if score >= 0.5 else ""


MEMO_LIMIT = 20_000  # distinct raw values remembered per column (dates, statuses, hours repeat a lot)


def row_converter(plan: Plan, refs: Refs, errors: RowErrors):
    """cells → staging list (strings / None), or None when the row is bad (errors recorded).

    Hot loop of a million-row import: each column remembers the conversions of the raw values it has
    seen (bounded), so a typical attendance cell costs one dict lookup instead of a parse.
    """
    kind = plan.kind
    tables = {"employee": refs.employees, "location": refs.locations, "process": refs.processes}
    slots = []
    for mode, arg, f in plan.slots:
        memo: dict = {}
        if mode == "ref":
            memo = {k: str(v) for k, v in tables[f.ref].items() if v != AMBIGUOUS}
        slots.append((mode, arg, f, memo))
    derived_location = kind.derived_location
    emp_loc = {str(k): str(v) for k, v in refs.employee_location.items()}
    checks = CHECKS.get(kind.name)
    positions = {c: i for i, c in enumerate(kind.columns)}
    loc_pos = positions.get("location_id")
    emp_pos = positions.get("employee_id")

    def convert(line: int, cells: list):
        out: list = []
        append = out.append
        bad = False
        n = len(cells)
        for mode, arg, f, memo in slots:
            if mode == "cell":
                raw = cells[arg] if arg < n else ""
                hit = memo.get(raw)
                if hit is not None:
                    append(hit)
                    continue
                if raw == "" or (isinstance(raw, str) and not raw.strip()):
                    if f.required:
                        errors.add(line, f.name, raw, "必須です（空欄）")
                        bad = True
                    append(f.default)
                    continue
                try:
                    value = f.convert(raw)
                except BadValue as exc:
                    errors.add(line, f.name, raw, str(exc))
                    bad = True
                    append(None)
                    continue
                if len(memo) < MEMO_LIMIT:
                    memo[raw] = value
                append(value)
            elif mode == "ref":
                raw = cells[arg] if arg < n else ""
                hit = memo.get(raw) if isinstance(raw, str) else None
                if hit is not None:
                    append(hit)
                    continue
                append(_resolve_ref(line, f, raw, refs, errors))
                if out[-1] is None and (f.required or (str(raw).strip() if raw is not None else "")):
                    bad = True
            elif mode == "derived":
                append(None)  # filled below once the employee is known
            else:  # const / default
                append(arg)
        if bad:
            errors.bad_rows += 1
            return None
        if derived_location and out[loc_pos] is None:
            out[loc_pos] = emp_loc[out[emp_pos]]
        if checks:
            for column, message in checks(out, positions):
                errors.add(line, column, None, message)
                bad = True
            if bad:
                errors.bad_rows += 1
                return None
        return out

    return convert


def _resolve_ref(line: int, f: Field, raw, refs: Refs, errors: RowErrors) -> str | None:
    """The slow path of a reference (not an exact code or name): normalised lookup, errors, unknowns."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # an Excel number cell holding a code such as 1001
    value = raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw))
    if not value:
        if f.required:
            errors.add(line, f.name, raw, "必須です（空欄）")
        return None
    found = refs.lookup(f.ref, value)
    if found is None:
        label = REF_LABELS[f.ref]
        unknown = errors.unknown.setdefault(label, set())
        if len(unknown) < MAX_UNKNOWN_PER_REF:
            unknown.add(value)
        errors.add(line, f.name, value, f"{label}「{value}」は登録されていません（先に{label}マスタを取り込んでください）")
        return None
    if found == AMBIGUOUS:
        errors.add(line, f.name, value, f"同じ名前の従業員が複数います。{f.name}は従業員コードで指定してください")
        return None
    return str(found)


def _attendance_checks(out, pos):
    actual, overtime = float(out[pos["actual_hours"]]), float(out[pos["overtime_hours"]])
    if overtime > actual:
        yield "残業時間", f"{out[pos['overtime_hours']]} が実働時間 {out[pos['actual_hours']]} を超えています"


def _productivity_checks(out, pos):
    worked, overtime = float(out[pos["hours_worked"]]), float(out[pos["overtime_hours"]])
    if overtime > worked:
        yield "残業時間", f"{out[pos['overtime_hours']]} が作業時間 {out[pos['hours_worked']]} を超えています"


def _forecast_checks(out, pos):
    low, high = out[pos["lower_units"]], out[pos["upper_units"]]
    if low is not None and high is not None and float(low) > float(high):
        yield "下限", f"{low} が上限 {high} を超えています"


CHECKS = {"attendance": _attendance_checks, "productivity": _productivity_checks,
          "workload_forecasts": _forecast_checks}
