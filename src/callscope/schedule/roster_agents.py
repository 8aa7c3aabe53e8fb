"""The agents file of ``callscope roster build``: who to roster, with their own terms.

A CSV or a YAML file lists the agents; every key of a contracts ``[agent."ID"]`` table
(:mod:`.roster_contracts`) may be given per agent. Only ``agent`` is required.

**CSV**, one row per agent; a list cell separates its items with ``|``::

    agent,team,max_hours_per_week,min_hours_per_week,max_consecutive_days,min_rest,shifts,days_off,requests
    ann,Sales,40,32,5,11h,early|late,sun,2025-01-07 late 3|2025-01-10 off
    bob,Sales,20,,,,early,sat|sun|2025-01-08,

Columns: ``agent`` (the id, as in the store's ``agents`` and ``agent_states``),
``team``, the numbers ``max_hours_per_week, min_hours_per_week, max_consecutive_days,
min_consecutive_days, min_consecutive_days_off, max_weekends``, ``min_rest`` (a
duration, ``11h``), ``shifts`` (the templates the agent may work: their skills),
``max_shifts_per_week`` (``late=3|night=1``), ``days_off`` (weekdays, dates,
``2025-01-13..2025-01-17``), ``time_off`` (``2025-01-07 08:00..2025-01-07 12:00``) and
``requests``: ``DATE SHIFT [WEIGHT]`` to work a shift of that template, ``DATE off
[WEIGHT]`` for the day off, ``DATE not SHIFT [WEIGHT]`` for anything but that template.
An empty cell is "as the contracts file says".

**YAML**, a list of agents (or ``agents:`` holding one), each a mapping of the same
keys, lists as YAML lists and requests as mappings::

    - agent: ann
      team: Sales
      max_hours_per_week: 40
      days_off: [sun, 2025-01-08]
      time_off: [{from: "2025-01-07 08:00", to: "2025-01-07 12:00"}]
      requests:
        - {date: 2025-01-07, shift: late, weight: 3}
        - {date: 2025-01-10, off: true}

A mistake is one line naming the file, the line (the agent's row or the start of its
YAML entry), the key and the fix.

>>> f = read_agents_file("agent,team,max_hours_per_week,days_off\\na,x,30,sat|sun\\n", "a.csv")
>>> f.agents, f.tables["a"]["max_hours_per_week"], len(f.tables["a"]["days_off"])
((('a', 'x'),), 30.0, 2)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from callscope.errors import CallscopeError
from callscope.schedule.roster_contracts import (
    _AGENT_KEYS,
    _NUMBERS,
    ContractFile,
    _table,
    yaml_loader,
)

__all__ = ["AgentsFile", "read_agents_file"]

_COLUMNS = ("agent", "team", *_AGENT_KEYS)


def _err(where: str, msg: str) -> CallscopeError:
    return CallscopeError(f"{where}: {msg}", field="agents")


@dataclass(frozen=True)
class AgentsFile:
    """The agents of a file, ``(id, team)`` in file order, and each agent's checked
    contract table (the keys their row or entry gave)."""

    agents: tuple[tuple[str, str | None], ...]
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)
    where: str = "agents"

    def check(self, templates: Sequence[str]) -> None:
        """Refuse, in one line, a template name (in ``shifts``, ``max_shifts_per_week``
        or a request) that the shifts file does not have."""
        names = set(templates)
        for aid, tab in self.tables.items():
            used = list(tab.get("shifts", None) or [])
            used += list(tab.get("max_shifts_per_week", {}) or {})
            used += [r.shift for r in tab.get("requests", ()) if r.shift != "*"]
            for n in used:
                if n not in names:
                    raise _err(
                        f"{self.where} line {self.lines[aid]}",
                        f"no shift template {n!r} in the shifts file "
                        f"(templates: {', '.join(templates)})",
                    )

    def merged_into(self, contracts: ContractFile) -> ContractFile:
        """``contracts`` with each agent's table of this file applied before the
        contracts file's own ``[agent."ID"]`` table (that one has the last word; lists
        add up)."""
        agents: dict[str, Mapping[str, Any]] = {}
        for aid, tab in self.tables.items():
            later = contracts.agents.get(aid, {})
            both = dict(tab)
            for k, v in later.items():
                if k in ("days_off", "time_off", "requests") and k in both:
                    both[k] = tuple(both[k]) + tuple(v)
                elif k == "max_shifts_per_week" and k in both:
                    both[k] = {**both[k], **v}
                else:
                    both[k] = v
            agents[aid] = both
        for aid, tab in contracts.agents.items():
            agents.setdefault(aid, tab)
        where = self.where if not contracts.where else f"{contracts.where} with {self.where}"
        return ContractFile(contracts.weights, contracts.default, contracts.teams, agents, where)


def read_agents_file(
    text: str, where: str, *, yaml_syntax: bool = False, request_weight: int = 10
) -> AgentsFile:
    """The agents file ``where`` from its text (CSV, or YAML when ``yaml_syntax``;
    module docstring); ``request_weight`` is a request's weight when it gives none.
    Raises :class:`CallscopeError` naming the line and the key."""
    entries = _yaml_entries(text, where) if yaml_syntax else _csv_entries(text, where)
    if not entries:
        raise _err(where, "no agents; give one row (or entry) per agent with its id in 'agent'")
    agents: list[tuple[str, str | None]] = []
    tables: dict[str, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    for line, raw in entries:
        at = f"{where} line {line}"
        aid = raw.pop("agent", None)
        if aid is None or str(aid).strip() == "":
            raise _err(at, "no agent id; fill the 'agent' column (or key)")
        aid = str(aid).strip()
        if aid in first_line:
            raise _err(at, f"agent {aid!r} again (first on line {first_line[aid]}); list once")
        first_line[aid] = line
        team = raw.pop("team", None)
        team = None if team is None or str(team).strip() == "" else str(team).strip()
        for k in raw:
            if k not in _COLUMNS:
                raise _err(at, f"unknown key {k!r}; known: {', '.join(_COLUMNS)}")
        try:
            tables[aid] = _table(raw, at, agent=True, weight=request_weight)
        except CallscopeError as e:
            e.field = "agents"
            raise
        agents.append((aid, team))
    return AgentsFile(tuple(agents), tables, first_line, where)


def _csv_entries(text: str, where: str) -> list[tuple[int, dict[str, Any]]]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise _err(where, "the file is empty; the first line names the columns: agent,team,...")
    header = [h.strip().lower() for h in rows[0]]
    if "agent" not in header:
        raise _err(
            f"{where} line 1",
            f"no column 'agent' (columns: {', '.join(h for h in header if h)}); "
            "the first line names the columns, e.g. agent,team,max_hours_per_week",
        )
    for h in header:
        if h and h not in _COLUMNS:
            raise _err(f"{where} line 1", f"unknown column {h!r}; known: {', '.join(_COLUMNS)}")
    out = []
    for i, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            raise _err(
                f"{where} line {i}",
                f"{len(row)} cells for {len(header)} columns; quote a cell holding a comma",
            )
        raw: dict[str, Any] = {}
        for h, cell in zip(header, row, strict=False):
            cell = cell.strip()
            if not h or cell == "":
                continue
            raw[h] = _cell(h, cell, f"{where} line {i}")
        out.append((i, raw))
    return out


def _cell(key: str, cell: str, at: str) -> Any:
    """A CSV cell as the value a contracts table holds for ``key``."""
    if key in ("agent", "team", "min_rest"):
        return cell
    if key in _NUMBERS:
        try:
            return float(cell) if "." in cell else int(cell)
        except ValueError:
            return cell  # the table check names it
    items = [x.strip() for x in cell.split("|") if x.strip()]
    if key in ("shifts", "days_off"):
        return items
    if key == "max_shifts_per_week":
        caps: dict[str, Any] = {}
        for x in items:
            name, eq, n = x.partition("=")
            if not eq:
                raise _err(at, f"max_shifts_per_week: {x!r}; write TEMPLATE=N, e.g. late=3")
            caps[name.strip()] = _cell("max_hours_per_week", n.strip(), at)
        return caps
    if key == "time_off":
        spans = []
        for x in items:
            a, dots, b = x.partition("..")
            if not dots:
                raise _err(at, f"time_off: {x!r}; write 2025-01-07 08:00..2025-01-07 12:00")
            spans.append({"from": a.strip(), "to": b.strip()})
        return spans
    reqs = []
    for x in items:  # requests
        words = x.split()
        hint = "write DATE SHIFT [WEIGHT], DATE off [WEIGHT] or DATE not SHIFT [WEIGHT]"
        if len(words) < 2:
            raise _err(at, f"requests: {x!r}; {hint}")
        req: dict[str, Any] = {"date": words[0]}
        rest = words[1:]
        if rest[0].lower() == "off":
            req["off"] = True
            rest = rest[1:]
        elif rest[0].lower() == "not":
            if len(rest) < 2:
                raise _err(at, f"requests: {x!r}; {hint}")
            req.update(off=True, shift=rest[1])
            rest = rest[2:]
        else:
            req["shift"] = rest[0]
            rest = rest[1:]
        if len(rest) > 1:
            raise _err(at, f"requests: {x!r}; {hint}")
        if rest:
            req["weight"] = _cell("max_weekends", rest[0], at)
        reqs.append(req)
    return reqs


def _yaml_entries(text: str, where: str) -> list[tuple[int, dict[str, Any]]]:
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml_loader())  # noqa: S506
        data = yaml.load(text, Loader=yaml_loader())  # noqa: S506
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or "not valid YAML"
        raise _err(f"{where}{line}", f"{problem}; write a list of agents (- agent: ID)") from None
    if isinstance(data, dict) and set(data) == {"agents"}:
        data = data["agents"]
        assert isinstance(root, yaml.MappingNode)
        root = root.value[0][1]
    if data is None:
        return []
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise _err(where, "write a list of agents: - agent: ID (one entry per agent)")
    out = []
    for node, item in zip(root.value, data, strict=True):
        line = node.start_mark.line + 1
        if not isinstance(item, dict):
            raise _err(f"{where} line {line}", "each entry is a mapping: - agent: ID")
        out.append((line, {str(k).strip().lower(): v for k, v in item.items()}))
    return out
