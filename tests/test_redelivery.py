"""An update delivered twice is handled once. Telegram hands an update out again until the
bot confirms a later offset; a bot killed after handling it but before confirming gets it a
second time when it starts again. Here the bot is stopped and the update is put back at the
head of the queue, exactly as Telegram would redeliver it, before the bot starts again."""

from __future__ import annotations

import copy

import pytest
from sqlmodel import select

from storage.models import ProcessedUpdate, Registration
from tests.samples import enrol, set_up_bloc

KH = "Hội Khuyến học"
CO_TINH = "Cờ thi đua của Ủy ban nhân dân tỉnh"


def last_update(world) -> dict:
    """The update the person's last action queued (not yet confirmed by the bot)."""
    return copy.deepcopy(world.standin.pending_updates()[-1])


async def redeliver_after_restart(world, update: dict) -> None:
    await world.stop_bot()
    world.standin.world.updates.pending.appendleft(update)
    await world.start_bot()
    await world.standin.settle()


def calls(world) -> dict[str, int]:
    return {m: world.standin.stats.calls.get(m, 0) for m in ("sendMessage", "editMessageText", "answerCallbackQuery")}


async def test_a_confirmation_press_delivered_twice_gives_one_registration_and_one_receipt(world):
    group, secretary = await set_up_bloc(world, units=[KH, "Hội Nhà báo"])
    officer = (await enrol(world, group, secretary, [KH]))[KH]
    chat = officer.private_chat
    await officer.send_private("/dangky")
    await officer.press(chat.last_bot_message(), "Đăng ký")
    step = chat.last_bot_message()
    await officer.press(step, f"▫️ {CO_TINH}")
    await officer.press(step, "Tiếp")
    for _ in range(4):
        await officer.press(chat.last_bot_message(), "0 — không đăng ký")
    await officer.press(chat.last_bot_message(), "»")
    review = chat.last_bot_message()
    await officer.press(review, "Xác nhận", settle=False)
    press = last_update(world)
    await world.standin.settle()
    assert "Đã ghi nhận đăng ký thi đua năm 2025 của Hội Khuyến học" in review.text
    answer = world.standin.callback_answer(press["callback_query"]["id"])
    before, edits = calls(world), list(review.edits)

    await redeliver_after_restart(world, press)

    with world.db.session() as session:
        versions = session.exec(select(Registration)).all()
        assert session.get(ProcessedUpdate, (world.app.bot.id, press["update_id"])) is not None
    assert len(versions) == 1 and versions[0].collective == ["CO_TINH"]
    # One receipt: the review message was edited once into it and nothing was said again
    # (no second receipt, no "this button is old" pop-up after the receipt).
    assert review.edits == edits and "Đã ghi nhận đăng ký" in review.text
    assert calls(world) == before
    assert world.standin.callback_answer(press["callback_query"]["id"]) == answer


async def test_a_typed_answer_delivered_twice_fills_in_one_step_only(world):
    group, secretary = await set_up_bloc(world, units=[KH, "Hội Nhà báo"])
    officer = (await enrol(world, group, secretary, [KH]))[KH]
    chat = officer.private_chat
    await officer.send_private("/dangky")
    await officer.press(chat.last_bot_message(), "Đăng ký")
    await officer.press(chat.last_bot_message(), "Tiếp")
    assert "Chiến sĩ thi đua cấp tỉnh" in chat.last_bot_message().text
    await officer.send_private("1: Nguyễn Văn An", settle=False)
    typed = last_update(world)
    await world.standin.settle()
    asked = chat.last_bot_message()
    assert "Chiến sĩ thi đua cơ sở" in asked.text

    await redeliver_after_restart(world, typed)

    # Still asked about the next title: the number was not taken a second time as its answer.
    assert chat.last_bot_message() is asked
    await officer.press(asked, "0 — không đăng ký")
    assert "Lao động tiên tiến" in chat.last_bot_message().text


def test_handled_updates_are_forgotten_after_telegram_stops_redelivering(database_url):
    from datetime import UTC, datetime, timedelta

    from khoibot.app import KEEP_PROCESSED
    from storage import updates
    from storage.db import Database
    from storage.migrate import upgrade

    db = Database(database_url)
    upgrade(db.engine)
    now = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    with db.session() as session:
        updates.record(session=session, bot_id=123456, update_id=1, now=now - KEEP_PROCESSED - timedelta(minutes=1))
        updates.record(session=session, bot_id=123456, update_id=2, now=now - timedelta(hours=23))
    with db.session() as session:
        assert updates.prune(session=session, now=now, keep=KEEP_PROCESSED) == 1
    with db.session() as session:
        assert not updates.handled(session=session, bot_id=123456, update_id=1)
        assert updates.handled(session=session, bot_id=123456, update_id=2)  # still within Telegram's 24 hours
        assert not updates.handled(session=session, bot_id=654321, update_id=2)  # another bot's ids are its own
    db.dispose()


# About the refusals a redelivered press meets: its query was answered, its edit already made.
@pytest.mark.refusals_expected
async def test_a_press_answered_just_before_a_crash_and_delivered_again_fails_nothing(world, caplog):
    """Killed after answering the press but before recording the update: the press comes
    again, Telegram refuses a second answer, and the bot carries on without an error."""
    from sqlalchemy import delete

    group, secretary = await set_up_bloc(world, units=[KH, "Hội Nhà báo"])
    officer = (await enrol(world, group, secretary, [KH]))[KH]
    chat = officer.private_chat
    await officer.send_private("/dangky")
    await officer.press(chat.last_bot_message(), "Đăng ký", settle=False)
    press = last_update(world)
    await world.standin.settle()
    with world.db.session() as session:  # as if the bot died before recording it
        session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.update_id == press["update_id"]))
    step = chat.last_bot_message()
    assert "bước 1" in step.text

    await redeliver_after_restart(world, press)

    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records]
    assert chat.last_bot_message() is step or "bước 1" in chat.last_bot_message().text
    await officer.press(chat.last_bot_message(), "Tiếp »")
    assert "Chiến sĩ thi đua cấp tỉnh" in chat.last_bot_message().text
