"""`callscope erlang`, `callscope staff` and `callscope simulate` end to end."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

import callscope.cli  # noqa: F401  (registers every command)
from callscope.cli.app import app
from callscope.errors import CallscopeError
from callscope.store import Store

runner = CliRunner()


def _run(*args: str) -> str:
    res = runner.invoke(app, list(args))
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    assert res.exit_code == 0, res.output
    return res.stdout


def test_erlang_c_json() -> None:
    out = json.loads(
        _run(
            "erlang",
            "c",
            "--calls",
            "100",
            "--interval",
            "30m",
            "--aht-s",
            "180",
            "--agents",
            "14",
            "--target",
            "80/20",
            "--format",
            "json",
        )
    )
    assert out["p_wait"] == pytest.approx(0.1741319, abs=5e-8)
    assert out["service_level"] == pytest.approx(0.88835, abs=5e-6)
    assert out["asa_s"] == pytest.approx(7.836, abs=5e-4)
    assert out["occupancy"] == pytest.approx(0.7143, abs=5e-5)
    assert out["p_abandon"] == 0.0 and out["traffic"] == pytest.approx(10.0)


def test_erlang_a_and_b_json() -> None:
    a = json.loads(
        _run(
            "erlang",
            "a",
            "--calls",
            "48",
            "--interval",
            "1m",
            "--aht-s",
            "60",
            "--agents",
            "50",
            "--patience-s",
            "120",
            "--format",
            "json",
        )
    )
    assert a["p_abandon"] == pytest.approx(0.031, abs=5e-4)
    assert a["p_wait"] == pytest.approx(0.468, abs=5e-4)
    b = json.loads(
        _run(
            "erlang",
            "b",
            "--calls",
            "2",
            "--interval",
            "1s",
            "--aht-s",
            "1",
            "--agents",
            "5",
            "--format",
            "json",
        )
    )
    assert b["blocking"] == pytest.approx(0.0367, abs=5e-5)


def test_erlang_c_unstable_prints_not_raises() -> None:
    out = json.loads(
        _run("erlang", "c", "--calls", "100", "--aht-s", "180", "--agents", "9", "--format", "json")
    )
    assert out["stable"] is False and out["p_wait"] == 1.0


def _plan_csv(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "in.csv"
    p.write_text(body)
    return p


def test_staff_csv_output(tmp_path: Path) -> None:
    p = _plan_csv(
        tmp_path,
        "interval_start,queue,calls,aht_s\n"
        "2024-01-01 08:00,sales,100,180\n2024-01-01 08:30,sales,360,240\n",
    )
    rows = list(
        csv.DictReader(
            io.StringIO(
                _run(
                    "staff",
                    "--input",
                    str(p),
                    "--target",
                    "80/20",
                    "--shrinkage",
                    "30%",
                    "--format",
                    "csv",
                )
            )
        )
    )
    assert [int(r["agents"]) for r in rows] == [14, 54]
    assert [int(r["scheduled_agents"]) for r in rows] == [20, 78]
    for col in ("service_level", "asa_s", "p_abandon", "occupancy"):
        assert col in rows[0]
    assert float(rows[0]["service_level"]) == pytest.approx(0.88835, abs=1e-5)


def test_staff_erlang_a_json_with_occupancy_cap(tmp_path: Path) -> None:
    p = _plan_csv(
        tmp_path,
        "interval_start,queue,calls,aht_s,patience_s,interval_s\n"
        "2024-01-01 08:00,a,1440,60,120,1800\n",
    )
    out = json.loads(
        _run(
            "staff",
            "--input",
            str(p),
            "--model",
            "erlang-a",
            "--target",
            "80/20, occupancy<=85%",
            "--format",
            "json",
        )
    )
    assert out[0]["occupancy"] <= 0.85 and out[0]["agents"] == 57  # ceil(48 / 0.85)


def test_staff_erlang_a_estimates_patience_from_the_store(tmp_path: Path) -> None:
    from callscope.model import CONTACTS

    db = tmp_path / "s.duckdb"
    n = 4
    cols = {c.name: [None] * n for c in CONTACTS.columns}
    for i, (outcome, wait) in enumerate(
        [("answered", 30.0), ("abandoned", 50.0), ("answered", 100.0), ("abandoned", 20.0)]
    ):
        cols["contact_id"][i] = cols["conversation_id"][i] = f"c{i}"
        cols["segment"][i] = 1
        cols["channel"][i], cols["direction"][i], cols["queue"][i] = "voice", "inbound", "a"
        cols["arrival_ts"][i] = cols["queue_entry_ts"][i] = datetime(2024, 1, 1, 9, i)
        cols["wait_s"][i], cols["outcome"][i], cols["transferred"][i] = wait, outcome, False
        cols["source_file"][i], cols["source_line"][i] = "t", i + 1
    store = Store(db)
    with store.batch("t", "t", "sha") as b:
        b.append("contacts", pa.Table.from_pydict(cols, schema=CONTACTS.schema))
    store.close()
    p = _plan_csv(tmp_path, "interval_start,queue,calls,aht_s\n2024-01-01 08:00,a,100,180\n")
    res = runner.invoke(
        app,
        ["staff", "--input", str(p), "--model", "erlang-a", "--db", str(db), "--format", "json"],
    )
    assert res.exit_code == 0, res.output
    assert "patience 100 s from the store" in res.stderr
    assert json.loads(res.stdout)[0]["patience_s"] == 100.0


def test_staff_reads_the_latest_forecast(tmp_path: Path) -> None:
    db = tmp_path / "f.duckdb"
    store = Store(db)
    store.con.execute("""CREATE TABLE forecasts (forecast_id VARCHAR, created_at TIMESTAMP,
        interval_start TIMESTAMP, interval_s INTEGER, queue VARCHAR, channel VARCHAR,
        calls DOUBLE, aht_s DOUBLE)""")
    store.con.execute("""INSERT INTO forecasts VALUES
        ('old', '2024-01-01', '2024-02-01 08:00', 1800, 'a', 'voice', 999, 180),
        ('new', '2024-01-02', '2024-02-01 08:00', 1800, 'a', 'voice', 100, 180),
        ('new', '2024-01-02', '2024-02-01 08:30', 1800, 'a', 'voice', 360, 240)""")
    store.close()
    rows = list(csv.DictReader(io.StringIO(_run("staff", "--db", str(db), "--format", "csv"))))
    assert [int(r["agents"]) for r in rows] == [14, 54]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("interval_start,queue,calls\nx,a,1\n", "no column 'aht_s'"),
        ("interval_start,queue,calls,aht_s\nx,a,ten,180\n", "column 'calls' must be numeric"),
        ("interval_start,queue,calls,aht_s\nx,a,10,\n", "column 'aht_s' has an empty value"),
    ],
)
def test_staff_bad_csv_names_the_column(tmp_path: Path, body: str, message: str) -> None:
    res = runner.invoke(app, ["staff", "--input", str(_plan_csv(tmp_path, body))])
    assert isinstance(res.exception, CallscopeError)
    assert message in str(res.exception)


def test_staff_without_forecast_says_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    Store(db).close()
    res = runner.invoke(app, ["staff", "--db", str(db)])
    assert isinstance(res.exception, CallscopeError)
    assert "callscope forecast" in str(res.exception) and res.exception.field == "input"


def test_simulate_plan_and_save(tmp_path: Path) -> None:
    p = _plan_csv(
        tmp_path,
        "interval_start,queue,calls,aht_s,agents\n"
        "2024-01-01 08:00,a,200,180,25\n2024-01-01 08:30,a,200,180,25\n"
        "2024-01-01 08:00,b,50,300,12\n2024-01-01 08:30,b,50,300,12\n",
    )
    db = tmp_path / "sim.duckdb"
    out = json.loads(
        _run(
            "simulate",
            "--input",
            str(p),
            "--patience-s",
            "90",
            "--seed",
            "3",
            "--save",
            "--db",
            str(db),
            "--format",
            "json",
        )
    )
    assert [q["queue"] for q in out["queues"]] == ["a", "b"]
    offered = sum(q["offered"] for q in out["queues"])
    assert offered == out["calls"] and 400 < offered < 600
    store = Store(db)
    assert store.count("contacts") == offered
    assert store.count("agent_states") >= 37
    store.close()
    # round trip: resample handle times and Kaplan-Meier patience from what was stored
    res = runner.invoke(
        app,
        [
            "simulate",
            "--input",
            str(p),
            "--from-store",
            "--db",
            str(db),
            "--format",
            "json",
            "--seed",
            "4",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "patience (Kaplan-Meier)" in res.stderr
    again = json.loads(res.stdout)
    assert 400 < again["calls"] < 600
    single = json.loads(
        _run(
            "simulate",
            "--calls",
            "126",
            "--aht-s",
            "120",
            "--agents",
            "12",
            "--patience-s",
            "60",
            "--intervals",
            "8",
            "--format",
            "json",
        )
    )
    assert 0 < single["queues"][0]["p_abandon"] < 0.1


def _main(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callscope", *args], capture_output=True, text=True, timeout=120
    )


def test_unstable_erlang_c_json_is_strict_json() -> None:
    """An unstable queue has no ASA: JSON says null, never Infinity (not JSON)."""
    p = _main(
        "erlang", "c", "--calls", "100", "--aht-s", "180", "--agents", "9", "--format", "json"
    )
    assert p.returncode == 0, p.stderr
    assert "Infinity" not in p.stdout and "NaN" not in p.stdout
    out = json.loads(p.stdout, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert out["asa_s"] is None and out["stable"] is False and out["met"] is False


def test_erlang_c_answers_how_many_agents() -> None:
    """Without --agents: the fewest agents that meet the target, checked one below."""
    out = json.loads(
        _main(
            "erlang",
            "c",
            "--calls",
            "100",
            "--aht-s",
            "180",
            "--target",
            "90/15",
            "--format",
            "json",
        ).stdout
    )
    n = int(out["agents"])
    assert out["agents_searched"] and out["met"] and out["service_level"] >= 0.9
    less = json.loads(
        _main(
            "erlang",
            "c",
            "--calls",
            "100",
            "--aht-s",
            "180",
            "--agents",
            str(n - 1),
            "--target",
            "90/15",
            "--format",
            "json",
        ).stdout
    )
    assert less["service_level"] < 0.9 and not less["met"]
    # with abandonment (Erlang A) and a combined goal
    a = json.loads(
        _main(
            "erlang",
            "a",
            "--calls",
            "120",
            "--aht-s",
            "240",
            "--patience-s",
            "90",
            "--target",
            "80/20, abandon<=5%",
            "--format",
            "json",
        ).stdout
    )
    assert a["agents"] == 19 and a["p_abandon"] <= 0.05 and a["service_level"] >= 0.8


def test_help_is_plain_and_mistakes_are_one_line() -> None:
    h = _main("staff", "--help")
    assert h.returncode == 0 and "<bool>" not in h.stdout and "╭" not in h.stdout
    bad = _main("erlang", "c", "--calls", "x", "--aht-s", "180")
    assert bad.returncode == 2 and "╭" not in bad.stderr
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("error: ")
    assert "--calls" in bad.stderr
