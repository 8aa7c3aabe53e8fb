"""Long work started from a page: a thread held by the app, a :class:`Job` the page
polls (state ``running`` / ``done`` / ``failed``, the step, the one-line error, live
counts) and shows as a progress line. The Workforce page's forecasts, plans and rosters
and the Data page's uploads run this way; each page keeps its own :class:`Jobs`
(the newest :data:`KEEP_JOBS`) in the app state's cache (:func:`jobs_of`)."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from callscope.errors import CallscopeError
from callscope.web.deps import AppState, clean

__all__ = ["KEEP_JOBS", "Job", "Jobs", "jobs_of", "one_line"]

KEEP_JOBS = 50


@dataclass
class Job:
    """One piece of long work run from a page."""

    id: str
    kind: str  #: forecast | plan | roster | upload
    user: str
    started: datetime
    step: str
    state: str = "running"  #: running | done | failed
    finished: datetime | None = None
    error: str | None = None
    message: str | None = None  #: what was done, in words
    url: str | None = None  #: where to see the result
    result: Any = None  #: a plan's :class:`~callscope.services.workforce.PlanView` ...
    asked: dict[str, str] = field(default_factory=dict)
    #: counts so far (an upload: rows read, loaded, rejected), read at each poll
    counts: Callable[[], Any] | None = None

    def status(self, now: datetime) -> dict[str, Any]:
        end = self.finished or now
        counts = None
        if self.counts is not None:
            try:
                counts = self.counts()
            except RuntimeError:  # a count changed while it was read: the next poll has it
                counts = None
        return clean(
            {
                "id": self.id,
                "kind": self.kind,
                "user": self.user,
                "state": self.state,
                "step": self.step,
                "started": self.started,
                "started_hm": f"{self.started:%H:%M:%S}",
                "finished": self.finished,
                "seconds": round((end - self.started).total_seconds(), 1),
                "error": self.error,
                "message": self.message,
                "url": self.url,
                "asked": self.asked,
                "counts": counts,
            }
        )


class Jobs:
    """The jobs of one page: the newest :data:`KEEP_JOBS`, a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.jobs: OrderedDict[str, Job] = OrderedDict()

    def get(self, job_id: str | None) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id or "")

    def running(self) -> list[Job]:
        with self.lock:
            return [j for j in self.jobs.values() if j.state == "running"]

    def start(
        self,
        kind: str,
        user: str,
        now: datetime,
        asked: dict[str, str],
        *,
        one_at_a_time: str | None = None,
    ) -> Job:
        """A new running job; with ``one_at_a_time`` (the form field to blame), refused
        while another of its kind runs."""
        with self.lock:
            if one_at_a_time is not None:
                busy = [j for j in self.jobs.values() if j.kind == kind and j.state == "running"]
                if busy:
                    raise CallscopeError(
                        f"a {kind} is running already (started by {busy[0].user} at "
                        f"{busy[0].started:%H:%M:%S}); wait for it to finish",
                        field=one_at_a_time,
                    )
            job = Job(secrets.token_hex(6), kind, user, now, "started", asked=asked)
            self.jobs[job.id] = job
            while len(self.jobs) > KEEP_JOBS:
                self.jobs.popitem(last=False)
            return job


_CREATE = threading.Lock()


def jobs_of(st: AppState, name: str) -> Jobs:
    """The :class:`Jobs` kept under ``name`` in the app's cache (made on first use)."""
    with _CREATE:
        got = st.cache.get(name)
        if got is None:
            got = st.cache[name] = Jobs()
        return got  # type: ignore[no-any-return]


def one_line(e: BaseException) -> str:
    """An exception as the one line a job shows (a bug keeps its type)."""
    text = " ".join(str(e).split())
    return text if isinstance(e, CallscopeError) else f"{type(e).__name__}: {text}"
