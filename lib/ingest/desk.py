"""The check-in desk: taps made durable first, answered at once, paired in small batches.

A tap from a phone is (1) judged from the person's current state with the rules of RULES
"From events to visits" (checked in, checked out with its stay, duplicate, orphan), (2)
written to the journal and synced to disk (``lib.store.journal``), and only then (3)
confirmed. A background thread stores the journal's taps every ``batch_seconds`` (up to
``MAX_BATCH_WAIT`` when batches run long) through
the import path (``lib.ingest.importer.record_events``: the full pairing, in one
transaction per batch), and at once when a page needs a fresh figure (``flush``). A crash
replays the journal on the next start: nothing lost, nothing doubled (RULES "Import": an
event is identified by person, building, action and instant).

The person's state is what the pairing keeps per person (``lib.ingest.pairing``): the open
visit (building, check-in, ``checkin_at + MAX_STAY``) and, per building, the last close
and whether a scan made it. It is read from the stored visits on the person's first tap
and then kept, with the taps not yet stored, until the batch that stores them.

Two taps of one person in the same second would be ordered by the pairing's tie rule
(check-out first, then building id), not by arrival; so a second tap of the same person
in the same second is stored one second later, and the order it was answered in is the
order it is paired in.

Every tap from a phone comes through here, a room poster's too (``tap(..., area=...)``):
the desk is the one writer of taps (the file import is the other way in). A room tap is an
area scan (RULES "Places inside a building"), and also a door check-in when the person is
not inside the building; it is journalled like any tap, then stored at once, and its
outcome is read from the stored stays (area stays have their own pairing).

A person the store knows (``persons``, the roster above all) keeps their stored name and
category whatever a phone sends (RULES "Self check-in"): their taps carry neither (only a
name where none is stored), and the category that sets MAX_STAY is the stored one. A
phone's details are a declaration only for a person the store does not know yet.

A form (its ``nonce``) is one tap: sent again for the same person and poster it gets the
first answer; sent for another person or poster it is refused (``FormReused``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from lib.analytics.occupancy import inside_now
from lib.core.text import clean_text
from lib.ingest.importer import record_events
from lib.ingest.pairing import DEDUP_SECONDS
from lib.store import db
from lib.store.journal import Journal, JournalEntry

SOURCE = "self-checkin"
MAX_NAME = 120
MAX_VISIT_TEXT = 200  # purpose, host, institution: as long as an imported cell keeps (importer.CELL_MAX_CHARS)
BATCH_SECONDS = 1.0
MAX_BATCH_WAIT = 3.0
REPLAY_CHUNK = 5_000
COMPACT_BYTES = 4 * 1024 * 1024  # start the journal afresh past this size
COMPACT_SECONDS = 600.0  # and at least this often while it holds stored taps
NONCE_TTL_SECONDS = 3600.0
COUNTS_WANTED_SECONDS = 120.0  # count inside-now every round only while pages ask for it
STALE_COUNTS_SECONDS = 5.0

CHECKED_IN, CHECKED_OUT, DUPLICATE, ORPHAN = "checked_in", "checked_out", "duplicate", "orphan"
US = 1_000_000
DEDUP_US = DEDUP_SECONDS * US

log = logging.getLogger(__name__)


# --- the rules on one person's state ---------------------------------------------------


@dataclass(frozen=True)
class OpenVisit:
    """The person's open visit: building, check-in and ``checkin_at + MAX_STAY`` (µs, UTC)."""

    building: str
    checkin_us: int
    deadline_us: int


@dataclass(frozen=True)
class PersonState:
    """What the pairing knows of a person between two events (``lib.ingest.pairing``)."""

    open: OpenVisit | None = None
    # building -> (instant of the last close there in µs, closed by a scan?)
    closes: dict[str, tuple[int, bool]] = field(default_factory=dict)
    category: str = "visitor"
    # Known to the store (a person row or a roster row), or declared by a tap not stored yet:
    # then name and category are the stored ones and a phone's form changes neither.
    known: bool = False
    name: str = ""


