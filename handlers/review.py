"""The year-end review: /binhxet (prepare, open, follow and close the secret ballot; settle
ties), /bophieu (a unit casts its ballot in private chat) and /danhsach (the compiled
nomination list, posted, pinned, with the documents).

Secrecy: a confirmed ballot adds to the counts of ``vote_count`` and marks the unit in
``ballot_cast``, in one transaction; nothing links the two. The ballot being filled in is
a ``ballot_draft`` row (buttons carry its id, only its current message answers, as in
/dangky), deleted by the transaction that counts it.

The vote's decisions (prepare, open, close, ties, the meeting's facts, the list) are
services/vote.py's, the ballot's services/ballot.py's, the tally and documents
services/review.py's: here a press is parsed, one service is called in one transaction,
and its outcome is shown.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlmodel import Session
from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application

from domain import ballot as rules
from domain.chunks import split_lines
from domain.milestones import Kind
from domain.text import clean, shorten
from handlers import dossier_due
from handlers import reminders as reminder_handlers
from handlers import status as status_handlers
from handlers import miniapp
from handlers import province as province_handlers
from handlers.buttons import BallotDraft, BallotUnit, ReviewPanel, ScoreMenu
from handlers.common import (BUTTON_NAME, Context, alert, ask, best_effort, int_arg, keyboard, label, private_button,
                             private_command, say, show_step_message, transaction, unit_choices)
from handlers.documents import send_documents
from handlers.gates import GateRefused, acting, gate_of_press, in_group, pressed_in_group, refuse_button, refuse_command
from handlers.pacing import pacer
from handlers.replies import Answer, Decided
from handlers.schedule import example_of
from khoibot import outbox, scheduler
from khoibot.services import Services, services_of
from services import ballot
from services import review as reckoning
from services import vote as vote_service
from services.blocs import Refused, bloc_in
from storage import votes
from storage.models import Bloc, Milestone, PendingReply, Vote

log = logging.getLogger(__name__)


# ---- /binhxet: the panel -------------------------------------------------------------------

def _setup(s: Services) -> vote_service.Setup:
    """What services.vote reads besides the database, from the bot's settings."""
    v = s.settings.vote
    return vote_service.Setup(
        catalogue=s.catalogue_for, naming=s.naming_for, elect_leaders=v.elect_leaders, tz=s.tz,
        reminder_rules=s.settings.reminders.rules,
        rules=rules.Rules(threshold=v.threshold_percent, strictly_more=v.strictly_more, base=v.base,
                          self_vote=v.self_vote),
        seal=s.seal, document_place=s.settings.bot.document_place, leader_name=_leader_name(s),
        provinces=s.provinces)


def _leader_name(s: Services) -> reckoning.LeaderName:
    return lambda code, year: s.render.plain("review.leader_name", code=code, year=year)


def _panel_markup(context: Context, panel: vote_service.Panel):
    btn = lambda name, data: (label(context, f"review.btn_{name}"), data)  # noqa: E731
    if panel.stage is None:
        rows = [[btn("prepare", ReviewPanel("prep").pack())], [btn("scores", ScoreMenu().pack())]]
    elif panel.stage == votes.DRAFT:
        rows = [[btn("add", ReviewPanel("add").pack()), btn("quota", ReviewPanel("quota").pack())],
                [btn("rebuild", ReviewPanel("prep").pack())], [btn("open", ReviewPanel("open").pack())],
                [btn("scores", ScoreMenu().pack())]]
    elif panel.stage == votes.OPEN:
        rows = [[btn("close", ReviewPanel("close").pack())], [btn("refresh", ReviewPanel("show").pack())]]
    else:
        rows = [[btn("list", ReviewPanel("list").pack())],
                [btn("attended", ReviewPanel("att").pack()), btn("chair", ReviewPanel("chair").pack())]]
        if any(o.unresolved for o in panel.outcomes):
            rows.append([btn("tie", ReviewPanel("tie").pack())])
    return keyboard(rows)


def _panel_text(context: Context, panel: vote_service.Panel, done: str | None = None) -> str:
    return context.services.render("review.panel", done=done, **panel.context())


@in_group
async def binhxet(update: Update, context: Context) -> None:
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.effective_chat.id)
        panel = bloc if isinstance(bloc, Refused) else vote_service.panel(_setup(context.services), session, bloc)
    if isinstance(panel, Refused):
        await refuse_command(update, context, panel, "binhxet")
        return
    await say(update, context, "review.panel", reply_markup=_panel_markup(context, panel), **panel.context())


