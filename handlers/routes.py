"""The route table: every way into the bot, in order, and the function that answers it.

Commands, button kinds (handlers.buttons), answers to the bot's questions (reply actions),
the /start deep-link payloads, what a milestone's end does, and the jobs. Nothing else
routes: no module fills a table when it is imported.

Handler groups run in order, and within a group the first match wins:
  -4  a person's repeated view in a group is answered once (handlers/repeats.py; group 1
      notes when the answer went out)
  -3  presses whose data is not on the pressed message, messages from nobody the bot can
      know (an anonymous admin, a channel)
  -2  remember who wrote (every update)
  -1  follow group migrations and the bot's own membership
   0  the features: presses without data first, then answers to the bot's questions (before
      the private chat's free text), each feature, and last the answer to buttons no
      feature knows (stale or forged)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from domain.milestones import Kind
from handlers import (bookkeeping, dossier_due, errors, exports, help, invitations, province, registration, reminders,
                      replies, reports, repeats, review, rollover, roster, schedule, scores, secretaries, setup, status,
                      waits)
from handlers import buttons as b
from handlers.common import NEW_MESSAGES
from khoibot import scheduler

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE

# A reply to one of the bot's questions goes to the action stored with the question
# (pending_reply.action): a replies.Decided, decided in the transaction that finds the question.
REPLY_ACTIONS: dict[str, replies.Decided] = {
    "setup.create": setup.answer_create,
    "setup.rename": setup.answer_rename,
    "setup.province": setup.answer_province,
    "roster.add": roster.answer_add,
    "roster.rename": roster.answer_rename,
    reports.WAITING: reports.answer_text,
    "status.quota": status.answer_quota,
    "schedule.set": schedule.answer_set,
    "schedule.hour": schedule.answer_hour,
    scores.SELF: scores.answer_self,
    "scores.table": scores.answer_table,
    "scores.adjust": scores.answer_adjust,
    "review.quota": review.answer_quota,
    "review.attended": review.answer_attended,
    "review.chair": review.answer_chair,
    "review.open": review.answer_open,
}
# Typed text in the private chat that answers no question: the registration draft's typed steps.
PRIVATE_TEXT = replies.PrivateText(registration.decide_text, registration.show_text)

# /start <payload> in the private chat: the button a group command answers with opens the
# private chat on that command; "i_<token>" is an invitation (invitations.start).
DEEP_LINKS = {
    "dangky": registration.open_registration,
    "giaouoc": registration.giaouoc,
    "baocao": reports.baocao,
    "bophieu": review.bophieu,
}

# A reminder DM's button (do:<command>:<unit id>) opens the flow of its command for one
# unit; /baocao's is reports' own (reports.duty_button).
DUTY_OPENERS = {
    "dangky": registration.open_unit,
    "giaouoc": registration.covenant_of_unit,
    "bophieu": review.ballot_of_unit,
}

# What happens when a milestone's "close" reminder falls due, by milestone kind.
ON_CLOSE = {Kind.BALLOT_DEADLINE.value: review.close_at_deadline}
# Milestone kinds whose reminders are not the units' duties: the province's dossier deadline
# reminds the secretaries, then tells the province's officers.
OWN_REMINDERS = {Kind.DOSSIER_DUE.value: dossier_due.REMINDERS}


def feature_handlers() -> list:
    """Group 0, in order."""
    return [
        errors.empty_data_handler(),  # before every pattern: PTB matches a press without data to any
        MessageHandler(filters.UpdateType.MESSAGE & (filters.ChatType.GROUPS | PRIVATE) & filters.REPLY
                       & filters.TEXT & ~filters.COMMAND,
                       partial(replies.on_reply, actions=REPLY_ACTIONS, private_text=PRIVATE_TEXT)),
        # /khoi: the bloc's card
        CommandHandler("khoi", setup.khoi, filters=NEW_MESSAGES),
        CallbackQueryHandler(setup.on_catalogue_button, pattern=b.Catalogue.pattern),
        CallbackQueryHandler(setup.on_card_button, pattern=b.RenameBloc.pattern),
        CallbackQueryHandler(setup.on_card_button, pattern=b.SetProvince.pattern),
        # /donvi: the roster
        CommandHandler("donvi", roster.donvi, filters=NEW_MESSAGES),
        CallbackQueryHandler(roster.on_button, pattern=b.Roster.pattern),
        # /start (deep links, invitations), /moi
        CommandHandler("start", partial(invitations.start, links=DEEP_LINKS), filters=NEW_MESSAGES),
        CommandHandler("moi", invitations.moi, filters=NEW_MESSAGES),
        CallbackQueryHandler(invitations.on_unit_button, pattern=b.InviteUnit.pattern),
        CallbackQueryHandler(invitations.on_enrol_button, pattern=b.Enrol.pattern),
        # /thuky
        CommandHandler("thuky", secretaries.thuky, filters=NEW_MESSAGES),
        CallbackQueryHandler(secretaries.on_button, pattern=b.Secretary.pattern),
        # /dangky /giaouoc and the registration draft
        CommandHandler("dangky", registration.dangky, filters=NEW_MESSAGES),
        CommandHandler("giaouoc", registration.giaouoc, filters=NEW_MESSAGES),
        CallbackQueryHandler(registration.on_unit_button, pattern=b.RegistrationUnit.pattern),
        CallbackQueryHandler(registration.on_draft_button, pattern=b.Draft.pattern),
        CallbackQueryHandler(registration.on_covenant_button, pattern=b.Covenant.pattern),
        MessageHandler(NEW_MESSAGES & PRIVATE & filters.TEXT & ~filters.COMMAND, registration.on_text),
        # /baocao, reports' files, reminder DMs' buttons
        CommandHandler("baocao", reports.baocao, filters=NEW_MESSAGES),
        CallbackQueryHandler(reports.on_period_button, pattern=b.ReportPeriod.pattern),
        CallbackQueryHandler(reports.duty_button(DUTY_OPENERS), pattern=b.DoDuty.pattern),
        MessageHandler(NEW_MESSAGES & PRIVATE & filters.Document.ALL, reports.on_document),
        # /tinhhinh
        CommandHandler("tinhhinh", status.tinhhinh, filters=NEW_MESSAGES),
        CallbackQueryHandler(status.on_button, pattern=b.Status.pattern),
        # /lich
        CommandHandler("lich", schedule.lich, filters=NEW_MESSAGES),
        CallbackQueryHandler(schedule.on_button, pattern=b.Schedule.pattern),
        # /xuat
        CommandHandler("xuat", exports.xuat, filters=NEW_MESSAGES),
        CallbackQueryHandler(exports.on_button, pattern=b.ExportYear.pattern),
        # /chamdiem
        CommandHandler("chamdiem", scores.chamdiem, filters=NEW_MESSAGES),
        CallbackQueryHandler(scores.on_unit_button, pattern=b.ScoreUnit.pattern),
        CallbackQueryHandler(scores.on_menu, pattern=b.ScoreMenu.pattern),
        CallbackQueryHandler(scores.on_secretary_button, pattern=b.ScoreCriteria.pattern),
        CallbackQueryHandler(scores.on_secretary_button, pattern=b.ScoreSetTable.pattern),
        CallbackQueryHandler(scores.on_secretary_button, pattern=b.ScoreAdjust.pattern),
        # /binhxet /danhsach /bophieu
        CommandHandler("binhxet", review.binhxet, filters=NEW_MESSAGES),
        CommandHandler("danhsach", review.danhsach, filters=NEW_MESSAGES),
        CommandHandler("bophieu", review.bophieu, filters=NEW_MESSAGES),
        CallbackQueryHandler(review.on_panel_button, pattern=b.ReviewPanel.pattern),
        CallbackQueryHandler(review.on_unit_button, pattern=b.BallotUnit.pattern),
        CallbackQueryHandler(review.on_ballot_button, pattern=b.BallotDraft.pattern),
        # /namsau
        CommandHandler("namsau", rollover.namsau, filters=NEW_MESSAGES),
        CallbackQueryHandler(rollover.on_button, pattern=b.Rollover.pattern),
        # /tinh: the province's officers; the dossier sent from under a bloc's list
        CommandHandler("tinh", province.tinh, filters=NEW_MESSAGES),
        CallbackQueryHandler(province.on_view_button, pattern=b.ProvinceView.pattern),
        CallbackQueryHandler(province.on_dossier_button, pattern=b.DossierSend.pattern),
        # /huy ends what waits; after every feature, a private message nobody took (in a group
        # the bot does not answer each sticker: that would be noise for everyone)
        CommandHandler("huy", waits.huy, filters=NEW_MESSAGES),
        MessageHandler(NEW_MESSAGES & PRIVATE & ~filters.TEXT & ~filters.Document.ALL & ~filters.StatusUpdate.ALL,
                       waits.on_other_message),
        # after every feature's commands: only a command nobody handled reaches unknown_command
        CommandHandler(["huongdan", "help"], help.huongdan, filters=NEW_MESSAGES),
        MessageHandler(NEW_MESSAGES & PRIVATE & filters.COMMAND, help.unknown_command),
        *errors.fallback_handlers(),  # a button no feature knows: stale or forged
    ]


def register(app: Application) -> None:
    app.add_handler(repeats.first_handler(), group=-4)
    app.add_handlers(errors.gate_handlers(), group=-3)
    app.add_handler(bookkeeping.remember_handler(), group=-2)
    app.add_handlers(bookkeeping.handlers(), group=-1)
    app.add_handlers(feature_handlers(), group=0)
    app.add_handler(repeats.last_handler(), group=1)
    app.add_error_handler(errors.on_error)
    app.add_error_handler(repeats.forget_on_error)


# ---- jobs ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    name: str
    callback: object
    every: float  # seconds
    first: float


# Repeating jobs (khoibot/app.py adds its own, pruning processed updates). Drafts are rows,
# so the sweep needs nothing rebuilt after a restart.
JOBS = [Job("sweep-idle-drafts", waits.sweep_job, every=60, first=60)]
# The reminders' alarm (khoibot/scheduler.py) rings this.
deliver_reminders = partial(reminders.deliver_due, on_close=ON_CLOSE, own=OWN_REMINDERS)


async def start_jobs(app: Application) -> None:
    """At start (post_init): the repeating jobs, then reminders caught up and the alarm set."""
    for job in JOBS:
        app.job_queue.run_repeating(job.callback, interval=job.every, first=job.first, name=job.name)
    try:  # the provinces' dossier deadlines as configured now, before the reminders are caught up
        dossier_due.follow_all(app)
    except Exception:  # must not keep the bot from starting; the next start tries again
        log.exception("the provinces' dossier deadlines could not be followed")
    await scheduler.install(app, deliver_reminders)
