"""Roles, permissions and the scope of figures each person may see.

=============  ====================================================================
role           may
=============  ====================================================================
``admin``      everything: the center's figures, data, settings, users, audit log
``analyst``    every figure; the data page (ingest history, rejects, upload)
``qa``         every figure (a QA lead reviews every agent); no data, no settings
``supervisor`` the figures of their teams' agents (``agents.team``)
``agent``      their own figures only
=============  ====================================================================

The customer history (every contact of one customer: personal data) is for
supervisors, analysts and admins (``view_customers``), whole, not scoped to a team: the
customer's story is the point; each look is in the audit log.

QA (``evaluate``: evaluate contacts, calibrate, decide disputes, coaching) is for
qa, supervisors (their teams' agents) and admins; an agent reads, acknowledges and
disputes their own evaluations with ``view_kpis``. Forecasts, capacity plans and
schedules are run by analysts and admins (``plan_workforce``); everyone with
``view_kpis`` may read them.

The live floor: every role may watch it (``view_live``: the queues' figures are the
center's, the agent grid is scoped like every other figure); only ``admin`` may feed
it (``send_events``: ``POST /api/v1/events``, with an admin's token).

Scoped roles are filtered where the figures are computed: rows of other agents never
leave the service (:class:`Scope`), so a page, its JSON and its download agree.

>>> can("agent", VIEW_KPIS), can("agent", UPLOAD), can("analyst", UPLOAD)
(True, False, True)
>>> scope_of(Principal("ann", "agent", agent="Agent/1001")).agents
frozenset({'Agent/1001'})
>>> scope_of(Principal("sam", "supervisor", teams=("North",))).teams
frozenset({'North'})
>>> scope_of(Principal("ana", "analyst")).everyone
True
"""

from __future__ import annotations

from dataclasses import dataclass

from callscope.errors import CallscopeError

__all__ = [
    "EVALUATE",
    "EDIT_SETTINGS",
    "EXPORT",
    "MANAGE_USERS",
    "PERMISSIONS",
    "PLAN_WORKFORCE",
    "SEND_EVENTS",
    "ROLES",
    "ROLE_PERMISSIONS",
    "UPLOAD",
    "VIEW_AUDIT",
    "VIEW_CUSTOMERS",
    "VIEW_DATA",
    "VIEW_KPIS",
    "VIEW_LIVE",
    "VIEW_SETTINGS",
    "Principal",
    "Scope",
    "can",
    "check_role",
    "scope_of",
]

ROLES = ("admin", "supervisor", "analyst", "qa", "agent")

VIEW_KPIS = "view_kpis"  #: overview, service, agents (scoped)
EXPORT = "export"  #: CSV / XLSX of what a page shows (scoped)
VIEW_DATA = "view_data"  #: ingest history, rejects (raw rows: personal data)
UPLOAD = "upload"  #: ingest a file
VIEW_SETTINGS = "view_settings"
EDIT_SETTINGS = "edit_settings"  #: change the center's settings (the settings file)
MANAGE_USERS = "manage_users"  #: users and tokens
VIEW_AUDIT = "view_audit"
VIEW_LIVE = "view_live"  #: the wallboard and the live figures (agent grid scoped)
SEND_EVENTS = "send_events"  #: feed the live floor (POST /api/v1/events)
VIEW_CUSTOMERS = "view_customers"  #: one customer's contact history (personal data)
EVALUATE = "evaluate"  #: QA: evaluate contacts, calibrate, decide disputes, coaching
PLAN_WORKFORCE = "plan_workforce"  #: run forecasts, capacity plans and schedules
PERMISSIONS = (
    VIEW_KPIS,
    EXPORT,
    VIEW_DATA,
    UPLOAD,
    VIEW_SETTINGS,
    EDIT_SETTINGS,
    MANAGE_USERS,
    VIEW_AUDIT,
    VIEW_LIVE,
    SEND_EVENTS,
    VIEW_CUSTOMERS,
    EVALUATE,
    PLAN_WORKFORCE,
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "analyst": frozenset(
        {VIEW_KPIS, EXPORT, VIEW_DATA, UPLOAD, VIEW_LIVE, VIEW_CUSTOMERS, PLAN_WORKFORCE}
    ),
    "qa": frozenset({VIEW_KPIS, EXPORT, VIEW_LIVE, EVALUATE}),
    "supervisor": frozenset({VIEW_KPIS, EXPORT, VIEW_LIVE, VIEW_CUSTOMERS, EVALUATE}),
    "agent": frozenset({VIEW_KPIS, EXPORT, VIEW_LIVE}),
}


def check_role(role: str) -> str:
    """``role`` if it is one of :data:`ROLES`, else a one-line error."""
    if role not in ROLES:
        raise CallscopeError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role")
    return role


def can(role: str, permission: str) -> bool:
    """Whether ``role`` holds ``permission`` (an unknown role holds none)."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in person (or a script with their token): name, role, the agent id an
    ``agent`` is, the teams a ``supervisor`` leads."""

    name: str
    role: str
    agent: str | None = None
    teams: tuple[str, ...] = ()

    def can(self, permission: str) -> bool:
        return can(self.role, permission)


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose figures: every agent (``everyone``), or only the ``agents`` named and the
    agents of ``teams``. A scope that names nobody sees nothing."""

    agents: frozenset[str] | None = None
    teams: frozenset[str] | None = None

    @property
    def everyone(self) -> bool:
        return self.agents is None and self.teams is None

    def describe(self) -> str:
        """For people: ``every agent``, ``agent Agent/1001``, ``team North``."""
        if self.everyone:
            return "every agent"
        parts = [f"agent {a}" for a in sorted(self.agents or ())]
        parts += [f"team {t}" for t in sorted(self.teams or ())]
        return ", ".join(parts) or "nobody"


def scope_of(principal: Principal) -> Scope:
    """The figures ``principal`` may see (module docstring)."""
    if principal.role == "agent":
        return Scope(agents=frozenset({principal.agent} if principal.agent else ()))
    if principal.role == "supervisor":
        return Scope(teams=frozenset(principal.teams))
    if principal.role in ("admin", "analyst", "qa"):
        return Scope()
    return Scope(agents=frozenset())