async def _edit(update: Update, context: Context, text: str, markup) -> None:
    message = update.callback_query.message
    await outbox.edit(context.bot, message.chat.id, message.message_id, text, reply_markup=markup)


async def _show_panel(update: Update, context: Context, panel: vote_service.Panel, done: str | None = None) -> None:
    await update.callback_query.answer()
    await _edit(update, context, _panel_text(context, panel, done), _panel_markup(context, panel))


async def _pick(update: Update, context: Context, template: str, rows: list, **values) -> None:
    """A list of buttons to pick from (lines, units), with the way back to the panel."""
    rows = [*rows, [(label(context, "review.btn_back"), ReviewPanel("show").pack())]]
    await update.callback_query.answer()
    await _edit(update, context, context.services.render(template, **values), keyboard(rows))


async def _refused(update: Update, context: Context, refused: vote_service.Refused) -> None:
    """A refused press, as a pop-up."""
    if refused.code == vote_service.Refusal.NOT_SECRETARY:
        await alert(update, context, "common.secretaries_only_button")
    elif refused.code == vote_service.Refusal.NOTHING_TO_VOTE:
        await alert(update, context, "review.nothing_to_vote")
    else:
        await alert(update, context, "common.stale_button")


# Each press of the panel: parse, one transaction with the gate (``gate(session)``: the bloc of
# the chat, or GateRefused raised) and one service call, render, send. ``press`` is the
# ReviewPanel pressed, ``actor`` who pressed it.

async def _on_show(update, context, gate, press, actor) -> None:
    with transaction(context) as session:
        bloc = gate(session)
        panel = vote_service.view(_setup(context.services), session, bloc, actor)
    await (_refused(update, context, panel) if isinstance(panel, vote_service.Refused)
           else _show_panel(update, context, panel))


async def _on_prepare(update, context, gate, press, actor) -> None:
    """prep: the first ballot, or (prepared already) the question whether to rebuild it;
    prepok:<vote id>: rebuild it, confirmed."""
    rebuild = None
    if press.action == "prepok":
        rebuild = int_arg(press.code)
        if rebuild is None or press.unit_id is not None:
            rebuild = 0  # no vote's id: stale
    s = context.services
    with transaction(context) as session:
        bloc = gate(session)
        done = vote_service.prepare(_setup(s), session, bloc, actor, now=s.clock.now(), rebuild=rebuild)
    if isinstance(done, vote_service.Refused):
        await _refused(update, context, done)
    elif isinstance(done, vote_service.ConfirmRebuild):
        # Rebuilding drops the exceptions and quotas set by hand: ask first.
        await update.callback_query.answer()
        await _edit(update, context, s.render("review.confirm_rebuild"), keyboard([[
            (label(context, "review.btn_rebuild_yes"), ReviewPanel("prepok", str(done.vote_id)).pack()),
            (label(context, "review.btn_back"), ReviewPanel("show").pack())]]))
    else:
        await _show_panel(update, context, done.panel)


async def _on_pick_line(update, context, gate, press, actor) -> None:
    """add / quota: which title's line (the leaders' lines have neither exceptions nor quotas)."""
    with transaction(context) as session:
        bloc = gate(session)
        panel = vote_service.view(_setup(context.services), session, bloc, actor, at=votes.DRAFT)
    if isinstance(panel, vote_service.Refused):
        await _refused(update, context, panel)
        return
    then = "addt" if press.action == "add" else "qt"
    await _pick(update, context, "review.pick_title", [[(shorten(e.name, BUTTON_NAME), ReviewPanel(then, e.code).pack())]
                                                       for e in panel.entries if not e.leader], action=press.action)


async def _on_pick_exception(update, context, gate, press, actor) -> None:
    """addt:<code>: which unit to add to the line."""
    with transaction(context) as session:
        bloc = gate(session)
        found = vote_service.exceptions(_setup(context.services), session, bloc, actor, press.line)
    if isinstance(found, vote_service.Refused):
        await _refused(update, context, found)
        return
    await _pick(update, context, "review.pick_exception",
                [[(shorten(u.name, BUTTON_NAME), ReviewPanel("addu", found.code, u.id).pack())] for u in found.units],
                title=found.title, nobody=not found.units)


async def _on_add(update, context, gate, press, actor) -> None:
    """addu:<code>:<unit id>: the unit added to the line."""
    s = context.services
    with transaction(context) as session:
        bloc = gate(session)
        added = vote_service.add_candidate(_setup(s), session, bloc, actor, code=press.code, unit_id=press.unit_id,
                                           now=s.clock.now())
    await _show_unit_change(update, context, added, "review.exception_added")


