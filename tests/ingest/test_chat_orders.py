"""Chat transcripts and orders through mappings, end to end, on a hand-worked example.

``tests/ingest/data/chats.csv`` (mapping ``mappings/livechat_transcript.toml``), times
on 2026-03-02:

* C-1001, alice, agent Anna: visitor 09:00:00, Anna 09:00:20 (20 s), visitor 09:01:00,
  Anna 09:01:30 (30 s), visitor 09:02:00 "Thanks!" (never answered: owned by Anna, the
  last agent before it).
* C-1002, carol, Anna: visitor 09:10:00, Anna 09:10:40 (40 s), visitor 09:11:00, Anna
  09:11:10 (10 s).
* C-1003, dave, Bob: visitor 09:20:00, Bob 09:20:10 (10 s), a "robot" row (line 13:
  rejected, unknown author type), visitor 09:21:00, Bob 09:21:20 (20 s).
* C-1004, erin: visitor 09:30:00, no agent (abandoned); line 17 has the time
  "yesterday" (rejected).

16 rows read, 14 messages and 4 chats (contacts) land, 2 rejected.

Per agent:

=================== ============================== =====================
                    Anna                           Bob
=================== ============================== =====================
first response      (20 + 40) / 2 = 30 s (<= 30:   10 s (met)
                    met)
average response    (20 + 30 + 40 + 10) / 4 = 25 s (10 + 20) / 2 = 15 s
response rate       4 of 5 = 80 % (< 90 %, and     2 of 2 = 100 % (met)
                    below 81 %: missed)
=================== ============================== =====================

``orders.csv`` (mapping ``mappings/shop_orders.toml``): #1001 alice 59.90, 2 items,
paid; #1002 dave 20.00, 1 item, pending; #1003 ``Alice@Example.com`` (the same customer:
e-mails are compared as pseudonyms of their lower-case form) 30.10, 1 item, paid; #1004
frank 100.00, 4 items, paid, no chat; #1005 amount -15.00 (line 6: rejected). Each order
is linked to the customer's latest answered chat within 7 days: #1001 and #1003 to
C-1001 (Anna), #1002 to C-1003 (Bob); #1004 has none (no agent).

* Anna: 2 orders, AOV (59.90 + 30.10) / 2 = 45.00, items per order 3 / 2 = 1.5, unpaid
  0 / 2 = 0; inquiry conversion: her customers alice and carol, alice ordered: 1 / 2 =
  50 % (target 70 %: missed).
* Bob: 1 order, AOV 20.00, 1 item per order, unpaid 1 / 1 = 100 %; conversion dave
  ordered: 1 / 1 = 100 % (met).
* Team "shop" (Anna and Bob): first response (20 + 40 + 10) / 3 = 23.33 s, average
  response (20 + 30 + 40 + 10 + 10 + 20) / 6 = 21.67 s, response rate 6 / 7, 3 orders,
  AOV (59.90 + 30.10 + 20.00) / 3 = 36.67, items 4 / 3, unpaid 1 / 3, conversion 2 / 3.

Typing speed is unknown: the export has no typing time (only each message's length,
kept as ``chars``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callscope.cli import app
from callscope.errors import MappingError
from callscope.ingest import ingest_files
from callscope.kpi import KpiParams, compute_kpis, duckdb_source
from callscope.services.kpi import kpi_targets
from callscope.settings import Settings
from callscope.store.store import StorePrivacy

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
CHATS, ORDERS = DATA / "chats.csv", DATA / "orders.csv"
CHAT_MAP = ROOT / "mappings" / "livechat_transcript.toml"
ORDER_MAP = ROOT / "mappings" / "shop_orders.toml"
KEY = bytes(range(32))


def _ingest(store, chats=CHATS, orders=ORDERS):
    a = ingest_files(store, [chats], "csv", mapping=CHAT_MAP)
    b = ingest_files(store, [orders], "csv", mapping=ORDER_MAP)
    return a, b


@pytest.fixture
def loaded(store):
    store.privacy = StorePrivacy(KEY)
    a, b = _ingest(store)
    return store, a, b


def _by(store, keys):
    rows = compute_kpis(duckdb_source(store), keys, KpiParams()).rows()
    return {r[keys[0]]: r for r in rows}


def test_rows_land_and_bad_rows_are_rejected_with_line_and_reason(loaded):
    store, chats, orders = loaded
    f = chats.files[0]
    assert (f.rows_read, f.rows_rejected, f.tables) == (16, 2, {"messages": 14, "contacts": 4})
    assert f.rows_read == f.tables["messages"] + f.rows_rejected + f.rows_duplicate
    got = {(r.line, r.reason) for r in chats.rejects}
    assert got == {
        (
            13,
            "sender: value robot in column 'Author Type' (allowed values: visitor, customer, "
            "agent, bot, system) cannot be read",
        ),
        (
            17,
            "sent_ts: value yesterday in column 'Timestamp' (format %Y-%m-%d %H:%M:%S) "
            "cannot be read",
        ),
    }
    g = orders.files[0]
    assert (g.rows_read, g.rows_rejected, g.tables) == (5, 1, {"orders": 4})
    assert [(r.file, r.line, r.reason) for r in orders.rejects] == [
        (str(ORDERS), 6, "amount: -15.0 is negative; an order's value is 0 or more")
    ]
    stored = store.con.execute("SELECT file, line FROM rejects ORDER BY file, line").fetchall()
    assert stored == [(str(CHATS), 13), (str(CHATS), 17), (str(ORDERS), 6)]
    # the chats as contacts: answered by the agent of the first reply, C-1004 abandoned
    chats_rows = store.con.execute(
        "SELECT contact_id, channel, queue, agent, outcome, wait_s, talk_s FROM contacts "
        "ORDER BY contact_id"
    ).fetchall()
    assert chats_rows == [
        ("C-1001", "chat", "webshop", "Anna", "answered", 20.0, 100.0),
        ("C-1002", "chat", "webshop", "Anna", "answered", 40.0, 30.0),
        ("C-1003", "chat", "webshop", "Bob", "answered", 10.0, 70.0),
        ("C-1004", "chat", "webshop", None, "abandoned", 0.0, None),
    ]
    # a visitor's message is owned by the agent who answered it (or the last one before)
    owners = store.con.execute(
        "SELECT agent, count(*) FROM messages WHERE sender = 'customer' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert owners == [("Anna", 5), ("Bob", 2), (None, 1)]
    assert store.con.execute(
        "SELECT chars FROM messages WHERE contact_id = 'C-1001' ORDER BY sent_ts LIMIT 1"
    ).fetchall() == [(len("Hi, is the blue kettle in stock?"),)]
    links = store.con.execute(
        "SELECT order_id, contact_id, agent, paid_ts IS NULL FROM orders ORDER BY order_id"
    ).fetchall()
    assert links == [
        ("#1001", "C-1001", "Anna", False),
        ("#1002", "C-1003", "Bob", True),
        ("#1003", "C-1001", "Anna", False),
        ("#1004", None, None, False),
    ]


def test_customer_keys_are_pseudonyms(loaded):
    store = loaded[0]
    for table in ("messages", "orders", "contacts"):
        keys = {k for (k,) in store.con.execute(f"SELECT customer_key FROM {table}").fetchall()}
        assert keys and all(k.startswith("p_") and len(k) == 26 for k in keys), (table, keys)
    # alice@example.com and Alice@Example.com are one customer
    n = store.con.execute(
        "SELECT count(DISTINCT customer_key) FROM orders WHERE order_id IN ('#1001', '#1003')"
    ).fetchall()[0][0]
    assert n == 1
    text = json.dumps(store.con.execute("SELECT * FROM rejects").fetchall(), default=str)
    assert "example.com" not in text


def test_hand_worked_kpis_per_agent_against_the_targets(loaded):
    store = loaded[0]
    rows = _by(store, ("agent",))
    anna, bob = rows["Anna"], rows["Bob"]
    expected = {
        "Anna": dict(
            customer_messages=5,
            first_response_s=30.0,
            avg_response_s=25.0,
            response_rate=0.8,
            orders=2,
            avg_order_value=45.0,
            items_per_order=1.5,
            unpaid_rate=0.0,
            inquiring_customers=2,
            conversion_rate=0.5,
        ),
        "Bob": dict(
            customer_messages=2,
            first_response_s=10.0,
            avg_response_s=15.0,
            response_rate=1.0,
            orders=1,
            avg_order_value=20.0,
            items_per_order=1.0,
            unpaid_rate=1.0,
            inquiring_customers=1,
            conversion_rate=1.0,
        ),
    }
    for agent, want in expected.items():
        got = {k: rows[agent][k] for k in want}
        assert got == pytest.approx(want), agent
        assert rows[agent]["typing_cpm"] is None  # no typing time in the export
    targets = kpi_targets(Settings())  # the seed's: first response <= 30 s, replies >= 90 %
    assert (targets.first_response_s, targets.response_rate) == (30.0, 0.9)
    status = {
        (who, kpi): targets.status(kpi, r[kpi])
        for who, r in (("Anna", anna), ("Bob", bob))
        for kpi in ("first_response_s", "response_rate", "conversion_rate")
    }
    assert status == {
        ("Anna", "first_response_s"): "green",
        ("Anna", "response_rate"): "red",
        ("Anna", "conversion_rate"): "red",
        ("Bob", "first_response_s"): "green",
        ("Bob", "response_rate"): "green",
        ("Bob", "conversion_rate"): "green",
    }
    # the order without a chat counts, but for no agent
    assert (rows[None]["orders"], rows[None]["avg_order_value"]) == (1, 100.0)


def _agents(store, tmp_path, name, rows):
    """Ingest an agent directory (agent, team, concurrent chats) through a mapping."""
    m = tmp_path / "agents.toml"
    m.write_text(
        'table = "agents"\n[fields.agent]\ncolumn = "Agent"\n[fields.team]\ncolumn = "Team"\n'
        '[fields.max_chats]\ncolumn = "Chats"\n',
        encoding="utf-8",
    )
    p = tmp_path / name
    p.write_text("Agent,Team,Chats\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return ingest_files(store, [p], "csv", mapping=m)


def test_hand_worked_kpis_per_team(loaded, tmp_path):
    store = loaded[0]
    s = _agents(
        store,
        tmp_path,
        "agents.csv",
        ["Anna,shop,3", "Bob,shop,2", "Anna,web,3", "Cy,x,-", ",x,1", ",y,1"],
    )
    assert s.files[0].tables == {"agents": 2}, s
    assert {r.line: r.reason for r in s.rejects} == {
        4: "agent Anna appears again (first on line 2); ids must be unique",
        5: "max_chats: value - in column 'Chats' cannot be read",
        6: "agent: empty; every agents row needs its own agent",
        7: "agent: empty; every agents row needs its own agent",
    }
    shop = _by(store, ("team",))["shop"]
    want = dict(
        customer_messages=7,
        first_response_s=70 / 3,
        avg_response_s=130 / 6,
        response_rate=6 / 7,
        orders=3,
        avg_order_value=110 / 3,
        items_per_order=4 / 3,
        unpaid_rate=1 / 3,
        conversion_rate=2 / 3,
    )
    assert {k: shop[k] for k in want} == pytest.approx(want)
    # a later directory moves Bob to another team: it replaces his row
    g = _agents(store, tmp_path, "agents-april.csv", ["Bob,returns,2"]).files[0]
    assert (g.tables, g.rows_replaced) == ({"agents": 1}, 1), g
    teams = _by(store, ("team",))
    assert (teams["shop"]["customer_messages"], teams["returns"]["customer_messages"]) == (5, 2)


def test_kpi_and_scorecard_commands_by_agent(loaded):
    store = loaded[0]
    db = store.path
    store.close()
    r = CliRunner().invoke(app, ["kpi", "--db", db, "--by", "agent", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = {x["agent"]: x for x in json.loads(r.stdout[r.stdout.index("[") :])}
    assert (rows["Anna"]["first_response_s"], rows["Anna"]["response_rate"]) == (30, 0.8)
    assert (rows["Bob"]["avg_order_value"], rows["Bob"]["unpaid_rate"]) == (20, 1)
    # the scorecard rates them against the settings' [targets] (30 s, 90 %, 70 %)
    r = CliRunner().invoke(app, ["scorecard", "--db", db, "--format", "json"])
    assert r.exit_code == 0, r.output
    rated = {
        (x["agent"], x["measure"]): (x["value"], x["target"], x["status"])
        for x in json.loads(r.stdout)["lines"]
        if x["measure"] in ("first_response_s", "response_rate", "conversion_rate")
    }
    assert rated == {
        ("Anna", "first_response_s"): (30.0, 30.0, "green"),
        ("Anna", "response_rate"): (0.8, 0.9, "red"),
        ("Anna", "conversion_rate"): (0.5, 0.7, "red"),
        ("Bob", "first_response_s"): (10.0, 30.0, "green"),
        ("Bob", "response_rate"): (1.0, 0.9, "green"),
        ("Bob", "conversion_rate"): (1.0, 0.7, "green"),
    }


def test_reingest_adds_nothing_and_a_longer_export_adds_only_its_new_rows(loaded, tmp_path):
    store = loaded[0]
    before = {t: store.count(t) for t in ("messages", "contacts", "orders", "rejects")}
    again = _ingest(store)
    assert all(s.files[0].skipped for s in again)
    # the same rows in another file (another day's export, saved with CRLF line ends):
    # every row is a duplicate of a stored one, by its content
    copies = tmp_path / "feb"
    copies.mkdir()
    for p in (CHATS, ORDERS):
        text = p.read_text(encoding="utf-8")
        (copies / p.name).write_bytes(text.replace("\n", "\r\n").encode())
    a, b = _ingest(store, copies / CHATS.name, copies / ORDERS.name)
    assert (a.files[0].tables, b.files[0].tables) == ({}, {})
    assert (a.files[0].rows_duplicate, b.files[0].rows_duplicate) == (14, 4)
    assert {t: store.count(t) for t in ("messages", "contacts", "orders")} == {
        t: before[t] for t in ("messages", "contacts", "orders")
    }
    # a longer export: Bob answers erin at 09:30:50; only that message is new, and the
    # chat C-1004 becomes answered (its contact replaced)
    longer = tmp_path / "longer.csv"
    longer.write_text(
        CHATS.read_text(encoding="utf-8")
        + "C-1004,2026-03-02 09:30:50,agent,Bob,erin@example.com,Sorry for the wait!\n",
        encoding="utf-8",
    )
    c = ingest_files(store, [longer], "csv", mapping=CHAT_MAP).files[0]
    assert c.tables == {"messages": 1, "contacts": 1} and c.rows_replaced == 1, c
    assert c.rows_duplicate == 14, c
    row = store.con.execute(
        "SELECT agent, outcome, wait_s FROM contacts WHERE contact_id = 'C-1004'"
    ).fetchall()
    assert row == [("Bob", "answered", 50.0)]
    assert store.count("contacts") == before["contacts"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'table = "order"\n',
            'table = "order" is not a table a mapping can fill; allowed: '
            'contacts, messages, orders, agents; did you mean "orders"?',
        ),
        (
            'table = "messages"\n[fields.contact_id]\ncolumn = "Chat"\n'
            '[fields.sent_ts]\ncolumn = "At"\n',
            "map sender under [fields.sender]: every messages row needs it",
        ),
        (
            'table = "messages"\n[fields.author]\ncolumn = "Author"\n',
            "fields.author: 'author' is not a canonical messages field",
        ),
        (
            'table = "messages"\n[fields.contact_id]\ncolumn = "Chat"\n[fields.sent_ts]\n'
            'column = "At"\n[fields.sender]\ncolumn = "Who"\n'
            'values = { visitor = "client" }\n',
            'fields.sender.values.visitor = "client" is not a sender; allowed: customer, '
            "agent, bot, system",
        ),
        (
            'table = "orders"\nlink_window = "a week"\n[fields.placed_ts]\ncolumn = "At"\n'
            '[fields.amount]\ncolumn = "Total"\n[fields.items]\ncolumn = "N"\n'
            '[fields.customer_key]\ncolumn = "Email"\n',
            'link_window = "a week": give a duration with a unit',
        ),
        (
            'table = "orders"\n[fields.placed_ts]\ncolumn = "At"\n[fields.amount]\n'
            'column = "Total"\n[fields.items]\ncolumn = "N"\n',
            "map customer_key under [fields.customer_key]: every orders row needs it",
        ),
    ],
)
def test_mapping_mistakes_are_one_line(store, tmp_path, text, message):
    m = tmp_path / "m.toml"
    m.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as e:
        ingest_files(store, [CHATS], "csv", mapping=m)
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_order_status_payment_time_and_domain(store, tmp_path):
    """A paid order without a payment time is paid when placed; a pending one never;
    an unknown status, a payment before its order, a negative item count and an
    unreadable time are rejected, each at its line with the field named."""
    p = tmp_path / "orders.csv"
    p.write_text(
        "Name,Email,Financial Status,Paid at,Created at,Total,Lineitem count,Currency\n"
        "#1,a@example.com,paid,,2026-03-02 09:00:00,10,1,EUR\n"
        "#2,b@example.com,pending,,2026-03-02 09:00:00,10,1,EUR\n"
        "#3,c@example.com,expired,,2026-03-02 09:00:00,10,1,EUR\n"
        "#4,d@example.com,paid,2026-03-01 09:00:00,2026-03-02 09:00:00,10,1,EUR\n"
        "#5,e@example.com,paid,,2026-03-02 09:00:00,10,-2,EUR\n"
        "#6,f@example.com,paid,,02/03/2026 9am,10,1,EUR\n"
        "#1,a@example.com,paid,,2026-03-02 09:00:00,10,1,EUR\n",
        encoding="utf-8",
    )
    s = ingest_files(store, [p], "csv", mapping=ORDER_MAP)
    paid = store.con.execute("SELECT order_id, paid_ts FROM orders ORDER BY 1").fetchall()
    assert [(o, t is None) for o, t in paid] == [("#1", False), ("#2", True)]
    assert str(paid[0][1]) == "2026-03-02 09:00:00"
    reasons = {r.line: r.reason for r in s.rejects}
    assert sorted(reasons) == [4, 5, 6, 7, 8]
    assert reasons[4].startswith("paid: value expired in column 'Financial Status'")
    assert reasons[5] == (
        "paid_ts: paid 2026-03-01 09:00:00 before placed 2026-03-02 09:00:00; "
        "a payment cannot precede its order"
    )
    assert reasons[6] == "items: -2 is negative; an order's item count is 0 or more"
    assert reasons[7].startswith("placed_ts: value 02/03/2026 9am in column 'Created at'")
    assert reasons[8] == "order_id #1 appears again (first on line 2); ids must be unique"


def test_sql_in_chat_and_order_mappings_is_plain_data(store, tmp_path):
    """Quotes and semicolons in the queue, column names, value maps and cells are data."""
    evil = "x'; DELETE FROM contacts; --"
    dq = 'q"; DROP TABLE messages; --'

    def s(v: str) -> str:
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'

    chat_map = tmp_path / "chats.toml"
    chat_map.write_text(
        f'table = "messages"\nqueue = {s(evil)}\n'
        f"[fields.contact_id]\ncolumn = {s('id' + dq)}\n"
        f"[fields.sent_ts]\ncolumn = {s('at' + evil)}\n"
        f"[fields.sender]\ncolumn = {s('who' + dq)}\n"
        f'values = {{ {s("v" + evil)} = "customer", "a" = "agent" }}\n'
        f'[fields.agent]\ncolumn = "agent"\n[fields.text]\ncolumn = {s("line")}\n',
        encoding="utf-8",
    )
    chats = tmp_path / "chats.csv"
    with open(chats, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id" + dq, "at" + evil, "who" + dq, "agent", "line"])
        w.writerow([evil, "2026-03-02 09:00:00", "v" + evil, "", dq])
        w.writerow([evil, "2026-03-02 09:00:05", "a", dq, evil])
    a = ingest_files(store, [chats], "csv", mapping=chat_map)
    assert (a.rows_read, a.rows_rejected, a.files[0].tables) == (
        2,
        0,
        {"messages": 2, "contacts": 1},
    )
    got = store.con.execute(
        "SELECT contact_id, queue, agent, outcome, wait_s FROM contacts"
    ).fetchall()
    assert got == [(evil, evil, dq, "answered", 5.0)]
    assert store.con.execute("SELECT sum(chars) FROM messages").fetchall() == [
        (len(dq) + len(evil),)
    ]


def test_typing_speed_from_a_compose_time_column(store, tmp_path):
    """An export with typing times: Anna types 120 characters in 30 s and 60 in 15 s:
    180 / (45 s / 60) = 240 characters per minute. The visitor's typing is not hers."""
    m = tmp_path / "typed.yaml"
    m.write_text(
        "table: messages\n"
        "fields:\n"
        "  contact_id: Chat\n"
        "  sent_ts: {column: At, format: '%d/%m/%Y %H:%M:%S'}\n"
        "  sender: {column: Who, values: {V: customer, A: agent}}\n"
        "  agent: Agent\n"
        "  text: Text\n"
        "  compose_s: {column: Typing, duration: seconds}\n",
        encoding="utf-8",
    )
    p = tmp_path / "typed.csv"
    p.write_text(
        "Chat,At,Who,Agent,Text,Typing\n"
        f"T1,02/03/2026 09:00:00,V,,{'v' * 40},20\n"
        f"T1,02/03/2026 09:00:40,A,Anna,{'a' * 120},30\n"
        f"T1,02/03/2026 09:01:00,V,,{'v' * 10},\n"
        f"T1,02/03/2026 09:01:20,A,Anna,{'a' * 60},15\n",
        encoding="utf-8",
    )
    ingest_files(store, [p], "csv", mapping=m)
    anna = _by(store, ("agent",))["Anna"]
    assert anna["typing_cpm"] == pytest.approx(240.0)
    assert (anna["first_response_s"], anna["avg_response_s"]) == (40.0, 30.0)


def test_a_file_whose_amounts_mostly_fail_is_refused_naming_the_key(store, tmp_path):
    p = tmp_path / "orders.csv"
    p.write_text(
        "Name,Email,Financial Status,Paid at,Created at,Total,Lineitem count,Currency\n"
        + "".join(
            f"#{i},x{i}@example.com,paid,,2026-03-02 09:00:00,EUR 10,1,EUR\n" for i in range(3)
        ),
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as e:
        ingest_files(store, [p], "csv", mapping=ORDER_MAP)
    assert "3 of 3 rows fail on fields.amount" in str(e.value)
    assert "map amount to a column of numbers" in str(e.value)
    assert store.count("orders") == 0
