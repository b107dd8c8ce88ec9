"""Telegram-facing handlers, one module per feature; ``register`` wires them up.

Group -4 leaves a person's repeated view in a group unanswered (handlers/repeats.py; group 1
notes when the answer went out).
Group -3 refuses forged presses and senders the bot cannot know; group -2 remembers who wrote (every update); group -1 follows group migrations and
the bot's own membership; group 0 holds the features, ending with the answer to
buttons no feature knows (stale or forged): within a group the first match wins.
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import (bookkeeping, errors, exports, help, invitations, registration, replies, reports, review,
                      repeats, rollover, roster, schedule, scores, secretaries, setup, status, waits)


def register(app: Application) -> None:
    # Group -3 refuses what no feature may see: presses whose data is not on the pressed
    # message, commands from nobody the bot can know (an anonymous admin, a channel).
    app.add_handler(repeats.first_handler(), group=-4)  # a person's repeated view in a group: answered once
    app.add_handlers(errors.gate_handlers(), group=-3)
    app.add_handler(bookkeeping.remember_handler(), group=-2)
    app.add_handlers(bookkeeping.handlers(), group=-1)
    # Presses without data first (see errors.empty_data_handler); answers to the bot's
    # questions come before the private chat's free text.
    features = [errors.empty_data_handler(), *replies.handlers(), *setup.handlers(), *roster.handlers(), *invitations.handlers(),
                *secretaries.handlers(), *registration.handlers(), *reports.handlers(), *status.handlers(),
                *schedule.handlers(), *exports.handlers(), *scores.handlers(), *review.handlers(), *rollover.handlers(),
                *waits.handlers(), *help.handlers(), *errors.fallback_handlers()]
    app.add_handlers(features, group=0)
    app.add_handler(repeats.last_handler(), group=1)
    app.add_error_handler(errors.on_error)
    app.add_error_handler(repeats.forget_on_error)
