"""Hostile input (issue 11, items 1 and 2): SQL metacharacters in every part of a mapping
and in file names load as plain data or are refused in one line, never run as SQL; a
file name is never a pattern."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from callscope.errors import CallscopeError
from callscope.ingest import ingest_files
from callscope.store import Store

DATA = Path(__file__).resolve().parent / "data"
SQLI = "x'; COPY (SELECT * FROM contacts) TO '{out}'; DELETE FROM contacts; --"


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _prefill(store: Store) -> int:
    ingest_files(store, [DATA / "ctr.jsonl"], "amazon-connect")
    return store.count("contacts")


def test_sql_in_every_part_of_a_mapping_is_plain_data(store, tmp_path):
    before = _prefill(store)
    out = tmp_path / "stolen.csv"
    evil = SQLI.format(out=out)
    dq = 'q"; DROP TABLE contacts; --'
    cols = {
        "id": f"id{evil}",
        "when": f"when{dq}",
        "ans": f"answered{evil}",
        "agent": f"agent{dq}",
        "rating": f"rating{evil}",
    }
    fmt = "%Y-%m-%d %H:%M:%S" + evil.replace("%", "")  # literal text after the codes
    yes = f"Y{evil}"
    item = f"csat{evil}"
    mapping = tmp_path / "evil.toml"
    mapping.write_text(
        f"""
[csv]
delimiter = ","

[defaults]
queue = {_toml_str(evil)}
disposition = {_toml_str(dq)}

[fields.contact_id]
column = {_toml_str(cols["id"])}

[fields.arrival_ts]
column = {_toml_str(cols["when"])}
format = {_toml_str(fmt)}

[fields.outcome]
column = {_toml_str(cols["ans"])}
values = {{ {_toml_str(yes)} = "answered", "N" = "abandoned" }}

[fields.agent]
column = {_toml_str(cols["agent"])}
default = {_toml_str(evil)}

[surveys.{_toml_str(item)}]
column = {_toml_str(cols["rating"])}
scale = [1, 5]
missing = [{_toml_str(evil)}, ""]
""",
        encoding="utf-8",
    )
    data = tmp_path / "calls.csv"
    with open(data, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols.values())
        w.writerow([f"a{evil}", "2025-01-01 10:00:00" + evil.replace("%", ""), yes, dq, "4"])
        w.writerow([f"b{dq}", "2025-01-01 10:05:00" + evil.replace("%", ""), "N", "", evil])
    summary = ingest_files(store, [data], "csv", mapping=mapping)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_rejected) == (2, 3, 0)
    assert not out.exists()  # no COPY ran
    assert store.count("contacts") == before + 2  # no DELETE ran, every row is there
    got = dict(
        store.con.execute(
            "SELECT contact_id, (queue, disposition, agent, outcome) FROM contacts "
            "WHERE source_file = ?",
            [str(data)],
        ).fetchall()
    )
    assert got == {
        f"a{evil}": (evil, dq, dq, "answered"),
        f"b{dq}": (evil, dq, None, "abandoned"),
    }
    assert store.con.execute("SELECT contact_id, item, score FROM surveys").fetchall() == [
        (f"a{evil}", item, 4.0)
    ]


@pytest.mark.parametrize(
    "name",
    [
        "it's; DELETE FROM contacts; --.log",
        'a"b;c.log',
        "x'); COPY (SELECT 1) TO 'out.csv'; --.log",
    ],
)
def test_sql_in_a_file_name_is_plain_data(store, tmp_path, name):
    before = _prefill(store)
    p = tmp_path / name
    p.write_bytes((DATA / "queue_log.txt").read_bytes())
    summary = ingest_files(store, [p], "asterisk")
    assert summary.rows_loaded == 13
    assert store.count("contacts") == before + 9
    assert store.con.execute(
        "SELECT DISTINCT source_file FROM contacts WHERE source_file = ?", [str(p)]
    ).fetchall() == [(str(p),)]
    assert not (tmp_path / "out.csv").exists() and not Path("out.csv").exists()


def test_a_survey_scale_of_infinity_is_refused_in_one_line(store, tmp_path):
    m = tmp_path / "m.toml"
    m.write_text(
        '[fields.arrival_ts]\ncolumn = "t"\n[surveys.csat]\ncolumn = "r"\nscale = [-inf, 5]\n'
    )
    p = tmp_path / "c.csv"
    p.write_text("t,r\n2025-01-01 10:00:00,3\n")
    with pytest.raises(CallscopeError) as e:
        ingest_files(store, [p], "csv", mapping=m)
    assert "surveys.csat.scale" in str(e.value) and "\n" not in str(e.value)


def _call(callid: str, t: int, queue: str = "q") -> str:
    return (
        f"{t}|{callid}|{queue}|NONE|ENTERQUEUE||+1|1\n{t + 3}|{callid}|{queue}|NONE|ABANDON|1|1|3\n"
    )


@pytest.mark.parametrize(
    ("given", "others"),
    [
        ("q[1].log", ["q1.log"]),
        ("calls*.log", ["calls1.log", "calls2.log"]),
        ("call?.log", ["callA.log"]),
        ("x{a,b}.log", ["xa.log", "xb.log"]),
        ("[ab]*?.log", ["a1.log"]),
    ],
)
def test_a_file_name_is_never_a_pattern(store, tmp_path, given, others):
    target = tmp_path / given
    target.write_text(_call("target", 1736928000))
    for i, o in enumerate(others):
        (tmp_path / o).write_text(_call(f"other{i}", 1736929000 + 100 * i))
    summary = ingest_files(store, [target], "asterisk")
    assert summary.rows_loaded == 1
    ids = [r[0] for r in store.con.execute("SELECT contact_id FROM contacts").fetchall()]
    assert ids == ["ast:target:1"]
    sha = store.con.execute("SELECT file_sha256 FROM ingests").fetchall()[0][0]
    assert sha == hashlib.sha256(target.read_bytes()).hexdigest()
    # the other files land too when given, each once
    more = ingest_files(store, [tmp_path / o for o in others], "asterisk")
    assert more.rows_loaded == len(others)


def test_pattern_names_for_csv_and_json(store, tmp_path):
    m = tmp_path / "m.toml"
    m.write_text('[fields.contact_id]\ncolumn = "id"\n[fields.arrival_ts]\ncolumn = "t"\n')
    (tmp_path / "e[1].csv").write_text("id,t\nright,2025-01-01 10:00:00\n")
    (tmp_path / "e1.csv").write_text("id,t\nwrong,2025-01-01 10:00:00\n")
    ingest_files(store, [tmp_path / "e[1].csv"], "csv", mapping=m)
    (tmp_path / "c*.json").write_text(
        '[{"ContactId": "right-json", "InitiationTimestamp": "2025-01-01T10:00:00Z"}]'
    )
    (tmp_path / "c1.json").write_text(
        '[{"ContactId": "wrong", "InitiationTimestamp": "2025-01-01T10:00:00Z"}]'
    )
    ingest_files(store, [tmp_path / "c*.json"], "amazon-connect")
    ids = sorted(r[0] for r in store.con.execute("SELECT contact_id FROM contacts").fetchall())
    assert ids == ["right", "right-json"]
