"""A plain-Python reference implementation of every KPI: the test oracle of the parity tests.

Independent of Ibis and of the family modules: it loops over rows (``to_pylist``)
and follows the formulas in ``KPIS.md`` and the family docstrings literally. Slow by
design; use it on small tables. Output: a list of row dicts like
:meth:`callscope.kpi.engine.KpiResult.rows`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa

from callscope.kpi.params import KpiParams
from callscope.model import NOT_OFFERED

__all__ = ["reference_kpis"]

_DIMS = {
    "accessibility": {"queue", "channel", "agent", "team"},
    "productivity": {"queue", "channel", "agent", "team"},
    "states": {"queue", "agent", "team"},
    "workforce": {"agent", "team"},
    "outcome": {"queue", "channel", "agent", "team"},
    "surveys": {"queue", "channel", "agent", "team"},
    "chat": {"channel", "agent", "team"},
    "commerce": {"agent", "team"},
    "conversion": {"queue", "channel", "agent", "team"},
}
_NEEDS = {
    "accessibility": ("contacts",),
    "productivity": ("contacts",),
    "states": ("agent_states",),
    "workforce": ("schedules",),
    "outcome": ("contacts",),
    "surveys": ("surveys",),
    "chat": ("messages",),
    "commerce": ("orders",),
    "conversion": ("contacts", "orders"),
}
# the accessibility counts (also in _COUNTS below)
_ACCESS_COUNTS = [
    "arrived",
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "timeout",
    "exit_by_key",
    "exit_empty",
    "overflow",
    "transferred_out",
    "blocked",
    "ivr_only",
    "phantom",
    "answered_within_t",
]
_COLUMNS = {
    "accessibility": [
        *_ACCESS_COUNTS,
        "service_level",
        "asa_s",
        "abandon_rate",
        "avg_time_to_abandon_s",
        "longest_wait_s",
    ],
    "productivity": [
        "handled",
        "total_talk_s",
        "avg_talk_s",
        "avg_hold_s",
        "avg_acw_s",
        "aht_s",
        "total_handle_s",
        "transfer_rate",
    ],
    "states": ["logged_in_s", "not_ready_s", "busy_s"],
    "workforce": ["scheduled_s", "scheduled_work_s", "adherence", "shrinkage"],
    "outcome": [
        "fcr_handled",
        "fcr_pending",
        "fcr",
        "repeat_rate",
        "fcr_reported_handled",
        "fcr_reported",
    ],
    "surveys": ["csat_responses", "csat", "csat_mean", "nps_responses", "nps", "fcr_survey"],
    "chat": [
        "customer_messages",
        "first_response_s",
        "avg_response_s",
        "response_rate",
        "typing_cpm",
    ],
    "commerce": ["orders", "avg_order_value", "items_per_order", "unpaid_rate"],
    "conversion": ["inquiring_customers", "conversion_rate"],
}
_COUNTS = {
    *_ACCESS_COUNTS,
    "handled",
    "total_talk_s",
    "total_handle_s",
    "logged_in_s",
    "not_ready_s",
    "busy_s",
    "scheduled_s",
    "scheduled_work_s",
    "fcr_handled",
    "fcr_pending",
    "fcr_reported_handled",
    "csat_responses",
    "nps_responses",
    "customer_messages",
    "orders",
    "inquiring_customers",
}


def _dur(start: datetime, end: datetime) -> float:
    """``end - start`` in seconds, exact to the microsecond."""
    return (end - start).total_seconds()


def _div(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _mean(xs: Iterable[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    return sum(vals) / len(vals) if vals else None


def _floor(ts: datetime, minutes: int) -> datetime:
    if minutes >= 1440:
        return datetime(ts.year, ts.month, ts.day)
    return ts.replace(minute=ts.minute // minutes * minutes, second=0, microsecond=0)


class _Keyer:
    def __init__(self, keys: Sequence[str], p: KpiParams, teams: Mapping[str, str | None]):
        self.keys, self.p, self.teams = keys, p, teams

    def __call__(self, ts: datetime, queue: Any, channel: Any, agent: Any) -> tuple:
        out: list[Any] = []
        for k in self.keys:
            if k == "month":
                out.append(date(ts.year, ts.month, 1))
            elif k == "week":
                out.append((ts - timedelta(days=ts.weekday())).date())
            elif k == "day":
                out.append(ts.date())
            elif k == "interval_start":
                out.append(_floor(ts, self.p.interval_minutes))
            elif k == "weekday":
                out.append(ts.isoweekday())
            elif k == "hour":
                out.append(ts.hour)
            elif k == "queue":
                out.append(queue)
            elif k == "channel":
                out.append(channel)
            elif k == "agent":
                out.append(agent)
            elif k == "team":
                out.append(self.teams.get(agent) if agent is not None else None)
        return tuple(out)


def _pieces(start: datetime, end: datetime, step: int | None) -> list[tuple[datetime, datetime]]:
    if end <= start:
        return []
    if step is None:
        return [(start, end)]
    out, b = [], _floor(start, step)
    while b < end:
        nb = b + timedelta(minutes=step)
        out.append((max(start, b), min(end, nb)))
        b = nb
    return out


def _merge_spans(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[list[datetime]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _states(rows: list[dict], by_queue: bool) -> list[dict]:
    groups: dict[tuple, list] = defaultdict(list)
    for r in rows:
        q = r["queue"] if by_queue else None
        groups[(r["agent"], r["state"], q)].append((r["start_ts"], r["end_ts"]))
    out = []
    for (agent, state, q), spans in groups.items():
        for s, e in _merge_spans(spans):
            out.append({"agent": agent, "state": state, "queue": q, "start_ts": s, "end_ts": e})
    return out


def _group(rows: Iterable[dict], key: Callable[[dict], tuple]) -> dict[tuple, list[dict]]:
    g: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        g[key(r)].append(r)
    return g


def _sl_t(r: dict, p: KpiParams) -> float:
    """The contact's T: the rule for its channel and queue, else for its queue, else
    for its channel, else ``sl_threshold_s`` (a null channel or queue matches none)."""
    rules = {(ch, q): t for ch, q, t in p.sl_thresholds}  # no rule is (None, None)
    ch, q = r["channel"], r["queue"]
    for k in ((ch, q), (None, q), (ch, None)):
        if k in rules:
            return rules[k]
    return p.sl_threshold_s


def _accessibility(c: list[dict], key: _Keyer, p: KpiParams) -> dict[tuple, dict]:
    rows = [r for r in c if r["direction"] == "inbound"]
    if "queue" in key.keys:  # contacts that never reached a queue form no queue row
        rows = [r for r in rows if r["queue"] is not None or r["outcome"] not in NOT_OFFERED]
    out = {}
    for k, g in _group(
        rows,
        lambda r: key(r["queue_entry_ts"] or r["arrival_ts"], r["queue"], r["channel"], r["agent"]),
    ).items():
        off = [r for r in g if r["outcome"] not in NOT_OFFERED]
        ans = [r for r in off if r["outcome"] == "answered"]
        ab = [r for r in off if r["outcome"] == "abandoned"]

        def within(r: dict, t: float) -> bool:
            return r["wait_s"] is not None and r["wait_s"] <= t

        short = [r for r in ab if within(r, p.short_abandon_s)]
        n = sum(within(r, _sl_t(r, p)) for r in ans)
        ab_t = sum(within(r, _sl_t(r, p)) for r in ab)
        ebk_t = sum(within(r, _sl_t(r, p)) for r in off if r["outcome"] == "exit_by_key")
        flow = sum(
            r["outcome"] in ("timeout", "exit_by_key", "exit_empty", "overflow", "transferred")
            for r in off
        )
        v = p.sl_variant
        if v == "offered":
            sl = _div(n, len(off))
        elif v == "short-abandon-excluded":
            sl = _div(n, len(off) - len(short))
        elif v == "answered":
            sl = _div(n, len(ans))
        elif v == "abandons-neutral":
            sl = _div(n, len(off) - ab_t)
        elif v == "removed-within-threshold":
            sl = _div(n + ab_t + ebk_t, len(off))
        else:
            den = len(ans) + len(ab) + (flow if p.sl_include_flowouts else 0)
            if not p.sl_include_abandons:
                den -= len(ab)
            elif not p.sl_include_short_abandons:
                den -= len(short)
            sl = _div(n, den)
        if p.abandon_rate_excludes_short:
            ar = _div(len(ab) - len(short), len(off) - len(short))
            tta = _mean(r["wait_s"] for r in ab if r not in short)
        else:
            ar = _div(len(ab), len(off))
            tta = _mean(r["wait_s"] for r in ab)
        waits = [r["wait_s"] for r in off if r["wait_s"] is not None]

        def count(o: str, g: list[dict] = off) -> int:
            return sum(r["outcome"] == o for r in g)

        out[k] = {
            "arrived": len(g),
            "offered": len(off),
            "answered": len(ans),
            "abandoned": len(ab),
            "short_abandoned": len(short),
            "timeout": count("timeout"),
            "exit_by_key": count("exit_by_key"),
            "exit_empty": count("exit_empty"),
            "overflow": count("overflow"),
            "transferred_out": count("transferred"),
            "blocked": count("blocked", g),
            "ivr_only": count("ivr_only", g),
            "phantom": count("phantom", g),
            "answered_within_t": n,
            "service_level": sl,
            "asa_s": _mean(r["wait_s"] for r in ans),
            "abandon_rate": ar,
            "avg_time_to_abandon_s": tta,
            "longest_wait_s": max(waits) if waits else None,
        }
    return out


def _handled(c: list[dict]) -> list[dict]:
    return [r for r in c if r["outcome"] == "answered"]


def _agent_ts(r: dict) -> datetime:
    return r["answer_ts"] or r["queue_entry_ts"] or r["arrival_ts"]


def _productivity(c: list[dict], key: _Keyer, p: KpiParams) -> dict[tuple, dict]:
    out = {}
    for k, g in _group(
        _handled(c), lambda r: key(_agent_ts(r), r["queue"], r["channel"], r["agent"])
    ).items():
        talk = _mean(r["talk_s"] for r in g)
        hold = _mean(r["hold_s"] for r in g)
        acw = _mean(r["acw_s"] for r in g)
        out[k] = {
            "handled": len(g),
            "total_talk_s": float(sum(r["talk_s"] or 0.0 for r in g)),
            "avg_talk_s": talk,
            "avg_hold_s": hold,
            "avg_acw_s": acw,
            "aht_s": None
            if talk is None and hold is None and acw is None
            else (talk or 0.0) + (hold or 0.0) + (acw or 0.0),
            "total_handle_s": float(
                sum((r["talk_s"] or 0.0) + (r["hold_s"] or 0.0) + (r["acw_s"] or 0.0) for r in g)
            ),
            "transfer_rate": _div(sum(bool(r["transferred"]) for r in g), len(g)),
        }
    return out


def _busy(c: list[dict]) -> list[dict]:
    """Busy spans: answer -> end + ACW (answer + talk + hold + ACW without an end)."""
    out = []
    for r in _handled(c):
        if r["agent"] is None:
            continue
        start = _agent_ts(r)
        end = r["end_ts"]
        if end is None:
            end = start + timedelta(seconds=(r["talk_s"] or 0.0) + (r["hold_s"] or 0.0))
        end = end + timedelta(seconds=r["acw_s"] or 0.0)
        out.append(
            {
                "agent": r["agent"],
                "state": "busy",
                "queue": r["queue"],
                "start_ts": start,
                "end_ts": end,
            }
        )
    return out


def _states_kpis(
    s: list[dict], c: list[dict], key: _Keyer, p: KpiParams, step: int | None, by_queue: bool
) -> dict[tuple, dict]:
    cols = {"logged_in": "logged_in_s", "not_ready": "not_ready_s", "busy": "busy_s"}
    acc: dict[tuple, dict] = defaultdict(
        lambda: {"logged_in_s": 0.0, "not_ready_s": 0.0, "busy_s": 0.0}
    )
    for r in _states(s + _busy(c), by_queue):
        for a, b in _pieces(r["start_ts"], r["end_ts"], step):
            d = acc[key(a, r["queue"], None, r["agent"])]
            if r["state"] in cols:
                d[cols[r["state"]]] += _dur(a, b)
    return dict(acc)


def _workforce(sch: list[dict], st: list[dict], key: _Keyer, step: int | None) -> dict[tuple, dict]:
    merged = _states(st, by_queue=False)
    acc: dict[tuple, dict] = defaultdict(
        lambda: {"scheduled_s": 0.0, "scheduled_work_s": 0.0, "_adh": 0.0}
    )
    for r in sch:
        for a, b in _pieces(r["start_ts"], r["end_ts"], step):
            dur = _dur(a, b)
            ins = nr = 0.0
            for m in merged:
                if m["agent"] != r["agent"] or not (m["start_ts"] < b and m["end_ts"] > a):
                    continue
                ov = _dur(max(a, m["start_ts"]), min(b, m["end_ts"]))
                if m["state"] == "logged_in":
                    ins += ov
                elif m["state"] == "not_ready":
                    nr += ov
            adh = ins - nr if r["activity"] == "work" else dur - ins + nr
            d = acc[key(a, None, None, r["agent"])]
            d["scheduled_s"] += dur
            d["scheduled_work_s"] += dur if r["activity"] == "work" else 0.0
            d["_adh"] += adh
    out = {}
    for k, d in acc.items():
        out[k] = {
            "scheduled_s": d["scheduled_s"],
            "scheduled_work_s": d["scheduled_work_s"],
            "adherence": _div(d["_adh"], d["scheduled_s"]),
            "shrinkage": _div(d["scheduled_s"] - d["scheduled_work_s"], d["scheduled_s"]),
        }
    return out


def _outcome(c: list[dict], store: list[dict], key: _Keyer, p: KpiParams) -> dict[tuple, dict]:
    """FCR over the period's handled contacts ``c``; repeats looked for in ``store``."""
    window = timedelta(seconds=int(round(p.fcr_window_days * 86400)))
    data_end = max((r["arrival_ts"] for r in store), default=None)
    by_customer = _group(
        (r for r in store if r["customer_key"] is not None), lambda r: (r["customer_key"],)
    )
    # per key: [population, pending, repeats, resolved flag known, resolved]
    acc: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for r in _handled(c):
        a = acc[key(_agent_ts(r), r["queue"], r["channel"], r["agent"])]
        if r["resolved"] is not None:
            a[3] += 1
            a[4] += bool(r["resolved"])
        if r["customer_key"] is None:
            continue
        repeat = False
        for o in by_customer[(r["customer_key"],)]:
            if o["conversation_id"] == r["conversation_id"]:
                continue
            if not (r["arrival_ts"] < o["arrival_ts"] <= r["arrival_ts"] + window):
                continue
            if (
                p.fcr_same_reason
                and r["disposition"] is not None
                and o["disposition"] is not None
                and r["disposition"] != o["disposition"]
            ):
                continue
            repeat = True
            break
        a[0] += 1
        a[1] += not repeat and r["arrival_ts"] + window > data_end
        a[2] += repeat
    out = {}
    for k, (n, pending, rep, known, resolved) in acc.items():
        decided = n - pending
        out[k] = {
            "fcr_handled": n,
            "fcr_pending": pending,
            "fcr": _div(decided - rep, decided),
            "repeat_rate": _div(rep, decided),
            "fcr_reported_handled": known,
            "fcr_reported": _div(resolved, known),
        }
    return out