async def _show_unit_change(update, context, outcome, done: str) -> None:
    """A unit added to a line, or a tie's unit chosen: refused, or the panel with what was done."""
    if isinstance(outcome, vote_service.Refused):
        await _refused(update, context, outcome)
        return
    await _show_panel(update, context, outcome.panel,
                      done=context.services.render(done, unit=outcome.unit, title=outcome.title))


async def _on_ask_quota(update, context, gate, press, actor) -> None:
    """qt:<code>: the line's quota is asked for."""
    with transaction(context) as session:
        bloc = gate(session)
        title = vote_service.quota_line(_setup(context.services), session, bloc, actor, press.line)
    if isinstance(title, vote_service.Refused):
        await _refused(update, context, title)
        return
    await update.callback_query.answer()
    await ask(update, context, "review.ask_quota", action="review.quota", bloc_id=bloc.id, code=press.code, title=title)


async def _on_ask_open(update, context, gate, press, actor) -> None:
    """open: the deadline is asked for (answer_open opens)."""
    with transaction(context) as session:
        bloc = gate(session)
        vote = vote_service.may_open(session, bloc, actor)
    if isinstance(vote, vote_service.Refused):
        await _refused(update, context, vote)
        return
    await update.callback_query.answer()
    await ask(update, context, "review.ask_deadline", action="review.open", bloc_id=bloc.id,
              example=example_of(context, bloc, Kind.BALLOT_DEADLINE))


async def _on_ask_close(update, context, gate, press, actor) -> None:
    """close: closing now is confirmed first."""
    with transaction(context) as session:
        bloc = gate(session)
        panel = vote_service.view(_setup(context.services), session, bloc, actor, at=votes.OPEN)
    if isinstance(panel, vote_service.Refused):
        await _refused(update, context, panel)
        return
    await update.callback_query.answer()
    await _edit(update, context, context.services.render("review.confirm_close", voted=panel.voted,
                                                     issued=len(panel.vote.voters)), keyboard([[
        (label(context, "review.btn_close_yes"), ReviewPanel("closeok", str(panel.vote.id)).pack()),
        (label(context, "review.btn_back"), ReviewPanel("show").pack())]]))


async def _on_close(update, context, gate, press, actor) -> None:
    """closeok:<vote id>: voting closes now."""
    s = context.services
    vote_id = int_arg(press.line)
    with transaction(context) as session:
        bloc = gate(session)
        closed = vote_service.close_now(_setup(s), session, bloc, actor, vote_id=vote_id, now=s.clock.now())
    if isinstance(closed, vote_service.Refused):
        await _refused(update, context, closed)
        return
    await update.callback_query.answer()
    await _tell_closed(context.application, closed, by=update.effective_user)
    await _edit(update, context, _panel_text(context, closed.panel), _panel_markup(context, closed.panel))


async def _on_list(update, context, gate, press, actor) -> None:
    """list: the compiled list posted, with the documents."""
    s = context.services
    with transaction(context) as session:
        bloc = gate(session)
        listing = vote_service.compile_list(_setup(s), session, bloc, actor, by_name=update.effective_user.full_name,
                                            now=s.clock.now())
    if isinstance(listing, vote_service.Refused):
        await _refused(update, context, listing)
        return
    await update.callback_query.answer()
    await _post(context.application, bloc, listing, asking=(update, context))


async def _on_ask_attended(update, context, gate, press, actor) -> None:
    with transaction(context) as session:
        bloc = gate(session)
        panel = vote_service.view(_setup(context.services), session, bloc, actor, at=votes.CLOSED)
    if isinstance(panel, vote_service.Refused):
        await _refused(update, context, panel)
        return
    await update.callback_query.answer()
    await ask(update, context, "review.ask_attended", action="review.attended", bloc_id=bloc.id,
              voted=panel.voted, members=len(panel.vote.voters), attended=panel.attended)


async def _on_ask_chair(update, context, gate, press, actor) -> None:
    with transaction(context) as session:
        bloc = gate(session)
        panel = vote_service.view(_setup(context.services), session, bloc, actor, at=votes.CLOSED)
    if isinstance(panel, vote_service.Refused):
        await _refused(update, context, panel)
        return
    await update.callback_query.answer()
    await _ask_chair(update, context, bloc, lead_unit=panel.lead_unit, chair=panel.vote.chair or "", after_list=False)


