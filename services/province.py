"""The province's officers (issue 18): who they are, their group, the board of every bloc of
their province, the nominations checked against the province's rules, and the blocs'
dossiers. Each function runs in the caller's transaction; no Telegram.

A bloc belongs to the configured province its ``Bloc.province`` text names
(``Provinces.find``). A province's officers are those the configuration names and those an
officer added (``province_officer``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session

from domain.catalogue import Catalogue, Title
from domain.province_checks import Proposal, RuleWarning, check, dossier_due_at
from domain.provinces import Naming, Province, Provinces
from domain.text import vi_sorted
from services import status as status_service
from storage import blocs as bloc_store
from storage import provinces as store
from storage import scores, users, votes
from storage.models import Bloc, Dossier, ReviewDocument, TgUser, Unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class Refusal(StrEnum):
    NOT_OFFICER = "not_officer"        # nobody's officer, or not of this province
    BLOC_GROUP = "bloc_group"          # /tinh in a bloc's group
    NO_PROVINCE = "no_province"        # the bloc's province is not configured
    NO_LIST = "no_list"                # the bloc's list (and documents) of the year not made yet
    SENT_ALREADY = "sent_already"      # this version of the dossier went already
    NO_PERSON = "no_person"            # /tinh them naming nobody
    ALREADY_OFFICER = "already_officer"


@dataclass(frozen=True)
class Refused:
    code: Refusal
    at: datetime | None = None
    version: int | None = None


# ---- who is an officer -----------------------------------------------------------------------

def officer_of(session: Session, provinces: Provinces, user_id: int) -> list[Province]:
    """The provinces this person is an officer of."""
    if not provinces.all:
        return []
    return provinces.of_officer(user_id, store.added_officers(session=session))


def officer_province(session: Session, provinces: Provinces, user_id: int, code: str | None = None
                      ) -> Province | Refused:
    mine = officer_of(session, provinces, user_id)
    if code is not None:
        mine = [p for p in mine if p.code == code]
    return mine[0] if mine else Refused(Refusal.NOT_OFFICER)


def blocs_of(session: Session, province: Province) -> list[Bloc]:
    """The province's blocs, by name."""
    one = Provinces((province,))
    # Each distinct text matched once: a country's 850 blocs type a few dozen (bench/province_notes.md).
    known: dict[str, bool] = {}

    def ours(text: str) -> bool:
        if text not in known:
            known[text] = one.find(text) is not None
        return known[text]

    return vi_sorted([b for b in store.all_blocs(session=session) if ours(b.province)], key=lambda b: b.name)


def year_of(blocs: list[Bloc], today: int) -> int:
    """The year the province follows: the one most of its blocs are in (the later on a tie)."""
    if not blocs:
        return today
    counts = Counter(b.year for b in blocs)
    return max(counts, key=lambda y: (counts[y], y))


# ---- the board -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stage:
    """Where one bloc is in the year."""

    bloc: Bloc
    units: int
    registered: int
    deadline: datetime | None
    signed: int
    vote: str | None                 # None, draft, open, closed
    listed: bool                     # the list (and its documents) made
    version: int | None              # the latest version of the documents
    dossier: Dossier | None          # the last sent
    sent_times: int
    sent_by: str = ""
    late_registration: bool = False  # past the deadline with units missing
    late_dossier: bool = False       # not in by the province's due date

    @property
    def held(self) -> bool:
        return self.vote == votes.CLOSED

    @property
    def missing(self) -> int:
        return self.units - self.registered

    @property
    def new_version(self) -> bool:
        return self.dossier is not None and self.version is not None and self.version > self.dossier.version


@dataclass(frozen=True)
class Board:
    province: Province
    naming: Naming
    year: int
    stages: list[Stage]
    due: datetime | None

    @property
    def late(self) -> list[Stage]:
        return [s for s in self.stages if s.late_registration or s.late_dossier]

    @property
    def sent(self) -> int:
        return sum(1 for s in self.stages if s.dossier is not None)


