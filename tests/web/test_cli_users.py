"""`callscope users add|list`, `callscope token create` and `callscope serve`'s checks:
a password or token is printed once and stored only hashed."""

from __future__ import annotations

import json

import pytest

from callscope.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsys.readouterr()
    return int(e.value.code or 0), out, err


def test_users_and_tokens(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    code, out, _ = run(capsys, "users", "add", "ada", "--role", "admin", "--db", db)
    assert code == 0
    password = out.split("password: ")[1].split()[0]
    assert len(password) >= 16
    code, out, _ = run(
        capsys, "users", "add", "carla", "--role", "agent", "--agent", "Agent/1001", "--db", db
    )
    assert code == 0
    code, out, _ = run(capsys, "users", "list", "--format", "json", "--db", db)
    users = json.loads(out)
    assert [(u["name"], u["role"], u["agent"]) for u in users] == [
        ("ada", "admin", None),
        ("carla", "agent", "Agent/1001"),
    ]
    assert password not in out
    code, out, err = run(capsys, "token", "create", "--user", "carla", "--db", db)
    token = out.strip()
    assert code == 0 and token.startswith("cst_") and token[:10] in err
    # only hashes are stored
    from callscope.store import Store

    with Store(db, read_only=True) as s:
        rows = s.con.execute("SELECT password_hash FROM users").fetchall()
        digests = s.con.execute("SELECT digest FROM api_tokens").fetchall()
        audit = s.con.execute("SELECT action, detail FROM audit_log").fetchall()
    assert all(r[0].startswith("scrypt$") and password not in r[0] for r in rows)
    assert digests and token not in digests[0][0]
    assert {a for a, _ in audit} == {"user_add", "token_create"}
    assert not any(token in (d or "") or password in (d or "") for _, d in audit)
    from datetime import datetime

    from callscope.services.users import authenticate
    from callscope.settings import load_settings

    settings = load_settings(db=db, env={})
    assert authenticate(settings, "ada", password, datetime.now()) is not None
    assert authenticate(settings, "ada", password + "x", datetime.now()) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "king"], "error: role: unknown role 'king'"),
        (["--role", "agent"], "error: agent: an agent user needs the agent id"),
        (["--role", "supervisor"], "error: teams: a supervisor needs the team(s)"),
    ],
)
def test_user_mistakes_are_one_line(tmp_path, capsys, args, message):
    code, _, err = run(capsys, "users", "add", "x", *args, "--db", str(tmp_path / "s.duckdb"))
    assert code == 2 and err.startswith(message) and err.count("\n") == 1


def test_a_short_password_and_a_taken_name(tmp_path, capsys, monkeypatch):
    import io

    db = str(tmp_path / "s.duckdb")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run(capsys, "users", "add", "x", "--role", "qa", "--ask-password", "--db", db)
    assert code == 2 and "at least 10 characters" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough one\n"))
    code, out, _ = run(capsys, "users", "add", "x", "--role", "qa", "--ask-password", "--db", db)
    assert code == 0 and "password:" not in out
    code, _, err = run(capsys, "users", "add", "x", "--role", "qa", "--db", db)
    assert code == 2 and "exists already" in err


def test_serve_needs_a_store_with_users(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    code, _, err = run(capsys, "serve", "--db", str(db))
    assert code == 2 and "no store at" in err
    from callscope.store import Store

    Store(db).close()
    code, _, err = run(capsys, "serve", "--db", str(db))
    assert code == 2 and "callscope users add NAME --role admin" in err
