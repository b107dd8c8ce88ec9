"""The year-end review: /binhxet (prepare, open, follow and close the secret ballot; settle
ties), /bophieu (a unit casts its ballot in private chat) and /danhsach (the compiled
nomination list, posted, pinned, with the documents).

Secrecy: a confirmed ballot adds to the counts of ``vote_count`` and marks the unit in
``ballot_cast``, in one transaction; nothing links the two. The ballot being filled in is
a ``ballot_draft`` row (buttons carry its id, only its current message answers, as in
/dangky), deleted by the transaction that counts it.

The ballot's decisions are services/ballot.py's, the tally and documents services/review.py's:
here a press is parsed, one service is called in one transaction, and its outcome is shown.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import time

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application

from domain import ballot as rules
from domain.chunks import split_lines
from domain.dates import DateParseError, is_past, parse_vn_datetime
from domain.milestones import Kind
from domain.review import ReviewRecord
from domain.text import fold, shorten
from exports import review_documents
from handlers import reminders as reminder_handlers
from handlers import status as status_handlers
from handlers.common import (BUTTON_NAME, private_button, the_unit, show_step_message, Context, alert, ask, best_effort, group_button, group_command,
                             int_arg, is_secretary, keyboard, label, private_command, say, svc, transaction)
from handlers.buttons import BallotDraft, BallotUnit, ReviewPanel, ScoreMenu
from handlers.documents import send_document
from handlers.pacing import pacer
from handlers.replies import secretary_answering
from handlers.schedule import example_of, year_problem
from khoibot import outbox, scheduler
from khoibot.services import Services
from services import ballot
from services import review as reckoning
from storage import milestones, registrations, reminders, roles, roster, votes
from storage.models import Bloc, Milestone, PendingReply, RoleKind, Unit, Vote
from storage.users import reachable

log = logging.getLogger(__name__)


# ---- reading -----------------------------------------------------------------------------

def _vote(s: Services, bloc: Bloc) -> Vote | None:
    with s.db.session() as session:
        return votes.vote_of(session=session, bloc=bloc)


def _deadline(s: Services, vote: Vote) -> Milestone | None:
    with s.db.session() as session:
        return ballot.deadline(session, vote)


def _ballot_now(s: Services, bloc: Bloc, vote: Vote) -> list[dict]:
    """The ballot's lines with their quotas: while prepared, the bloc's quotas as they are now
    (set from /tinhhinh or here); fixed on the ballot once it opens (storage.votes.open_vote)."""
    if vote.status != votes.DRAFT:
        return vote.ballot
    return rules.with_quotas(vote.ballot, status_handlers.bloc_quotas(s, bloc))


def _entries(s: Services, bloc: Bloc, vote: Vote) -> list[dict]:
    """The ballot's lines with names, for the templates."""
    ids = sorted({u for e in vote.ballot for u in e["candidates"]})
    names = reckoning.names(s, ids)
    return [dict(code=e["code"], name=reckoning.entry_name(s, e["code"], vote.year), quota=e["quota"],
                 leader=e["code"] in rules.LEADERS,
                 candidates=[names.get(u, "?") for u in e["candidates"]],
                 added=[names.get(u, "?") for u in e["added"]]) for e in _ballot_now(s, bloc, vote)]


def _rules_of(s: Services) -> rules.Rules:
    v = s.settings.vote
    return rules.Rules(threshold=v.threshold_percent, strictly_more=v.strictly_more, base=v.base,
                       self_vote=v.self_vote)


# ---- /binhxet: the panel -------------------------------------------------------------------

def _panel(context: Context, bloc: Bloc):
    s = svc(context)
    vote = _vote(s, bloc)
    btn = lambda name, data, **kw: (label(context, f"review.btn_{name}", **kw), data)  # noqa: E731
    rows: list[list[tuple[str, str]]] = []
    ctx: dict = dict(bloc=bloc, vote=vote)
    if vote is None:
        rows = [[btn("prepare", ReviewPanel("prep").pack())], [btn("scores", ScoreMenu().pack())]]
    elif vote.status == votes.DRAFT:
        ctx["entries"] = _entries(s, bloc, vote)
        rows = [[btn("add", ReviewPanel("add").pack()), btn("quota", ReviewPanel("quota").pack())], [btn("rebuild", ReviewPanel("prep").pack())],
                [btn("open", ReviewPanel("open").pack())], [btn("scores", ScoreMenu().pack())]]
    elif vote.status == votes.OPEN:
        with s.db.session() as session:
            ctx["voted"] = votes.voted_count(session=session, vote_id=vote.id)
        ctx["deadline"] = _deadline(s, vote)
        ctx["entries"] = _entries(s, bloc, vote)
        rows = [[btn("close", ReviewPanel("close").pack())], [btn("refresh", ReviewPanel("show").pack())]]
    else:
        outcomes = reckoning.compute(s, bloc, vote)
        ctx["outcomes"] = outcomes
        with s.db.session() as session:
            ctx["voted"] = votes.voted_count(session=session, vote_id=vote.id)
        ctx["attended"] = reckoning.attended(vote, ctx["voted"])
        rows = [[btn("list", ReviewPanel("list").pack())], [btn("attended", ReviewPanel("att").pack()), btn("chair", ReviewPanel("chair").pack())]]
        if any(o.unresolved for o in outcomes):
            rows.append([btn("tie", ReviewPanel("tie").pack())])
    return ctx, keyboard(rows)