def board(session: Session, province: Province, year: int | None, catalogue: Catalogue, now: datetime, *,
          tz: ZoneInfo = VN) -> Board:
    """Each bloc of the province in the year (None: the year most of its blocs are in)."""
    blocs = blocs_of(session, province)
    year = year_of(blocs, now.astimezone(tz).year) if year is None else year
    catalogue = catalogue.named_for(province.in_year(year))  # the titles as the province named them that year
    ids = [b.id for b in blocs]
    current = status_service.statuses(session, [b for b in blocs if b.year == year], catalogue)
    views = {b.id: current.get(b.id) or status_service.status(session, bloc_id=b.id, catalogue=catalogue, year=year)
             for b in blocs}
    held = store.votes_of(session=session, bloc_ids=ids, year=year)
    listed = store.listed(session=session, bloc_ids=ids, year=year)
    versions = store.latest_versions(session=session, bloc_ids=ids, year=year)
    sent = store.dossiers(session=session, bloc_ids=ids, year=year)
    due = dossier_due_at(province.dossier_due, year, tz)
    senders = {d.sent_by for rows in sent.values() for d in rows}
    names = users.names_of(session=session, user_ids=senders)
    stages = []
    for bloc in blocs:
        view = views[bloc.id]
        st = view.status
        units, registered = len(st.units), len(st.registered)
        dossiers = sent.get(bloc.id, [])
        last = dossiers[-1] if dossiers else None
        in_time = any(due is None or d.sent_at <= due for d in dossiers)
        stages.append(Stage(
            bloc=bloc, units=units, registered=registered, deadline=view.deadline,
            signed=units - len(st.not_signed), vote=held[bloc.id].status if bloc.id in held else None,
            listed=bloc.id in listed, version=versions.get(bloc.id), dossier=last, sent_times=len(dossiers),
            sent_by=names.get(last.sent_by, "") if last else "",
            late_registration=view.deadline is not None and now > view.deadline and registered < units,
            late_dossier=due is not None and now > due and not in_time))
    return Board(province, province.in_year(year), year, stages, due)


# ---- the nominations, checked ----------------------------------------------------------------

@dataclass(frozen=True)
class Nomination:
    title: Title
    bloc: Bloc
    unit: Unit
    votes: int | None
    percent: float | None
    score: float | None
    warnings: list[RuleWarning]
    version_sent: int | None  # the dossier's version the officers have (None: not sent)
    sent_at: datetime | None


@dataclass(frozen=True)
class Nominations:
    province: Province
    naming: Naming
    year: int
    items: list[Nomination]
    names: dict[str, str] = field(default_factory=dict)  # title code → its name, for the warnings

    def by_title(self) -> list[tuple[Title, list[Nomination]]]:
        groups: dict[str, tuple[Title, list[Nomination]]] = {}
        for n in self.items:
            groups.setdefault(n.title.code, (n.title, []))[1].append(n)
        return list(groups.values())

    @property
    def warned(self) -> int:
        return sum(1 for n in self.items if n.warnings)


