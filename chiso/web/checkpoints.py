"""The embedded record store checkpointed once pushes go quiet, off the requests' path.

DuckDB writes every commit to its write-ahead log and, past ``checkpoint_threshold``, folds
the log into the database file before the commit returns. At DuckDB's 16 MB a pushed batch of
10,000 dossiers passed it nearly every time, and its answer waited 0.2–0.4 s (on a loaded
machine up to 0.9 s) for the fold. The writable store is opened with a higher ceiling
(``CHISO_DUCKDB_WAL_MB``) and the web writer folds the log itself, in a background thread,
once no batch has arrived for ``CHISO_CHECKPOINT_QUIET_SECONDS`` — under the context's lock,
so no read or write of the store runs meanwhile. A PostgreSQL record store has its own
checkpointer: ``RecordStore.checkpoint`` does nothing there.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import AbstractContextManager

from chiso.errors import ChisoError

log = logging.getLogger("chiso.web")


class QuietCheckpoint:
    """Checkpoint ``store`` ``quiet`` seconds after the last ``written()`` call."""

    def __init__(self, store, lock: AbstractContextManager, quiet: float) -> None:
        self.store, self.lock, self.quiet = store, lock, quiet
        self._timer: threading.Timer | None = None
        self._guard = threading.Lock()
        #: Held while a checkpoint runs, so that ``close`` waits for it to end.
        self._running = threading.Lock()
        self._closed = False
        #: How many checkpoints ran, and how long the last one held the store (seconds; read by
        #: tests and by benchmarks/bench_ingest.py).
        self.done, self.last_seconds = 0, 0.0

    def written(self) -> None:
        """A batch was written: the checkpoint waits until ``quiet`` seconds pass without another."""
        with self._guard:
            if self._closed:
                return  # the application has ended: the store is closed next
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.quiet, self._run)
            self._timer.name, self._timer.daemon = "chiso-checkpoint", True
            self._timer.start()

    def _run(self) -> None:
        with self._running:
            with self._guard:
                if self._closed or self._timer is not threading.current_thread():
                    return  # closed meanwhile, or a later batch re-armed the timer
                self._timer = None
            try:
                with self.lock:
                    started = time.perf_counter()
                    self.store.checkpoint()
                    self.last_seconds = time.perf_counter() - started
                self.done += 1
            except ChisoError as error:  # the store closed, or the disk is full: the next commit past
                log.warning("checkpoint of the record store failed: %s", error)  # the ceiling folds it

    def close(self) -> None:
        """Cancel a pending checkpoint (DuckDB folds the log when the store is closed) and wait
        for one already running to end, so that whoever closes the store next finds it idle."""
        with self._guard:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        with self._running:
            pass