def _item_column(item: str) -> str:
    return "survey_" + (re.sub(r"[^0-9a-z]+", "_", item.lower()).strip("_") or "item")


def _surveys(s: list[dict], key: _Keyer) -> dict[tuple, dict]:
    items = sorted({r["item"] for r in s} - {"csat", "nps", "resolved"})
    out = {}
    for k, g in _group(
        s, lambda r: key(r["submitted_ts"], r["queue"], r["channel"], r["agent"])
    ).items():
        cs = [r for r in g if r["item"] == "csat"]
        nps = [r for r in g if r["item"] == "nps"]
        prom = sum(r["score"] >= 9 for r in nps)
        det = sum(r["score"] <= 6 for r in nps)
        d = {
            "csat_responses": len(cs),
            "csat": _div(sum(r["score"] >= r["scale_max"] - 1 for r in cs), len(cs)),
            "csat_mean": _mean(r["score"] for r in cs),
            "nps_responses": len(nps),
            "nps": _div((prom - det) * 100, len(nps)),
            "fcr_survey": _mean(r["score"] for r in g if r["item"] == "resolved"),
        }
        for item in items:
            d[_item_column(item)] = _mean(r["score"] for r in g if r["item"] == item)
        out[k] = d
    return out


def _chat(m: list[dict], key: _Keyer) -> dict[tuple, dict]:
    conv = _group(m, lambda r: (r["contact_id"],))
    enriched = []
    for msgs in conv.values():
        agents = sorted((r for r in msgs if r["sender"] == "agent"), key=lambda r: r["sent_ts"])
        custs = sorted(
            (r for r in msgs if r["sender"] == "customer"),
            key=lambda r: (r["sent_ts"], r["message_id"]),
        )
        first_id = custs[0]["message_id"] if custs else None
        for r in msgs:
            e = {"r": r, "delay": None, "first": False, "cust": r["sender"] == "customer"}
            if e["cust"]:
                nxt = next((a["sent_ts"] for a in agents if a["sent_ts"] >= r["sent_ts"]), None)
                e["delay"] = None if nxt is None else _dur(r["sent_ts"], nxt)
                e["first"] = r["message_id"] == first_id
            enriched.append(e)
    out = {}
    for k, g in _group(
        enriched, lambda e: key(e["r"]["sent_ts"], None, e["r"]["channel"], e["r"]["agent"])
    ).items():
        cust = [e for e in g if e["cust"]]
        typed = [
            e["r"]
            for e in g
            if e["r"]["sender"] == "agent"
            and e["r"]["compose_s"] is not None
            and e["r"]["compose_s"] > 0
        ]
        chars = sum(float(r["chars"]) for r in typed if r["chars"] is not None)
        compose = sum(r["compose_s"] for r in typed)
        out[k] = {
            "customer_messages": len(cust),
            "first_response_s": _mean(e["delay"] for e in cust if e["first"]),
            "avg_response_s": _mean(e["delay"] for e in cust),
            "response_rate": _div(sum(e["delay"] is not None for e in cust), len(cust)),
            "typing_cpm": _div(chars * 60.0, compose) if typed else None,
        }
    return out


