"""All of a bloc's data for one year as one .xlsx workbook: a sheet per kind of record.

Pure: the records (storage.yearly.YearRecords) in, bytes out. Headers and every word in
Vietnamese from templates/documents/year_export.toml; times as "dd/mm/yyyy HH:MM" in the
bloc's time zone; every text cell written as text, never as a formula (the registration
sheet's cell writer: NFC, no XML-illegal characters, Excel's length limit). No cell holds a
code: reminder notes, the vote's rules and the audit's details are named from the same file
(details as «field: value; …», titles, units and people by name, ids no person reads left out).

The secret ballot: which units voted and, once the vote is closed, the counts per
candidate; never how a unit voted (the bot does not know it).
"""

from __future__ import annotations

import io
import re
import tomllib
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from domain.scores import fmt_points
from domain.text import sort_key
from exports.registration_sheet import FONT_NAME, _put
from storage.yearly import YearRecords

TEXTS = tomllib.loads((Path(__file__).resolve().parent.parent / "templates" / "documents"
                       / "year_export.toml").read_text(encoding="utf-8"))
SHEETS = TEXTS["sheets"]
HEADERS = TEXTS["headers"]
DETAILS = TEXTS["details"]
# Audit detail fields no person reads: internal ids, and the unit (its own column).
_HIDDEN = {"vote_id", "invitation_id", "previous_id", "unit_id"}
_UNITS = {"unit_ids", "lead", "deputy"}
_PEOPLE = {"user_id", "secretaries"}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def filename(year: int) -> str:
    return TEXTS["filename"].format(year=year)


def year_workbook(records: YearRecords, *, title_name: Callable[[str], str], milestone_name: Callable[[str], str],
                  criteria: list[tuple[str, float]], generated_at: datetime, tz: ZoneInfo) -> bytes:
    """The workbook; ``title_name`` names a title code, ``milestone_name`` a milestone kind,
    ``criteria`` is the year's points table as (name, maximum)."""
    return _Builder(records, title_name, milestone_name, criteria, generated_at, tz).build()


