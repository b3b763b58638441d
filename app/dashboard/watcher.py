"""Watch planning/ with watchdog and feed changed paths to the store in debounced batches."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from dashboard.tickets.scan import is_in_tickets_dir, tickets_dir

log = logging.getLogger(__name__)

# The events that can change what a ticket file holds, given to watchdog as its filter, so
# that inotify is not even asked for the others. Unfiltered, every file the scan reads
# raised IN_OPEN and IN_CLOSE_NOWRITE: 20,000 events at 10,000 tickets, each woken up,
# parsed and dropped by watchdog's threads (and logged at DEBUG), which doubled the CPU of
# a first scan and so its time under a CPU limit. A folder's "modified" is left out too: it
# only says its listing changed, and the children report themselves.
WATCHED_EVENTS = (
    FileCreatedEvent,
    DirCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,  # close after writing
    FileDeletedEvent,
    DirDeletedEvent,
    FileMovedEvent,
    DirMovedEvent,
)
DEBOUNCE_SECONDS = 0.1
MAX_DELAY_SECONDS = 1.0
FOLDER_RETRY_SECONDS = 2.0

PathBatch = Callable[[set[str]], object]


class Debouncer:
    """Collect paths until none arrived for `window` seconds (at most `max_delay`), then flush.

    An editor's save is several events (write, close, rename); one batch reads the file once.
    """

    def __init__(self, flush: PathBatch, window: float, max_delay: float) -> None:
        self._flush, self._window, self._max_delay = flush, window, max_delay
        self._pending: set[str] = set()
        self._first = self._last = 0.0
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="watch-debounce", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, paths: set[str]) -> None:
        with self._wake:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending |= paths
            self._last = now
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            try:
                self._flush(batch)
            except Exception:
                log.exception("watcher batch failed", extra={"paths": sorted(batch)[:20]})

    def _next_batch(self) -> set[str] | None:
        with self._wake:
            while not self._stopped:
                if not self._pending:
                    self._wake.wait()
                    continue
                due = min(self._last + self._window, self._first + self._max_delay)
                remaining = due - time.monotonic()
                if remaining <= 0:
                    batch, self._pending = self._pending, set()
                    return batch
                self._wake.wait(remaining)
            return None


class _Handler(FileSystemEventHandler):
    def __init__(self, root: Path, debouncer: Debouncer) -> None:
        self._root = root
        self._debouncer = debouncer

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = {_text(event.src_path), _text(event.dest_path)} - {""}
        wanted = {path for path in paths if is_in_tickets_dir(self._root, Path(path))}
        if wanted:
            self._debouncer.add(wanted)


def _text(path: bytes | str) -> str:
    return path.decode() if isinstance(path, bytes) else path


class TicketWatcher:
    """Owns an Observer on planning/ and a Debouncer; start() and stop() are explicit.

    When planning/ does not exist yet (an empty mount, a checkout still in progress), the
    watcher waits for it, checking every `retry` seconds, rather than staying blind until a
    restart; until then it is not alive, so /ready says so.
    """

    def __init__(
        self,
        root: Path,
        on_paths: PathBatch,
        *,
        polling: bool = False,
        poll_interval: float = 1.0,
        debounce: float = DEBOUNCE_SECONDS,
        retry: float = FOLDER_RETRY_SECONDS,
    ) -> None:
        self.root = root
        self.polling = polling
        self._poll_interval = poll_interval
        self._retry = retry
        self._debouncer = Debouncer(on_paths, debounce, max(MAX_DELAY_SECONDS, debounce))
        self._observer: BaseObserver | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # start of the observer vs stop()
        self.error: str | None = None

    @property
    def mode(self) -> str:
        return "polling" if self.polling else "native"

    @property
    def folder(self) -> Path:
        # planning/ rather than planning/tickets/, so that a tickets folder that is created,
        # removed or renamed later is still seen; the registry file there is filtered out.
        return self.root / "planning"

    def start(self) -> None:
        self._debouncer.start()
        if self.folder.is_dir():
            self._watch()
            return
        self.error = f"waiting for {self.folder} to exist"
        log.warning("watcher waiting", extra={"folder": str(self.folder)})
        threading.Thread(target=self._wait_for_folder, name="watch-wait", daemon=True).start()

    def _wait_for_folder(self) -> None:
        while not self._stopping.wait(self._retry):
            if self.folder.is_dir():
                if self._watch():
                    # Files written before the observer started raised no events.
                    self._debouncer.add({str(tickets_dir(self.root))})
                return

    def _watch(self) -> bool:
        with self._lock:
            if self._stopping.is_set():
                return False
            try:
                observer = self._new_observer()
                observer.schedule(
                    _Handler(self.root, self._debouncer),
                    str(self.folder),
                    recursive=True,
                    event_filter=list(WATCHED_EVENTS),
                )
                observer.start()
            except OSError as error:
                self.error = f"cannot watch {self.folder}: {error.strerror or error}"
                log.error("watcher not started", extra={"error": self.error})
                return False
            self._observer, self.error = observer, None
        log.info("watcher started", extra={"folder": str(self.folder), "mode": self.mode})
        return True

    def _new_observer(self) -> BaseObserver:
        if self.polling:
            return PollingObserver(timeout=self._poll_interval)
        return Observer()

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        self._debouncer.stop()

    def is_alive(self) -> bool:
        observer = self._observer
        return observer is not None and observer.is_alive() and self._debouncer.is_alive()

    def state(self) -> dict[str, object]:
        return {"mode": self.mode, "alive": self.is_alive(), "error": self.error}
