"""The check-in journal: an append-only file beside the database where a tap is durable first.

One line per record, JSON: ``{"seq": 17, "event": {...}}`` for a tap (its scan event in the
fields of ``lib.ingest.importer.record_events``, plus the form's nonce when it had one) and
``{"done": 17}`` once every tap up to that number is stored in the database. A tap is
confirmed to the phone only after its line is on disk (``fsync``), so a crash of the
process or of the machine (``kill -9``, a power cut) loses no confirmed tap: the next start
stores the taps after the last ``done`` again. That is safe to repeat, because an event is
identified by person, building, action and instant (RULES "Import"): a tap stored before
the crash and again after it is stored once.

Writes are group-committed: many threads append their lines, and one ``fsync`` makes all
lines written so far durable, so a burst of taps costs a few syncs rather than one each.
When everything is stored, the file is started afresh (``compact``), so it stays small.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def journal_path(db_path: Path) -> Path:
    """``<database>.checkins.jsonl``: beside the file it feeds."""
    return db_path.with_name(db_path.name + ".checkins.jsonl")


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    event: dict[str, Any]


class Journal:
    """The append-only journal file of one database (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()  # order of lines and sequence numbers
        self._sync_lock = threading.Lock()  # one fsync at a time; others piggy-back on it
        self._written = 0  # lines written to the OS so far (this file)
        self._synced = 0  # lines known to be on disk
        self.lines_since_compact = 0  # taps and marks written since the file was last started afresh
        self.path.parent.mkdir(parents=True, exist_ok=True)
        entries, done = self._read()
        self._next_seq = max([done, *[e.seq for e in entries]]) + 1
        self._done = done
        self._pending_at_open = [e for e in entries if e.seq > done]
        self._found_at_open = entries
        self._file = _open_private(self.path)  # held for the process's life

    # --- reading --------------------------------------------------------------------

    def _read(self) -> tuple[list[JournalEntry], int]:
        """Every tap line and the highest ``done`` mark. A torn last line (a crash while
        writing it, so never confirmed) is skipped."""
        entries: list[JournalEntry] = []
        done = 0
        if not self.path.exists():
            return entries, done
        with open(self.path, "rb") as handle:
            for raw in handle:
                try:
                    record = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(record, dict):
                    continue
                if "done" in record:
                    done = max(done, int(record["done"]))
                elif "seq" in record and isinstance(record.get("event"), dict):
                    entries.append(JournalEntry(int(record["seq"]), record["event"]))
        return entries, done

    def unfinished(self) -> list[JournalEntry]:
        """The taps of the file as found at start that no ``done`` mark covers, in order."""
        return list(self._pending_at_open)

    def found_at_open(self) -> list[JournalEntry]:
        """Every tap of the file as found at start (stored or not), in order."""
        return list(self._found_at_open)

    @property
    def done(self) -> int:
        return self._done

    # --- writing --------------------------------------------------------------------

    def append(self, event: dict[str, Any]) -> tuple[int, int]:
        """Write one tap line (not yet synced); returns (its sequence number, a sync ticket).

        Call ``sync(ticket)`` before confirming the tap. Callers that need the journal's
        order to be their own decision order hold their own lock around this call.
        """
        with self._lock:
            seq = self._next_seq
            self._next_seq += 1
            line = json.dumps({"seq": seq, "event": event}, ensure_ascii=False, separators=(",", ":"), default=str)
            self._file.write(line.encode("utf-8") + b"\n")
            self._written += 1
            self.lines_since_compact += 1
            return seq, self._written

    def sync(self, ticket: int) -> None:
        """Return once the line of ``ticket`` is on disk (one fsync serves every line before it)."""
        if self._synced >= ticket:
            return
        with self._sync_lock:
            if self._synced >= ticket:
                return
            with self._lock:
                target = self._written
                fileno = self._file.fileno()
            os.fsync(fileno)
            self._synced = max(self._synced, target)

    def mark_done(self, seq: int) -> None:
        """Every tap up to ``seq`` is stored in the database (synced with the next tap's line;
        a lost mark only makes the next start store those taps again, which changes nothing)."""
        with self._lock:
            if seq <= self._done:
                return
            self._done = seq
            self._file.write(json.dumps({"done": seq}).encode("utf-8") + b"\n")
            self._written += 1
            self.lines_since_compact += 1

    def compact(self, keep: list[JournalEntry] | None = None) -> bool:
        """Start the file afresh with only the taps not stored yet; True when it did.

        ``keep`` are those taps (the caller's pending ones, every line after the last
        ``done`` mark); without it the file is started afresh only when everything is
        stored. The new file is synced and renamed over the old one, so a crash leaves
        either the old file or the new one, never a half. Call it under the lock that
        orders your appends, so no tap is written between the two.
        """
        with self._lock:
            keep = list(keep or [])
            if self._written == 0 and not self._found_at_open:
                return False
            if not keep and self._next_seq - 1 != self._done:
                return False
            fresh = self.path.with_name(self.path.name + ".new")
            fresh.unlink(missing_ok=True)
            with _open_private(fresh) as handle:
                handle.write(json.dumps({"done": self._done}).encode("utf-8") + b"\n")
                for entry in keep:
                    line = json.dumps({"seq": entry.seq, "event": entry.event}, ensure_ascii=False, separators=(",", ":"), default=str)
                    handle.write(line.encode("utf-8") + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(fresh, self.path)
            _sync_folder(self.path.parent)
            self._file.close()
            self._file = _open_private(self.path)
            self._written = self._synced = 1 + len(keep)  # all on disk already
            self.lines_since_compact = 0
            self._pending_at_open = []
            self._found_at_open = []
            return True

    def size_bytes(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def close(self) -> None:
        with self._lock:
            try:
                os.fsync(self._file.fileno())
            except OSError:
                pass
            self._file.close()


def _open_private(path: Path) -> Any:
    """Open for appending, created readable by the owner only (names and phones are in it)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab", buffering=0)


def _sync_folder(folder: Path) -> None:
    """fsync a folder so a rename in it survives a power cut (POSIX; a no-op elsewhere)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
