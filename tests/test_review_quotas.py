"""The bloc's quotas for its year, one fact from January to the documents; and the group's
ballot progress message, edited only when it changes, paced as the status board is."""

from __future__ import annotations

import pytest

from tests.samples import enrol, register, set_up_bloc
from tests.test_review import BK, CO_TINH, local

UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia", "Hội Nhà báo", "Hội Người mù", "Hội Đông y"]


async def up_to_ballot_review(officer):
    """/bophieu, every line left empty: the review with its confirm button, not yet pressed."""
    chat = officer.private_chat
    await officer.send_private("/bophieu")
    while "Xem lại phiếu bầu" not in chat.last_bot_message().text:
        await officer.press(chat.last_bot_message(), "Tiếp »")
    return chat.last_bot_message()


@pytest.mark.parametrize("bot_settings", [{"board_refresh_seconds": 2}])
async def test_units_voting_at_the_same_moment_never_edit_the_progress_for_nothing(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    officers = await enrol(world, group, secretary, UNITS)
    for officer in officers.values():
        await register(officer, [BK])
    world.clock.set(local(10, 12, 9, 0))
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), "không")
    progress = group.last_bot_message()
    assert "Đã bỏ phiếu: <b>0/6</b>" in progress.html
    reviews = [await up_to_ballot_review(officers[unit]) for unit in UNITS]
    refused_before = len(world.standin.stats.refusals)
    edits = []
    stop = world.standin.listen(lambda call: edits.append(call) if (
        call.method == "editMessageText" and call.message_id == progress.message_id) else None)
    # Every unit presses "Xác nhận" at the same moment.
    for unit, review in zip(UNITS, reviews):
        await officers[unit].press(review, "✅ Xác nhận bỏ phiếu", settle=False)
    await world.standin.settle()
    stop()
    for unit in UNITS:
        assert f"Đã nhận phiếu của <b>{unit}</b>" in officers[unit].private_chat.last_bot_message().html
    refused = [r for r in world.standin.stats.refusals[refused_before:] if r[0].startswith("edit")]
    assert refused == []
    # The progress ends right, by a few edits (paced), not one per ballot.
    assert "Đã bỏ phiếu: <b>6/6</b>" in progress.html
    assert 1 <= len(edits) <= 3, edits