class _Builder:
    def __init__(self, r: YearRecords, title_name, milestone_name, criteria, generated_at, tz) -> None:
        self.r, self.title_name, self.milestone_name = r, title_name, milestone_name
        self.criteria, self.generated_at, self.tz = criteria, generated_at, tz
        self.unit_names = {u.id: u.name for u in r.units}
        self.versions: dict[int, int] = {}  # registration id → its number among the unit's (the sheet's «Lần»)
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.wb.properties.title = TEXTS["document_title"].format(year=r.year)
        self.wb.properties.creator = "khoibot"

    # -- values -------------------------------------------------------------------------
    def when(self, value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(self.tz)
        return f"{local.day:02d}/{local.month:02d}/{local.year:04d} {local.hour:02d}:{local.minute:02d}"

    def person(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        if user_id == 0:  # no person: the bot did it from the configuration (a province's deadline)
            return TEXTS["by_bot"]
        user = self.r.users.get(user_id)
        name = " ".join(p for p in (user.first_name, user.last_name) if p) if user else ""
        return name or (f"@{user.username}" if user and user.username else str(user_id))

    def unit(self, unit_id) -> str:
        try:
            return self.unit_names.get(int(unit_id), str(unit_id))
        except (TypeError, ValueError):
            return ""

    def yes_no(self, value: bool) -> str:
        return TEXTS["yes"] if value else TEXTS["no"]

    def by_unit(self, rows, *more):
        """Rows in the Vietnamese order of their unit's name, then as given."""
        return sorted(rows, key=lambda x: (sort_key(self.unit(x.unit_id)),) + tuple(getattr(x, m) for m in more))

    # -- sheets -------------------------------------------------------------------------
    def sheet(self, kind: str, rows: list[tuple]) -> None:
        ws = self.wb.create_sheet(SHEETS[kind][:31])
        headers = HEADERS[kind]
        bold = Font(name=FONT_NAME, bold=True)
        body = Font(name=FONT_NAME)
        wrap = Alignment(vertical="top", wrap_text=True)
        widths = [len(h) + 2 for h in headers]
        for col, text in enumerate(headers, start=1):
            cell = _put(ws, 1, col, text)
            cell.font, cell.alignment = bold, wrap
        for index, values in enumerate(rows, start=2):
            for col, value in enumerate(values, start=1):
                cell = _put(ws, index, col, value)
                cell.font, cell.alignment = body, wrap
                if isinstance(value, str) and value:
                    widths[col - 1] = max(widths[col - 1], min(60, max(len(p) for p in value.split("\n")) + 2))
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.freeze_panes = "A2"

    def build(self) -> bytes:
        r = self.r
        bloc = r.bloc
        rows = TEXTS["bloc_rows"]
        roles_now = {x.unit_id: x.kind for x in r.roles if x.unit_id is not None and x.removed_at is None}
        role_word = {"truong_khoi": TEXTS["lead"], "pho_khoi": TEXTS["deputy"], "secretary": TEXTS["secretary"]}
        self.sheet("bloc", [
            (rows["name"], bloc.name), (rows["province"], bloc.province), (rows["year"], r.year),
            (rows["current_year"], bloc.year), (rows["chat"], str(bloc.chat_id)),
            (rows["created"], self.when(bloc.created_at)), (rows["created_by"], self.person(bloc.created_by)),
            (rows["hour"], "" if bloc.reminder_hour is None else f"{bloc.reminder_hour:02d}:00"),
            (rows["exported"], self.when(self.generated_at)),
            (rows["audit_from"], self.when(r.audit_from)), (rows["audit_until"], self.when(r.audit_until)),
        ])
        units = sorted(r.units, key=lambda u: sort_key(u.name))
        self.sheet("units", [(n, u.name, role_word.get(roles_now.get(u.id), ""), self.when(u.created_at),
                              self.when(u.removed_at)) for n, u in enumerate(units, start=1)])
        self.sheet("roles", [
            (role_word.get(x.kind, x.kind), self.unit(x.unit_id) if x.unit_id is not None else self.person(x.user_id),
             "" if x.user_id is None else str(x.user_id), self.when(x.created_at), self.when(x.removed_at),
             self.person(x.created_by)) for x in r.roles])
        self.sheet("representatives", [
            (self.unit(x.unit_id), self.person(x.user_id),
             f"@{r.users[x.user_id].username}" if x.user_id in r.users and r.users[x.user_id].username else "",
             str(x.user_id), self.when(x.enrolled_at), self.when(x.removed_at))
            for x in self.by_unit(r.representatives, "id")])
        self.sheet("registrations", self.registrations())
        self.sheet("covenants", [(self.unit(x.unit_id), self.person(x.confirmed_by), self.when(x.confirmed_at))
                                 for x in self.by_unit(r.covenants)])
        self.sheet("reopenings", [(self.unit(x.unit_id), self.when(x.until), self.person(x.created_by),
                                   self.when(x.created_at)) for x in r.reopenings])
        self.sheet("milestones", [(self.milestone_name(m.kind), self.when(m.at), m.place, self.person(m.created_by),
                                   self.when(m.created_at), self.when(m.cancelled_at))
                                  for m in sorted(r.milestones, key=lambda m: (m.at, m.id))])
        kinds = {m.id: m.kind for m in r.milestones}
        self.sheet("reminders", [
            (self.milestone_name(kinds[x.milestone_id]), TEXTS["reminder_labels"].get(x.label, x.label),
             self.when(x.due_at), TEXTS["reminder_status"].get(x.status, x.status), self.when(x.done_at),
             r.deliveries.get(x.id, {}).get("sent", 0), r.deliveries.get(x.id, {}).get("unreachable", 0),
             r.deliveries.get(x.id, {}).get("unsure", 0), TEXTS["reminder_notes"].get(x.note, x.note))
            for x in r.reminders])
        self.sheet("reports", [(self.unit(x.unit_id), TEXTS["periods"].get(x.period, x.period), x.filename, x.size,
                                self.person(x.sent_by), self.when(x.sent_at))
                               for x in self.by_unit(r.reports, "sent_at")])
        self.sheet("scores", self.scores())
        self.vote_sheets()
        self.sheet("results", [
            (self.unit(x.unit_id), self.title_name(x.code), self.yes_no(x.proposed),
             "" if x.votes is None else x.votes, "" if x.percent is None else round(x.percent, 2), x.note,
             TEXTS["by_vote"] if x.source == "vote" else TEXTS["by_secretary"], self.when(x.recorded_at))
            for x in sorted(r.results, key=lambda x: (x.code, sort_key(self.unit(x.unit_id))))])
        self.sheet("documents", [(TEXTS["documents"].get(d.kind, d.kind), d.version, d.filename,
                                  self.person(d.created_by), self.when(d.created_at)) for d in r.documents])
        self.sheet("audit", [
            (self.when(x.at), TEXTS["by_bot"] if x.actor_id is None else self.person(x.actor_id),
             "" if x.actor_id is None else str(x.actor_id),
             TEXTS["actions"].get(x.action, x.action), self.unit(x.detail.get("unit_id")) if x.detail.get("unit_id")
             else "", self.detail(x.action, x.detail))
            for x in r.audit])
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()

    # -- the audit's details ---------------------------------------------------------------
    def detail(self, action: str, detail: dict) -> str:
        """«label: value; …», named fields in the order written, values as a person reads them."""
        parts = []
        for key, value in detail.items():
            if key in _HIDDEN or value in (None, "") or (isinstance(value, list) and all(v is None for v in value)):
                continue  # nothing to read (a first setting has no "before")
            shown = self.detail_value(action, key, value)
            if shown != "":
                parts.append(f"{DETAILS.get(f'{action}.{key}') or DETAILS.get(key, key)}: {shown}")
        return "; ".join(parts)

    def detail_value(self, action: str, key: str, value) -> str:
        if key in _UNITS:
            return ", ".join(self.unit(v) for v in (value if isinstance(value, list) else [value]))
        if key in _PEOPLE:
            return ", ".join(self.person(v) for v in (value if isinstance(value, list) else [value]))
        if key == "code":
            return self.leader_or_title(str(value))
        if key == "collective":
            return ", ".join(self.title_name(c) for c in value)
        if key == "individuals":
            return ", ".join(TEXTS["detail_individual"].format(title=self.title_name(i.get("code", "")),
                                                               count=i.get("count", 0))
                             + (f" ({', '.join(i['names'])})" if i.get("names") else "") for i in value)
        if key == "registration_id":
            return str(self.versions.get(value, ""))
        if key == "kind":
            return (TEXTS["documents"].get(value, value) if action.startswith("document.")
                    else self.milestone_name(value))
        if key == "period":
            return TEXTS["periods"].get(value, value)
        if key == "reminder_hour":
            return f"{value:02d}:00" if isinstance(value, int) else str(value)
        if key in ("year", "from_year", "to_year") or key.endswith("chat_id"):
            return str(value)
        return self.plain(value)

    def plain(self, value) -> str:
        if isinstance(value, bool):
            return self.yes_no(value).lower()
        if isinstance(value, (int, float)):
            return fmt_points(value)
        if isinstance(value, str):
            if _ISO.match(value):
                try:
                    moment = datetime.fromisoformat(value)
                except ValueError:
                    return value
                return self.when(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
            return value
        if isinstance(value, dict):
            if "name" in value and "max" in value:  # a criterion of the points table
                return TEXTS["detail_criterion"].format(name=value["name"], max=fmt_points(value["max"]))
            return ", ".join(f"{DETAILS.get(k, k)} {self.plain(v)}" for k, v in value.items() if v is not None)
        if isinstance(value, list):
            return ", ".join(self.plain(v) if v is not None else "–" for v in value)
        return str(value)

    def registrations(self) -> list[tuple]:
        out = []
        version: dict[int, int] = {}
        for x in self.by_unit(self.r.registrations, "id"):
            version[x.unit_id] = version.get(x.unit_id, 0) + 1
            self.versions[x.id] = version[x.unit_id]
            people = "\n".join(
                f"{self.title_name(code)}: {p.count}" + (f" ({', '.join(p.names)})" if p.names else "")
                for code, p in x.individuals)
            out.append((self.unit(x.unit_id), version[x.unit_id], self.yes_no(x.current),
                        TEXTS["withdrawn"] if x.withdrawn else TEXTS["registered"],
                        "\n".join(self.title_name(c) for c in x.collective), people, x.targets,
                        self.person(x.confirmed_by), self.when(x.confirmed_at)))
        return out

    def scores(self) -> list[tuple]:
        out = []
        for x in self.by_unit(self.r.scores, "criterion"):
            name, maximum = self.criteria[x.criterion] if x.criterion < len(self.criteria) else ("", "")
            out.append((self.unit(x.unit_id), x.criterion + 1, name, maximum,
                        "" if x.self_points is None else x.self_points, self.person(x.self_by), self.when(x.self_at),
                        "" if x.adjusted_points is None else x.adjusted_points, x.adjusted_reason,
                        self.person(x.adjusted_by), self.when(x.adjusted_at)))
        return out

    def vote_sheets(self) -> None:
        r, vote = self.r, self.r.vote
        rows = TEXTS["vote_rows"]
        if vote is None:
            self.sheet("vote", [(rows["note"], TEXTS["no_vote_note"])])
            self.sheet("voted", [])
            self.sheet("counts", [])
            return
        self.sheet("vote", [
            (rows["status"], TEXTS["vote_status"].get(vote.status, vote.status)),
            (rows["created"], self.when(vote.created_at)), (rows["opened"], self.when(vote.opened_at)),
            (rows["closed"], self.when(vote.closed_at)), (rows["issued"], len(vote.voters)),
            (rows["returned"], len(r.cast)),
            # A vote not opened has no rules yet (None): the rows are left blank.
            (rows["threshold"], vote.rules.threshold if vote.rules else ""),
            (rows["strictly_more"], "" if vote.rules is None else
             TEXTS["vote_threshold"]["strictly_more" if vote.rules.strictly_more else "at_least"]),
            (rows["base"], TEXTS["vote_base"].get(vote.rules.base, "") if vote.rules else ""),
            (rows["self_vote"], "" if vote.rules is None else self.yes_no(vote.rules.self_vote)),
        ] + ([(rows["note"], TEXTS["vote_open_note"])] if vote.status != "closed" else []))
        self.sheet("voted", [(self.unit(x.unit_id), self.person(x.cast_by), self.when(x.cast_at))
                             for x in self.by_unit(r.cast)])
        order = {e.code: i for i, e in enumerate(vote.ballot)}
        self.sheet("counts", [
            (self.leader_or_title(x.code), self.unit(x.unit_id), x.votes, x.returned)
            for x in sorted(r.counts, key=lambda x: (order.get(x.code, 99), -x.votes, sort_key(self.unit(x.unit_id))))])

    def leader_or_title(self, code: str) -> str:
        return {"LEAD": TEXTS["lead_next"], "DEPUTY": TEXTS["deputy_next"]}.get(code) or self.title_name(code)