@group_command()
async def binhxet(update: Update, context: Context, bloc: Bloc) -> None:
    ctx, markup = _panel(context, bloc)
    await say(update, context, "review.panel", reply_markup=markup, **ctx)


async def _show_panel(update: Update, context: Context, bloc: Bloc, done: str | None = None) -> None:
    ctx, markup = _panel(context, bloc)
    message = update.callback_query.message
    await outbox.edit(context.bot, message.chat.id, message.message_id,
                      svc(context).render("review.panel", done=done, **ctx), reply_markup=markup)


@group_button(secretary=True)
async def on_panel_button(update: Update, context: Context, bloc: Bloc) -> None:
    """bx:<action>[:<code>[:<unit id>]] — the secretaries' side of the ballot."""
    s = svc(context)
    press = ReviewPanel.unpack(update.callback_query.data)
    if press is None:
        await alert(update, context, "common.stale_button")
        return
    action, code, unit_id = press.action, press.code, press.unit_id
    vote = _vote(s, bloc)
    status = vote.status if vote else None
    user_id, now = update.effective_user.id, s.clock.now()
    query = update.callback_query
    if action == "show":
        await query.answer()
        await _show_panel(update, context, bloc)
    elif action == "prep" and status == votes.DRAFT:
        # Rebuilding drops the exceptions and quotas set by hand: ask first.
        await query.answer()
        await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                          s.render("review.confirm_rebuild"),
                          reply_markup=keyboard([[(label(context, "review.btn_rebuild_yes"), ReviewPanel("prepok", str(vote.id)).pack()),
                                                  (label(context, "review.btn_back"), ReviewPanel("show").pack())]]))
    elif (action == "prep" and status is None) or (
            action == "prepok" and status == votes.DRAFT and unit_id is None and code == str(vote.id)):
        ballot = _fresh_ballot(s, bloc)
        with s.db.session() as session:
            if vote is None:
                votes.prepare(session=session, bloc=bloc, ballot=ballot, by=user_id, now=now)
            else:
                votes.change_ballot(session=session, vote=vote, ballot=ballot, by=user_id, now=now,
                                    action="vote.rebuild")
        await query.answer()
        await _show_panel(update, context, bloc)
    elif action in ("add", "quota") and status == votes.DRAFT:
        rows = [[(shorten(reckoning.entry_name(s, e["code"], vote.year), BUTTON_NAME), ReviewPanel("addt" if action == "add" else "qt", e["code"]).pack())]
                for e in vote.ballot if e["code"] not in rules.LEADERS]
        rows.append([(label(context, "review.btn_back"), ReviewPanel("show").pack())])
        await query.answer()
        await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                          s.render("review.pick_title", action=action), reply_markup=keyboard(rows))
    elif action == "addt" and status == votes.DRAFT and unit_id is None and _entry(vote, code):
        entry = _entry(vote, code)
        with s.db.session() as session:
            units = [u for u in roster.active_units(session=session, bloc_id=bloc.id)
                     if u.id not in entry["candidates"]]
        rows = [[(shorten(u.name, BUTTON_NAME), ReviewPanel("addu", entry["code"], u.id).pack())] for u in units]
        rows.append([(label(context, "review.btn_back"), ReviewPanel("show").pack())])
        await query.answer()
        await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                          s.render("review.pick_exception", title=reckoning.entry_name(s, entry["code"], vote.year), nobody=not units),
                          reply_markup=keyboard(rows))
    elif action == "addu" and status == votes.DRAFT and unit_id is not None and _entry(vote, code):
        unit = _unit_of_bloc(s, bloc, unit_id)
        if unit is None or unit.id in _entry(vote, code)["candidates"]:
            await alert(update, context, "common.stale_button")
            return
        with s.db.session() as session:
            votes.change_ballot(session=session, vote=vote, ballot=rules.add_candidate(vote.ballot, code, unit.id),
                                by=user_id, now=now, action="vote.add_exception", code=code, unit_id=unit.id)
        await query.answer()
        await _show_panel(update, context, bloc, done=s.render("review.exception_added", unit=unit,
                                                               title=reckoning.entry_name(s, code, vote.year)))
    elif action == "qt" and status == votes.DRAFT and unit_id is None and _entry(vote, code):
        await query.answer()
        await ask(update, context, "review.ask_quota", action="review.quota", bloc_id=bloc.id, code=code,
                  title=reckoning.entry_name(s, code, vote.year))
    elif action == "open" and status == votes.DRAFT:
        if not any(e["candidates"] for e in vote.ballot if e["code"] not in rules.LEADERS):
            await alert(update, context, "review.nothing_to_vote")
            return
        await query.answer()
        await ask(update, context, "review.ask_deadline", action="review.open", bloc_id=bloc.id,
                  example=example_of(context, bloc, Kind.BALLOT_DEADLINE))
    elif action == "close" and status == votes.OPEN:
        with s.db.session() as session:
            voted = votes.voted_count(session=session, vote_id=vote.id)
        await query.answer()
        await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                          s.render("review.confirm_close", voted=voted, issued=len(vote.voters)),
                          reply_markup=keyboard([[(label(context, "review.btn_close_yes"), ReviewPanel("closeok", str(vote.id)).pack()),
                                                  (label(context, "review.btn_back"), ReviewPanel("show").pack())]]))
    elif action == "closeok" and status == votes.OPEN and unit_id is None and code == str(vote.id):
        await query.answer()
        await close(context.application, vote.id, by=update.effective_user)
        await _show_panel(update, context, bloc)
    elif action == "list" and status == votes.CLOSED:
        await query.answer()
        await post_list(context.application, bloc, update.effective_user, asking=(update, context))
    elif action == "att" and status == votes.CLOSED:
        with s.db.session() as session:
            voted = votes.voted_count(session=session, vote_id=vote.id)
        await query.answer()
        await ask(update, context, "review.ask_attended", action="review.attended", bloc_id=bloc.id,
                  voted=voted, members=len(vote.voters), attended=reckoning.attended(vote, voted))
    elif action == "chair" and status == votes.CLOSED:
        await query.answer()
        await _ask_chair(update, context, bloc, vote, after_list=False)
    elif action == "tie" and status == votes.CLOSED:
        outcomes = reckoning.compute(s, bloc, vote)
        rows = [[(shorten(o.name, BUTTON_NAME), ReviewPanel("tiet", o.code).pack())] for o in outcomes if o.unresolved]
        rows.append([(label(context, "review.btn_back"), ReviewPanel("show").pack())])
        await query.answer()
        await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                          s.render("review.pick_tie_title"), reply_markup=keyboard(rows))
    elif action == "tiet" and status == votes.CLOSED and code is not None and unit_id is None:
        outcome = next((o for o in reckoning.compute(s, bloc, vote) if o.code == code and o.unresolved), None)
        if outcome is None:
            await alert(update, context, "common.stale_button")
            return
        ids = {name: uid for uid, name in reckoning.names(s, _entry(vote, code)["candidates"]).items()}
        rows = [[(shorten(line.unit, BUTTON_NAME), ReviewPanel("tieu", outcome.code, ids[line.unit]).pack())] for line in outcome.unresolved]
        rows.append([(label(context, "review.btn_back"), ReviewPanel("show").pack())])
        await query.answer()
        await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                          s.render("review.pick_tie_unit", outcome=outcome,
                                   seats=outcome.quota - len(outcome.selected)), reply_markup=keyboard(rows))
    elif action == "tieu" and status == votes.CLOSED and code is not None and unit_id is not None:
        await _decide_tie(update, context, bloc, vote, code, unit_id)
    else:
        await alert(update, context, "common.stale_button")


