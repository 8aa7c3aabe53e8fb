"""QA evaluation forms: sections of weighted items, answers, and the form score.

A form has **sections** (question groups), each with a positive ``weight``, holding
**items** (questions) worth ``points`` each. An item is answered on one of three scales:

* ``yes_no``: yes earns the item's points, no earns nothing;
* ``1-5`` and ``0-10``: an answer ``a`` on ``lo..hi`` earns ``points * (a - lo) / (hi - lo)``;

and with ``na: true`` it may also be answered **N/A**. What N/A does is a form setting,
``na_policy``: ``exclude`` (the item counts 0 of 0 points, Genesys Cloud's rule) or
``pass`` (the item earns its full points).

The score follows Genesys Cloud's published formula for weighted question groups
(help.mypurecloud.com, "Evaluation form weights")::

    score = 100 * sum_g(weight_g * earned_g) / sum_g(weight_g * possible_g)

where ``earned_g`` and ``possible_g`` are the points earned and possible in group ``g``.
Their example: two 1-point questions in a group of weight 40, one in a group of weight
20, answered Yes, No, Yes: ``(1*40 + 1*20) / (2*40 + 1*20) = 60 %``.

Two kinds of item can override the arithmetic, and each must be failed to do so (a no,
or a scale answer below the item's ``pass_mark``, by default the middle of the scale;
N/A never fails):

* a **critical** item failed zeroes its section (``earned_g = 0``; the section's
  possible points still count);
* a **fatal** item failed zeroes the whole form (score 0).

A form is stored with a **version**; :func:`next_version` gives a changed form (a
weight, an item, a scale ...) the next version number, so evaluations made on the old
version keep it. Forms load from YAML (:func:`load_form`) and save to it
(:func:`dump_form`); a mistake in a form file is one line naming the section or item and
the fix.

>>> f = genesys_example()
>>> score_form(f, {"q1_1": "yes", "q1_2": "no", "q2_1": "yes"}).score
60.0
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from callscope.errors import CallscopeError

__all__ = [
    "ANSWER_TYPES",
    "NA_POLICIES",
    "Answer",
    "Form",
    "FormScore",
    "Item",
    "Section",
    "SectionScore",
    "check_answers",
    "default_form",
    "dump_form",
    "genesys_example",
    "load_form",
    "next_version",
    "parse_answer",
    "score_form",
]

#: answer type -> (lowest, highest) answer; yes is 1 and no is 0.
ANSWER_TYPES: dict[str, tuple[float, float]] = {
    "yes_no": (0.0, 1.0),
    "1-5": (1.0, 5.0),
    "0-10": (0.0, 10.0),
}
_TYPE_ALIASES = {
    "yes/no": "yes_no",
    "yesno": "yes_no",
    "yes-no": "yes_no",
    "scale_1_5": "1-5",
    "1_5": "1-5",
    "1..5": "1-5",
    "scale_0_10": "0-10",
    "0_10": "0-10",
    "0..10": "0-10",
}
#: What an N/A answer does: ``exclude`` (0 of 0 points) or ``pass`` (full points).
NA_POLICIES = ("exclude", "pass")

#: An answer as stored: a number on the item's scale (yes 1, no 0), ``None`` for N/A.
Answer = float | None

_YES = {"yes", "y", "true", "pass", "1"}
_NO = {"no", "n", "false", "fail", "0"}
_NA = {"na", "n/a", "n.a.", "not applicable", "-"}


@dataclass(frozen=True, slots=True)
class Item:
    """One question: its id (unique in the form), text, answer type and points."""

    id: str
    text: str
    type: str = "yes_no"
    points: float = 1.0
    na: bool = False  #: may be answered N/A
    critical: bool = False  #: failing it zeroes its section
    fatal: bool = False  #: failing it zeroes the form
    pass_mark: float | None = None  #: scale answers below this fail (default: mid-scale)

    @property
    def scale(self) -> tuple[float, float]:
        return ANSWER_TYPES[self.type]

    def fraction(self, answer: float) -> float:
        """Share of the points an answer earns: ``(a - lo) / (hi - lo)``."""
        lo, hi = self.scale
        return (answer - lo) / (hi - lo)

    def fails(self, answer: Answer) -> bool:
        """Whether ``answer`` fails the item: no, or a scale answer below the pass mark
        (default the middle of the scale, 3 on 1-5, 5 on 0-10). N/A never fails."""
        if answer is None:
            return False
        if self.type == "yes_no":
            return answer < 1.0
        lo, hi = self.scale
        mark = self.pass_mark if self.pass_mark is not None else (lo + hi) / 2
        return answer < mark


@dataclass(frozen=True, slots=True)
class Section:
    """A question group: its id, title, weight (> 0) and items."""

    id: str
    title: str
    weight: float
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Form:
    """An evaluation form (one version of it)."""

    name: str
    sections: tuple[Section, ...]
    version: int = 1
    na_policy: str = "exclude"
    description: str = ""

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item, in form order."""
        return tuple(i for s in self.sections for i in s.items)

    def item(self, item_id: str) -> Item:
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    def section_of(self, item_id: str) -> Section:
        for s in self.sections:
            if any(i.id == item_id for i in s.items):
                return s
        raise KeyError(item_id)

    def fingerprint(self) -> str:
        """SHA-256 of everything but the name and version: two forms with the same
        fingerprint score every evaluation alike."""
        body = _as_dict(self)
        body.pop("name")
        body.pop("version")
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def label(self) -> str:
        """``name v3``."""
        return f"{self.name} v{self.version}"


