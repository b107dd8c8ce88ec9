"""One action, one transaction (issue 16), as an auditor counts them for the review meeting:
the secretary opens the vote with its deadline, closes it, settles a tie and posts the list;
each decision, with what the chat shows after it, is read and written in one transaction.

Around it, what is not the decision is named and checked read-only: the group's dispatch
(handlers.common: the chat's bloc, whether the message pressed is its board; a reply's
question), the scheduler's next alarm, the scrub of the sealed rows from the file after a
close, the paced progress message reading the vote afresh; after a send, what Telegram gave
back (a message id, a file id) is written on its own, since it exists only then."""

from __future__ import annotations

from khoibot.demo.acts import cast_ballot
from tests.samples import enrol, register, set_up_bloc
from tests.transactions import Record, Transaction, transactions

FLAG = "Cờ thi đua của Ủy ban nhân dân tỉnh"
BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia", "Hội Nhà báo"]
CTD, KH, LG, NB = UNITS

# Read-only transactions around an action that are not its decision, by the tables they read
# (the gate, the bloc of the chat and who may act, is inside the decision's transaction; so
# is an answer's question, looked up and marked answered).
ALARM = {"reminder"}
PROGRESS = {"ballot_cast", "bloc", "milestone", "unit", "vote"}


# What is written after a send, with what Telegram returned (the statements' beginnings): a
# new question's row is the new question's.
AFTER_SEND = ("UPDATE vote SET progress_message_id", "UPDATE review_document SET file_id", "UPDATE ballot_draft SET",
              "INSERT INTO pending_reply")


def _writes(t: Transaction) -> list[str]:
    return [s for s in t.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def _written(t: Transaction) -> set[str]:
    return {table for s in _writes(t) for table in Transaction(statements=[s]).tables}


def the_decision(record: Record) -> Transaction:
    """The one transaction that decided: every other one of the action only read what is
    named above, or wrote only what Telegram returned after a send (AFTER_SEND)."""
    writing = [t for t in record.of_the_action if t.writes and not all(s.startswith(AFTER_SEND) for s in _writes(t))]
    assert len(writing) == 1, [sorted(t.tables) for t in writing]
    for t in record.of_the_action:
        if not t.writes:
            assert t.tables in (ALARM, PROGRESS) or not t.tables, sorted(t.tables)  # no tables: the scrub
    return writing[0]


async def test_opening_closing_a_tie_and_the_list_are_one_transaction_each(world):
    world.settings.vote.threshold_percent = 30.0  # more than 30 % of 4 units: 2 votes pass
    group, secretary = await set_up_bloc(world, units=UNITS)
    group.promote_bot(can_pin=True)
    officers = await enrol(world, group, secretary, UNITS)
    for unit, officer in officers.items():
        await register(officer, [FLAG, BK] if unit in (CTD, KH) else [BK])
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")

    with transactions(world.db.engine) as opening:
        await secretary.reply(group.last_bot_message(), "17:00 20/12/2025")
    assert "Hạn bỏ phiếu: 17:00 ngày 20/12/2025" in group.last_bot_message().text
    opened = the_decision(opening)
    assert {"vote", "milestone", "reminder", "vote_count", "audit_log"} <= _written(opened)
    assert {"pending_reply", "bloc"} <= opened.tables  # the question and the gate, in the decision's transaction

    # The voter's side: the invitation's button starts the ballot, a tick, the confirmation.
    officer = officers[NB]
    with transactions(world.db.engine) as starting:
        await officer.press(officer.private_chat.last_bot_message(), "🗳 Bỏ phiếu")
    step = officer.private_chat.last_bot_message()
    assert "ballot_draft" in _written(the_decision(starting))  # then its message id, after the send
    with transactions(world.db.engine) as ticking:
        await officer.press(step, f"▫️ {KH}")
    assert f"✅ {KH}" in sum(officer.private_chat.last_bot_message().buttons, [])
    assert len(ticking.of_the_action) == 1
    # /bophieu afresh: the person's unit found and a new ballot started in one transaction.
    with transactions(world.db.engine) as again:
        await officer.send_private("/bophieu")
    assert f"▫️ {KH}" in sum(officer.private_chat.last_bot_message().buttons, [])  # a fresh ballot, nothing ticked
    assert "ballot_draft" in _written(the_decision(again))
    assert "representative" in the_decision(again).tables  # who the person represents, in the same one
    for unit, pick in zip(UNITS, [[CTD], [CTD], [KH], [KH]]):
        await cast_ballot(officers[unit], {FLAG: pick})
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu")
    with transactions(world.db.engine) as closing:
        await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu ngay")
    result = next(m for m in reversed(group.bot_messages()) if "Kết quả bỏ phiếu kín" in (m.text or ""))
    assert "4/4 đơn vị đã bỏ phiếu" in result.text
    closed = the_decision(closing)
    # Counted, the deadline dropped and the results kept in the transaction that closed.
    assert {"vote", "vote_count", "sealed_ballot", "milestone", "reminder", "year_result"} <= _written(closed)

    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Ghi quyết định của hội nghị về hòa phiếu")
    await secretary.press(group.last_bot_message(), FLAG)
    with transactions(world.db.engine) as tie:
        await secretary.press(group.last_bot_message(), KH)
    assert "hội nghị quyết định đề nghị <b>Hội Khuyến học</b>" in group.last_bot_message().html
    assert _written(the_decision(tie)) == {"vote", "audit_log", "year_result"}
    assert len(tie.of_the_action) == 1  # the bloc, the board check, the secretary and the decision

    await secretary.send(group, "/binhxet")
    with transactions(world.db.engine) as listing:
        await secretary.press(group.last_bot_message(), "Đăng danh sách")
    assert any("DANH SÁCH ĐỀ NGHỊ" in (m.text or "") for m in group.bot_messages()[-8:])
    # The documents made (a new version) in the one transaction; after the sends, only the
    # file ids Telegram gave back and the question of the chair.
    assert _written(the_decision(listing)) == {"review_document", "audit_log"}
    file_ids = [t for t in listing.of_the_action if any(s.startswith("UPDATE review_document SET file_id")
                                                         for s in t.statements)]
    assert len(file_ids) == 1  # the four files' ids, kept together once all are sent
