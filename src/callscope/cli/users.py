"""``callscope users add|list`` and ``callscope token create``: who may use the web app."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from callscope.cli.app import DbOpt, SettingsOpt, app, console, load, print_json, say, text
from callscope.cli.render import print_rows

__all__ = [
    "add_cmd",
    "disable_cmd",
    "enable_cmd",
    "list_cmd",
    "role_cmd",
    "token_create_cmd",
    "token_list_cmd",
    "token_revoke_cmd",
]

users_app = typer.Typer(
    help="Users of the web app (callscope serve): roles admin, supervisor, analyst, qa, agent.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
token_app = typer.Typer(
    help="API tokens for scripts and feeders (Authorization: Bearer TOKEN).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(users_app, name="users")
app.add_typer(token_app, name="token")


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")  # a script pipes it in


@users_app.command("add")
def add_cmd(
    name: Annotated[str, typer.Argument(help="The user's sign-in name.")],
    role: Annotated[str, typer.Option("--role", help="admin, supervisor, analyst, qa or agent.")],
    agent: Annotated[
        str | None,
        typer.Option("--agent", help="Agent id of an agent user: their own figures only."),
    ] = None,
    team: Annotated[
        list[str] | None,
        typer.Option("--team", help="A team a supervisor leads (repeat for several)."),
    ] = None,
    ask: Annotated[
        bool,
        typer.Option(
            "--ask-password",
            help="Type the password (or pipe it on stdin) instead of having one made up.",
        ),
    ] = False,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Add a user; without --ask-password a password is made up and printed once."""
    from callscope.services.users import AddUserRequest, add_user

    s = load(settings, db)
    password = _read_password() if ask else None
    r = add_user(
        s,
        AddUserRequest(name, role, password, agent=agent, teams=tuple(team or ())),
        datetime.now(),
    )
    who = f" (agent {r.agent})" if r.agent else f" (teams {', '.join(r.teams)})" if r.teams else ""
    console.print(text(f"added {r.name}, role {r.role}{who}"), highlight=False)
    if r.password is not None:
        console.print(
            text(f"password: {r.password}   (shown once: it is stored hashed)"), highlight=False
        )


@users_app.command("list")
def list_cmd(fmt: FormatOpt = Format.table, db: DbOpt = None, settings: SettingsOpt = None) -> None:
    """Every user with role, agent id, teams and when they were added (never a password)."""
    from callscope.services.users import list_users

    users = list_users(load(settings, db))
    rows: list[dict[str, Any]] = [
        {
            "name": u.name,
            "role": u.role,
            "agent": u.agent,
            "teams": list(u.teams),
            "created_at": u.created_at,
            "disabled": u.disabled,
        }
        for u in users
    ]
    if fmt is Format.json:
        print_json(rows)
        return
    if not rows:
        say("no users yet: add one with `callscope users add NAME --role admin`")
        return
    print_rows(
        [
            {
                **r,
                "agent": r["agent"] or "",
                "teams": ", ".join(r["teams"]),
                "created_at": f"{r['created_at']:%Y-%m-%d %H:%M}",
                "disabled": "disabled" if r["disabled"] else "",
            }
            for r in rows
        ],
        (
            ("name", "name", str),
            ("role", "role", str),
            ("agent", "agent", str),
            ("teams", "teams", str),
            ("created_at", "added", str),
            ("disabled", "", str),
        ),
        title=f"{len(rows)} users",
        left=("name", "role", "agent", "teams", "created_at", "disabled"),
    )


@token_app.command("create")
def token_create_cmd(
    user: Annotated[str, typer.Option("--user", help="The user the token acts as.")],
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """A new API token for a user, printed once (the store keeps only its hash)."""
    from callscope.services.users import TokenRequest, create_token

    r = create_token(load(settings, db), TokenRequest(user), datetime.now())
    say(f"token {r.token_id}… for {r.user} (shown once: it is stored hashed)")
    sys.stdout.write(r.token + "\n")


def _change(name: str, db: Any, settings: Any, **kw: Any) -> None:
    from callscope.services.users import UpdateUserRequest, update_user

    u = update_user(load(settings, db), UpdateUserRequest(name, **kw), datetime.now())
    state = "disabled: cannot sign in, tokens refused" if u.disabled else "enabled"
    say(f"{u.name}: role {u.role}, {state}; their sessions were signed out")


NameArg = Annotated[str, typer.Argument(help="The user's sign-in name.")]


@users_app.command("disable")
def disable_cmd(name: NameArg, db: DbOpt = None, settings: SettingsOpt = None) -> None:
    """Disable a user: they cannot sign in, their sessions end and their tokens stop
    working (their history stays; enable them again any time)."""
    _change(name, db, settings, disabled=True)


@users_app.command("enable")
def enable_cmd(name: NameArg, db: DbOpt = None, settings: SettingsOpt = None) -> None:
    """Enable a disabled user again."""
    _change(name, db, settings, disabled=False)


@users_app.command("role")
def role_cmd(
    name: NameArg,
    role: Annotated[str, typer.Argument(help="admin, supervisor, analyst, qa or agent.")],
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Give a user another role (their sessions end: they sign in again)."""
    _change(name, db, settings, role=role)


@token_app.command("list")
def token_list_cmd(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """API tokens by id (the first characters of each), user, created and revoked (the
    tokens themselves are never shown again)."""
    from callscope.services.users import list_tokens

    rows: list[dict[str, Any]] = [
        {
            "token_id": t.token_id,
            "user": t.user,
            "created_at": t.created_at,
            "revoked_at": t.revoked_at,
        }
        for t in list_tokens(load(settings, db), user)
    ]
    if fmt is Format.json:
        print_json(rows)
        return
    if not rows:
        say("no API tokens: make one with `callscope token create --user NAME`")
        return
    print_rows(
        [
            {
                "token_id": r["token_id"] + "…",
                "user": r["user"],
                "created_at": f"{r['created_at']:%Y-%m-%d %H:%M}",
                "revoked_at": f"revoked {r['revoked_at']:%Y-%m-%d %H:%M}"
                if r["revoked_at"]
                else "live",
            }
            for r in rows
        ],
        (
            ("token_id", "token", str),
            ("user", "user", str),
            ("created_at", "created", str),
            ("revoked_at", "state", str),
        ),
        title=f"{len(rows)} tokens",
        left=("token_id", "user", "created_at", "revoked_at"),
    )


@token_app.command("revoke")
def token_revoke_cmd(
    token_id: Annotated[str, typer.Argument(help="The token id `callscope token list` shows.")],
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Revoke an API token: requests carrying it are refused from now on."""
    from callscope.services.users import RevokeRequest, revoke_token

    users = revoke_token(load(settings, db), RevokeRequest(token_id), datetime.now())
    say(f"revoked token {token_id.rstrip('…')}… of {', '.join(users)}")