async def _on_pick_tie(update, context, gate, press, actor) -> None:
    """tie: which line's tie the meeting settled."""
    with transaction(context) as session:
        bloc = gate(session)
        found = vote_service.ties(_setup(context.services), session, bloc, actor)
    if isinstance(found, vote_service.Refused):
        await _refused(update, context, found)
        return
    await _pick(update, context, "review.pick_tie_title",
                [[(shorten(o.name, BUTTON_NAME), ReviewPanel("tiet", o.code).pack())] for o in found])


async def _on_pick_tied_unit(update, context, gate, press, actor) -> None:
    """tiet:<code>: which of the tied units the meeting chose."""
    with transaction(context) as session:
        bloc = gate(session)
        found = vote_service.tie_choice(_setup(context.services), session, bloc, actor, press.line)
    if isinstance(found, vote_service.Refused):
        await _refused(update, context, found)
        return
    outcome = found.outcome
    await _pick(update, context, "review.pick_tie_unit",
                [[(shorten(name, BUTTON_NAME), ReviewPanel("tieu", outcome.code, uid).pack())] for uid, name in found.units],
                outcome=outcome, seats=outcome.quota - len(outcome.selected))


async def _on_decide_tie(update, context, gate, press, actor) -> None:
    """tieu:<code>:<unit id>: the meeting's choice, recorded."""
    s = context.services
    with transaction(context) as session:
        bloc = gate(session)
        decided = vote_service.decide_tie(_setup(s), session, bloc, actor, code=press.code, unit_id=press.unit_id,
                                          now=s.clock.now())
    await _show_unit_change(update, context, decided, "review.tie_decided")


_PANEL_PRESSES = {
    "show": _on_show, "prep": _on_prepare, "prepok": _on_prepare, "add": _on_pick_line, "quota": _on_pick_line,
    "addt": _on_pick_exception, "addu": _on_add, "qt": _on_ask_quota, "open": _on_ask_open,
    "close": _on_ask_close, "closeok": _on_close, "list": _on_list, "att": _on_ask_attended,
    "chair": _on_ask_chair, "tie": _on_pick_tie, "tiet": _on_pick_tied_unit, "tieu": _on_decide_tie,
}


@pressed_in_group
async def on_panel_button(update: Update, context: Context) -> None:
    """bx:<action>[:<code>[:<unit id>]] — the secretaries' side of the ballot. Who may press
    is the service's check (vote_service.may_act)."""
    actor = await acting(update, context)
    press = ReviewPanel.unpack(update.callback_query.data)
    branch = _PANEL_PRESSES.get(press.action) if press else None
    gate = gate_of_press(update)
    try:
        if branch is None:
            with transaction(context) as session:
                allowed = vote_service.may_act(session, gate(session), actor)
            await alert(update, context, "common.stale_button" if allowed else "common.secretaries_only_button")
            return
        await branch(update, context, gate, press, actor)
    except GateRefused as refused:
        await refuse_button(update, context, refused.refused)


# ---- the secretary's typed answers: a quota, the deadline, the meeting's facts --------------

def _answering(decide):
    """A secretary's typed answer decided in the reply's one transaction: the bloc that asked,
    in its group (else refused: the gate's ``Refused``), then ``decide(context, session, pending,
    answer, bloc, actor)`` with the answer's text cleaned; (bloc, outcome). Whether they may
    still act is the service's check."""
    def decision(context: Context, session, pending: PendingReply, answer: Answer):
        bloc = bloc_in(session, chat_id=answer.chat_id, bloc_id=pending.bloc_id)
        if isinstance(bloc, Refused):
            return bloc
        return bloc, decide(context, session, pending, replace(answer, text=clean(answer.text)), bloc,
                            answer.actor)
    return decision


async def _refused_answer(update: Update, context: Context, bloc: Bloc, refused: vote_service.Refused, *,
                          text: str, example: dict | None = None) -> bool:
    """A refused answer, said; True when the question is done with, False when it is asked again."""
    code, codes = refused.code, vote_service.Refusal
    if code == codes.NOT_SECRETARY:
        await say(update, context, "common.secretaries_only", command="binhxet")
    elif code == codes.QUOTA:
        await say(update, context, "review.error_quota", text=text[:30], members=refused.members)
    elif code == codes.QUOTA_LOCKED:
        await say(update, context, "status.quota_locked", year=bloc.year)
    elif code == codes.DEADLINE_UNREAD:
        await say(update, context, f"review.error_deadline_{refused.problem}", text=text, example=example)
    elif code == codes.DEADLINE_FAR:
        await say(update, context, "schedule.error_far", at=refused.at, low=refused.years[0], high=refused.years[1])
    elif code == codes.DEADLINE_PAST:
        await say(update, context, "review.error_deadline_past", at=refused.at)
    elif code == codes.ATTENDED:
        await say(update, context, "review.error_attended", text=text, members=refused.members)
    elif code == codes.CHAIR:
        await say(update, context, "review.error_chair", text=text[:200])
    elif code == codes.NOT_CLOSED:
        await say(update, context, "review.not_closed")
    else:
        await say(update, context, "review.not_draft")
    return code in (codes.NOT_SECRETARY, codes.QUOTA_LOCKED, codes.NOT_CLOSED, codes.NOT_DRAFT, codes.STALE)


