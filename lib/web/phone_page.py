"""The light check-in page a poster's QR code opens: plain HTML, served beside the dashboard.

``GET /checkin?b=..&g=..&a=..&s=..`` (the signed address of ``lib.outputs.checkin``; a
room poster adds ``r``) shows the poster's building and action and either one button (a
phone the cookie knows, with "inside since 08:02" when it is) or the first-time form.
``POST`` to the same address (every address the page writes keeps ``b``, ``g``, ``r``,
``a``, ``s``) with ``application/x-www-form-urlencoded`` fields ``person_id``, ``name``,
``category``, ``phone`` records the tap through the check-in desk (``lib.ingest.desk``:
journalled, answered from the person's state, stored in batches; a room tap stored at once
and answered from the stays) and answers with a page that states the outcome as its
biggest line, then the crowd inside now (taps not yet stored included).

Who taps (RULES "Self check-in", ``CheckinPage._person``): the person of the phone's signed
cookie when it names the posted id; otherwise a name is needed, for a known id and an
unknown one alike; a known person's name must match the stored one (``names_match``) and
their stored name and category stay; an unknown id with a name is a new person.

The front desk (RULES "The front desk"): an address with ``v`` is a visitor's own (a slip's
pass: it checks that visitor out; an expected visitor's id: it checks them in on their day),
shown as their name and one button, done by ``lib.ingest.front_desk``. On a door's check-in
poster the form also asks a visitor the store does not know as staff for the purpose, the
institution and the unit visited (optional unless Settings requires a purpose).

No JavaScript is needed (one line only stops a double tap), no web font, no framework:
the whole page is a few kilobytes. Indonesian first; ``&lang=en`` gives English, and the
phone keeps the choice in a small cookie of its own (``LANG_COOKIE``) so the next poster
opens in it; an explicit ``lang`` in the address still wins.

The form has no ``required`` field: the browser's own "Please fill out this field" speaks
the phone's language, not the page's, so a missing name or id is answered by the server,
in the page's language, with the form again (nothing stored).

Bad input is refused with a page that says why and stores nothing: a forged, edited or
incomplete address, an edited or expired form (``f``, a signed token of when the form was
shown), a form sent twice (the same ``f``: the first answer again; for another person or
poster: refused, 409), a name over 120 characters or not matching the stored one, an id
that is not digits, a body over 16 KB, and more taps than the rate limits allow (per phone,
and per network address: ``PANTAU_CHECKIN_RATE_LIMIT``; behind a proxy of
``PANTAU_TRUSTED_PROXIES``, the address it forwards). Names, ids and phone numbers are
cleaned where they enter (``lib.core.text.clean_text``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from lib.core import config
from lib.core.i18n import LANGUAGES, t
from lib.core.text import clean_text, names_match, normalize_id
from lib.core.timeutil import zone_label
from lib.ingest import front_desk
from lib.ingest.desk import CHECKED_IN, DUPLICATE, CheckinDesk, FormReused, TapAnswer, from_us
from lib.outputs import checkin, host_notify
from lib.outputs.checkin import CheckinTarget
from lib.store import db
from lib.web import phone

MAX_BODY_BYTES = 16 * 1024
MAX_NAME = phone.MAX_NAME
MAX_ID = phone.MAX_ID
FORM_TTL_SECONDS = 6 * 3600  # a form left open on a phone for a whole shift still works
PHONE_TAPS_PER_MINUTE = 12
TARGET_CACHE_SECONDS = 30.0  # a renamed building or removed gate shows within this
ACTION_COLOURS = {"checkin": "#15803d", "checkout": "#d9480f"}  # as on the posters
# A number, or a code with letters that may hold dashes, dots and slashes ("THL-0229").
ID_PATTERN = re.compile(r"^\+?[0-9A-Za-z](?:[0-9A-Za-z./_-]{0,38}[0-9A-Za-z])?$")
# The phone's chosen language (only "id" or "en": no personal data, so not signed).
LANG_COOKIE = "pantau_lang"

log = logging.getLogger(__name__)

Opener = Callable[[], tuple[db.SharedDatabase, CheckinDesk]]


# --- rate limits -------------------------------------------------------------------------


class RateLimiter:
    """At most ``limit`` taps per key in any one-minute window (fixed windows, so at most
    twice that across a window edge). ``limit`` 0: no limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}

    def allow(self, key: str, now: float | None = None) -> bool:
        if self.limit <= 0:
            return True
        minute = int((now if now is not None else time.time()) // 60)
        with self._lock:
            if len(self._windows) > 100_000:  # old windows of past minutes
                self._windows = {k: v for k, v in self._windows.items() if v[0] == minute}
            start, count = self._windows.get(key, (minute, 0))
            if start != minute:
                start, count = minute, 0
            if count >= self.limit:
                return False
            self._windows[key] = (start, count + 1)
            return True


# --- the form token ------------------------------------------------------------------------


def _token_signature(issued: int, nonce: str) -> str:
    digest = hmac.new(checkin.signing_key(), f"form|{issued}|{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode("ascii")


def form_token(now: float | None = None) -> str:
    """``<issued>.<nonce>.<signature>``: when the form was shown, and its own random name."""
    issued = int(now if now is not None else time.time())
    nonce = secrets.token_urlsafe(9)
    return f"{issued}.{nonce}.{_token_signature(issued, nonce)}"


def check_form_token(token: str, now: float | None = None) -> str | None:
    """The token's nonce, or a refusal code: ``bad_form`` (edited) or ``expired``."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(token) > 100:
        return "bad_form"
    issued, nonce, signature = int(parts[0]), parts[1], parts[2]
    if not hmac.compare_digest(signature.encode(), _token_signature(issued, nonce).encode()):
        return "bad_form"
    if (now if now is not None else time.time()) - issued > FORM_TTL_SECONDS:
        return "expired"
    return None


# --- the page (Jinja templates in lib/web/templates, every value autoescaped) ---------------

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("lib.web", "templates"),
    autoescape=True,  # a name, a building or a text is never markup
    undefined=jinja2.StrictUndefined,  # a misspelt value fails the test, not the page silently
    trim_blocks=True,
)

# The parameters of a poster's signed address (``lib.outputs.checkin``: ``r`` is a room
# poster's room), and the page's language.
ADDRESS_PARAMS = ("b", "g", "r", "v", "a", "s", "lang")


def _address(query: dict[str, str], **change: str) -> str:
    """The poster's address (as opened) with some parameters changed; '' drops one."""
    params = {k: v for k, v in query.items() if k in ADDRESS_PARAMS}
    params.update(change)
    return "/checkin?" + urlencode({k: v for k, v in params.items() if v})


@dataclass(frozen=True)
class _View:
    """What every template of the page needs: the language, the poster's addresses, texts."""

    lang: str
    query: dict[str, str]
    action: str = "checkin"
    crowd_text: str = ""

    @property
    def other_lang(self) -> str:
        return "en" if self.lang == "id" else "id"

    @property
    def address(self) -> str:
        return _address(self.query)

    @property
    def other_language_address(self) -> str:
        return _address(self.query, lang=self.other_lang)

    @property
    def forget_address(self) -> str:
        return _address(self.query, forget="1")

    @property
    def colour(self) -> str:
        return ACTION_COLOURS.get(self.action, ACTION_COLOURS["checkin"])

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)


def _render(template: str, view: _View, **context: Any) -> str:
    return _TEMPLATES.get_template(template).render(
        page=view, lang=view.lang, title=view.t("checkin.title"), **context
    )


def _local_time(instant: datetime, timezone: str) -> str:
    return f"{instant.astimezone(ZoneInfo(timezone)):%H:%M} {zone_label(timezone)}"


def _view(lang: str, query: dict[str, str], target: CheckinTarget, crowd: phone.Crowd | None = None) -> _View:
    return _View(lang, query, target.action, phone.crowd_text(crowd, lang) if crowd is not None else "")


def _form_page(
    view: _View,
    target: CheckinTarget,
    crowd: phone.Crowd | None,
    person: dict[str, str] | None = None,
    inside_line: str = "",
    values: dict[str, str] | None = None,
    problem: str = "",
    missing: tuple[str, ...] = (),
    visit_fields: dict[str, Any] | None = None,
) -> str:
    """The poster's page: one button for a phone the cookie knows (``person``), else the
    first-time form. No ``required`` attribute: a missing field is answered by the server in
    the page's language (``problem``; ``missing`` fields are marked and the first one
    focused), not by the browser in the phone's."""
    values = values or {}
    first_missing = next((f for f in ("name", "person_id") if f in missing), "")

    def mark(field: str) -> Markup:
        if field not in missing:
            return Markup("")
        return Markup(' aria-invalid="true"' + (" autofocus" if field == first_missing else ""))

    return _render(
        "checkin.html", view, target=target, person=person, inside_line=inside_line, values=values,
        problem=problem, mark=mark, chosen_category=values.get("category") or "visitor",
        categories=phone.FORM_CATEGORIES, max_name=MAX_NAME, max_id=MAX_ID, form_token=form_token(),
        crowd_now=crowd, result_only=False, visit_fields=visit_fields,
    )


def _inside_line(visit: Any, target: CheckinTarget, con: Any, lang: str) -> str:
    if visit is None:
        return ""
    since = _local_time(from_us(visit.checkin_us), target.timezone)
    if visit.building == target.building:
        return t("phone.inside_since", lang, time=since)
    row = checkin.building_row(con, visit.building) or {}
    name = str(row.get("name") or visit.building)
    return t("phone.inside_elsewhere", lang, building=name, time=since)


def _answer_page(view: _View, answer: TapAnswer, target: CheckinTarget, crowd: phone.Crowd) -> str:
    """The answer to a tap, its outcome the biggest line (a room tap's names the room)."""
    level, sentence = phone.outcome_message(answer, target, view.lang)
    if target.area:
        where = f"{target.building_name} · {target.area_name or target.area}"
    else:
        where = target.building_name + (f" · {target.gate_name}" if target.gate else "")
    return _render(
        "answer.html", view, level={"success": "ok", "info": "info"}.get(level, "warn"), sentence=sentence,
        outcome=answer.outcome, replayed=answer.replayed, where=where, crowd_now=crowd,
    )


@dataclass
class Reply:
    status: int
    body: str
    cookie: str | None = None  # a Set-Cookie value, '' to delete the person cookie
    lang_cookie: str | None = None  # the phone's chosen language to keep (an explicit ``lang``)


def _refusal(lang: str, query: dict[str, str], message: str, status: int, link: str = "") -> Reply:
    """A page that says nothing was recorded and why; ``link``: a line leading back to the poster."""
    return Reply(status, _render("refusal.html", _View(lang, query), message=message, back=link))


# --- what a request does (plain functions: the tests call them without a server) ------------


class CheckinPage:
    """The light page's logic over one database and desk (``opener`` gives them)."""

    def __init__(self, opener: Opener) -> None:
        self.opener = opener
        self.per_address = RateLimiter(config.checkin_rate_limit())
        self.per_phone = RateLimiter(PHONE_TAPS_PER_MINUTE if config.checkin_rate_limit() > 0 else 0)
        # A verified poster address, for a few seconds: a rush scans the same few posters.
        self._targets: dict[tuple[str, ...], tuple[float, CheckinTarget]] = {}

    def _target(self, con: Any, query: dict[str, str], lang: str) -> CheckinTarget | Reply:
        key = tuple(str(query.get(k, "")) for k in ("b", "g", "r", "v", "a", "s"))
        cached = self._targets.get(key)
        if cached is not None and time.monotonic() - cached[0] < TARGET_CACHE_SECONDS:
            target: CheckinTarget | str = cached[1]
        else:
            target = checkin.verify_checkin_params(con, query)
            if not isinstance(target, str):
                if len(self._targets) > 10_000:
                    self._targets.clear()
                self._targets[key] = (time.monotonic(), target)
        if isinstance(target, str):
            status = 403 if target == checkin.REFUSED_SIGNATURE else 400 if target == checkin.REFUSED_MISSING else 404
            return _refusal(lang, query, t(f"checkin.refused.{target}", lang), status)
        return target

    def _crowd(self, desk: CheckinDesk, target: CheckinTarget) -> phone.Crowd:
        inside, threshold, capacity = desk.inside(target.building)
        return phone.Crowd(inside_now=inside, threshold=threshold, capacity=capacity)

    def get(self, query: dict[str, str], cookie: str | None, lang_cookie: str | None = None) -> Reply:
        lang = _lang(query, lang_cookie)
        database, desk = self.opener()
        con = database.cursor()
        try:
            target = self._target(con, query, lang)
            if isinstance(target, Reply):
                return target
            if target.visitor:  # a slip's QR or an expected visitor's link (the front desk)
                return self._visitor_page(con, desk, query, target, lang)
            forget = query.get("forget") == "1"
            person = None if forget else phone.decode_person_cookie(cookie)
            inside = _inside_line(desk.open_visit(person["person_id"]), target, con, lang) if person else ""
            crowd = self._crowd(desk, target)
            body = _form_page(_view(lang, query, target, crowd), target, crowd, person=person, inside_line=inside,
                              visit_fields=_visit_fields(con, target))
            return Reply(
                200, body, cookie="" if forget else None,
                lang_cookie=_chosen(query),
            )
        finally:
            con.close()

    def post(
        self, query: dict[str, str], body: bytes, cookie: str | None, address: str, lang_cookie: str | None = None
    ) -> Reply:
        lang = _lang(query, lang_cookie)
        if len(body) > MAX_BODY_BYTES:
            return _refusal(lang, query, t("phone.too_large", lang), 413)
        database, desk = self.opener()
        con = database.cursor()
        try:
            target = self._target(con, query, lang)
            if isinstance(target, Reply):
                return target
            if not self.per_address.allow(address):
                return _refusal(lang, query, t("phone.rate_limited", lang), 429)
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True).items()}
            asked = {**query, **({"lang": form["lang"]} if "lang" in form else {})}
            lang = _lang(asked, lang_cookie)
            token = form.get("f", "")
            nonce = None
            if token:
                problem = check_form_token(token)
                if problem is not None:
                    return _refusal(lang, query, t(f"phone.{problem}", lang), 400)
                nonce = token.split(".")[1]
            if target.visitor:
                return self._visitor_tap(database, con, desk, query, target, lang)
            person = self._person(desk, form, cookie, lang)
            if isinstance(person, tuple):
                problem, missing = person
                body = _form_page(_view(lang, query, target), target, None, values=form, problem=problem, missing=missing,
                                  visit_fields=_visit_fields(con, target))
                return Reply(422, body)
            visit = _visit_details(con, desk, target, person, form, lang)
            if isinstance(visit, str):  # a purpose the office requires, or "lainnya" without its text
                body = _form_page(_view(lang, query, target), target, None, values=form, problem=visit,
                                  missing=("purpose",), visit_fields=_visit_fields(con, target))
                return Reply(422, body)
            if not self.per_phone.allow(person["person_id"]):
                return _refusal(lang, query, t("phone.rate_limited", lang), 429)
            try:
                # Every tap through the desk, a room poster's too (an area scan, and a door
                # check-in when the person is not inside yet: ``CheckinDesk.tap``).
                answer = desk.tap(person, target.building, target.action, target.gate, nonce=nonce, area=target.area,
                                  **visit)
            except FormReused:
                # The same form sent again for somebody else (the phone's Back button): the
                # first tap stands, this one is not recorded and not confirmed.
                return _refusal(lang, query, t("phone.form_used", lang), 409, link=t("phone.open_poster", lang))
            except Exception:
                log.exception("self check-in failed")
                return _refusal(lang, query, t("checkin.error", lang), 503)
            if visit.get("host") and answer.outcome == CHECKED_IN and not answer.replayed:
                # The unit visited told through the hosts' webhook, where Settings names one (never the id or phone).
                host_notify.notify_arrival(database, target.building, person.get("name", ""), visit["institution"],
                                           visit["purpose"], visit["host"], answer.at)
            crowd = self._crowd(desk, target)
            body = _answer_page(_view(lang, query, target, crowd), answer, target, crowd)
            # The first form's "remember me": the phone keeps the person (the one-tap form keeps it as it is).
            new_cookie = phone.encode_person_cookie(person) if form.get("remember") == "1" else None
            return Reply(
                200, body, cookie=new_cookie,
                lang_cookie=_chosen(asked),
            )
        finally:
            con.close()

    # --- a visitor's own address (issue 22: RULES "The front desk") ------------------------

    def _visitor_page(self, con: Any, desk: CheckinDesk, query: dict[str, str], target: CheckinTarget,
                      lang: str) -> Reply:
        """A slip's QR (check-out) or an expected visitor's link (check-in): whose it is and
        one button. Nothing is stored before the button (a link preview taps nobody)."""
        found = _visitor(con, desk, target)
        if found is None:
            return _refusal(lang, query, t("phone.visitor.unknown", lang), 404)
        crowd = self._crowd(desk, target)
        return Reply(200, _render("visitor.html", _view(lang, query, target, crowd), target=target, name=found[0],
                                  detail=found[1], form_token=form_token(), crowd_now=crowd))

    def _visitor_tap(self, database: db.SharedDatabase, con: Any, desk: CheckinDesk, query: dict[str, str],
                     target: CheckinTarget, lang: str) -> Reply:
        """The button of ``_visitor_page``: that visitor checked out (a slip) or in (an
        expected visitor, on their day), through the front desk's functions and so the desk."""
        if _visitor(con, desk, target) is None:
            return _refusal(lang, query, t("phone.visitor.unknown", lang), 404)
        if not self.per_phone.allow("visitor:" + target.visitor):
            return _refusal(lang, query, t("phone.rate_limited", lang), 429)
        try:
            if target.action == "checkout":
                answer = front_desk.check_out_by_pass(desk, con, target.visitor)
            else:
                result = front_desk.arrive_expected(desk, con, target.visitor, actor="self-checkin")
                answer = result if isinstance(result, TapAnswer) else TapAnswer(
                    DUPLICATE, result.checkin_at, target.building, "checkin")  # inside already: said so
                found = front_desk.expected_visitor(con, target.visitor)
                if found is not None and answer.outcome == CHECKED_IN:  # the hosts' webhook, where one is set
                    host_notify.notify_arrival(database, target.building, found.name, "", found.purpose, found.host,
                                               answer.at)
        except front_desk.DeskError as error:
            return _refusal(lang, query, t(f"front_desk.error.{error.code}", lang, **error.values), 409)
        if answer is None:
            return _refusal(lang, query, t("phone.visitor.unknown", lang), 404)
        crowd = self._crowd(desk, target)
        return Reply(200, _answer_page(_view(lang, query, target, crowd), answer, target, crowd))

    def _person(
        self, desk: CheckinDesk, form: dict[str, str], cookie: str | None, lang: str
    ) -> dict[str, str] | tuple[str, tuple[str, ...]]:
        """The person of a posted form, or the problem (a sentence in ``lang``, the fields to mark).

        RULES "Self check-in": the fields are cleaned where they enter (``clean_text``). A
        phone whose signed cookie names the posted id taps as that person. Otherwise a name
        is needed, for a known id and an unknown one alike (the same answer, so an id alone
        tells nothing); for a person the store knows, it must match the stored name
        (``names_match``) and changes nothing stored; for an unknown id it declares a new
        person."""
        name = clean_text(form.get("name"), MAX_NAME + 1)
        if len(name) > MAX_NAME:
            return t("phone.problem.name_long", lang), ("name",)
        person_id = normalize_id(form.get("person_id"))
        phone_number = re.sub(r"[\s.\-()]", "", clean_text(form.get("phone"), 2 * MAX_ID))
        for value in (person_id, phone_number):
            if value and not ID_PATTERN.match(value):
                return t("phone.problem.bad_id", lang), ("person_id",)
        if not person_id and not phone_number:
            if not name and form.get("first") == "1":
                return t("checkin.form.problem.name_and_id", lang), ("name", "person_id")
            return t("checkin.form.problem.id_or_phone", lang), ("person_id",)
        person_id = person_id or phone_number
        remembered = phone.decode_person_cookie(cookie)
        if remembered is not None and remembered["person_id"] == person_id:
            return remembered  # this phone checked this person in before (a signed cookie)
        if not name:
            return t("checkin.form.problem.name", lang), ("name",)
        known = desk.known_person(person_id)
        if known is not None:
            if known.name and not names_match(name, known.name):
                return t("phone.problem.name_mismatch", lang), ("name",)
            # The stored category and name stay (the desk carries neither for a known person).
            return {"person_id": person_id, "name": name, "category": known.category, "phone": ""}
        made = phone.make_person(name, form.get("category", ""), person_id, phone_number)
        if isinstance(made, dict):
            return made
        return t(f"checkin.form.problem.{made}", lang), ("name",) if made == "name" else ("person_id",)


