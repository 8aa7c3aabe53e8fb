"""Center settings: where they come from, what they hold, and the mistakes they refuse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from callscope.errors import CallscopeError
from callscope.settings import ENV_DB, ENV_SETTINGS, Settings, load_settings

FILE = """
timezone = "Europe/Warsaw"
db = "center.duckdb"
[kpi]
interval = "15m"
short_abandon = 8
fcr_window = "48h"
[goals]
chat = "85/45"
[queues.Sales]
channel = "voice"
goal = "90/15"
[queues.Web]
channel = "chat"
[targets]
aht = "4m"
abandon_rate = 0.04
csat = "85%"
[hours]
sat = "09:00-14:00"
sun = "closed"
mon = "08:00-12:00, 13:00-20:00"
[staffing]
model = "erlang-a"
shrinkage = "25%"
fte_hours_per_week = 37.5
concurrency = { chat = 3 }
"""


def write(tmp_path: Path, text: str, name: str = "callscope.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_defaults_without_a_file(tmp_path: Path) -> None:
    s = load_settings(env={}, cwd=tmp_path)
    assert s == Settings()
    assert {src for _, _, src in s.rows()} == {"default"}
    assert s.goal_for("voice").label() == "80/20"
    assert s.goal_for("email").threshold_s == 86400  # e-mail is judged in hours
    assert s.goal_for("chat").threshold_s == 60
    assert s.shrinkage == 0.3 and s.concurrency_for("chat") == 2
    assert s.concurrency_for("voice") == 1 and s.is_open(6, 3 * 3600)


def test_a_file_sets_every_section_and_says_so(tmp_path: Path) -> None:
    f = write(tmp_path, FILE)
    s = load_settings(f, env={})
    assert s.timezone == "Europe/Warsaw" and s.db == Path("center.duckdb")
    assert (s.interval_s, s.short_abandon_s, s.fcr_window_s) == (900, 8, 48 * 3600)
    assert s.goal_for("chat").label() == "85/45"
    assert s.goal_for("voice", "Sales").label() == "90/15"  # the queue's own goal
    assert s.goal_for(None, "Web").label() == "85/45"  # its channel's goal
    assert s.channel_of("Web") == "chat" and s.channel_of("nope") is None
    assert s.targets["aht"] == 240 and s.targets["abandon_rate"] == 0.04
    assert s.targets["csat"] == 0.85 and s.targets["asa"] == 30  # untouched default
    assert not s.is_open(6, 10 * 3600) and s.is_open(5, 9 * 3600)
    assert s.is_open(0, 8 * 3600) and not s.is_open(0, 12.5 * 3600)
    assert (s.model, s.shrinkage, s.fte_hours_per_week) == ("erlang-a", 0.25, 37.5)
    assert s.concurrency_for("chat") == 3 and s.concurrency_for("email") == 1
    assert s.source("staffing.shrinkage") == str(f)
    assert s.source("goals.voice") == "default"
    assert s.value("hours.mon") == "08:00-12:00, 13:00-20:00"


def test_where_the_file_comes_from(tmp_path: Path) -> None:
    write(tmp_path, "timezone = 'Asia/Tokyo'\n")  # ./callscope.toml
    env_file = write(tmp_path, "timezone = 'America/Lima'\n", "env.toml")
    flag_file = write(tmp_path, "timezone = 'Africa/Lagos'\n", "flag.toml")
    assert load_settings(env={}, cwd=tmp_path).timezone == "Asia/Tokyo"
    env = {ENV_SETTINGS: str(env_file)}
    assert load_settings(env=env, cwd=tmp_path).timezone == "America/Lima"
    assert load_settings(flag_file, env=env, cwd=tmp_path).timezone == "Africa/Lagos"
    # the store: --db, else $CALLSCOPE_DB, else the file's db
    s = load_settings(write(tmp_path, "db = 'f.duckdb'\n", "db.toml"), env={})
    assert s.db == Path("f.duckdb")
    s = load_settings(tmp_path / "db.toml", env={ENV_DB: "e.duckdb"})
    assert s.db == Path("e.duckdb") and s.source("db") == f"${ENV_DB}"
    s = load_settings(tmp_path / "db.toml", db="x.duckdb", env={ENV_DB: "e.duckdb"})
    assert s.db == Path("x.duckdb") and s.source("db") == "--db"


def test_flags_override_for_one_run() -> None:
    s = Settings().override("--shrinkage", shrinkage=0.2, model=None)
    assert s.shrinkage == 0.2 and s.source("staffing.shrinkage") == "--shrinkage"
    assert s.model == "erlang-c" and s.source("staffing.model") == "default"
    with pytest.raises(CallscopeError, match="shrinkage") as e:
        Settings().override("--shrinkage", shrinkage=1.5)
    assert e.value.field == "shrinkage"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[staffing]\nshrinkgae = 0.2\n", ["unknown key 'shrinkgae'", "did you mean 'shrinkage'"]),
        ("tmezone = 'UTC'\n", ["unknown key 'tmezone'", "'timezone'"]),
        ("timezone = 'Mars/Base'\n", ["unknown time zone 'Mars/Base'", "Europe/Warsaw"]),
        ("[goals]\nemail = '0.9/24h'\n", ["goals.email", "ambiguous", "80/20"]),
        ("[goals]\nfax = '80/20'\n", ["unknown key 'fax'"]),
        ("[staffing]\nshrinkage = 30\n", ["staffing.shrinkage", '"30%"']),
        ("[staffing]\nmodel = 'erlang-x'\n", ["unknown staffing model", "erlang-a"]),
        ("[staffing]\nconcurrency = { chat = 0 }\n", ["staffing.concurrency.chat", ">= 1"]),
        ("[kpi]\ninterval = '20m'\n", ["15m, 30m or 60m"]),
        ("[kpi]\nfcr_window = 'soon'\n", ["kpi.fcr_window", "24h"]),
        ("[hours]\nmon = '9-17'\n", ["hours.mon", "08:00-20:00"]),
        ("[hours]\nmon = '18:00-08:00'\n", ["hours.mon", "opens before it closes"]),
        ("[queues.X]\nchannel = 'fax'\n", ["queues.X.channel", "voice"]),
        ("[targets]\naht = true\n", ["targets.aht"]),
        ("timezone = \n", ["not valid TOML"]),
    ],
)
def test_mistakes_are_one_line_naming_the_key(tmp_path: Path, text: str, words: list[str]) -> None:
    f = write(tmp_path, text)
    with pytest.raises(CallscopeError) as e:
        load_settings(f, env={})
    msg = e.value.render({"settings": "--settings"})
    assert "\n" not in msg and msg.startswith("--settings: ")
    for w in words:
        assert w in msg, (w, msg)


def test_missing_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CallscopeError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", env={})
    with pytest.raises(CallscopeError, match="is a folder"):
        load_settings(tmp_path, env={})
    with pytest.raises(CallscopeError, match=ENV_SETTINGS):
        load_settings(env={ENV_SETTINGS: str(tmp_path / "gone.toml")})


def test_what_show_prints_reads_back_as_the_same_settings(tmp_path: Path) -> None:
    """Every value `settings show` prints is in the file's own spelling: writing them
    into a file gives the same settings."""
    s = load_settings(write(tmp_path, FILE), env={})
    sections: dict[str, list[str]] = {}
    top = []
    for key, value, _ in s.rows():
        parts = key.split(".")
        lit = json.dumps(value)
        if len(parts) == 1:
            top.append(f"{key} = {lit}")
        elif parts[0] == "queues":
            sections.setdefault(f"queues.{parts[1]}", []).append(f"{parts[2]} = {lit}")
        elif parts[:2] == ["staffing", "concurrency"]:
            sections.setdefault("staffing.concurrency", []).append(f"{parts[2]} = {lit}")
        else:
            sections.setdefault(parts[0], []).append(f"{parts[1]} = {lit}")
    text = (
        "\n".join(top)
        + "\n"
        + "".join(f"[{name}]\n" + "\n".join(lines) + "\n" for name, lines in sections.items())
    )
    again = load_settings(write(tmp_path, text, "again.toml"), env={})
    assert [(k, v) for k, v, _ in again.rows()] == [(k, v) for k, v, _ in s.rows()]


def test_settings_show_from_the_command_line(tmp_path: Path) -> None:
    f = write(tmp_path, FILE)
    p = subprocess.run(
        [sys.executable, "-m", "callscope", "settings", "show", "--settings", str(f)]
        + ["--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["staffing.shrinkage"] == {"value": "25%", "source": str(f)}
    assert out["goals.email"] == {"value": "90/24h", "source": "default"}
    assert out["queues.Sales.goal"]["value"] == "90/15"
    bad = write(tmp_path, "[staffing]\nshrinkgae = 1\n", "bad.toml")
    p = subprocess.run(
        [sys.executable, "-m", "callscope", "settings", "show", "--settings", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 2 and p.stderr.count("\n") == 1
    assert p.stderr.startswith("error: --settings: ") and "did you mean 'shrinkage'" in p.stderr


def test_commands_use_the_settings(tmp_path: Path) -> None:
    """A staffing command reads its goals and shrinkage from the file in the working
    folder; a flag beats the file."""
    write(tmp_path, '[goals]\nvoice = "90/10"\n[staffing]\nshrinkage = "20%"\n')
    plan = write(
        tmp_path, "interval_start,queue,calls,aht_s\n2024-01-01 08:00,q,100,180\n", "in.csv"
    )

    def staff(*extra: str) -> dict[str, object]:
        p = subprocess.run(
            [sys.executable, "-m", "callscope", "staff", "--input", str(plan)]
            + ["--format", "json", *extra],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)[0]

    row = staff()
    assert row["target"] == "90/10" and row["service_level"] >= 0.9
    assert row["scheduled_agents"] == -(-row["agents"] // 0.8)
    row = staff("--target", "80/20", "--shrinkage", "50%")
    assert row["target"] == "80/20" and row["scheduled_agents"] == 2 * row["agents"]


def test_privacy_encrypt_is_true_or_false(tmp_path: Path) -> None:
    s = load_settings(write(tmp_path, "[privacy]\nencrypt = true\n"), env={})
    assert s.encrypt and s.source("privacy.encrypt").endswith("callscope.toml")
    assert not load_settings(write(tmp_path, "", "empty.toml"), env={}).encrypt
    with pytest.raises(CallscopeError, match="privacy.encrypt = 'yes' cannot be read"):
        load_settings(write(tmp_path, '[privacy]\nencrypt = "yes"\n', "bad.toml"), env={})
