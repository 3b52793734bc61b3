"""How many heavy jobs (a story, a training) run at once: the operator's caps, per session and on the whole server.

On 2 cores a third story or training running beside two others only slows all three, and a class on one deployment
can start dozens. HFLAB_MAX_HEAVY_JOBS caps the jobs running at once on the server: the next job waits in line,
in arrival order, and hears its place and the wait so far (a page shows them, with a stop button).
HFLAB_MAX_JOBS_PER_SESSION caps the jobs one session runs at once (a training on one tab, a story on another): one
over the cap is refused with a message. 0, the default of both, means no cap.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from hflab.messages import MessageError


class JobRefused(MessageError):
    """The session already runs as many heavy jobs as the operator allows (message `admission.session_full`)."""


@dataclass(frozen=True, eq=False)  # identity equality: two jobs alike are still two jobs
class Job:
    """One heavy job, running or in line: whose (a session's id), what (a catalog key, e.g. `admission.job.story`),
    since when it asked."""

    session: str
    kind: str
    started: float = field(default_factory=time.time)


class Admission:
    """The server's running heavy jobs under the operator's caps (0: no cap)."""

    def __init__(self, per_session: int = 0, total: int = 0):
        self.per_session, self.total = per_session, total
        self._jobs: list[Job] = []
        self._line: list[Job] = []  # the jobs waiting for a place, in arrival order
        self._lock = threading.Lock()

    def running(self) -> list[Job]:
        """The jobs running now, oldest first."""
        with self._lock:
            return list(self._jobs)

    def waiting(self) -> int:
        """How many jobs wait for a place."""
        with self._lock:
            return len(self._line)

    @contextmanager
    def admit(self, session: str, kind: str, on_wait: Callable[[int, float], None] | None = None,
              poll_s: float = 0.5) -> Iterator[Job]:
        """Run one heavy job of `session` inside this block. Over the session's cap: JobRefused at once. Over the
        server's cap: wait in line; `on_wait(place in line, seconds waited)` hears about it every `poll_s`, and an
        exception it raises (a page's stop) leaves the line."""
        ticket, start, admitted = Job(session, kind), time.monotonic(), False
        with self._lock:
            mine = sum(job.session == session for job in self._jobs + self._line)  # a job in line counts as started
            if self.per_session and mine >= self.per_session:
                raise JobRefused("admission.session_full", count=mine, cap=self.per_session)
            self._line.append(ticket)
        try:
            while not admitted:
                with self._lock:
                    admitted = self._line[0] is ticket and (not self.total or len(self._jobs) < self.total)
                    if admitted:
                        self._line.remove(ticket)
                        self._jobs.append(ticket)
                    place = 0 if admitted else self._line.index(ticket) + 1
                if not admitted:
                    if on_wait is not None:
                        on_wait(place, time.monotonic() - start)
                    time.sleep(poll_s)
            yield ticket
        finally:
            with self._lock:
                for queue in (self._line, self._jobs):
                    if ticket in queue:
                        queue.remove(ticket)
