"""The customer history: found by the identifier as the customer gives it (stored only as
a pseudonym), every contact in time order, FCR marks that add up to the KPI engine's
FCR over the whole store, who may look, and the audit entry of every look."""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from datetime import datetime

import pytest
from webtools import make_app, sign_in

from callscope.kpi import KpiParams, compute_kpis, duckdb_source
from callscope.kpi.history import fcr_marks
from callscope.settings import load_settings
from callscope.store import Store


@pytest.fixture(scope="module")
def caller(center) -> tuple[str, int]:
    """The caller with the most queue entries in the center's queue_log, as written
    there (the store holds only its pseudonym), and that count."""
    log = center.db.parent / "sample" / "queue_log"
    counts = Counter(
        f[6]
        for f in (line.split("|") for line in log.read_text().splitlines())
        if len(f) > 6 and f[4] == "ENTERQUEUE" and f[6]
    )
    number, n = counts.most_common(1)[0]
    assert n >= 3
    return number, n


def test_fcr_marks_add_up_to_the_engine(center):
    """Every customer's history marked by kpi.history: handled, pending and repeated
    contacts summed over all customers equal the KPI engine's fcr_handled, fcr_pending
    and repeats on the whole store (default rules: 7 days, same reason)."""
    store = Store(center.db, read_only=True)
    try:
        cur = store.con.execute(
            "SELECT contact_id, conversation_id, arrival_ts, outcome, disposition, "
            "customer_key FROM contacts WHERE customer_key IS NOT NULL"
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        end = store.con.execute("SELECT max(arrival_ts) FROM contacts").fetchone()[0]
        total = compute_kpis(duckdb_source(store), (), KpiParams(), only=["outcome"]).rows()[0]
    finally:
        store.close()
    by_customer = defaultdict(list)
    for r in rows:
        by_customer[r["customer_key"]].append(r)
    marks = Counter()
    for contacts in by_customer.values():
        for m in fcr_marks(contacts, 7.0, end, same_reason=True).values():
            marks[m.fcr] += 1
    handled = marks["repeated"] + marks["pending"] + marks["resolved"]
    assert handled == total["fcr_handled"] and marks["pending"] == total["fcr_pending"]
    decided = total["fcr_handled"] - total["fcr_pending"]
    assert marks["repeated"] == round(total["repeat_rate"] * decided)
    assert marks["repeated"] > 10 and marks["resolved"] > 10  # the data has both


def test_found_by_the_number_as_given(clients, caller):
    number, entries = caller
    spaced = f"{number[:3]} {number[3:7]}-{number[7:]}"  # written another way
    j = clients["supervisor"].get("/api/v1/customers", params={"customer": spaced}).json()
    assert j["customer"].startswith("p_") and number not in str(j)
    rows = j["rows"]
    queued = [r for r in rows if r["outcome"] not in ("ivr_only", "blocked", "phantom")]
    assert len(queued) == entries  # every queue entry of this caller in the log
    times = [r["arrival_ts"] for r in rows]
    assert times == sorted(times)
    for r in rows:
        if r["repeat_of"]:
            earlier = next(e for e in rows if e["contact_id"] == r["repeat_of"])
            assert earlier["outcome"] == "answered" and earlier["arrival_ts"] < r["arrival_ts"]
    assert j["repeats"] == sum(1 for r in rows if r["repeat_of"])
    # the pseudonym finds the same history
    again = clients["analyst"].get("/api/v1/customers", params={"customer": j["customer"]})
    assert again.json()["rows"] == rows


def test_page_and_download(clients, caller):
    number, _ = caller
    page = clients["admin"].get("/customers", params={"customer": number})
    assert page.status_code == 200 and "Customer history" in page.text
    assert 'id="history"' in page.text and number not in page.text.replace(f'value="{number}"', "")
    empty = clients["admin"].get("/customers").text
    assert 'id="history"' not in empty and 'name="customer"' in empty
    r = clients["admin"].get("/customers/export", params={"customer": number, "format": "csv"})
    assert r.status_code == 200
    head = r.text.splitlines()[0]
    assert head.startswith("contact_id,conversation_id,segment") and "fcr" in head


def test_nobody_and_mistakes(clients):
    j = clients["admin"].get("/api/v1/customers", params={"customer": "nobody@example.com"})
    assert j.status_code == 200 and j.json()["rows"] == []
    assert "no contact of this customer" in j.json()["notes"][0]
    r = clients["admin"].get("/api/v1/customers", params={"customer": "   "})
    assert r.status_code == 400 and r.json()["field"] == "customer"
    r = clients["admin"].get("/api/v1/customers", params={"customer": "x" * 201})
    assert r.status_code == 422


def test_who_may_look_and_the_audit_log(clients, caller):
    number, _ = caller
    for role in ("agent", "qa"):
        r = clients[role].get("/api/v1/customers", params={"customer": number})
        assert r.status_code == 403, role
        assert "Customers" not in clients[role].get("/overview").text.split("<main>")[0]
    assert "/customers" in clients["supervisor"].get("/overview").text.split("<main>")[0]
    clients["supervisor"].get("/api/v1/customers", params={"customer": number})
    log = clients["admin"].get("/api/v1/audit").json()
    looks = [e for e in log if e["action"] == "customer_history" and e["actor"] == "sam"]
    assert looks and looks[0]["subject"].startswith("p_")
    assert not any(number in str(e) for e in log)  # the identifier never reaches the log


def test_an_erased_customer(center, caller, tmp_path):
    from fastapi.testclient import TestClient

    from callscope.services.privacy import EraseRequest, erase

    number, _ = caller
    db = tmp_path / "copy.duckdb"
    shutil.copy(center.db, db)
    shutil.copy(center.db.parent / "callscope.key", tmp_path / "callscope.key")  # same key
    settings = load_settings(db=db, env={}, cwd=tmp_path)
    erase(settings, EraseRequest(number), datetime(2026, 2, 1, 12, 0))
    client = TestClient(make_app(type(center)(settings, db, center.tokens)))
    assert sign_in(client, "ana").status_code == 303
    j = client.get("/api/v1/customers", params={"customer": number}).json()
    assert j["rows"] == [] and j["erased_at"].startswith("2026-02-01")
    assert "erased on 2026-02-01" in j["notes"][0]