@dataclass(frozen=True, slots=True)
class SectionScore:
    """A section's points: earned and possible, before and after its weight."""

    id: str
    weight: float
    earned: float
    possible: float
    critical_failed: tuple[str, ...] = ()

    @property
    def score(self) -> float | None:
        """Percent of the section's possible points earned; ``None`` when none counted."""
        return 100.0 * self.earned / self.possible if self.possible > 0 else None


@dataclass(frozen=True)
class FormScore:
    """The score of one set of answers on one form version."""

    score: float | None  #: 0-100; None when every item was N/A (excluded)
    sections: tuple[SectionScore, ...]
    critical_failed: tuple[str, ...] = ()
    fatal_failed: tuple[str, ...] = ()
    failed: tuple[str, ...] = field(default=())  #: every failed item

    @property
    def passed(self) -> bool:
        """No fatal and no critical item failed."""
        return not self.fatal_failed and not self.critical_failed


# -- answers ----------------------------------------------------------------------------


def parse_answer(item: Item, raw: Any) -> Answer:
    """A raw answer (``yes``/``no``/``na`` or a number) checked against ``item``'s scale.

    Raises a one-line :class:`CallscopeError` naming the item when it is off the scale,
    not a number, or N/A where N/A is not allowed.

    >>> it = Item("friendly", "Friendly", "1-5", na=True)
    >>> parse_answer(it, "4"), parse_answer(it, "n/a")
    (4.0, None)
    """
    lo, hi = item.scale
    allowed = "yes, no" if item.type == "yes_no" else f"a number {lo:g}..{hi:g}"
    if item.na:
        allowed += " or na"
    text = str(raw).strip().lower() if raw is not None else "na"
    if text in _NA:
        if not item.na:
            raise CallscopeError(
                f"item {item.id!r} may not be answered N/A; answer {allowed}", field="answers"
            )
        return None
    if item.type == "yes_no":
        if isinstance(raw, bool):
            return 1.0 if raw else 0.0
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return float(raw)
        if text in _YES:
            return 1.0
        if text in _NO:
            return 0.0
        raise CallscopeError(
            f"item {item.id!r}: {raw!r} is not an answer; answer {allowed}", field="answers"
        )
    try:
        value = float(text)
    except ValueError:
        raise CallscopeError(
            f"item {item.id!r}: {raw!r} is not an answer; answer {allowed}", field="answers"
        ) from None
    if not (math.isfinite(value) and lo <= value <= hi):
        raise CallscopeError(
            f"item {item.id!r}: {raw!r} is off the {item.type} scale; answer {allowed}",
            field="answers",
        )
    return value