def _visit_fields(con: Any, target: CheckinTarget) -> dict[str, Any] | None:
    """What the form asks about the visit (RULES "The front desk"): on a door's check-in
    poster only, the office's purposes, whether one is required, the roster's units."""
    if target.action != "checkin" or target.area:
        return None
    return {"purposes": front_desk.purposes(con), "required": front_desk.purpose_required(con),
            "other": front_desk.OTHER_PURPOSE, "units": front_desk.host_units(con)}


def _visit_details(
    con: Any, desk: CheckinDesk, target: CheckinTarget, person: dict[str, str], form: dict[str, str], lang: str
) -> dict[str, str] | str:
    """The visit's purpose, unit visited and institution from the form, or the problem (a
    sentence). Staff the store knows (ASN, THL: the roster) are never asked: nothing of theirs
    is taken. A unit not on the roster is dropped (the phone only offers the roster's)."""
    fields = _visit_fields(con, target)
    known = desk.known_person(person["person_id"])
    if fields is None or (known is not None and known.category != "visitor"):
        return {}
    try:
        purpose = front_desk.resolve_purpose(con, form.get("purpose"), form.get("other_purpose", ""))
    except front_desk.DeskError as error:
        return t(f"front_desk.error.{error.code}", lang, **error.values)
    host = clean_text(form.get("host"), front_desk.MAX_TEXT)
    return {"purpose": purpose, "host": host if host in fields["units"] else "",
            "institution": clean_text(form.get("institution"), front_desk.MAX_TEXT)}