@_answering
def _decide_quota(context, session, pending, answer, bloc, actor):
    return vote_service.set_quota(_setup(context.services), session, bloc, actor, code=pending.payload.code,
                                  quota=int_arg(answer.text.strip()), now=answer.now)


async def _show_quota(update: Update, context: Context, pending: PendingReply, decided) -> bool:
    if isinstance(decided, Refused):
        await refuse_command(update, context, decided, "binhxet")
        return True
    bloc, done = decided
    if isinstance(done, vote_service.Refused):
        return await _refused_answer(update, context, bloc, done, text=clean(update.message.text or ""))
    s = context.services
    await say(update, context, "review.panel", reply_markup=_panel_markup(context, done.panel),
              done=s.render("review.quota_set", title=done.title, quota=done.quota), **done.panel.context())
    await best_effort("refresh board", status_handlers.refresh_board(context, bloc))
    return True


answer_quota = Decided(_decide_quota, _show_quota)


@_answering
def _decide_open(context, session, pending, answer, bloc, actor):
    """The deadline typed by the secretary ("16:30 10/12/2025", or "không"): voting opens."""
    return vote_service.open_vote(_setup(context.services), session, bloc, actor, deadline=answer.text, now=answer.now,
                                  close=reminder_handlers.CLOSE)


async def _show_open(update: Update, context: Context, pending: PendingReply, decided) -> bool:
    if isinstance(decided, Refused):
        await refuse_command(update, context, decided, "binhxet")
        return True
    bloc, opened = decided
    if isinstance(opened, vote_service.Refused):
        example = example_of(context, bloc, Kind.BALLOT_DEADLINE)
        # A question asked before prompts carried an example is asked again with one.
        pending.payload = pending.payload.with_example(example)
        return await _refused_answer(update, context, bloc, opened, text=clean(update.message.text or ""),
                                     example=example)
    scheduler.set_alarm(context.application)
    await refresh_progress(context.application, bloc, opened.panel.vote)
    await best_effort("tell representatives", _invite_voters(context.application, opened))
    return True


answer_open = Decided(_decide_open, _show_open)


async def _invite_voters(app: Application, opened: vote_service.Opened) -> None:
    """Each reachable representative of a unit issued a ballot gets a DM with a button."""
    s: Services = services_of(app)
    for person, unit in opened.invited:
        await best_effort("ballot invitation", outbox.send(
            app.bot, s, person.id, s.render("review.invitation", bloc=opened.panel.bloc, unit=unit,
                                            deadline=opened.panel.deadline),
            reply_markup=keyboard([[(s.render.plain("review.btn_vote"), BallotUnit(unit.id).pack())]])))


async def _ask_chair(update: Update, context: Context, bloc: Bloc, *, lead_unit: str, chair: str,
                     after_list: bool) -> None:
    await ask(update, context, "review.ask_chair", action="review.chair", bloc_id=bloc.id,
              lead_unit=lead_unit, chair=chair, after_list=after_list)


@_answering
def _decide_attended(context, session, pending, answer, bloc, actor):
    """How many member units attended the meeting (a unit may attend and not vote)."""
    return vote_service.record_attended(_setup(context.services), session, bloc, actor,
                                        attended=int_arg(answer.text.strip()), now=answer.now)


async def _show_attended(update: Update, context: Context, pending: PendingReply, decided) -> bool:
    if isinstance(decided, Refused):
        await refuse_command(update, context, decided, "binhxet")
        return True
    bloc, done = decided
    if isinstance(done, vote_service.Refused):
        return await _refused_answer(update, context, bloc, done, text=clean(update.message.text or ""))
    s = context.services
    await say(update, context, "review.panel", reply_markup=_panel_markup(context, done.panel),
              done=s.render("review.attended_set", attended=done.attended, members=len(done.panel.vote.voters)),
              **done.panel.context())
    return True


answer_attended = Decided(_decide_attended, _show_attended)