def _entry(vote: Vote, code: str) -> dict | None:
    return next((e for e in vote.ballot if e["code"] == code), None)


def _unit_of_bloc(s: Services, bloc: Bloc, unit_id: int) -> Unit | None:
    with s.db.session() as session:
        return roster.unit_of_bloc(session=session, bloc_id=bloc.id, unit_id=unit_id)


def _fresh_ballot(s: Services, bloc: Bloc) -> list[dict]:
    with s.db.session() as session:
        units = roster.active_units(session=session, bloc_id=bloc.id)
        current = registrations.current(session=session, bloc_id=bloc.id, year=bloc.year)
    registered = {u: set(r.collective) for u, r in current.items() if not r.withdrawn}
    return rules.prepare(titles=s.catalogue.voted(bloc.year), members=[u.id for u in units], registered=registered,
                         elect_leaders=s.settings.vote.elect_leaders, quotas=status_handlers.bloc_quotas(s, bloc))


async def _decide_tie(update: Update, context: Context, bloc: Bloc, vote: Vote, code: str, unit_id: int) -> None:
    """The meeting settled a tie the tally left open: the secretary records its choice."""
    s = svc(context)
    outcome = next((o for o in reckoning.compute(s, bloc, vote) if o.code == code and o.unresolved), None)
    unit = _unit_of_bloc(s, bloc, unit_id)
    if outcome is None or unit is None or unit.name not in {line.unit for line in outcome.unresolved}:
        await alert(update, context, "common.stale_button")
        return
    decided = [*vote.decisions.get(code, []), unit.id]
    with s.db.session() as session:
        vote = votes.record_decision(session=session, vote=vote, code=code, unit_ids=decided,
                                     by=update.effective_user.id, now=s.clock.now())
    outcomes = reckoning.compute(s, bloc, vote)
    reckoning.save_results(s, bloc, vote, outcomes)
    await update.callback_query.answer()
    await _show_panel(update, context, bloc, done=s.render("review.tie_decided", unit=unit,
                                                           title=reckoning.entry_name(s, code, vote.year)))