def _visitor(con: Any, desk: CheckinDesk, target: CheckinTarget) -> tuple[str, str] | None:
    """(name, purpose · host) of a visitor's own address, None when its pass or registration
    is unknown (or purged) or for another building."""
    if target.action == "checkout":
        holder = front_desk.pass_holder(con, target.visitor)
        if holder is None or holder.building != target.building:
            return None
        known = desk.known_person(holder.person_id)  # a tap not stored yet named them
        return holder.name or (known.name if known else ""), ""
    found = front_desk.expected_visitor(con, target.visitor)
    if found is None or found.building != target.building:
        return None
    return found.name, " · ".join(part for part in (found.purpose, found.host) if part)


def _chosen(params: dict[str, str]) -> str | None:
    """The language asked for explicitly (``lang`` in the address), to keep on the phone."""
    asked = str(params.get("lang") or "").lower()
    return asked if asked in LANGUAGES else None


def _lang(params: dict[str, str], lang_cookie: str | None = None) -> str:
    """An explicit ``lang`` first, then the phone's kept choice, then the configured
    language, then Indonesian."""
    asked = _chosen(params) or str(lang_cookie or "").lower()
    if asked in LANGUAGES:
        return asked
    configured = config.language()
    return configured if configured in LANGUAGES else "id"


