"""Handing committed outbox ids to the broker from a thread of each process, a few at a time.

Publishing a Celery task costs more CPU than taking a seat. A registration only
drops its email id here and returns; this thread publishes what has gathered
every few milliseconds as one delivery task per batch. An id that never leaves
(the broker is down, the process dies) stays `queued` in the outbox, where the
sweep finds it: nothing is lost, it only waits.
"""

import logging
import os
import threading
import time

log = logging.getLogger(__name__)

#: how long the thread lets ids gather before publishing them together: under load, a batch per tenth
#: of a second instead of a task per registration
LINGER_SECONDS = 0.1


class Dispatcher:
    """One publishing thread per process, started on first use (and again after a fork)."""

    def __init__(self, publish):
        self._publish = publish
        self._lock = threading.Lock()
        self._pending: dict[object, list[int]] = {}
        self._wakeup = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def submit(self, celery_app, ids: list[int]) -> None:
        """Queue ids for publishing through celery_app; returns at once."""
        with self._lock:
            self._pending.setdefault(celery_app, []).extend(ids)
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="outbox-dispatcher", daemon=True)
                self._thread.start()
        self._wakeup.set()

    def flush(self) -> None:
        """Publish everything waiting, now (at exit, and in tests)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        for celery_app, ids in pending.items():
            try:
                self._publish(celery_app, ids)
            except Exception:  # the broker is down: the rows stay queued for the sweep
                log.warning("could not queue delivery of %d emails; the sweep will", len(ids), exc_info=True)

    def _run(self) -> None:
        while True:
            self._wakeup.wait()
            time.sleep(LINGER_SECONDS)
            self._wakeup.clear()
            self.flush()
