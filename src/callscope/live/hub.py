"""The live hub: the running part of the live floor inside ``callscope serve``.

It owns the state (:class:`~callscope.live.reducer.LiveState`) and the journal, and runs
three kinds of threads:

* **the writer**: takes every batch of events posted and every batch of lines read by
  the followers since its last turn, drops ids already seen, journals the rest with
  one ``fsync`` (:class:`~callscope.live.journal.Journal`), applies them to the state
  in journal order, and only then acknowledges them and tells the subscribers (the SSE
  streams) the new sequence number;
* **followers** (:class:`~callscope.live.follow.Follower`), one per followed
  ``queue_log``; their lines go through a :class:`~callscope.live.queue_log.QueueLogTranslator`
  in the writer, in order;
* **the settler**: every second hands the contacts that closed, the agent spans that
  ended and the lines that could not be read to ``settle`` (the store's ``contacts``,
  ``agent_states`` and ``rejects``); when the store is busy it tries again later (the
  journal keeps everything meanwhile; settling is idempotent, so a restart settles the
  replayed contacts again without doubling them).

On start it replays the journal (the same translator and reducer, the same order), so
the state after a restart is the state before it.

**Garbage collection.** The state holds every event of the day in millions of small
objects; Python's cyclic collector scans all of them in each full collection, which
stopped every thread for 0.5 to 1 s every few seconds under load (the p99 latency of
the acknowledgements and of the stream). The state is built only from values older
than itself (it can hold no reference cycle, so only reference counting ever frees it),
so the hub moves what is alive into the collector's permanent generation
(:func:`gc.freeze`) after every :data:`FREEZE_EVERY` events, right after a collection
of what is not frozen yet: a full collection then scans only the objects made since
the last freeze. What is frozen is freed by reference counting as usual; only an
object both alive at a freeze and part of a cycle later (a request in flight) is kept
until the hub stops (:meth:`Hub.stop` unfreezes).
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from callscope.live.agent import Span
from callscope.live.contact import ContactView
from callscope.live.events import Event, event_dict, parse_event
from callscope.live.follow import Follower, LineRecord, Position
from callscope.live.journal import Journal
from callscope.live.queue_log import QueueLogTranslator
from callscope.live.reducer import LiveConfig, LiveState, apply

__all__ = ["FREEZE_EVERY", "Ack", "Hub", "RejectRow", "Settlement"]

#: Events applied between two freezes of the live objects (see the module docstring).
FREEZE_EVERY = 5_000


@dataclass(frozen=True, slots=True)
class Ack:
    """What became of one posted event: ``stored`` (durable, number ``seq``) or
    ``duplicate`` (its id was seen before: nothing changed)."""

    id: str
    status: str
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class RejectRow:
    """A followed line that could not be read."""

    feed: str
    gen: int
    line: int
    raw: str
    reason: str


@dataclass
class Settlement:
    """What the store should hold now: contacts whose visit ended (the latest view of
    each), agent spans that ended, unreadable lines, lines read per feed generation."""

    contacts: dict[str, ContactView] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    rejects: list[RejectRow] = field(default_factory=list)
    lines: dict[tuple[str, int], int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.contacts or self.spans or self.rejects or self.lines)

    def merge(self, newer: Settlement) -> None:
        self.contacts.update(newer.contacts)
        self.spans.extend(newer.spans)
        self.rejects.extend(newer.rejects)
        for k, n in newer.lines.items():
            self.lines[k] = max(self.lines.get(k, 0), n)


def _identity(text: str) -> str:
    return text


class Hub:
    """See the module docstring. ``protect`` turns a customer identifier into what may
    be kept (its pseudonym), ``redact`` a raw line into one naming no caller."""

    def __init__(
        self,
        folder: Path,
        config: LiveConfig,
        *,
        settle: Callable[[Settlement], None] | None = None,
        feeds: Iterable[Path] = (),
        protect: Callable[[str], str] = _identity,
        redact: Callable[[str], str] = _identity,
        clock: Callable[[], float] = time.time,
        replay_days: int = 2,
        settle_every_s: float = 1.0,
    ) -> None:
        self.folder = Path(folder)
        self.config = config
        self.settle = settle
        self.feeds = [Path(p) for p in feeds]
        self.protect = protect
        self.redact = redact
        self.clock = clock
        self.replay_days = replay_days
        self.settle_every_s = settle_every_s
        self.state = LiveState()
        self.journal: Journal | None = None
        self._cond = threading.Condition()
        self._queue: list[tuple[str, Any, Future[Any]]] = []
        self._subscribers: list[Callable[[int], None]] = []
        self._translators: dict[str, QueueLogTranslator] = {}
        self._positions: dict[str, Position] = {}
        self._followers: list[Follower] = []
        self._pending = Settlement()
        self._pending_lock = threading.Lock()
        self._running = False
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.settle_error: str | None = None
        self.replayed = 0
        self.started_at: float | None = None
        self._unfrozen = 0  #: events applied since the last freeze
        self.freezes = 0

    # -- life -------------------------------------------------------------------------
    def start(self) -> Hub:
        """Replay the journal, then start the writer, the settler and the followers."""
        self.journal = Journal(self.folder, self.clock)
        saved = self.journal.positions()
        for name, p in saved.items():
            if isinstance(p, list) and len(p) == 4:
                self._positions[name] = Position(*(int(x) for x in p))
        n = 0
        settle = Settlement()
        for rec in self.journal.replay(self.replay_days):
            self._apply_record(rec, settle)
            n += 1
            self._maybe_freeze(1)
        self._note(settle)
        self.replayed = n
        self._running = True
        self.started_at = self.clock()
        for target, name in ((self._write_loop, "live writer"), (self._settle_loop, "settler")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)
        for path in self.feeds:
            f = Follower(path, self._positions.get(str(path)), self._submit_lines)
            f.start()
            self._followers.append(f)
        return self

    def stop(self) -> None:
        """Stop following, write what is queued, settle what is pending."""
        for f in self._followers:
            f.stop()
        self._stopping.set()
        with self._cond:
            self._running = False
            self._cond.notify_all()
        for t in self._threads:
            t.join(timeout=30)
        self._settle_once()
        if self.journal is not None:
            self.journal.save_positions(self._positions_json())
            self.journal.close()
            self.journal = None
        if self.freezes:
            gc.unfreeze()  # what this hub froze is scanned (and freed) as usual again

    @property
    def followers(self) -> list[Follower]:
        return list(self._followers)

    # -- input ------------------------------------------------------------------------
    def submit(self, events: list[Event]) -> Future[list[Ack]]:
        """Queue ``events`` for the journal; the future is set once they are durable and
        applied (or refused as duplicates)."""
        fut: Future[list[Ack]] = Future()
        with self._cond:
            if not self._running:
                raise RuntimeError("the live hub is not running")
            self._queue.append(("events", events, fut))
            self._cond.notify_all()
        return fut

    def _submit_lines(self, records: list[LineRecord]) -> None:
        fut: Future[None] = Future()
        with self._cond:
            if not self._running:
                raise OSError(0, "stopping")
            self._queue.append(("lines", records, fut))
            self._cond.notify_all()
        fut.result()

    def subscribe(self, callback: Callable[[int], None]) -> None:
        """``callback(seq)`` after each batch applied (called in the writer thread:
        it must be quick)."""
        with self._cond:
            self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[int], None]) -> None:
        with self._cond:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

    # -- the writer -------------------------------------------------------------------
    def _write_loop(self) -> None:
        while True:
            with self._cond:
                while not self._queue and self._running:
                    self._cond.wait()
                if not self._queue and not self._running:
                    return
                batch, self._queue = self._queue, []
            try:
                self._write(batch)
            except BaseException as e:  # the journal failed: nothing acknowledged
                for _, _, fut in batch:
                    if not fut.done():
                        fut.set_exception(e)

    def _write(self, batch: list[tuple[str, Any, Future[Any]]]) -> None:
        assert self.journal is not None
        records: list[bytes] = []
        plan: list[tuple[dict[str, Any], Event | None]] = []  # (record, its event)
        replies: list[tuple[Future[Any], list[tuple[Event, bool]] | None]] = []
        ids: set[str] = set()
        for kind, payload, fut in batch:
            if kind == "events":
                told: list[tuple[Event, bool]] = []
                for e in payload:
                    fresh = e.id not in self.state.seen and e.id not in ids
                    told.append((e, fresh))
                    if not fresh:
                        continue
                    ids.add(e.id)
                    if e.customer is not None:
                        e = _with_customer(e, self.protect(e.customer))
                    plan.append(({"e": event_dict(e)}, e))
                replies.append((fut, told))
            else:
                for r in payload:
                    rec: dict[str, Any] = {
                        "q": r.feed,
                        "g": r.pos.gen,
                        "i": r.pos.ino,
                        "n": r.pos.line,
                        "o": r.pos.offset,
                        "t": None if r.text is None else _protect_line(r.text, self.protect),
                    }
                    if r.text is None:
                        rec["r"] = self.redact(r.raw)
                    plan.append((rec, None))
                replies.append((fut, None))
        for rec, _ in plan:
            records.append(orjson.dumps(rec))
        self.journal.append(records)  # durable from here on
        settle = Settlement()
        for rec, e in plan:
            if e is not None:  # checked when posted: applied as is, not read back
                self._apply_event(e, settle)
            else:
                self._apply_record(rec, settle)
        self._note(settle)
        self._maybe_freeze(len(plan))
        seen = self.state.seen
        for fut, reply in replies:
            if reply is None:
                fut.set_result(None)
            else:
                fut.set_result(
                    [
                        Ack(e.id, "stored", seen.get(e.id)) if fresh else Ack(e.id, "duplicate")
                        for e, fresh in reply
                    ]
                )
        with self._cond:
            subs = list(self._subscribers)
        for cb in subs:
            with contextlib.suppress(Exception):  # a subscriber's failure is its own
                cb(self.state.seq)

    def _apply_record(self, rec: dict[str, Any], settle: Settlement) -> None:
        """Apply one journal record (live or replayed) to the state, and note in
        ``settle`` what the store must get."""
        if "e" in rec:
            self._apply_event(parse_event(rec["e"]), settle)
            return
        feed = rec["q"]
        pos = Position(rec["g"], rec["i"], rec["n"], rec["o"])
        self._positions[feed] = pos
        tr = self._translators.get(feed)
        if tr is None:
            tr = self._translators[feed] = QueueLogTranslator(feed)
        k = (feed, pos.gen)
        settle.lines[k] = max(settle.lines.get(k, 0), pos.line)
        text = rec.get("t")
        if text is None:
            raw = rec.get("r") or ""
            reason = "not UTF-8 text, or longer than 1 MiB: the line cannot be read"
            settle.rejects.append(RejectRow(feed, pos.gen, pos.line, raw, reason))
        else:
            out = tr.line(text, pos.line, f"ql:{feed}:{pos.gen}:{pos.line}")
            if out.reject is not None:
                settle.rejects.append(
                    RejectRow(feed, pos.gen, pos.line, self.redact(text), out.reject)
                )
            for e in out.events:
                self._apply_event(e, settle)

    def _apply_event(self, e: Event, settle: Settlement) -> None:
        """Apply ``e`` to the state; note in ``settle`` the contact it closed and the
        agent spans it ended."""
        before = self.state
        after = apply(before, e, before.seq + 1, self.config)
        if after is before:
            return
        self.state = after
        names = {e.agent}
        if e.contact is not None and e.type != "agent.state":
            v = after.contacts.get(e.contact)
            if v is not None and v.closed:
                settle.contacts[e.contact] = v
                names.add(v.agent)  # a close naming no agent moves the one on the contact
        for name in names:
            if name is None:
                continue
            old, new = before.agents.get(name), after.agents.get(name)
            if new is not None and (old is None or len(new.spans) > len(old.spans)):
                settle.spans.extend(new.spans[len(old.spans) if old else 0 :])

    def _maybe_freeze(self, applied: int) -> None:
        """After :data:`FREEZE_EVERY` events: collect what is not frozen yet, then
        freeze what is left alive (see the module docstring)."""
        self._unfrozen += applied
        if self._unfrozen < FREEZE_EVERY:
            return
        self._unfrozen = 0
        gc.collect()
        gc.freeze()
        self.freezes += 1

    def _note(self, settle: Settlement) -> None:
        if settle:
            with self._pending_lock:
                self._pending.merge(settle)

    # -- the settler ------------------------------------------------------------------
    def _settle_loop(self) -> None:
        last_saved = 0.0
        while not self._stopping.wait(self.settle_every_s):  # not woken by each submit
            self._settle_once()
            if self.journal is not None and time.monotonic() - last_saved > 5:
                last_saved = time.monotonic()
                with contextlib.suppress(OSError):
                    self.journal.save_positions(self._positions_json())

    def _settle_once(self) -> None:
        if self.settle is None:
            with self._pending_lock:
                self._pending = Settlement()
            return
        with self._pending_lock:
            batch, self._pending = self._pending, Settlement()
        if not batch:
            return
        try:
            self.settle(batch)
            self.settle_error = None
        except Exception as e:  # the store is busy or failing: keep it for later
            self.settle_error = str(e).splitlines()[0] if str(e) else type(e).__name__
            with self._pending_lock:
                batch.merge(self._pending)
                self._pending = batch

    def pending(self) -> int:
        """Rows waiting to be settled into the store."""
        with self._pending_lock:
            p = self._pending
            return len(p.contacts) + len(p.spans) + len(p.rejects)

    def _positions_json(self) -> dict[str, list[int]]:
        return {k: [p.gen, p.ino, p.line, p.offset] for k, p in dict(self._positions).items()}


def _with_customer(e: Event, customer: str) -> Event:
    from dataclasses import replace

    return replace(e, customer=customer)


def _protect_line(text: str, protect: Callable[[str], str]) -> str:
    """A queue_log line with the caller id of an ENTERQUEUE replaced by ``protect``."""
    if protect is _identity or "ENTERQUEUE" not in text.upper():
        return text
    p = text.split("|")
    if len(p) > 6 and p[4].upper() == "ENTERQUEUE" and p[6] not in ("", "unknown"):
        p[6] = protect(p[6])
        return "|".join(p)
    return text