# --- Starlette routes ----------------------------------------------------------------------

def cross_site(origin: str | None, fetch_site: str | None, host: str | None) -> bool:
    """Whether a form was posted from another site's page: a hostile page could make its
    visitors' phones tap in at a poster they never scanned, from their own addresses. The
    browser says so in ``Sec-Fetch-Site`` or an ``Origin`` naming another host; a post
    without either (an old browser, a scanner's own client) is not refused for it."""
    if (fetch_site or "").strip().lower() == "cross-site":
        return True
    if not origin or origin.strip().lower() == "null" or not host:
        return False
    return urlsplit(origin.strip()).netloc.lower() != host.strip().lower()


def routes(opener: Opener) -> list[Any]:
    """``/checkin`` (GET and POST) for ``st.App(..., routes=...)``: see ``serve.py``."""
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    page = CheckinPage(opener)

    def respond(reply: Reply, secure: bool) -> HTMLResponse:
        response = HTMLResponse(reply.body, status_code=reply.status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'"
        )
        if reply.cookie is not None:
            response.set_cookie(
                phone.COOKIE_NAME,
                reply.cookie,
                max_age=phone.COOKIE_MAX_AGE_S if reply.cookie else 0,
                path="/",
                samesite="lax",
                secure=secure,
                httponly=True,
            )
        if reply.lang_cookie is not None:
            response.set_cookie(
                LANG_COOKIE, reply.lang_cookie, max_age=phone.COOKIE_MAX_AGE_S, path="/", samesite="lax",
                secure=secure, httponly=True,
            )
        return response

    async def endpoint(request: Request) -> HTMLResponse:
        query = dict(request.query_params.items())
        cookie = request.cookies.get(phone.COOKIE_NAME)
        lang_cookie = request.cookies.get(LANG_COOKIE)
        secure = request.url.scheme == "https"
        if request.method == "POST":
            if cross_site(request.headers.get("origin"), request.headers.get("sec-fetch-site"), request.headers.get("host")):
                lang = _lang(query, lang_cookie)
                return respond(_refusal(lang, query, t("phone.cross_site", lang), 403), secure)
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    break
            # Behind a reverse proxy the socket's peer is the proxy: the phone's own address
            # comes from X-Forwarded-For, believed only from PANTAU_TRUSTED_PROXIES.
            address = config.client_address(
                request.client.host if request.client else None, request.headers.get("x-forwarded-for")
            )
            reply = await run_in_threadpool(page.post, query, body, cookie, address, lang_cookie)
        else:
            reply = await run_in_threadpool(page.get, query, cookie, lang_cookie)
        return respond(reply, secure)

    return [Route("/checkin", endpoint, methods=["GET", "POST"])]