def judge(
    state: PersonState, building: str, action: str, t_us: int, max_stay_us: int
) -> tuple[str, PersonState, int | None]:
    """One scan event against the person's state: (outcome, new state, check-in of the
    visit a check-out closed). RULES "From events to visits", exactly as ``_pair_kernel``.
    ``max_stay_us`` is MAX_STAY of ``building`` for the person's category."""
    open_visit = state.open
    closes = dict(state.closes)
    if open_visit is not None and t_us > open_visit.deadline_us:
        # Past checkin_at + MAX_STAY: closed automatically at that instant.
        closes[open_visit.building] = (open_visit.deadline_us, False)
        open_visit = None
    if action == "checkin":
        if open_visit is not None:
            if open_visit.building == building and t_us - open_visit.checkin_us <= DEDUP_US:
                return DUPLICATE, replace(state, open=open_visit, closes=closes), None
            closes[open_visit.building] = (t_us, False)  # closed at min(checkin + MAX_STAY, t) = t
        fresh = OpenVisit(building, t_us, t_us + max_stay_us)
        return CHECKED_IN, replace(state, open=fresh, closes=closes), None
    if open_visit is not None and open_visit.building == building:
        closes[building] = (t_us, True)
        return CHECKED_OUT, replace(state, open=None, closes=closes), open_visit.checkin_us
    last = closes.get(building)
    duplicate = last is not None and last[1] and t_us - last[0] <= DEDUP_US
    return (DUPLICATE if duplicate else ORPHAN), replace(state, open=open_visit, closes=closes), None


def to_us(instant: datetime) -> int:
    return int(instant.timestamp()) * US + instant.microsecond


