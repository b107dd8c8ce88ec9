"""Updates of different people are handled at once, one person's in the order they came
(khoibot/updates.py): two representatives registering at the same moment both end correctly,
the bloc keeps one status board, and one person's rapid presses and answers are not mixed up."""

from __future__ import annotations

import asyncio

import pytest

from sqlmodel import select

from storage.models import Registration, Unit
from tests.samples import HUE_UNITS, enrol, set_up_bloc

XS = "Tập thể lao động xuất sắc"
TT = "Tập thể lao động tiên tiến"


def current_registrations(world) -> dict[str, Registration]:
    with world.db.session() as session:
        rows = session.exec(select(Registration, Unit).where(
            Registration.unit_id == Unit.id, Registration.current == True))  # noqa: E712
        return {unit.name: reg for reg, unit in rows}


async def up_to_review(officer, title: str, people: str | None = None):
    """/dangky, one collective title, people typed for the first individual title, the rest 0,
    no targets: the review with its "Xác nhận" button, not yet pressed."""
    chat = officer.private_chat
    await officer.send_private("/dangky")
    await officer.press(chat.last_bot_message(), "Đăng ký")
    await officer.press(chat.last_bot_message(), f"▫️ {title}")
    await officer.press(chat.last_bot_message(), "Tiếp")
    if people:
        await officer.send_private(people)
    while "0 — không đăng ký" in str(chat.last_bot_message().buttons):
        await officer.press(chat.last_bot_message(), "0 — không đăng ký")
    await officer.press(chat.last_bot_message(), "»")
    return chat.last_bot_message()


async def test_two_representatives_register_at_the_same_moment(world):
    group, secretary = await set_up_bloc(world)
    group.promote_bot(can_pin=True)
    officers = await enrol(world, group, secretary, HUE_UNITS[:2])
    first, second = HUE_UNITS[:2]
    # Both go through the steps at once (their updates are in flight together)...
    reviews = await asyncio.gather(up_to_review(officers[first], XS, "2: Nguyễn Văn An, Trần Thị Bình"),
                                   up_to_review(officers[second], TT))
    # ...and press "Xác nhận" at the same moment, before the bloc has a status board.
    for unit, review in zip((first, second), reviews):
        await officers[unit].press(review, "Xác nhận", settle=False)
    await world.standin.settle()
    for unit in (first, second):
        assert f"Đã ghi nhận đăng ký thi đua năm 2025 của {unit}" in \
            officers[unit].private_chat.last_bot_message().text
    saved = current_registrations(world)
    assert saved[first].collective == ["TTLDXS"]
    assert [(code, p.count) for code, p in saved[first].individuals] == [("CSTD_TINH", 2)]
    assert saved[second].collective == ["TTLDTT"] and saved[second].individuals == ()
    assert saved[first].confirmed_by == officers[first].id and saved[second].confirmed_by == officers[second].id
    # Both confirmations wanted the board at once: one board is posted and pinned, showing both.
    boards = [m for m in group.bot_messages() if m.text.startswith("📌")]
    assert len(boards) == 1 and group.pinned is boards[0]
    assert "Đã đăng ký: 2/12" in boards[0].text


async def test_one_persons_rapid_presses_and_answers_are_handled_in_order(world):
    group, secretary = await set_up_bloc(world)
    officers = await enrol(world, group, secretary, HUE_UNITS[:1])
    officer = officers[HUE_UNITS[0]]
    chat = officer.private_chat
    await officer.send_private("/dangky")
    await officer.press(chat.last_bot_message(), "Đăng ký")
    step = chat.last_bot_message()
    # Three presses on the same step before the bot answers any: XS on, TT on, XS off. Telegram
    # is slow to answer the first one: its edit must still not land after the later ones'.
    world.standin.faults.fail_next("answerCallbackQuery", kind="lost", seconds=0.3)
    for label in (f"▫️ {XS}", f"▫️ {TT}", f"▫️ {XS}"):
        await officer.press(step, label, settle=False)
    await world.standin.settle()
    chosen = [b for row in step.buttons for b in row if b.startswith("✅")]
    assert chosen == [f"✅ {TT}"], step.buttons
    await officer.press(step, "Tiếp")
    # Typed answers to two steps in a row, sent before the bot answered the first (slowly):
    # the step shown last is the one whose buttons work.
    world.standin.faults.fail_next("sendMessage", kind="lost", seconds=0.3, chat_id=officer.id)
    await officer.send_private("1: Nguyễn Văn An", settle=False)
    await officer.send_private("3", settle=False)
    await world.standin.settle()
    step = chat.last_bot_message()
    assert "Lao động tiên tiến" in step.text, step.text  # the third individual title now
    await officer.press(step, "0 — không đăng ký")
    await officer.press(chat.last_bot_message(), "0 — không đăng ký")
    await officer.press(chat.last_bot_message(), "»")
    await officer.press(chat.last_bot_message(), "Xác nhận")
    saved = current_registrations(world)[HUE_UNITS[0]]
    assert saved.collective == ["TTLDTT"]
    assert [(code, p.count, list(p.names)) for code, p in saved.individuals] == [
        ("CSTD_TINH", 1, ["Nguyễn Văn An"]), ("CSTD_CS", 3, [])]


