"""The ballot against bad input and the wrong people: a second ballot, more choices than
the quota, a non-candidate, a vote after closing, a stranger, a unit of another bloc, a
secretary wanting to see who voted for whom, stale buttons. Clear Vietnamese answers, and
nothing counted that should not be. Also the 24-unit bloc of the seed (quotas 1 / 3 / 12)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import BallotCast, Unit, Vote
from tests.samples import HOA_BINH_BLOC, HOA_BINH_UNITS, enrol, opened_box, register, set_up_bloc, voting_open
from tests.test_review import BK, CO_TINH, DEPUTY, LEAD, cast_ballot, local

UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia", "Hội Nhà báo", "Hội Người mù"]
CTD, KH, LG, NB, NM = UNITS


def counted(world) -> dict[tuple[str, str], int]:
    """What the box holds, the sealed ballots opened as the close will open them."""
    with world.db.session() as session:
        names = {u.id: u.name for u in session.exec(select(Unit))}
        votes = [v.id for v in session.exec(select(Vote))]
    return {(code, names[unit]): n for vote_id in votes
            for (code, unit), n in opened_box(world.db, world.settings, vote_id).items() if n}


def voted_units(world) -> list[str]:
    with world.db.session() as session:
        names = {u.id: u.name for u in session.exec(select(Unit))}
        return sorted(names[m.unit_id] for m in session.exec(select(BallotCast)))


@pytest.fixture
async def small(world):
    """Five units; Chữ thập đỏ and Khuyến học registered for the provincial flag, all for Bằng khen."""
    return await voting_open(world, UNITS, flag={CTD, KH}, deadline="17:00 10/12/2025", flag_title=CO_TINH, bk_title=BK)


async def test_one_ballot_per_unit_and_never_more_than_the_quota(world, small):
    group, secretary, officers = small
    chat = officers[KH].private_chat
    await officers[KH].send_private("/bophieu")
    step = chat.last_bot_message()
    assert "Cờ thi đua của Ủy ban nhân dân tỉnh" in step.text and "chọn tối đa 1" in step.text
    await officers[KH].press(step, f"▫️ {CTD}")
    answer = await officers[KH].press(chat.last_bot_message(), f"▫️ {KH}")
    assert answer == "Chỉ được chọn tối đa 1 đơn vị cho mục này. Bỏ chọn một đơn vị trước khi chọn đơn vị khác."
    # A forged press for a unit that is not a candidate (Hội Người mù did not register for the flag).
    with world.db.session() as session:
        blind = session.exec(select(Unit).where(Unit.name == NM)).one()
    draft_button = chat.last_bot_message().button_rows[0][0]["callback_data"]
    draft_id = draft_button.split(":")[1]
    answer = await officers[KH].press_data(chat.last_bot_message(), f"bv:{draft_id}:c:{blind.id}")
    assert answer == "Đơn vị này không phải ứng viên của mục này trên lá phiếu."
    # Starting again: the earlier ballot's buttons no longer answer.
    await officers[KH].send_private("/bophieu")
    stale = await officers[KH].press_data(step, f"bv:{draft_id}:next")
    assert stale == "Nút này thuộc một lá phiếu cũ hoặc đã kết thúc. Gửi /bophieu để bắt đầu lại."
    await officers[KH].press(chat.last_bot_message(), f"▫️ {CTD}")
    for _ in range(4):
        await officers[KH].press(chat.last_bot_message(), "Tiếp »")
    await officers[KH].press(chat.last_bot_message(), "✅ Xác nhận bỏ phiếu")
    assert "Đã nhận phiếu của <b>Hội Khuyến học</b>" in chat.last_bot_message().html
    assert counted(world) == {("CO_TINH", CTD): 1}

    # A second ballot for the same unit: refused, nothing counted.
    await officers[KH].send_private("/bophieu")
    assert "Hội Khuyến học đã bỏ phiếu lúc 09:00 ngày 10/12/2025" in chat.last_bot_message().text
    assert counted(world) == {("CO_TINH", CTD): 1} and voted_units(world) == [KH]


async def test_a_second_representative_cannot_vote_again_for_the_unit(world, small):
    group, secretary, officers = small
    # A second officer of Hội Luật gia starts a ballot at the same time as the first.
    await secretary.send(group, f"/moi {LG}")
    from tests.samples import link_of

    link = link_of(secretary.private_chat.last_bot_message().text, LG)
    second = world.standin.add_user("Phó ban Hội Luật gia")
    await second.open_link(link)
    await second.press(second.private_chat.last_bot_message(), "Xác nhận")
    await second.send_private("/bophieu")
    await cast_ballot(officers[LG], {CO_TINH: [CTD], BK: [NB], LEAD: [], DEPUTY: []})
    # The second officer's ballot was dropped when the unit's ballot was counted.
    answer = await second.press(second.private_chat.last_bot_message(), f"▫️ {KH}")
    assert answer == "Nút này thuộc một lá phiếu cũ hoặc đã kết thúc. Gửi /bophieu để bắt đầu lại."
    await second.send_private("/bophieu")
    assert "Hội Luật gia đã bỏ phiếu lúc 09:00 ngày 10/12/2025" in second.private_chat.last_bot_message().text
    assert counted(world) == {("CO_TINH", CTD): 1, ("BK_UBND", NB): 1}
    assert voted_units(world) == [LG]


async def test_after_closing_nothing_is_counted(world, small):
    group, secretary, officers = small
    chat = officers[NB].private_chat
    await officers[NB].send_private("/bophieu")
    for _ in range(3):
        await officers[NB].press(chat.last_bot_message(), "Tiếp »")
    review = chat.last_bot_message()
    # The secretary closes the vote while Hội Nhà báo is on its review step.
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu")
    confirm = group.last_bot_message()
    assert "Đã có 0/5 đơn vị bỏ phiếu" in confirm.text
    await secretary.press(confirm, "Đóng bỏ phiếu ngay")
    assert any("Kết quả bỏ phiếu kín suy tôn năm 2025" in (m.text or "") for m in group.bot_messages()[-3:])
    # The ballot being filled in says so, and its buttons are gone.
    assert "Bỏ phiếu đã đóng" in review.text and review.buttons == []
    answer = await officers[NB].press_data(review, "bv:1:ok")
    assert answer == "Nút này thuộc một lá phiếu cũ hoặc đã kết thúc. Gửi /bophieu để bắt đầu lại."
    assert counted(world) == {} and voted_units(world) == []
    # The deadline was cancelled with its reminders: nothing goes out at 15:00 or 17:00.
    from tests.test_reminders import run_reminders

    before = len(chat.bot_messages())
    await run_reminders(world, local(10, 12, 15, 0))
    await run_reminders(world, local(10, 12, 17, 0))
    assert len(chat.bot_messages()) == before


async def test_strangers_other_blocs_and_non_secretaries_are_refused(world, small):
    group, secretary, officers = small
    stranger = world.standin.add_user("Người lạ")
    await stranger.send_private("/start")
    await stranger.send_private("/bophieu")
    assert "chưa là người đại diện của đơn vị nào" in stranger.private_chat.last_bot_message().text

    # A bloc in another province: its representative cannot vote for this bloc's units.
    other_group, other_secretary = await set_up_bloc(world, title=HOA_BINH_BLOC, units=HOA_BINH_UNITS[:3],
                                                     secretary_name="Lê Văn Tâm")
    other = (await enrol(world, other_group, other_secretary, HOA_BINH_UNITS[:1]))[HOA_BINH_UNITS[0]]
    await other.send_private("/bophieu")
    assert "chưa mở bỏ phiếu" in other.private_chat.last_bot_message().text
    with world.db.session() as session:
        ctd = session.exec(select(Unit).where(Unit.name == CTD, Unit.bloc_id == 1)).first() or \
            session.exec(select(Unit).where(Unit.name == CTD)).first()
    forged = await other.press_data(other.private_chat.last_bot_message(), f"bp:unit:{ctd.id}")
    assert forged == "Anh/chị không phải người đại diện của đơn vị này, nên không bỏ phiếu cho đơn vị này được."
    assert voted_units(world) == []

    # A representative presses the secretaries' buttons in the group: refused.
    group.add_member(officers[CTD])
    await officers[CTD].send(group, "/binhxet")
    panel = group.last_bot_message()
    answer = await officers[CTD].press(panel, "Đóng bỏ phiếu")
    assert answer is not None and "thư ký" in answer
    # The secretary has no way to see a unit's choices: no command or button shows them,
    # and the secretary, not a representative, cannot vote.
    await secretary.send_private("/bophieu")
    assert "chưa là người đại diện" in secretary.private_chat.last_bot_message().text


async def test_a_unit_may_not_vote_for_itself_when_the_bloc_says_so(world):
    world.settings.vote.self_vote = False  # [vote] self_vote = false, fixed on the vote when it opens
    group, secretary = await set_up_bloc(world, units=UNITS)
    officers = await enrol(world, group, secretary, [CTD, KH])
    for officer in officers.values():
        await register(officer, [CO_TINH])
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), "không")
    chat = officers[CTD].private_chat
    await officers[CTD].send_private("/bophieu")
    step = chat.last_bot_message()
    names = sum(step.buttons, [])
    assert f"▫️ {KH}" in names and f"▫️ {CTD}" not in names
    assert "không tự bầu cho đơn vị mình" in step.text
    with world.db.session() as session:
        own = session.exec(select(Unit).where(Unit.name == CTD)).one()
    draft_id = step.button_rows[0][0]["callback_data"].split(":")[1]
    answer = await officers[CTD].press_data(step, f"bv:{draft_id}:c:{own.id}")
    assert answer == "Theo quy định của khối, đơn vị không tự bầu cho mình."
    world.settings.vote.self_vote = True