def from_us(value: int) -> datetime:
    return datetime.fromtimestamp(value // US, UTC).replace(microsecond=value % US)


def load_state(con: duckdb.DuckDBPyConnection, person_id: str, at_us: int, longest_stay_min: int) -> PersonState:
    """The person's state just before ``at_us`` from the stored visits and persons.

    Only visits that began within the longest MAX_STAY and DEDUP before can matter (a
    visit ends by its MAX_STAY at the latest), so the zone maps on ``checkin_at`` skip the
    rest of the table.
    """
    horizon = from_us(at_us) - timedelta(minutes=longest_stay_min, seconds=DEDUP_SECONDS + 60)
    rows = con.execute(
        """
        SELECT building, epoch_us(checkin_at), epoch_us(checkout_at), checkout_kind, epoch_us(auto_close_at)
        FROM visits WHERE person_id = ? AND checkin_at >= ?
        ORDER BY checkin_at
        """,
        [person_id, horizon],
    ).fetchall()
    open_visit: OpenVisit | None = None
    closes: dict[str, tuple[int, bool]] = {}
    for building, checkin_us, checkout_us, kind, deadline_us in rows:
        if checkout_us is None:
            open_visit = OpenVisit(building, int(checkin_us), int(deadline_us))
        elif building not in closes or checkout_us >= closes[building][0]:
            closes[building] = (int(checkout_us), kind == "scan")
    known, name, category = load_identity(con, person_id)
    return PersonState(open=open_visit, closes=closes, category=category, known=known, name=name)


def load_identity(con: duckdb.DuckDBPyConnection, person_id: str) -> tuple[bool, str, str]:
    """(known, stored name or '', stored category): known when the store has a person row
    or a roster row for ``person_id`` (a roster import writes both)."""
    rows = con.execute(
        """
        SELECT p.name, p.category, p.person_id IS NOT NULL OR r.person_id IS NOT NULL
        FROM (SELECT ?::TEXT AS person_id) q
        LEFT JOIN persons p USING (person_id) LEFT JOIN roster r USING (person_id)
        """,
        [person_id],
    ).fetchall()
    name, category, known = rows[0]
    return bool(known), str(name or ""), str(category or "visitor")


# --- the desk ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TapAnswer:
    """What one tap did, as answered: outcome, its stored instant, the check-in of the
    visit a check-out closed (for the stay; for a room tap, the start of the stay it
    closed), and whether it repeats an earlier form. A room tap names its ``area`` and
    says whether it also checked the person in at the door (``door_checkin``)."""

    outcome: str
    at: datetime
    building: str
    action: str
    checkin_at: datetime | None = None
    replayed: bool = False
    area: str = ""
    door_checkin: bool = False

    @property
    def stay_minutes(self) -> int | None:
        if self.checkin_at is None:
            return None
        return int((self.at - self.checkin_at).total_seconds() // 60)


@dataclass(frozen=True)
class KnownPerson:
    """A person the store knows (or a tap not stored yet declared): their stored name
    ('' when none is stored) and category."""

    person_id: str
    name: str
    category: str


class FormReused(ValueError):
    """A form (its nonce) already recorded a tap for another person or another poster."""


# What a form's nonce was first used for: person, building, action, gate, area.
_Binding = tuple[str, str, str, str, str]


@dataclass
class _Pending:
    seq: int
    person_id: str
    event: dict[str, Any]
    state_after: PersonState


@dataclass
class _Person:
    base: PersonState  # as stored in the database
    state: PersonState  # with this person's taps not yet stored
    pending: int = 0


class CheckinDesk:
    """Taps of one database (see the module docstring). Thread-safe; one per process."""

    def __init__(
        self,
        database: db.SharedDatabase,
        journal: Journal,
        batch_seconds: float = BATCH_SECONDS,
        clock: Callable[[], datetime] | None = None,
        source: str = SOURCE,
    ) -> None:
        self.database = database
        self.journal = journal
        self.batch_seconds = batch_seconds
        self.clock = clock or (lambda: datetime.now(UTC))
        self.source = source
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: list[_Pending] = []
        self._persons: dict[str, _Person] = {}
        self._last_instant: dict[str, int] = {}
        self._nonces: dict[str, tuple[float, TapAnswer, _Binding]] = {}
        self._room_lock = threading.Lock()  # one room tap at a time: journal, store, read its stay
        self._generation = 0  # odd while a batch commits
        self._stored_inside: dict[str, tuple[int, int | None, int | None]] = {}
        self._counted = 0.0  # when _stored_inside was counted (monotonic)
        self._asked = 0.0  # when a page last asked for it
        self._compacted = time.monotonic()
        self._last_batch_s = 0.0
        self._stays: dict[str, dict[str, int]] = {}
        self._longest_stay_min = max(db.DEFAULT_MAX_STAY_MINUTES.values())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.batches = 0
        self.stored = 0

    # --- start and stop ---------------------------------------------------------------

    def start(self) -> int:
        """Store what the journal holds from before (a crash), then batch in the background.

        Returns the number of taps replayed.
        """
        self._load_stays()
        unfinished = self.journal.unfinished()
        for start in range(0, len(unfinished), REPLAY_CHUNK):
            chunk = unfinished[start : start + REPLAY_CHUNK]
            self._store([entry.event for entry in chunk])
            self.journal.mark_done(chunk[-1].seq)
        self._remember_forms(self.journal.found_at_open())  # after the replay: room answers are read from the stays
        self.journal.compact()
        self.refresh_counts()
        self._thread = threading.Thread(target=self._run, name="pantau-checkin-desk", daemon=True)
        self._thread.start()
        return len(unfinished)

    def _remember_forms(self, entries: list[JournalEntry]) -> None:
        """The answers to forms of the last hour, from the journal: a form sent again after
        a restart is still answered as the first time and not stored twice."""
        horizon = self.clock().timestamp() - NONCE_TTL_SECONDS
        con = self.database.cursor()
        try:
            for entry in entries:
                event = entry.event
                nonce, outcome, area = event.get("nonce"), event.get("outcome"), str(event.get("area") or "")
                if not nonce or not (outcome or area):
                    continue
                try:
                    at = datetime.fromisoformat(str(event["timestamp"]))
                    checkin_at = datetime.fromisoformat(str(event["checkin_at"])) if event.get("checkin_at") else None
                except (KeyError, ValueError):
                    continue
                if at.timestamp() < horizon:
                    continue
                person_id, building, action = (str(event.get(k) or "") for k in ("person_id", "building", "action"))
                if area:  # a room tap's answer was read from the stays: read it again
                    outcome, checkin_at = area_outcome(con, person_id, building, area, action, at)
                answer = TapAnswer(str(outcome), at, building, action, checkin_at, area=area)
                binding = (person_id, building, action, str(event.get("gate") or ""), area)
                self._nonces[str(nonce)] = (time.monotonic() - (self.clock().timestamp() - at.timestamp()), answer, binding)
        finally:
            con.close()

    def stop(self) -> None:
        """Store what is pending and stop the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.flush()
        self.journal.close()

    def compact(self) -> bool:
        """Start the journal afresh with only the taps not stored yet (none arrive meanwhile).

        Names and phones of stored taps leave the journal with it (RULES "Personal data":
        the database is where they are kept and purged), at the latest ``COMPACT_SECONDS``
        after they were stored."""
        with self._lock:
            self._compacted = time.monotonic()
            return self.journal.compact([JournalEntry(p.seq, p.event) for p in self._pending])

    def _run(self) -> None:
        # Every batch_seconds; when a batch took long (a rush on a busy machine), wait twice
        # its time (at most MAX_BATCH_WAIT): fewer, larger batches cost less per tap, and the
        # taps are answered and durable meanwhile (pages store them at once when they read).
        while not self._stop.wait(max(self.batch_seconds, min(MAX_BATCH_WAIT, 2 * self._last_batch_s))):
            try:
                if not self.flush() and time.monotonic() - self._asked < COUNTS_WANTED_SECONDS:
                    self.refresh_counts()  # only while the page is in use
                due = time.monotonic() - self._compacted > COMPACT_SECONDS and self.journal.lines_since_compact > 0
                if due or self.journal.size_bytes() > COMPACT_BYTES:
                    self.compact()
            except Exception:  # logged; the taps stay in the journal and the next round tries again
                log.exception("storing check-in taps failed")

    # --- a tap ------------------------------------------------------------------------

    def tap(
        self,
        person: dict[str, str],
        building: str,
        action: str,
        gate: str = "",
        nonce: str | None = None,
        area: str = "",
        purpose: str = "",
        host: str = "",
        institution: str = "",
    ) -> TapAnswer:
        """Judge, journal (synced) and answer one tap. ``person`` has ``person_id`` and
        optionally ``name``, ``category``, ``phone`` (used only for a person the store does
        not know). ``area``: a room poster's tap (see the module docstring; a room has no
        gate). A ``nonce`` seen before (a form sent twice) returns the first answer with
        ``replayed=True`` and stores nothing; raises ``FormReused`` when that first answer
        was for another person, building, action, gate or room.

        ``purpose`` (keperluan) and ``host`` (whom the visitor came to see) go on the event
        and so on the visit its check-in begins; ``institution`` (instansi) on the person,
        kept as the latest non-empty one like name and phone (RULES "Import", guest book).
        A desk check-in and a phone tap are the same kind of event: one visit either way."""
        person = {
            **person,
            **{k: v for k, v in (("purpose", purpose), ("host", host), ("institution", institution)) if v},
        }
        person_id = str(person.get("person_id") or "").strip()
        if not person_id:
            raise ValueError("person_id is required")
        if action not in ("checkin", "checkout"):
            raise ValueError(f"action must be checkin or checkout, not {action!r}")
        binding: _Binding = (person_id, building, action, "" if area else gate or "", area or "")
        if area:
            with self._room_lock:
                return self._tap_room(person_id, person, building, action, area, nonce, binding)
        if nonce:
            with self._lock:
                seen = self._replayed(nonce, binding)
            if seen is not None:
                return seen
        while True:
            loaded, generation = self._state_before(person_id)
            with self._lock:
                if loaded is not None and person_id not in self._persons and self._generation != generation:
                    continue  # a batch stored this person's taps meanwhile: read again
                seen = self._replayed(nonce, binding)
                if seen is not None:
                    return seen
                answer, ticket = self._judge_and_journal(person_id, person, building, action, gate, nonce, loaded)
                self._remember(nonce, answer, binding)
                break
        self.journal.sync(ticket)
        return answer

    def _state_before(self, person_id: str) -> tuple[PersonState | None, int]:
        """The person's stored state when the desk holds none for them (else None), and the
        batch generation it was read in."""
        generation = self._generation
        with self._lock:
            held = person_id in self._persons
        return (None if held else self._load(person_id)), generation

    def _replayed(self, nonce: str | None, binding: _Binding) -> TapAnswer | None:
        """Under the lock: the first answer to this form, or None for a new form."""
        seen = self._nonces.get(nonce) if nonce else None
        if seen is None:
            return None
        if seen[2] != binding:
            raise FormReused(nonce)
        return replace(seen[1], replayed=True)

    def _remember(self, nonce: str | None, answer: TapAnswer, binding: _Binding) -> None:
        if nonce:
            self._nonces[nonce] = (time.monotonic(), answer, binding)

    def _tap_room(
        self,
        person_id: str,
        person: dict[str, str],
        building: str,
        action: str,
        area: str,
        nonce: str | None,
        binding: _Binding,
    ) -> TapAnswer:
        """A room poster's tap, under the room lock: the area scan (and a door check-in at the
        same instant when the person is not inside ``building``) journalled and synced, then
        stored, then answered from the stored stays. A crash after the journal line stores
        it on the next start, like any tap."""
        while True:
            loaded, generation = self._state_before(person_id)
            with self._lock:
                if loaded is not None and person_id not in self._persons and self._generation != generation:
                    continue
                seen = self._replayed(nonce, binding)
                if seen is not None:
                    return seen
                entry = self._entry(person_id, loaded)
                t_us = self._next_instant(person_id)
                visit = entry.state.open
                inside = visit is not None and visit.building == building and t_us <= visit.deadline_us
                door = action == "checkin" and not inside
                if door:
                    _, ticket = self._judge_and_journal(person_id, person, building, "checkin", "", None, loaded, t_us)
                event = {**self._event(entry.state, person_id, person, building, action, "", t_us), "area": area}
                if nonce:  # its answer is read from the stays: after a restart too (``_remember_forms``)
                    event["nonce"] = nonce
                if not entry.state.known:  # declared by this tap (a room check-out with no door tap)
                    declared = _category(person.get("category")) or entry.state.category
                    entry.state = replace(entry.state, known=True, name=_clean_name(person.get("name")), category=declared)
                elif not entry.state.name:
                    entry.state = replace(entry.state, name=_clean_name(person.get("name")))
                seq, ticket = self.journal.append(event)
                entry.pending += 1
                self._pending.append(_Pending(seq, person_id, event, entry.state))
                break
        self.journal.sync(ticket)
        self.flush()
        at = from_us(t_us)
        con = self.database.cursor()
        try:
            outcome, started = area_outcome(con, person_id, building, area, action, at)
        finally:
            con.close()
        answer = TapAnswer(outcome, at, building, action, started, area=area, door_checkin=door and outcome == CHECKED_IN)
        with self._lock:
            self._remember(nonce, answer, binding)
        return answer

    def known_person(self, person_id: str) -> KnownPerson | None:
        """The person as the store knows them (a tap not stored yet included), or None for a
        person the store does not know (RULES "Self check-in")."""
        with self._lock:
            entry = self._persons.get(person_id)
            state = entry.state if entry is not None else None
        if state is not None:
            known, name, category = state.known, state.name, state.category
        else:
            con = self.database.cursor()
            try:
                known, name, category = load_identity(con, person_id)
            finally:
                con.close()
        return KnownPerson(person_id, name, category) if known else None

    def _load(self, person_id: str) -> PersonState:
        con = self.database.cursor()
        try:
            return load_state(con, person_id, to_us(self.clock()), self._longest_stay_min)
        finally:
            con.close()

    def _judge_and_journal(
        self,
        person_id: str,
        person: dict[str, str],
        building: str,
        action: str,
        gate: str,
        nonce: str | None,
        loaded: PersonState | None,
        t_us: int | None = None,
    ) -> tuple[TapAnswer, int]:
        """Under the desk's lock: the outcome, the new state and the journal line agree in order.

        ``t_us``: the instant already taken for this tap (a room tap's door check-in)."""
        entry = self._entry(person_id, loaded)
        if t_us is None:
            t_us = self._next_instant(person_id)
        state = entry.state
        # RULES "Self check-in": a known person's category is the stored one; a phone's
        # category is a declaration only for a person the store does not know.
        category = state.category if state.known else _category(person.get("category")) or state.category
        if not state.known or not state.name:
            state = replace(state, known=True, name=_clean_name(person.get("name")))
        if category != state.category:
            # RULES "Choices where the rules were silent": the latest category sets MAX_STAY of every visit, the open one too.
            reopened = state.open
            if reopened is not None:
                reopened = replace(reopened, deadline_us=reopened.checkin_us + self._max_stay_us(reopened.building, category))
            state = replace(state, open=reopened, category=category)
        outcome, after, checkin_us = judge(state, building, action, t_us, self._max_stay_us(building, category))
        event = self._event(entry.state, person_id, person, building, action, gate, t_us)
        if nonce:  # kept in the journal with the answer, for a form sent again after a restart
            event.update(nonce=nonce, outcome=outcome, checkin_at=None if checkin_us is None else from_us(checkin_us).isoformat())
        seq, ticket = self.journal.append(event)
        entry.state = after
        entry.pending += 1
        self._pending.append(_Pending(seq, person_id, event, after))
        answer = TapAnswer(
            outcome=outcome,
            at=from_us(t_us),
            building=building,
            action=action,
            checkin_at=None if checkin_us is None else from_us(checkin_us),
        )
        return answer, ticket

    def _entry(self, person_id: str, loaded: PersonState | None) -> _Person:
        """Under the lock: the person's entry, made from ``loaded`` when the desk holds none."""
        entry = self._persons.get(person_id)
        if entry is None:
            assert loaded is not None
            entry = self._persons[person_id] = _Person(base=loaded, state=loaded)
        return entry

    def _next_instant(self, person_id: str) -> int:
        """Under the lock: the tap's instant, to the whole second, after the person's last one."""
        now_us = to_us(self.clock()) // US * US
        t_us = max(now_us, self._last_instant.get(person_id, 0) + US)
        self._last_instant[person_id] = t_us
        return t_us

    @staticmethod
    def _event(
        state: PersonState, person_id: str, person: dict[str, str], building: str, action: str, gate: str, t_us: int
    ) -> dict[str, Any]:
        """The scan event of a tap. ``state``: the person before it; a known person's event
        carries no name, category or phone (the stored ones stay: RULES "Self check-in")."""
        declared = not state.known
        return {
            "timestamp": from_us(t_us).isoformat(),
            "person_id": person_id,
            "building": building,
            "action": action,
            # A known person with no name stored (ids imported alone) is named by their first tap.
            "name": (_clean_name(person.get("name")) or None) if declared or not state.name else None,
            "category": (person.get("category") or None) if declared else None,
            "phone": (clean_text(person.get("phone"), 40) or None) if declared else None,
            "gate": gate or None,
            # Issue 22: what the visit is for and whom it is with; the visitor's institution.
            "purpose": clean_text(person.get("purpose"), MAX_VISIT_TEXT) or None,
            "host": clean_text(person.get("host"), MAX_VISIT_TEXT) or None,
            "institution": clean_text(person.get("institution"), MAX_VISIT_TEXT) or None,
        }

    def _max_stay_us(self, building: str, category: str) -> int:
        minutes = self._stays.get(building, {}).get(category)
        if minutes is None:
            minutes = db.DEFAULT_MAX_STAY_MINUTES.get(category, db.DEFAULT_MAX_STAY_MINUTES["visitor"])
        return int(minutes) * 60 * US

    def _load_stays(self) -> None:
        con = self.database.cursor()
        try:
            rows = con.execute(
                "SELECT building_id, max_stay_asn_min, max_stay_thl_min, max_stay_visitor_min FROM buildings"
            ).fetchall()
        finally:
            con.close()
        self._stays = {r[0]: {"ASN": int(r[1]), "THL": int(r[2]), "visitor": int(r[3])} for r in rows}
        longest = [m for stays in self._stays.values() for m in stays.values()]
        self._longest_stay_min = max([*longest, *db.DEFAULT_MAX_STAY_MINUTES.values()])

    # --- batches ----------------------------------------------------------------------

    def flush(self) -> int:
        """Store every tap answered so far through the import path; returns how many."""
        with self._flush_lock:
            with self._lock:
                batch = list(self._pending)
                if not batch:
                    return 0
                self._generation += 1  # odd: a commit is under way
            started = time.monotonic()
            try:
                self._store([p.event for p in batch])
            except BaseException:
                with self._lock:
                    self._generation += 1
                raise
            counts = self._count_stored()
            with self._lock:
                self._stored_inside = counts
                self._counted = time.monotonic()
                last_seq = batch[-1].seq
                del self._pending[: len(batch)]
                last_state: dict[str, PersonState] = {}
                counts: dict[str, int] = {}
                for item in batch:
                    last_state[item.person_id] = item.state_after
                    counts[item.person_id] = counts.get(item.person_id, 0) + 1
                for person_id, state in last_state.items():
                    entry = self._persons[person_id]
                    entry.pending -= counts[person_id]
                    if entry.pending <= 0:
                        del self._persons[person_id]  # the database has it all now
                    else:
                        entry.base = state
                self.journal.mark_done(last_seq)
                self._prune()
                self._generation += 1
            self._last_batch_s = time.monotonic() - started
            self.batches += 1
            self.stored += len(batch)
            self._load_stays()
            return len(batch)

    def _store(self, events: list[dict[str, Any]]) -> None:
        """record_events in one transaction; a write conflict with an import is tried again."""
        clean = [{k: v for k, v in event.items() if k not in ("nonce", "outcome", "checkin_at")} for event in events]
        con = self.database.cursor()
        try:
            for attempt in range(5):
                try:
                    record_events(con, clean, source=self.source, actor=self.source, log_import=False)
                    return
                except duckdb.TransactionException:
                    if attempt == 4:
                        raise
                    time.sleep(0.1 * (attempt + 1))
        finally:
            con.close()

    def _prune(self) -> None:
        """Forget same-second guards older than a few seconds and nonces older than their TTL."""
        horizon_us = to_us(self.clock()) - 5 * US
        for person_id in [p for p, t in self._last_instant.items() if t < horizon_us and p not in self._persons]:
            del self._last_instant[person_id]
        oldest = time.monotonic() - NONCE_TTL_SECONDS
        for nonce in [n for n, (at, _, _) in self._nonces.items() if at < oldest]:
            del self._nonces[nonce]

    # --- figures that include the taps not yet stored -----------------------------------

    def inside(self, building: str) -> tuple[int, int | None, int | None]:
        """People inside ``building`` now, taps not yet stored included, with its crowd
        threshold and capacity (None when not set). The stored part is counted after each
        batch and every ``batch_seconds`` (``lib.analytics.occupancy.inside_now``), and
        swapped in with the batch's taps in one step, so no tap counts twice or not at all."""
        self._asked = time.monotonic()
        if self._asked - self._counted > STALE_COUNTS_SECONDS:
            self.refresh_counts()  # nobody asked for a while: the background rounds skipped it
        at_us = to_us(self.clock())
        with self._lock:
            total, threshold, capacity = self._stored_inside.get(building, (0, None, None))
            return max(0, total + self._inside_delta(at_us).get(building, 0)), threshold, capacity

    def _count_stored(self) -> dict[str, tuple[int, int | None, int | None]]:
        con = self.database.cursor()
        try:
            frame = inside_now(con, self.clock())
        finally:
            con.close()
        return {
            str(row.building): (
                int(row.total),
                None if pd.isna(row.threshold) else int(row.threshold),
                None if pd.isna(row.capacity) else int(row.capacity),
            )
            for row in frame.itertuples(index=False)
        }

    def refresh_counts(self) -> None:
        """Count the stored visits inside now again (MAX_STAY ends visits as time passes)."""
        with self._flush_lock:
            counts = self._count_stored()
            with self._lock:
                self._stored_inside = counts
                self._counted = time.monotonic()

    def _inside_delta(self, at_us: int) -> dict[str, int]:
        delta: dict[str, int] = {}
        for entry in self._persons.values():
            for visit, sign in ((entry.state.open, 1), (entry.base.open, -1)):
                if visit is not None and at_us < visit.deadline_us:  # (a bumped tap may lie a second ahead)
                    delta[visit.building] = delta.get(visit.building, 0) + sign
        return {b: d for b, d in delta.items() if d}

    def open_visit(self, person_id: str, at: datetime | None = None) -> OpenVisit | None:
        """The person's visit open at ``at`` (default now), taps not yet stored included."""
        at_us = to_us(at or self.clock())
        with self._lock:
            entry = self._persons.get(person_id)
            state = entry.state if entry is not None else None
        if state is None:
            state = self._load(person_id)
        visit = state.open
        if visit is None or not (visit.checkin_us <= at_us < visit.deadline_us):
            return None
        return visit

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)