def check_answers(form: Form, answers: Mapping[str, Any]) -> dict[str, Answer]:
    """Every item of ``form`` answered, on its scale, and nothing else: the answers as
    numbers (N/A as ``None``). The first mistake is one line naming the item."""
    unknown = [k for k in answers if k not in {i.id for i in form.items}]
    if unknown:
        raise CallscopeError(
            f"item {unknown[0]!r} is not on form {form.label}; its items are "
            + ", ".join(i.id for i in form.items),
            field="answers",
        )
    out: dict[str, Answer] = {}
    for item in form.items:
        if item.id not in answers:
            raise CallscopeError(
                f"item {item.id!r} of form {form.label} has no answer; answer every item "
                f"({'na where allowed' if any(i.na for i in form.items) else 'no N/A on this form'})",
                field="answers",
            )
        out[item.id] = parse_answer(item, answers[item.id])
    return out


def score_form(form: Form, answers: Mapping[str, Any]) -> FormScore:
    """The form score of ``answers`` (checked with :func:`check_answers`).

    ``score = 100 * sum_g(w_g * earned_g) / sum_g(w_g * possible_g)`` (Genesys Cloud),
    a failed critical item zeroing ``earned_g`` of its section and a failed fatal item
    the whole score; N/A items count 0 of 0 (``na_policy = exclude``) or full points
    (``pass``).
    """
    values = check_answers(form, answers)
    sections = []
    critical: list[str] = []
    fatal: list[str] = []
    failed: list[str] = []
    for s in form.sections:
        earned = possible = 0.0
        s_critical = []
        for item in s.items:
            a = values[item.id]
            if a is None:
                if form.na_policy == "pass":
                    earned += item.points
                    possible += item.points
                continue
            earned += item.points * item.fraction(a)
            possible += item.points
            if item.fails(a):
                failed.append(item.id)
                if item.critical:
                    s_critical.append(item.id)
                if item.fatal:
                    fatal.append(item.id)
        if s_critical:
            earned = 0.0
            critical.extend(s_critical)
        sections.append(SectionScore(s.id, s.weight, earned, possible, tuple(s_critical)))
    num = sum(x.weight * x.earned for x in sections)
    den = sum(x.weight * x.possible for x in sections)
    score: float | None = 100.0 * num / den if den > 0 else None
    if fatal and score is not None:
        score = 0.0
    if score is not None:
        score = round(score, 10)
    return FormScore(score, tuple(sections), tuple(critical), tuple(fatal), tuple(failed))


# -- versions ---------------------------------------------------------------------------


def next_version(latest: Form | None, form: Form) -> tuple[Form, bool]:
    """``form`` numbered after ``latest`` (the newest stored version of the same name):
    ``(form as version latest+1, True)`` when it differs (a weight, an item, a scale,
    the N/A policy ...), ``(latest, False)`` when it scores alike."""
    if latest is None:
        return replace(form, version=1), True
    if latest.fingerprint() == form.fingerprint():
        return latest, False
    return replace(form, version=latest.version + 1), True


# -- YAML -------------------------------------------------------------------------------

_FORM_KEYS = ("name", "version", "na_policy", "description", "sections")
_SECTION_KEYS = ("id", "title", "weight", "items")
_ITEM_KEYS = ("id", "text", "type", "points", "na", "critical", "fatal", "pass_mark")


