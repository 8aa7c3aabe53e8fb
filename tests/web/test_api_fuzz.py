"""The API described by its own OpenAPI schema, fuzzed: every operation the schema lists
gets generated query parameters and bodies (well-formed ones, wrong types, hostile
text) as an admin and as an agent, on a copy of the test center; nothing may answer
500, and every refusal is JSON naming what was wrong.

The parameters come from the schema FastAPI serves (``/api/v1/openapi.json``), so an
operation added later is fuzzed without changing this file. The server-sent-events
stream is called with a small ``limit`` only (it would otherwise stay open)."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webtools import make_app, sign_in

from callscope.settings import load_settings

pytestmark = pytest.mark.slow

HOSTILE = [
    "",
    " ",
    "'; DROP TABLE contacts; --",
    "../../etc/passwd",
    "\x00",
    "%00",
    "q[1]*",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "9" * 40,
    "-1",
    "1e309",
    "NaN",
    "2026-02-30",
    "0000-01-01",
    "9999-12-31",
    "é" * 300,
    "\ud7ff\ue000",
]
GOOD = [
    "2026-01-12",
    "2026-01-18",
    "today",
    "week",
    "month",
    "data",
    "custom",
    "voice",
    "chat",
    "General",
    "General 1",
    "Agent/1001",
    "5",
    "100",
]


def _value(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values for one parameter: well-formed ones for its schema, and anything else."""
    types = {s.get("type") for s in schema.get("anyOf", [schema])}
    good: list[st.SearchStrategy[Any]] = [st.sampled_from(GOOD)]
    if "integer" in types:
        good.append(st.integers(min_value=-(2**70), max_value=2**70))
    if "array" in types:
        return st.lists(
            st.one_of(st.sampled_from(GOOD + HOSTILE), st.text(max_size=20)), max_size=4
        )
    return st.one_of(*good, st.sampled_from(HOSTILE), st.text(max_size=60))


def _params(op: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    fields = {
        p["name"]: st.one_of(st.none(), _value(p.get("schema", {})))
        for p in op.get("parameters", [])
        if p["in"] == "query"
    }
    return st.fixed_dictionaries(fields).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=12,
)
EVENTISH = st.fixed_dictionaries(
    {
        "id": st.one_of(st.text(max_size=12), st.integers()),
        "type": st.sampled_from(
            ["contact.queued", "contact.answered", "contact.abandoned", "agent.state", "bogus", ""]
        ),
        "ts": st.one_of(
            st.sampled_from(["2026-01-12T09:00:00", "2026-01-12T09:00:00Z", "x"]), st.integers()
        ),
        "contact": st.one_of(st.none(), st.text(max_size=10)),
        "queue": st.one_of(st.none(), st.sampled_from(["General", ""]), st.text(max_size=10)),
        "agent": st.one_of(st.none(), st.sampled_from(["Agent/1001"]), st.text(max_size=10)),
        "channel": st.one_of(st.none(), st.sampled_from(["voice", "chat", "fax"])),
        "state": st.one_of(st.none(), st.sampled_from(["available", "paused", "nope"])),
    }
)


@pytest.fixture(scope="module")
def fuzz_app(center, tmp_path_factory):
    """An app on a copy of the test center (fuzzed uploads and events must not change
    the store the other tests read), signed in as an admin (with a token) and an agent."""
    from fastapi.testclient import TestClient

    root = tmp_path_factory.mktemp("fuzz")
    db = root / "copy.duckdb"
    shutil.copy(center.db, db)
    s = load_settings(db=db, env={}, cwd=root)
    app = make_app(type(center)(s, db, center.tokens))
    with TestClient(app) as admin, TestClient(app) as agent:
        assert sign_in(admin, "ada").status_code == 303
        assert sign_in(agent, "carla").status_code == 303
        spec = admin.get("/api/v1/openapi.json").json()
        yield {"admin": admin, "agent": agent, "spec": spec, "token": center.tokens["ada"]}