async def handled(world) -> None:
    """Wait until the bot has handled every update, but not for a board edit it planned."""
    app, probe = world.app, world.standin.idle_probe
    world.standin.idle_probe = lambda: not app.handling_updates()
    try:
        await world.standin.settle()
    finally:
        world.standin.idle_probe = probe


async def confirm_one_after_another(world, officers, units, reviews) -> None:
    """Each unit presses "Xác nhận" once the one before has its receipt (not waiting for the
    group's writes the bot planned)."""
    for unit, review in zip(units, reviews):
        await officers[unit].press(review, "Xác nhận", settle=False)
        await handled(world)
        assert f"Đã ghi nhận đăng ký thi đua năm 2025 của {unit}" in \
            officers[unit].private_chat.last_bot_message().text


@pytest.mark.parametrize("bot_settings", [{"board_refresh_seconds": 3}])
async def test_a_burst_of_registrations_edits_the_board_once_at_the_end(world):
    group, secretary = await set_up_bloc(world)
    group.promote_bot(can_pin=True)
    units = HUE_UNITS[:4]
    officers = await enrol(world, group, secretary, units)
    first, *others = units
    await up_to_review(officers[first], XS)
    await officers[first].press(officers[first].private_chat.last_bot_message(), "Xác nhận")
    board = group.pinned
    assert board is not None and "Đã đăng ký: 1/12" in board.text
    edits = []
    stop = world.standin.listen(lambda call: edits.append(call) if (
        call.method == "editMessageText" and call.message_id == board.message_id) else None)
    reviews = await asyncio.gather(*(up_to_review(officers[unit], TT) for unit in others))
    # The three confirm one after another, each answered before the next presses, all within
    # the interval that began with the first unit's board.
    await confirm_one_after_another(world, officers, others, reviews)
    # Each confirmation told the group at once (the first one's notice is there too)...
    notices = [m.text for m in group.bot_messages() if m.text.startswith("📝")]
    assert [next(u for u in units if u in text) for text in notices] == units
    # ...and the board shows all of them, by one edit at the end of the interval (two should
    # the machine be slow enough for the interval to pass in between), not one per confirmation.
    await world.standin.settle()
    stop()
    assert 1 <= len(edits) <= 2, edits
    assert "Đã đăng ký: 4/12" in group.pinned.text and group.pinned.message_id == board.message_id


@pytest.mark.parametrize("bot_settings", [{"group_notice_seconds": 3}])
async def test_a_burst_of_registrations_tells_the_group_in_one_message_at_the_end(world):
    group, secretary = await set_up_bloc(world)
    units = HUE_UNITS[:4]
    officers = await enrol(world, group, secretary, units)
    # The enrolments' notices went together; once their interval has passed (the pacing runs on
    # the event loop's own clock, like Telegram's limits), the next notice goes at once.
    await world.standin.settle()
    await asyncio.sleep(3)
    first, *others = units
    await up_to_review(officers[first], XS)
    await officers[first].press(officers[first].private_chat.last_bot_message(), "Xác nhận", settle=False)
    await handled(world)
    notices = [m.text for m in group.bot_messages() if "đã đăng ký thi đua" in m.text]
    assert len(notices) == 1 and first in notices[0]  # the first change is told at once
    reviews = await asyncio.gather(*(up_to_review(officers[unit], TT) for unit in others))
    await confirm_one_after_another(world, officers, others, reviews)
    # Each one's own receipt came at once; the group's notice waits for the interval's end.
    assert len([m for m in group.bot_messages() if "đã đăng ký thi đua" in m.text]) == 1
    await world.standin.settle()
    notices = [m.text for m in group.bot_messages() if "đã đăng ký thi đua" in m.text]
    # One more message, the three in the order they confirmed, each its own paragraph with
    # what it registered (two messages should the machine be slow enough for the interval to pass).
    assert 2 <= len(notices) <= 3, notices
    later = "\n\n".join(notices[1:])
    assert [later.index(unit) for unit in others] == sorted(later.index(unit) for unit in others)
    assert all(f"{unit} đã đăng ký thi đua" in later for unit in others), later
    assert later.count(TT) == 3 and XS not in later