def _as_dict(form: Form) -> dict[str, Any]:
    def item(i: Item) -> dict[str, Any]:
        d: dict[str, Any] = {"id": i.id, "text": i.text, "type": i.type, "points": i.points}
        for k in ("na", "critical", "fatal"):
            if getattr(i, k):
                d[k] = True
        if i.pass_mark is not None:
            d["pass_mark"] = i.pass_mark
        return d

    return {
        "name": form.name,
        "version": form.version,
        "na_policy": form.na_policy,
        "description": form.description,
        "sections": [
            {"id": s.id, "title": s.title, "weight": s.weight, "items": [item(i) for i in s.items]}
            for s in form.sections
        ],
    }


def dump_form(form: Form) -> str:
    """``form`` as YAML text (what :func:`load_form` reads back)."""
    import yaml

    return yaml.safe_dump(_as_dict(form), sort_keys=False, allow_unicode=True, width=100)


def _err(where: str, msg: str) -> CallscopeError:
    return CallscopeError(f"{where}: {msg}", field="form")


def _positive(where: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _err(where, f"{key} must be a positive number; got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise _err(where, f"{key} must be a positive number; got {value!r}")
    return float(value)


def _flag(where: str, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _err(where, f"{key} must be true or false; got {value!r}")
    return value


def _keys(where: str, d: Any, known: tuple[str, ...], what: str) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise _err(where, f"write {what} as a mapping of {', '.join(known)}")
    for k in d:
        if k not in known:
            raise _err(where, f"unknown key {k!r}; known: {', '.join(known)}")
    return d


def _ident(where: str, value: Any, what: str) -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
        raise _err(where, f"every {what} needs an id (a short name); got {value!r}")
    return str(value).strip()


def _item(where: str, raw: Any) -> Item:
    d = _keys(where, raw, _ITEM_KEYS, "an item")
    iid = _ident(where, d.get("id"), "item")
    where = f"{where} item {iid!r}"
    typ = str(d.get("type", "yes_no")).strip().lower()
    typ = _TYPE_ALIASES.get(typ, typ)
    if typ not in ANSWER_TYPES:
        raise _err(where, f"unknown answer type {d.get('type')!r}; use {', '.join(ANSWER_TYPES)}")
    item = Item(
        id=iid,
        text=str(d.get("text") or iid),
        type=typ,
        points=_positive(where, "points", d.get("points", 1)),
        na=_flag(where, "na", d.get("na", False)),
        critical=_flag(where, "critical", d.get("critical", False)),
        fatal=_flag(where, "fatal", d.get("fatal", False)),
    )
    if d.get("pass_mark") is not None:
        if typ == "yes_no":
            raise _err(where, "pass_mark is for 1-5 and 0-10 items; a yes/no item fails on no")
        mark = d["pass_mark"]
        lo, hi = ANSWER_TYPES[typ]
        if isinstance(mark, bool) or not isinstance(mark, (int, float)) or not lo < mark <= hi:
            raise _err(where, f"pass_mark must be a number in ({lo:g}, {hi:g}]; got {mark!r}")
        item = replace(item, pass_mark=float(mark))
    return item


def form_from_dict(data: Any, where: str = "form") -> Form:
    """A :class:`Form` from parsed YAML/JSON, every mistake one line naming its place."""
    d = _keys(where, data, _FORM_KEYS, "the form")
    name = d.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _err(where, "the form needs a name (name: ...)")
    policy = str(d.get("na_policy", "exclude"))
    if policy not in NA_POLICIES:
        raise _err(where, f"na_policy {policy!r} is unknown; use {' or '.join(NA_POLICIES)}")
    version = d.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _err(where, f"version must be a whole number >= 1; got {version!r}")
    raw_sections = d.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise _err(where, "the form needs sections: a list of sections, each with items")
    sections = []
    seen_items: dict[str, str] = {}
    seen_sections: set[str] = set()
    for raw in raw_sections:
        sd = _keys(f"{where} section", raw, _SECTION_KEYS, "a section")
        sid = _ident(f"{where} section", sd.get("id"), "section")
        swhere = f"{where} section {sid!r}"
        if sid in seen_sections:
            raise _err(swhere, "this section id is used twice; give each section its own id")
        seen_sections.add(sid)
        weight = _positive(swhere, "weight", sd.get("weight", 1))
        raw_items = sd.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise _err(swhere, "a section needs items: a list of items")
        items = []
        for ri in raw_items:
            it = _item(swhere, ri)
            if it.id in seen_items:
                raise _err(
                    f"{swhere} item {it.id!r}",
                    f"duplicated item (also in section {seen_items[it.id]!r}); give each item "
                    "its own id",
                )
            seen_items[it.id] = sid
            items.append(it)
        sections.append(Section(sid, str(sd.get("title") or sid), weight, tuple(items)))
    return Form(
        name=name.strip(),
        sections=tuple(sections),
        version=version,
        na_policy=policy,
        description=str(d.get("description") or ""),
    )


def load_form(text: str, where: str = "form") -> Form:
    """A form from YAML text; ``where`` (the file name) starts every error message."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or "cannot be read"
        raise _err(where, f"not valid YAML{at}: {problem}") from None
    return form_from_dict(data, where)


# -- built-in forms ---------------------------------------------------------------------


def _yes(iid: str, text: str, **kw: Any) -> Item:
    return Item(iid, text, "yes_no", **kw)


def default_form() -> Form:
    """The default form: the four sections of ``KPIS.md`` (consistency, customer
    orientation, warmth, convenience), 25 each; yes/no items, warmth on 1-5, and N/A
    allowed where a situation may not arise (a transfer, a wait)."""
    return Form(
        name="default",
        description="The four sections of KPIS.md: consistency, customer orientation, "
        "warmth, convenience",
        sections=(
            Section(
                "consistency",
                "Consistency",
                25.0,
                (
                    _yes("as_promised", "Service delivered as promised"),
                    _yes(
                        "same_every_time", "The same service as every time (follows the standard)"
                    ),
                    _yes("reliable", "Reliable: correct and complete information"),
                    _yes("predictable", "Predictable: the customer knows what happens next"),
                ),
            ),
            Section(
                "customer_orientation",
                "Customer orientation",
                25.0,
                (
                    _yes("listens", "Listens to the customer"),
                    _yes("understands", "Understands the need"),
                    _yes("tries_to_solve", "Tries to solve the problem"),
                    _yes("records", "Records the contact"),
                    _yes("controls_call", "Controls the call"),
                ),
            ),
            Section(
                "warmth",
                "Warmth",
                25.0,
                (
                    Item("proactive", "Proactive", "1-5"),
                    Item("helpful", "Helpful", "1-5"),
                    Item("knowledgeable", "Knowledgeable", "1-5"),
                    Item("friendly", "Friendly", "1-5"),
                    Item("empathetic", "Empathetic", "1-5"),
                ),
            ),
            Section(
                "convenience",
                "Convenience",
                25.0,
                (
                    _yes("answered_fast", "Answered fast"),
                    _yes("right_person", "The customer reached the right person"),
                    _yes("transferred_at_once", "Transferred at once when needed", na=True),
                    _yes("no_repeat", "The customer did not need to repeat anything"),
                    _yes("informed_while_waiting", "Informed while waiting", na=True),
                ),
            ),
        ),
    )


def genesys_example() -> Form:
    """Genesys Cloud's weighting example: group 1 (weight 40) with two 1-point
    questions, group 2 (weight 20) with one."""
    return Form(
        name="genesys-example",
        sections=(
            Section("group1", "Group 1", 40.0, (_yes("q1_1", "1.1"), _yes("q1_2", "1.2"))),
            Section("group2", "Group 2", 20.0, (_yes("q2_1", "2.1"),)),
        ),
    )