def _operations(spec: dict[str, Any], method: str) -> list[tuple[str, dict[str, Any]]]:
    return [(path, ops[method]) for path, ops in spec["paths"].items() if method in ops]


def _check(r: Any, what: str) -> None:
    assert r.status_code < 500, f"{what}: {r.status_code} {r.text[:300]}"
    if r.status_code >= 400:
        body = r.json()  # a refusal is JSON ...
        assert isinstance(body, dict), body
        if "refused" in body:  # a batch of events: each refused one named with its field
            assert all(e.get("error") and "field" in e for e in body["refused"]), body
        else:
            assert any(k in body for k in ("error", "detail")), body
        assert "Traceback" not in r.text  # ... in words, not a traceback


def test_the_schema_lists_the_api(fuzz_app):
    spec = fuzz_app["spec"]
    gets = dict(_operations(spec, "get"))
    for path in ("/api/v1/overview", "/api/v1/service", "/api/v1/agents"):
        names = {p["name"] for p in gets[path]["parameters"]}
        assert {"period", "from", "to", "channel", "queue", "team"} <= names, path


def test_every_get_operation(fuzz_app):
    ops = [(p, o) for p, o in _operations(fuzz_app["spec"], "get") if not p.endswith("/stream")]
    assert len(ops) >= 8

    @settings(
        max_examples=12 * len(ops),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        path, op = data.draw(st.sampled_from(ops), label="operation")
        params = data.draw(_params(op), label="params")
        who = data.draw(st.sampled_from(["admin", "agent"]), label="who")
        r = fuzz_app[who].get(path, params=params)
        _check(r, f"GET {path} {params} as {who}")

    run()


def test_the_stream_ends_with_a_limit(fuzz_app):
    paths = [p for p, _ in _operations(fuzz_app["spec"], "get") if p.endswith("/stream")]
    for path in paths:
        for params in ({"limit": 1}, {"limit": "x"}, {"limit": -5, "day": "nope"}):
            with fuzz_app["admin"].stream("GET", path, params=params) as r:
                assert r.status_code < 500, (path, params, r.status_code)
                if r.status_code == 200:
                    next(r.iter_lines(), None)  # the first event arrives


def test_every_post_operation(fuzz_app):
    ops = _operations(fuzz_app["spec"], "post")
    assert ops

    @settings(
        max_examples=15 * len(ops),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        path, op = data.draw(st.sampled_from(ops), label="operation")
        headers = {"Authorization": f"Bearer {fuzz_app['token']}"}
        kind = data.draw(
            st.sampled_from(["json", "events", "lines", "bytes", "file"]), label="kind"
        )
        client = fuzz_app["admin"]
        if kind == "json":
            r = client.post(path, content=json.dumps(data.draw(JSON)), headers=headers)
        elif kind == "events":
            events = data.draw(st.lists(EVENTISH, max_size=5), label="events")
            r = client.post(path, json=events, headers=headers)
        elif kind == "lines":
            events = data.draw(st.lists(EVENTISH, max_size=5), label="events")
            body = "\n".join(json.dumps(e) for e in events)
            r = client.post(
                path, content=body, headers={**headers, "Content-Type": "application/x-ndjson"}
            )
        elif kind == "bytes":
            raw = data.draw(st.binary(max_size=200), label="bytes")
            r = client.post(path, content=raw, headers=headers)
        else:
            raw = data.draw(st.binary(max_size=300), label="file")
            fmt = data.draw(st.sampled_from(["asterisk", "csv", "amazon-connect", "nope", ""]))
            name = data.draw(st.sampled_from(HOSTILE + ["queue_log", "x.csv"]), label="name")
            r = client.post(
                path,
                files={"file": (name or "f", raw, "application/octet-stream")},
                data={"format": fmt},
                headers=headers,
            )
        _check(r, f"POST {path} ({kind})")

    run()