async def answer_quota(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "binhxet")
    if bloc is None:
        return True
    s = svc(context)
    vote = _vote(s, bloc)
    code = pending.payload["code"]
    if vote is None or vote.status != votes.DRAFT or _entry(vote, code) is None:
        await say(update, context, "review.not_draft")
        return True
    # The bloc's quota for the year, the one fact /tinhhinh sets too (not a copy on the ballot).
    result = await status_handlers.save_quota(update, context, bloc, code, text)
    if result != "saved":
        return result != "again"
    quota = int_arg(text.strip())
    ctx, markup = _panel(context, bloc)
    await say(update, context, "review.panel", reply_markup=markup,
              done=s.render("review.quota_set", title=reckoning.entry_name(s, code, vote.year), quota=quota), **ctx)
    await best_effort("refresh board", status_handlers.refresh_board(context, bloc))
    return True


# ---- the meeting's facts for the minutes: attendance and the chair ----------------------

def _lead_unit(s: Services, bloc: Bloc, year: int) -> str:
    """This year's Trưởng khối unit (its leader chairs the meeting by default), or ""."""
    with s.db.session() as session:
        this_year = roles.unit_roles(session=session, bloc=bloc, year=year)
        lead = next((unit for unit, kind in this_year.items() if kind == RoleKind.LEAD), None)
        return session.get(Unit, lead).name if lead is not None else ""


async def _ask_chair(update: Update, context: Context, bloc: Bloc, vote: Vote, *, after_list: bool) -> None:
    await ask(update, context, "review.ask_chair", action="review.chair", bloc_id=bloc.id,
              lead_unit=_lead_unit(svc(context), bloc, vote.year), chair=vote.chair or "", after_list=after_list)


async def _ask_chair_if_missing(update: Update, context: Context, bloc: Bloc) -> None:
    """The minutes print the chair's name under «CHỦ TRÌ»: when no one recorded it yet, the
    secretary who posted the list is asked once, right after it."""
    vote = _vote(svc(context), bloc)
    if vote is not None and vote.status == votes.CLOSED and not vote.chair:
        await _ask_chair(update, context, bloc, vote, after_list=True)


async def _closed_vote_answering(update: Update, context: Context, pending: PendingReply):
    """The (bloc, closed vote) a secretary's answer about the meeting is for; None when the
    answer was refused (not a secretary, or the vote not closed: they were told)."""
    bloc = await secretary_answering(update, context, pending, "binhxet")
    if bloc is None:
        return None
    vote = _vote(svc(context), bloc)
    if vote is None or vote.status != votes.CLOSED:
        await say(update, context, "review.not_closed")
        return None
    return bloc, vote