@_answering
def _decide_chair(context, session, pending, answer, bloc, actor):
    """Who chaired the meeting: a name (a leader of the Trưởng khối unit), or a name, a comma
    and what they are. After the list was posted, the documents are made again with it."""
    after_list = pending.payload.after_list
    return vote_service.record_chair(_setup(context.services), session, bloc, actor, text=answer.text, now=answer.now,
                                     by_name=answer.name if after_list else None)


async def _show_chair(update: Update, context: Context, pending: PendingReply, decided) -> bool:
    if isinstance(decided, Refused):
        await refuse_command(update, context, decided, "binhxet")
        return True
    bloc, done = decided
    if isinstance(done, vote_service.Refused):
        return await _refused_answer(update, context, bloc, done, text=clean(update.message.text or ""))
    if done.listing is not None:
        await say(update, context, "review.chair_set", chair=done.chair, resent=True)
        await _send_documents(context.application, bloc, done.listing)
        return True
    await say(update, context, "review.panel", reply_markup=_panel_markup(context, done.panel),
              done=context.services.render("review.chair_set", chair=done.chair, resent=False), **done.panel.context())
    return True


answer_chair = Decided(_decide_chair, _show_chair)


# ---- the group's progress message ----------------------------------------------------------

async def refresh_progress(app: Application, bloc: Bloc, vote: Vote) -> None:
    """The group's message on the vote: how many units voted (never who chose whom),
    edited in place; posted anew when it cannot be edited.

    Units vote at the same moment (at the meeting): the message is paced as the status board
    is (handlers/pacing.py, ``board_refresh_seconds``), one run at a time per bloc reading the
    vote afresh, and an edit that would change nothing is never sent (Telegram refuses it, and
    it spends the group's messages a minute)."""
    s: Services = services_of(app)

    async def flush(vote_ids: list[int]) -> None:
        await _refresh_progress(app, bloc, vote_ids[-1])

    await pacer(app, "ballot progress").request(app, bloc.id, vote.id, flush, s.settings.bot.board_refresh_seconds)


async def _refresh_progress(app: Application, bloc: Bloc, vote_id: int) -> None:
    s: Services = services_of(app)
    with s.db.session() as session:
        shown = vote_service.progress(_setup(s), session, vote_id)
    if shown is None:
        return
    vote = shown.vote
    text = s.render("review.progress", bloc=bloc, vote=vote, voted=shown.voted, issued=len(vote.voters),
                    deadline=shown.deadline, entries=shown.entries)
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
        # The message exists only now: which one it is, in a transaction of its own.
        with s.db.session() as session:
            votes.set_progress_message(session=session, vote_id=vote.id, message_id=message.message_id)


# ---- closing and the result ------------------------------------------------------------

async def _tell_closed(app: Application, closed: vote_service.Closed, *, by) -> None:
    """What follows a close (committed): the sealed rows scrubbed from the file, the alarm set
    anew, the ballots being filled in told, the progress message and the result in the group."""
    s: Services = services_of(app)
    try:
        s.db.scrub("sealed_ballot", "ballot_draft")
    except Exception:  # the totals are saved; the scrub is done again at the next close
        log.exception("scrubbing the sealed ballots failed", extra={"vote_id": closed.vote.id})
    scheduler.set_alarm(app)
    for chat_id, message_id in closed.unfinished:  # ballots being filled in: their buttons go
        await best_effort("close draft", outbox.edit(app.bot, chat_id, message_id, s.render(
            "review.closed_already", unit=None, at=closed.vote.closed_at)))
    await best_effort("progress", refresh_progress(app, closed.bloc, closed.vote))
    await outbox.send(app.bot, s, closed.bloc.chat_id, s.render(
        "review.closed", bloc=closed.bloc, vote=closed.vote, voted=closed.voted, issued=len(closed.vote.voters), by=by,
        outcomes=closed.outcomes, next_leaders=closed.next_leaders))
    await best_effort("province board", province_handlers.refresh_for_bloc(app, closed.bloc))


def _close_at_deadline(s: Services, session: Session, milestone: Milestone, now) -> vote_service.Closed | None:
    return vote_service.close_at_deadline(_setup(s), session, milestone, now=now)


async def _tell_closed_at_deadline(app: Application, closed: vote_service.Closed | None) -> None:
    if closed is not None:  # None: closed already (by a secretary), or no vote of that deadline
        await _tell_closed(app, closed, by=None)


# The vote's deadline (the route table's ON_CLOSE): the vote closes in the transaction that
# takes the deadline's close row, then the group is told.
close_at_deadline = reminder_handlers.OnClose(_close_at_deadline, _tell_closed_at_deadline)