def _commerce(o: list[dict], key: _Keyer) -> dict[tuple, dict]:
    out = {}
    for k, g in _group(o, lambda r: key(r["placed_ts"], None, None, r["agent"])).items():
        n = len(g)
        out[k] = {
            "orders": n,
            "avg_order_value": _div(sum(r["amount"] for r in g), n),
            "items_per_order": _div(sum(r["items"] for r in g), n),
            "unpaid_rate": _div(sum(r["paid_ts"] is None for r in g), n),
        }
    return out


def _conversion(c: list[dict], o: list[dict], key: _Keyer) -> dict[tuple, dict]:
    linked = {r["contact_id"] for r in o if r["contact_id"] is not None}
    acc: dict[tuple, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for r in _handled(c):
        if r["customer_key"] is None:
            continue
        a = acc[key(_agent_ts(r), r["queue"], r["channel"], r["agent"])]
        a[0].add(r["customer_key"])
        if r["conversation_id"] in linked:
            a[1].add(r["customer_key"])
    return {
        k: {"inquiring_customers": len(s), "conversion_rate": _div(len(cv), len(s))}
        for k, (s, cv) in acc.items()
    }


#: The time that places a row of each table in a period (contacts: queue entry, else
#: arrival).
_PERIOD_TIME: dict[str, Callable[[dict], datetime]] = {
    "contacts": lambda r: r["queue_entry_ts"] or r["arrival_ts"],
    "agent_states": lambda r: r["start_ts"],
    "schedules": lambda r: r["start_ts"],
    "surveys": lambda r: r["submitted_ts"],
    "messages": lambda r: r["sent_ts"],
    "orders": lambda r: r["placed_ts"],
}


def reference_kpis(
    tables: Mapping[str, pa.Table],
    keys: Sequence[str],
    params: KpiParams | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every KPI grouped by ``keys`` for the rows in ``[start, end)``, computed with plain
    Python loops (FCR's repeats and end of data come from every row)."""
    p = params or KpiParams()
    keys = tuple(keys)
    rows = {n: (t.to_pylist() if t is not None else []) for n, t in tables.items()}
    for n in ("contacts", "agent_states", "agents", "schedules", "surveys", "messages", "orders"):
        rows.setdefault(n, [])
    store_contacts = rows["contacts"]
    for n, when in _PERIOD_TIME.items():
        rows[n] = [
            r
            for r in rows[n]
            if (start is None or when(r) >= start) and (end is None or when(r) < end)
        ]
    teams = {r["agent"]: r["team"] for r in rows["agents"]}
    key = _Keyer(keys, p, teams)
    if "interval_start" in keys:
        step: int | None = p.interval_minutes
    elif "hour" in keys:
        step = 60
    elif any(k in keys for k in ("day", "week", "month", "weekday")):
        step = 1440
    else:
        step = None
    dims = {k for k in keys if k in ("queue", "channel", "agent", "team")}
    ran = [f for f in _DIMS if dims <= _DIMS[f] and all(rows[t] for t in _NEEDS[f])]
    if "queue" in dims and any(r["queue"] is None for r in rows["agent_states"]):
        ran = [f for f in ran if f != "states"]  # which queue a session served is unknown
    results: dict[str, dict[tuple, dict]] = {}
    c = rows["contacts"]
    if "accessibility" in ran:
        results["accessibility"] = _accessibility(c, key, p)
    if "productivity" in ran:
        results["productivity"] = _productivity(c, key, p)
    if "states" in ran:
        results["states"] = _states_kpis(rows["agent_states"], c, key, p, step, "queue" in keys)
    if "workforce" in ran:
        results["workforce"] = _workforce(rows["schedules"], rows["agent_states"], key, step)
    if "outcome" in ran:
        results["outcome"] = _outcome(c, store_contacts, key, p)
    if "surveys" in ran:
        results["surveys"] = _surveys(rows["surveys"], key)
    if "chat" in ran:
        results["chat"] = _chat(rows["messages"], key)
    if "commerce" in ran:
        results["commerce"] = _commerce(rows["orders"], key)
    if "conversion" in ran:
        results["conversion"] = _conversion(c, rows["orders"], key)
    all_keys = set().union(*(r.keys() for r in results.values())) if results else set()
    columns: list[str] = [c for f in results for c in _COLUMNS[f]]
    if "surveys" in results:
        items = {r["item"] for r in rows["surveys"]} - {"csat", "nps", "resolved"}
        columns += [_item_column(i) for i in sorted(items)]
    out = []
    for k in all_keys:
        row: dict[str, Any] = dict(zip(keys, k, strict=True))
        for col in columns:
            row[col] = None
        for fam in results.values():
            row.update(fam.get(k, {}))
        for col in columns:
            if col in _COUNTS and row[col] is None:
                row[col] = 0
        if "states" in results:
            busy = row["busy_s"]
            li, nr = row["logged_in_s"], row["not_ready_s"]
            row["contacts_per_hour"] = _div((row.get("handled") or 0) * 3600.0, li)
            if p.occupancy_variant == "talk-over-session-plus-pause":
                row["occupancy"] = _div(row.get("total_talk_s") or 0.0, li + nr)
            else:
                row["occupancy"] = _div(busy, li - nr)
            row["utilization"] = _div(busy, li)
            row["availability"] = _div(li - nr - busy, li)
            if "workforce" in results:
                row["conformance"] = _div(li - nr, row["scheduled_work_s"])
        out.append(row)
    if "interval_start" in keys and out:
        out += _empty_intervals(out, keys, columns, p, start, end)
    out.sort(key=lambda r: tuple((0, 0) if r[k] is None else (1, r[k]) for k in keys))
    return out


def _empty_intervals(
    rows: list[dict],
    keys: tuple[str, ...],
    columns: list[str],
    p: KpiParams,
    start: datetime | None,
    end: datetime | None,
) -> list[dict]:
    """Rows for the intervals with nothing in them, of each day (per combination of the
    other keys) that has a row, inside ``[start, end)``: counts 0, the rest None."""
    others = [k for k in keys if k not in ("month", "week", "day", "interval_start")]
    have = {tuple(r[k] for k in keys) for r in rows}
    days = {(tuple(r[k] for k in others), r["interval_start"].date()) for r in rows}
    derived = [
        c
        for c in ("contacts_per_hour", "occupancy", "utilization", "availability", "conformance")
        if c in rows[0]
    ]
    step = timedelta(minutes=p.interval_minutes)
    added = []
    for combo, day in days:
        b = datetime(day.year, day.month, day.day)
        while b.date() == day:
            row: dict[str, Any] = dict(zip(others, combo, strict=True))
            row.update(
                month=date(day.year, day.month, 1),
                week=day - timedelta(day.weekday()),
                day=day,
                interval_start=b,
            )
            row = {k: row[k] for k in keys}
            inside = (start is None or b + step > start) and (end is None or b < end)
            if inside and tuple(row[k] for k in keys) not in have:
                for col in [*columns, *derived]:
                    row[col] = 0 if col in _COUNTS else None
                added.append(row)
            b += step
    return added