def nominations(session: Session, province: Province, year: int | None, catalogue: Catalogue, *,
                now: datetime | None = None, tz: ZoneInfo = VN) -> Nominations:
    """Every proposal of the province's blocs in the year (their year results), grouped by
    title in the catalogue's order, each with the warnings of the province's rules."""
    blocs = blocs_of(session, province)
    if year is None:
        year = year_of(blocs, (now or datetime.now(tz)).astimezone(tz).year)
    catalogue = catalogue.named_for(province.in_year(year))  # the titles as the province named them that year
    by_id = {b.id: b for b in blocs}
    order = {t.code: i for i, t in enumerate(catalogue.titles)}
    rank = {b.id: i for i, b in enumerate(blocs)}
    rows = [(r, u) for r, u in store.proposals(session=session, bloc_ids=list(by_id), year=year)
            if catalogue.get(r.code) is not None]
    rows.sort(key=lambda ru: (order[ru[0].code], rank[ru[0].bloc_id], -(ru[0].votes or 0)))
    proposals = [Proposal(title=r.code, bloc_id=r.bloc_id, bloc=by_id[r.bloc_id].name, unit_id=u.id, unit=u.name)
                 for r, u in rows]
    history = store.results_before(session=session, unit_ids=[u.id for _, u in rows], year=year)
    warnings = check(province.rules, proposals, year=year, history=history)
    totals = {bloc_id: scores.totals(session=session, bloc_id=bloc_id, year=year)
              for bloc_id in {r.bloc_id for r, _ in rows}}
    sent = store.dossiers(session=session, bloc_ids=list(by_id), year=year)
    items = [Nomination(title=catalogue.get(r.code), bloc=by_id[r.bloc_id], unit=u, votes=r.votes, percent=r.percent,
                        score=totals[r.bloc_id].get(u.id, (None, False))[0], warnings=w,
                        version_sent=sent[r.bloc_id][-1].version if sent.get(r.bloc_id) else None,
                        sent_at=sent[r.bloc_id][-1].sent_at if sent.get(r.bloc_id) else None)
             for (r, u), w in zip(rows, warnings)]
    return Nominations(province, province.in_year(year), year, items, {t.code: t.name for t in catalogue.titles})


# ---- the officers' own actions -----------------------------------------------------------------

@dataclass(frozen=True)
class GroupSet:
    province: Province
    replaced: int | None  # the group it was before (None: the first, or this one again)


@dataclass(frozen=True)
class Opened:
    """/tinh in a private chat: the board of the officer's province."""

    board: Board


def open_board(session: Session, provinces: Provinces, *, user_id: int, catalogue: Catalogue, now: datetime,
               tz: ZoneInfo = VN, code: str | None = None) -> Opened | Refused:
    province = officer_province(session, provinces, user_id, code)
    if isinstance(province, Refused):
        return province
    return Opened(board(session, province, None, catalogue, now, tz=tz))


def set_group(session: Session, provinces: Provinces, *, user_id: int, chat_id: int, now: datetime
              ) -> GroupSet | Refused:
    """/tinh in a group by an officer: the group becomes the province's (a bloc's group cannot)."""
    province = officer_province(session, provinces, user_id)
    if isinstance(province, Refused):
        return province
    if bloc_store.bloc_of_chat(session=session, chat_id=chat_id) is not None:
        return Refused(Refusal.BLOC_GROUP)
    before = store.group_of(session=session, province=province.code)
    replaced = before.chat_id if before is not None and before.chat_id != chat_id else None
    store.set_group(session=session, province=province.code, chat_id=chat_id, by=user_id, now=now)
    return GroupSet(province, replaced)


@dataclass(frozen=True)
class OfficerAdded:
    province: Province
    user_id: int
    name: str


def add_officer(session: Session, provinces: Provinces, *, user_id: int, new: int | None, now: datetime
                ) -> OfficerAdded | Refused:
    """/tinh them: an officer adds another person to their province's officers."""
    province = officer_province(session, provinces, user_id)
    if isinstance(province, Refused):
        return province
    if new is None:
        return Refused(Refusal.NO_PERSON)
    person = session.get(TgUser, new)
    name = users.display_name(person) if person else ""
    if new in province.officers or not store.add_officer(session=session, province=province.code, user_id=new,
                                                         by=user_id, now=now):
        return Refused(Refusal.ALREADY_OFFICER)
    return OfficerAdded(province, new, name)


@dataclass(frozen=True)
class BoardPlace:
    """Where the province's pinned board is (None: no group yet), and what it shows."""

    chat_id: int | None
    message_id: int | None
    board: Board