# ---- /danhsach: the compiled list, posted and pinned, with the documents -------------------

@in_group
async def danhsach(update: Update, context: Context) -> None:
    """The list: posted and pinned with the documents when a secretary asks, else shown."""
    s = context.services
    setup, now = _setup(s), s.clock.now()
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.effective_chat.id)
        if isinstance(bloc, Refused):
            found = bloc
        else:
            found = vote_service.compile_list(setup, session, bloc, actor, by_name=update.effective_user.full_name,
                                              now=now)
            if isinstance(found, vote_service.Refused) and found.code == vote_service.Refusal.NOT_SECRETARY:
                found = vote_service.public_list(setup, session, bloc, now=now)
    if isinstance(found, Refused):
        await refuse_command(update, context, found, "danhsach")
    elif isinstance(found, vote_service.Refused):
        await say(update, context, "review.no_list_yet", vote=found.vote)
    elif isinstance(found, vote_service.Listing):
        await _post(context.application, bloc, found, asking=(update, context))
    else:
        await say(update, context, "review.list", record=found)


async def _post(app: Application, bloc: Bloc, listing: vote_service.Listing, *,
                asking: tuple[Update, Context] | None) -> None:
    """Post the list in the group (split under Telegram's limit, the first part pinned) and
    attach the documents. With ``asking`` (the secretary's update), the chair is asked for
    when not recorded."""
    s: Services = services_of(app)
    first = None
    for chunk in split_lines(s.render("review.list", record=listing.record)):
        message = await outbox.send(app.bot, s, bloc.chat_id, chunk)
        first = first or message
    if first is not None:
        if not await outbox.pin(app.bot, first.chat_id, first.message_id):
            await outbox.send(app.bot, s, bloc.chat_id, s.render("review.cannot_pin"))
    if asking is not None and listing.ask_chair:
        # The minutes print the chair's name under «CHỦ TRÌ»: when no one recorded it yet,
        # the secretary who posted the list is asked once, right after it.
        await _ask_chair(*asking, bloc, lead_unit=listing.lead_unit, chair=listing.chair, after_list=True)
    await _send_documents(app, bloc, listing)


async def _send_documents(app: Application, bloc: Bloc, listing: vote_service.Listing) -> None:
    await send_documents(app, listing.documents, bloc.chat_id, listing.record.year)
    # Under the list and its documents: the dossier for the province (when it is configured).
    await best_effort("dossier offer", province_handlers.offer_dossier(app, bloc, listing.record.year))
    await best_effort("province deadline", dossier_due.follow(app, bloc))




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
    """The ballot of the person's unit, or the choice of unit: one transaction."""
    s = context.services
    with transaction(context) as session:
        opened = ballot.opening(session, user_id=update.effective_user.id, now=s.clock.now(), seal=s.seal)
    if isinstance(opened, ballot.Several):
        rows = unit_choices(context, opened.units, lambda unit: BallotUnit(unit.id).pack())
        await say(update, context, "review.choose_unit", reply_markup=keyboard(rows))
    elif isinstance(opened, ballot.Refused) and opened.code == ballot.Refusal.NOT_REPRESENTATIVE:
        await say(update, context, "registration.not_representative")
    else:
        await _show_started(update, context, opened, answered=False)


async def ballot_of_unit(update: Update, context: Context, unit_id: int) -> None:
    """A reminder's button: the unit's ballot, if the person represents it (else a pop-up);
    why it cannot vote (closed, not open, …) is said as a message."""
    s = context.services
    with transaction(context) as session:
        started = ballot.start(session, user_id=update.effective_user.id, unit_id=unit_id, now=s.clock.now(),
                               seal=s.seal)
    if isinstance(started, ballot.Refused) and started.code == ballot.Refusal.NOT_YOUR_UNIT:
        await alert(update, context, "registration.not_your_unit")
        return
    await update.callback_query.answer()
    await _show_started(update, context, started, answered=True)


async def _start_ballot(update: Update, context: Context, unit_id: int, *, answered: bool = False) -> None:
    """Start the unit's ballot (a new message), or say why it cannot vote: as a pop-up
    when a button asked (and was not answered yet), else as a message. Whether the person
    represents the unit is the service's check, in the same transaction."""
    s = context.services
    with transaction(context) as session:
        started = ballot.start(session, user_id=update.effective_user.id, unit_id=unit_id, now=s.clock.now(),
                               seal=s.seal)
    await _show_started(update, context, started, answered=answered)