async def answer_attended(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    """How many member units attended the meeting (a unit may attend and not vote)."""
    found = await _closed_vote_answering(update, context, pending)
    if found is None:
        return True
    bloc, vote = found
    s = svc(context)
    members = len(vote.voters)
    number = int_arg(text.strip())
    if number is None or number > members:
        await say(update, context, "review.error_attended", text=text, members=members)
        return False
    with s.db.session() as session:
        vote = votes.record_meeting(session=session, vote=vote, by=update.effective_user.id, now=s.clock.now(),
                                    attended=number)
    ctx, markup = _panel(context, bloc)
    await say(update, context, "review.panel", reply_markup=markup,
              done=s.render("review.attended_set", attended=number, members=members), **ctx)
    return True


async def answer_chair(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    """Who chaired the meeting: a name (a leader of the Trưởng khối unit), or a name, a comma
    and what they are. After the list was posted, the documents are sent again with it."""
    found = await _closed_vote_answering(update, context, pending)
    if found is None:
        return True
    bloc, vote = found
    s = svc(context)
    chair = " ".join(text.split())
    name = chair.split(",", 1)[0].strip()
    if not name or len(chair) > 200 or not any(ch.isalpha() for ch in name):
        await say(update, context, "review.error_chair", text=text[:200])
        return False
    with s.db.session() as session:
        vote = votes.record_meeting(session=session, vote=vote, by=update.effective_user.id, now=s.clock.now(),
                                    chair=chair)
    if pending.payload.get("after_list"):
        await say(update, context, "review.chair_set", chair=chair, resent=True)
        await send_documents(context.application, bloc, update.effective_user)
        return True
    ctx, markup = _panel(context, bloc)
    await say(update, context, "review.panel", reply_markup=markup,
              done=s.render("review.chair_set", chair=chair, resent=False), **ctx)
    return True


async def answer_open(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    """The deadline typed by the secretary ("16:30 10/12/2025", or "không"): voting opens."""
    bloc = await secretary_answering(update, context, pending, "binhxet")
    if bloc is None:
        return True
    s = svc(context)
    vote = _vote(s, bloc)
    if vote is None or vote.status != votes.DRAFT:
        await say(update, context, "review.not_draft")
        return True
    now = s.clock.now()
    # A question asked before prompts carried an example is asked again with one.
    pending.payload.setdefault("example", example_of(context, bloc, Kind.BALLOT_DEADLINE))
    deadline_at = None
    if fold(text) not in ("khong", "0", "-"):
        try:
            # A day without an hour runs to the end of that day.
            parsed = parse_vn_datetime(text, now=now, tz=s.tz, default_time=time(23, 59))
        except DateParseError as exc:
            await say(update, context, f"review.error_deadline_{exc.code}", text=text,
                      example=example_of(context, bloc, Kind.BALLOT_DEADLINE))
            return False
        far = year_problem(context, bloc, parsed.value)
        if far:
            await say(update, context, "schedule.error_far", **far)
            return False
        if is_past(parsed.value, now):
            await say(update, context, "review.error_deadline_past", at=parsed.value)
            return False
        deadline_at = parsed.value
    with s.db.session() as session:
        units = roster.active_units(session=session, bloc_id=bloc.id)
        milestone = None
        if deadline_at is not None:
            milestone = milestones.set_milestone(session=session, bloc=bloc, kind=Kind.BALLOT_DEADLINE.value,
                                                 at=deadline_at, by=update.effective_user.id, now=now)
            session.flush()
        opened = votes.open_vote(session=session, vote=vote, voters=[u.id for u in units],
                                 rules=_rules_of(s).as_dict(), deadline_milestone_id=milestone.id if milestone else None,
                                 by=update.effective_user.id, now=now,
                                 default_quotas=s.catalogue.quotas(bloc.year, len(units)))
        if opened and milestone is not None:
            reckoning.plan_deadline(session, milestone, now, tz=s.tz, rule=reminder_handlers.rules_for(s, bloc),
                          close=reminder_handlers.CLOSE)
    if not opened:
        await say(update, context, "review.not_draft")
        return True
    scheduler.set_alarm(context.application)
    vote = _vote(s, bloc)
    await refresh_progress(context.application, bloc, vote)
    await best_effort("tell representatives", _invite_voters(context.application, bloc, vote))
    return True


async def _invite_voters(app: Application, bloc: Bloc, vote: Vote) -> None:
    """Each reachable representative of a unit issued a ballot gets a DM with a button."""
    s: Services = app.bot_data["services"]
    with s.db.session() as session:
        people = roster.representatives(session=session, bloc_id=bloc.id)
        units = votes.units_by_id(session=session, ids=list(vote.voters))
    deadline = _deadline(s, vote)
    for unit_id in vote.voters:
        for person in people.get(unit_id, []):
            if not reachable(person):
                continue
            await best_effort("ballot invitation", outbox.send(
                app.bot, s, person.id, s.render("review.invitation", bloc=bloc, unit=units[unit_id], deadline=deadline),
                reply_markup=keyboard([[(s.render.plain("review.btn_vote"), BallotUnit(unit_id).pack())]])))


async def refresh_progress(app: Application, bloc: Bloc, vote: Vote) -> None:
    """The group's message on the vote: how many units voted (never who chose whom),
    edited in place; posted anew when it cannot be edited.

    Units vote at the same moment (at the meeting): the message is paced as the status board
    is (handlers/pacing.py, ``board_refresh_seconds``), one run at a time per bloc reading the
    vote afresh, and an edit that would change nothing is never sent (Telegram refuses it, and
    it spends the group's messages a minute)."""
    s: Services = app.bot_data["services"]

    async def flush(vote_ids: list[int]) -> None:
        await _refresh_progress(app, bloc, vote_ids[-1])

    await pacer(app, "ballot progress").request(app, bloc.id, vote.id, flush, s.settings.bot.board_refresh_seconds)


async def _refresh_progress(app: Application, bloc: Bloc, vote_id: int) -> None:
    s: Services = app.bot_data["services"]
    with s.db.session() as session:
        vote = votes.get(session=session, vote_id=vote_id)
        voted = votes.voted_count(session=session, vote_id=vote_id) if vote is not None else 0
    if vote is None:
        return
    text = s.render("review.progress", bloc=bloc, vote=vote, voted=voted, issued=len(vote.voters),
                    deadline=_deadline(s, vote), entries=_entries(s, bloc, vote))
    if vote.progress_message_id:
        key = (bloc.chat_id, vote.progress_message_id)
        if s.board_texts.get(key) == text:
            return
        try:
            await outbox.edit(app.bot, bloc.chat_id, vote.progress_message_id, text)
            s.board_texts[key] = text
            return
        except BadRequest as exc:
            log.info("progress message gone, posting anew", extra={"bloc_id": bloc.id, "error": exc.message})
    message = await outbox.send(app.bot, s, bloc.chat_id, text)
    if message is not None:
        s.board_texts[(message.chat_id, message.message_id)] = text
        with s.db.session() as session:
            votes.set_progress_message(session=session, vote_id=vote.id, message_id=message.message_id)


# ---- closing and the result ------------------------------------------------------------

async def close(app: Application, vote_id: int, *, by) -> bool:
    """Close the vote (a secretary, or the deadline with ``by`` None), count, keep the
    results, and tell the group. Only the first call does anything."""
    s: Services = app.bot_data["services"]
    now = s.clock.now()
    with s.db.session() as session:
        vote = votes.get(session=session, vote_id=vote_id)
        bloc = session.get(Bloc, vote.bloc_id) if vote else None
        unfinished = votes.close_vote(session=session, vote_id=vote_id, by=by.id if by else None, now=now,
                                      seal=s.seal) \
            if vote is not None else None
        if unfinished is None:
            return False
        deadline = session.get(Milestone, vote.deadline_milestone_id) if vote.deadline_milestone_id else None
        if by is not None and deadline is not None and deadline.at > now:
            # Closed before its deadline: the deadline and its reminders go.
            milestones.cancel(session=session, milestone=deadline, by=by.id, now=now)
            reminders.cancel(session=session, milestone_id=deadline.id)
        vote = votes.get(session=session, vote_id=vote_id)
    try:
        s.db.scrub("sealed_ballot", "ballot_draft")
    except Exception:  # the totals are saved; the scrub is done again at the next close
        log.exception("scrubbing the sealed ballots failed", extra={"vote_id": vote_id})
    scheduler.set_alarm(app)
    for chat_id, message_id in unfinished:  # ballots being filled in: their buttons go
        await best_effort("close draft", outbox.edit(app.bot, chat_id, message_id, s.render(
            "review.closed_already", unit=None, at=now)))
    outcomes = reckoning.compute(s, bloc, vote)
    reckoning.save_results(s, bloc, vote, outcomes)
    await best_effort("progress", refresh_progress(app, bloc, vote))
    with s.db.session() as session:
        voted = votes.voted_count(session=session, vote_id=vote.id)
    await outbox.send(app.bot, s, bloc.chat_id, s.render(
        "review.closed", bloc=bloc, vote=vote, voted=voted, issued=len(vote.voters), by=by,
        outcomes=outcomes, next_leaders=reckoning.next_leaders(s, bloc, vote, outcomes)))
    return True


async def close_at_deadline(app: Application, milestone: Milestone) -> None:
    s: Services = app.bot_data["services"]
    with s.db.session() as session:
        bloc = session.get(Bloc, milestone.bloc_id)
        vote = votes.vote_of(session=session, bloc=bloc, year=milestone.year) if bloc else None
    if vote is not None and vote.status == votes.OPEN and vote.deadline_milestone_id == milestone.id:
        await close(app, vote.id, by=None)




# ---- /danhsach: the compiled list, posted and pinned, with the documents -------------------

@group_command()
async def danhsach(update: Update, context: Context, bloc: Bloc) -> None:
    s = svc(context)
    vote = _vote(s, bloc)
    if vote is None or vote.status != votes.CLOSED:
        await say(update, context, "review.no_list_yet", vote=vote)
        return
    if not await is_secretary(context, bloc, update.effective_user.id):
        outcomes = reckoning.compute(s, bloc, vote)
        record = reckoning.build_record(s, bloc, vote, outcomes, secretary="")
        await say(update, context, "review.list", record=record)
        return
    await post_list(context.application, bloc, update.effective_user, asking=(update, context))


async def post_list(app: Application, bloc: Bloc, actor, *, asking: tuple[Update, Context] | None = None) -> None:
    """Post the list in the group (split under Telegram's limit, the first part pinned)
    and attach the documents: a new version when the data changed since the last. With
    ``asking`` (the secretary's update), the chair is asked for first when not recorded."""
    s: Services = app.bot_data["services"]
    record, documents = _record_and_documents(s, bloc, actor)
    first = None
    for chunk in split_lines(s.render("review.list", record=record)):
        message = await outbox.send(app.bot, s, bloc.chat_id, chunk)
        first = first or message
    if first is not None:
        if not await outbox.pin(app.bot, first.chat_id, first.message_id):
            await outbox.send(app.bot, s, bloc.chat_id, s.render("review.cannot_pin"))
    if asking is not None:
        await _ask_chair_if_missing(*asking, bloc)
    for kind in review_documents.KINDS:
        await send_document(app.bot, s, bloc.chat_id, documents[kind], record.year)


def _record_and_documents(s: Services, bloc: Bloc, actor) -> tuple[ReviewRecord, dict]:
    vote = _vote(s, bloc)
    outcomes = reckoning.compute(s, bloc, vote)
    with s.db.session() as session:
        secretaries = roles.secretaries(session=session, bloc=bloc)
    name = next((u.first_name + (" " + u.last_name if u.last_name else "") for r, u in secretaries if u), "")
    record = reckoning.build_record(s, bloc, vote, outcomes, secretary=name or actor.full_name)
    documents = reckoning.documents(s, bloc, record, actor.id)
    version = next(iter(documents.values())).version
    return replace(record, version=version), documents


async def send_documents(app: Application, bloc: Bloc, actor) -> None:
    """The documents alone (a new version when the record changed), in the group."""
    s: Services = app.bot_data["services"]
    record, documents = _record_and_documents(s, bloc, actor)
    for kind in review_documents.KINDS:
        await send_document(app.bot, s, bloc.chat_id, documents[kind], record.year)


# ---- /bophieu: a unit casts its ballot ----------------------------------------------------
# The decisions are services.ballot's, each in one transaction (common.transaction) closed
# before anything is sent; here the press is parsed and the outcome shown.

# A refusal as the person reads it: the message, and whether it says when (closed, cast, deadline).
_REFUSALS = {
    ballot.Refusal.NOT_OPEN: ("review.not_open", False),
    ballot.Refusal.CLOSED: ("review.closed_already", True),
    ballot.Refusal.NOT_ISSUED: ("review.not_issued", False),
    ballot.Refusal.ALREADY_VOTED: ("review.already_voted", True),
    ballot.Refusal.PAST_DEADLINE: ("review.past_deadline", True),
}


def _refusal_message(refused: ballot.Refused) -> tuple[str, dict]:
    name, dated = _REFUSALS[refused.code]
    return name, (dict(at=refused.at) if dated else {})


@private_command
async def bophieu(update: Update, context: Context) -> None:
    target = await the_unit(update, context, question="review.choose_unit", data=lambda unit: BallotUnit(unit.id).pack())
    if target is not None:
        await start_ballot(update, context, *target)


async def start_ballot(update: Update, context: Context, unit: Unit, bloc: Bloc, *, answered: bool = False) -> None:
    """Start the unit's ballot (a new message), or say why it cannot vote: as a pop-up
    when a button asked (and was not answered yet), else as a message."""
    s = svc(context)
    with transaction(context) as session:
        started = ballot.start(session, user_id=update.effective_user.id, unit_id=unit.id, now=s.clock.now(),
                               seal=s.seal)
    button = update.callback_query is not None and not answered
    if isinstance(started, ballot.Refused):
        if started.code == ballot.Refusal.NOT_YOUR_UNIT:
            await (alert(update, context, "review.not_your_unit") if button
                   else say(update, context, "review.not_your_unit"))
            return
        name, values = _refusal_message(started)
        if button:
            await alert(update, context, name, unit=unit, **values)
        else:
            await say(update, context, name, unit=unit, bloc=bloc, **values)
        return
    if button:
        await update.callback_query.answer()
    await show_ballot_step(update, context, started, edit=False)


def _ballot_view(context: Context, step: ballot.Step):
    s = svc(context)
    draft, vote, unit, bloc = step.draft, step.vote, step.unit, step.bloc
    r = rules.Rules.from_dict(vote.rules)
    d = draft.id
    names = reckoning.names(s, sorted({u for e in vote.ballot for u in e["candidates"]}))
    cancel = (label(context, "review.btn_cancel"), BallotDraft(d, "cancel").pack())
    back = (label(context, "review.btn_prev"), BallotDraft(d, "back").pack())
    chosen = {e["code"]: [names.get(u, "?") for u in draft.choices.get(e["code"], [])] for e in vote.ballot}
    if draft.step >= len(vote.ballot):
        summary = [dict(name=reckoning.entry_name(s, e["code"], vote.year), quota=e["quota"], chosen=chosen[e["code"]],
                        leader=e["code"] in rules.LEADERS) for e in vote.ballot]
        rows = [[(label(context, "review.btn_cast"), BallotDraft(d, "ok").pack())], [back, cancel]]
        return s.render("review.ballot_review", unit=unit, bloc=bloc, summary=summary), keyboard(rows)
    entry = vote.ballot[draft.step]
    mine = draft.choices.get(entry["code"], [])
    rows = [[(label(context, "review.btn_candidate", unit_name=names.get(u, "?"), chosen=u in mine), BallotDraft(d, "c", u).pack())]
            for u in rules.choosable(entry, unit.id, r)]
    rows.append(([back] if draft.step else []) + [cancel, (label(context, "review.btn_next"), BallotDraft(d, "next").pack())])
    return s.render("review.ballot_step", unit=unit, bloc=bloc, line_name=reckoning.entry_name(s, entry["code"], vote.year),
                    quota=entry["quota"], leader=entry["code"] in rules.LEADERS, chosen=chosen[entry["code"]],
                    step=draft.step + 1, steps=len(vote.ballot), self_excluded=not r.self_vote,
                    empty=not rules.choosable(entry, unit.id, r)), keyboard(rows)


async def show_ballot_step(update: Update, context: Context, step: ballot.Step, *, edit: bool) -> None:
    s = svc(context)
    message_id = await show_step_message(update, context, *_ballot_view(context, step), edit=edit)
    if message_id is not None and step.draft.message_id != message_id:
        # The message exists only now: the draft learns which one answers (a transaction of its own).
        with transaction(context) as session:
            votes.save_draft(session=session, draft=step.draft, now=s.clock.now(), seal=s.seal, message_id=message_id)


@private_button
async def on_unit_button(update: Update, context: Context) -> None:
    """bp:unit:<unit id> — vote for this unit (from /bophieu's choice or the invitation DM)."""
    press = BallotUnit.unpack(update.callback_query.data)
    if press is None:
        await alert(update, context, "common.stale_button")
        return
    with transaction(context) as session:
        target = ballot.represented(session, update.effective_user.id, press.unit_id)
    if target is None:
        await alert(update, context, "review.not_your_unit")
        return
    await start_ballot(update, context, *target)


@private_button
async def on_ballot_button(update: Update, context: Context) -> None:
    """bv:<draft id>:<action>[:<unit id>] — the steps of one ballot: one service call, one transaction."""
    s = svc(context)
    query = update.callback_query
    data = BallotDraft.unpack(query.data)
    action = data.action if data else ""
    press = dict(user_id=update.effective_user.id, draft_id=data.draft_id if data else None,
                 message_id=query.message.message_id if query.message else None, now=s.clock.now(), seal=s.seal)
    with transaction(context) as session:
        if action == "c" and data.unit_id is not None:
            outcome = ballot.toggle(session, choice=data.unit_id, **press)
        elif action in ("next", "back"):
            outcome = ballot.move(session, by=1 if action == "next" else -1, **press)
        elif action == "cancel":
            outcome = ballot.cancel(session, **press)
        elif action == "ok":
            outcome = ballot.confirm(session, **press)
        else:
            found = ballot.current(session, **press)
            outcome = found if isinstance(found, ballot.Refused) else ballot.Refused(ballot.Refusal.STALE)
    await _show_press(update, context, outcome)


async def _show_press(update: Update, context: Context, outcome) -> None:
    """What a ballot press decided, shown (after its transaction was committed)."""
    s = svc(context)
    query = update.callback_query
    edit = lambda text: outbox.edit(context.bot, query.message.chat.id, query.message.message_id, text)  # noqa: E731
    if isinstance(outcome, ballot.Step):
        await query.answer()
        await show_ballot_step(update, context, outcome, edit=True)
    elif isinstance(outcome, ballot.Cancelled):
        await query.answer()
        await edit(s.render("review.ballot_cancelled", unit=outcome.unit))
    elif isinstance(outcome, ballot.Cast):
        await query.answer()
        # The receipt says the ballot was counted, not what it chose.
        await edit(s.render("review.receipt", unit=outcome.unit, bloc=outcome.bloc, at=outcome.at))
        await best_effort("progress", refresh_progress(context.application, outcome.bloc, outcome.vote))
    elif outcome.code == ballot.Refusal.CHOICE:
        await alert(update, context, f"review.error_{outcome.problem}", **outcome.details)
    elif outcome.code == ballot.Refusal.INVALID:
        await alert(update, context, f"review.error_{outcome.problem}", quota=0)
    elif outcome.ended:
        # The unit can no longer vote (closed, voted, past the deadline): the draft went.
        await query.answer()
        name, values = _refusal_message(outcome)
        await edit(s.render(name, unit=outcome.unit, bloc=outcome.bloc, **values))
    else:
        await alert(update, context, "review.stale")

