"""Sites, processes and employees as a file names them (code or name) → ids, loaded once per import.

Why in memory: resolving a million attendance rows by query would be a million round trips; the masters
are small (tens of thousands of employees at most). An employee name is accepted only when it is unique.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from services.dataio.kinds import normalise_header

AMBIGUOUS = -1


@dataclass
class Refs:
    locations: dict[str, int] = field(default_factory=dict)
    processes: dict[str, int] = field(default_factory=dict)
    employees: dict[str, int] = field(default_factory=dict)
    employee_location: dict[int, int] = field(default_factory=dict)
    location_names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, cur) -> "Refs":
        refs = cls()
        cur.execute("SELECT location_id, location_code, location_name FROM locations")
        for lid, code, name in cur.fetchall():
            refs.locations[_k(code)] = lid
            refs.locations[_k(name)] = lid
            refs.location_names[lid] = name
        cur.execute("SELECT process_id, process_code, process_name FROM processes")
        for pid, code, name in cur.fetchall():
            refs.processes[_k(code)] = pid
            refs.processes[_k(name)] = pid
        cur.execute("SELECT employee_id, employee_code, employee_name, location_id FROM employees")
        by_name: dict[str, int] = {}
        codes: dict[str, int] = {}
        for eid, code, name, lid in cur.fetchall():
            codes[code] = eid
            codes.setdefault(_k(code), eid)
            key = _k(name)
            by_name[key] = AMBIGUOUS if key in by_name else eid
            refs.employee_location[eid] = lid
        refs.employees = {**by_name, **codes}  # a code always wins over a name
        return refs

    def lookup(self, ref: str, value: str) -> int | None:
        """The id, None when unknown, AMBIGUOUS for a name two employees share."""
        table = {"employee": self.employees, "location": self.locations, "process": self.processes}[ref]
        found = table.get(value)
        return found if found is not None else table.get(_k(value))


def _k(text: str) -> str:
    return normalise_header(text)


REF_LABELS = {"employee": "従業員", "location": "拠点", "process": "工程"}