async def _show_started(update: Update, context: Context, started: ballot.Step | ballot.Refused, *,
                        answered: bool) -> None:
    button = update.callback_query is not None and not answered
    if isinstance(started, ballot.Refused):
        if started.code == ballot.Refusal.NOT_YOUR_UNIT:
            await (alert(update, context, "review.not_your_unit") if button
                   else say(update, context, "review.not_your_unit"))
            return
        name, values = _refusal_message(started)
        if button:
            await alert(update, context, name, unit=started.unit, **values)
        else:
            await say(update, context, name, unit=started.unit, bloc=started.bloc, **values)
        return
    if button:
        await update.callback_query.answer()
    await show_ballot_step(update, context, started, edit=False)


def _ballot_view(context: Context, step: ballot.Step):
    s = context.services
    draft, vote, unit, bloc = step.draft, step.vote, step.unit, step.bloc
    r = vote.rules
    d = draft.id
    names = step.names
    cancel = (label(context, "review.btn_cancel"), BallotDraft(d, "cancel").pack())
    back = (label(context, "review.btn_prev"), BallotDraft(d, "back").pack())
    chosen = {e.code: [names.get(u, "?") for u in draft.choices.get(e.code, [])] for e in vote.ballot}
    leader_name = _leader_name(s)

    def line_name(code: str) -> str:
        return reckoning.entry_name(s.catalogue_for(bloc, vote.year), leader_name, code, vote.year)

    if draft.step >= len(vote.ballot):
        summary = [dict(name=line_name(e.code), quota=e.quota, chosen=chosen[e.code], leader=e.code in rules.LEADERS)
                   for e in vote.ballot]
        rows = [[(label(context, "review.btn_cast"), BallotDraft(d, "ok").pack())], [back, cancel]]
        return s.render("review.ballot_review", unit=unit, bloc=bloc, summary=summary), keyboard(rows)
    entry = vote.ballot[draft.step]
    mine = draft.choices.get(entry.code, [])
    rows = [[(label(context, "review.btn_candidate", unit_name=names.get(u, "?"), chosen=u in mine),
              BallotDraft(d, "c", u).pack())] for u in step.choosable]
    rows.append(([back] if draft.step else []) + [cancel, (label(context, "review.btn_next"), BallotDraft(d, "next").pack())])
    markup = keyboard(rows)
    if draft.step == 0:  # the whole ballot on one page, for who prefers it
        markup = miniapp.with_row(markup, miniapp.form_button(s, miniapp.BALLOT))
    return s.render("review.ballot_step", unit=unit, bloc=bloc, line_name=line_name(entry.code),
                    quota=entry.quota, leader=entry.code in rules.LEADERS, chosen=chosen[entry.code],
                    step=draft.step + 1, steps=len(vote.ballot), self_excluded=not r.self_vote,
                    empty=not step.choosable), markup


async def show_ballot_step(update: Update, context: Context, step: ballot.Step, *, edit: bool) -> None:
    s = context.services
    message_id = await show_step_message(update, context, *_ballot_view(context, step), edit=edit)
    if message_id is not None and step.draft.message_id != message_id:
        # The message exists only now: the draft learns which one answers (a transaction of its own).
        with transaction(context) as session:
            ballot.shown(session, step=step, message_id=message_id, now=s.clock.now(), seal=s.seal)


@private_button
async def on_unit_button(update: Update, context: Context) -> None:
    """bp:unit:<unit id> — vote for this unit (from /bophieu's choice or the invitation DM)."""
    press = BallotUnit.unpack(update.callback_query.data)
    if press is None:
        await alert(update, context, "common.stale_button")
        return
    await _start_ballot(update, context, press.unit_id)


@private_button
async def on_ballot_button(update: Update, context: Context) -> None:
    """bv:<draft id>:<action>[:<unit id>] — the steps of one ballot: one service call, one transaction."""
    s = context.services
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


async def form_cast(context: Context, user_id: int, cast: ballot.Cast) -> None:
    """A ballot cast from the Mini App: the receipt in the person's chat (it says the ballot
    was counted, not what it chose), then the group's progress, as after the chat's."""
    s = context.services
    await best_effort("form receipt", outbox.send(context.bot, s, user_id, s.render(
        "review.receipt", unit=cast.unit, bloc=cast.bloc, at=cast.at)))
    await best_effort("progress", refresh_progress(context.application, cast.bloc, cast.vote))


async def _show_press(update: Update, context: Context, outcome) -> None:
    """What a ballot press decided, shown (after its transaction was committed)."""
    s = context.services
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