def area_outcome(
    con: duckdb.DuckDBPyConnection, person_id: str, building: str, area: str, action: str, at: datetime
) -> tuple[str, datetime | None]:
    """A stored room tap's outcome, from the stays and area anomalies of its area scan (and,
    for a check-out, the start of the stay it closed): RULES "Places inside a building".

    The desk gives every tap of a person its own instant, so the scan is a new event."""
    key = (person_id, building, area.lower(), at)
    where = "person_id = ? AND building = ? AND lower(area) = ?"
    anomalies = con.execute(
        f"SELECT kind FROM area_anomalies WHERE {where} AND ts = ? AND action = ?", [*key, action]
    ).fetchall()
    if anomalies:
        kinds = {r[0] for r in anomalies}
        return (ORPHAN if ORPHAN in kinds else DUPLICATE), None
    if action == "checkin":
        rows = con.execute(f"SELECT count(*) FROM stays WHERE {where} AND start_at = ?", list(key)).fetchall()
        return (CHECKED_IN if rows[0][0] else DUPLICATE), None
    rows = con.execute(
        f"SELECT start_at FROM stays WHERE {where} AND end_at = ? AND end_kind = 'scan'", list(key)
    ).fetchall()
    if rows:
        return CHECKED_OUT, rows[0][0].astimezone(UTC)
    return DUPLICATE, None


def _clean_name(value: object) -> str:
    return clean_text(value, MAX_NAME)


def _category(word: object) -> str | None:
    """The stored category of a form word (RULES "Words"); None for empty (not seen)."""
    text = str(word or "").strip().lower()
    if not text:
        return None
    return {"asn": "ASN", "thl": "THL"}.get(text, "visitor")