def board_place(session: Session, province: Province, catalogue: Catalogue, now: datetime, *,
                tz: ZoneInfo = VN) -> BoardPlace:
    group = store.group_of(session=session, province=province.code)
    return BoardPlace(group.chat_id if group else None, group.board_message_id if group else None,
                      board(session, province, None, catalogue, now, tz=tz))


def record_board(session: Session, province: Province, *, chat_id: int, message_id: int) -> None:
    store.save_board(session=session, province=province.code, chat_id=chat_id, message_id=message_id)


# ---- the dossier -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Offer:
    """What the button under a bloc's posted list offers."""

    province: Province
    naming: Naming
    year: int
    version: int
    sent: Dossier | None  # the last sent

    @property
    def up_to_date(self) -> bool:
        return self.sent is not None and self.sent.version >= self.version


def offer(session: Session, provinces: Provinces, bloc: Bloc, year: int) -> Offer | None:
    """None when the bloc's province is not configured or nothing is made yet."""
    province = provinces.find(bloc.province)
    if province is None:
        return None
    version = store.latest_versions(session=session, bloc_ids=[bloc.id], year=year).get(bloc.id)
    if version is None:
        return None
    sent = store.dossiers(session=session, bloc_ids=[bloc.id], year=year).get(bloc.id, [])
    return Offer(province, province.in_year(year), year, version, sent[-1] if sent else None)


@dataclass(frozen=True)
class Sent:
    bloc: Bloc
    province: Province
    naming: Naming
    year: int
    version: int
    times: int                      # 1 the first time, 2 «gửi lần 2», …
    documents: dict[str, ReviewDocument]
    group_chat_id: int | None       # the province's group (None: none yet, the officers see it in /tinh)


def send_dossier(session: Session, provinces: Provinces, bloc: Bloc, *, year: int, by: int, now: datetime
                 ) -> Sent | Refused:
    """A secretary sends the bloc's dossier (the latest documents of the year) to its province:
    recorded; the caller sends the files to the province's group after the commit."""
    province = provinces.find(bloc.province)
    if province is None:
        return Refused(Refusal.NO_PROVINCE)
    documents = votes.latest_documents(session=session, bloc_id=bloc.id, year=year)
    if "list" not in documents:
        return Refused(Refusal.NO_LIST)
    version = max(d.version for d in documents.values())
    documents = {k: d for k, d in documents.items() if d.version == version}
    earlier = store.dossiers(session=session, bloc_ids=[bloc.id], year=year).get(bloc.id, [])
    if earlier and earlier[-1].version >= version:
        return Refused(Refusal.SENT_ALREADY, at=earlier[-1].sent_at, version=earlier[-1].version)
    store.record_dossier(session=session, bloc_id=bloc.id, year=year, version=version, by=by, now=now)
    group = store.group_of(session=session, province=province.code)
    return Sent(bloc, province, province.in_year(year), year, version, len(earlier) + 1, documents,
                group.chat_id if group else None)


@dataclass(frozen=True)
class Folder:
    """One bloc's dossier as the officers have it: the documents of the version last sent."""

    bloc: Bloc
    version: int
    sent_at: datetime
    documents: list[ReviewDocument]


def dossier_folders(session: Session, province: Province, year: int | None, *, now: datetime,
                    tz: ZoneInfo = VN) -> tuple[int, list[Folder]]:
    """(year, the blocs' folders by bloc name) for the .zip: only blocs that sent a dossier."""
    blocs = blocs_of(session, province)
    year = year_of(blocs, now.astimezone(tz).year) if year is None else year
    sent = store.dossiers(session=session, bloc_ids=[b.id for b in blocs], year=year)
    folders = []
    for bloc in blocs:
        if not sent.get(bloc.id):
            continue
        last = sent[bloc.id][-1]
        docs = [d for d in votes.documents_of_version(session=session, bloc_id=bloc.id, year=year,
                                                      version=last.version)]
        folders.append(Folder(bloc, last.version, last.sent_at, docs))
    return year, folders
