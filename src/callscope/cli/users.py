"""``callscope users add|list`` and ``callscope token create``: who may use the web app."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from callscope.cli.app import DbOpt, SettingsOpt, app, console, load, print_json, say, text
from callscope.cli.render import print_rows

__all__ = ["add_cmd", "list_cmd", "token_create_cmd"]

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
        title=f"{len(rows)} users" if rows else "no users: add one with `callscope users add`",
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
