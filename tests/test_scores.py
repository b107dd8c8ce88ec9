"""Scores (chấm điểm) from the people's side: representatives enter their unit's own points
by direct message, the group sees the table, the secretary sets the bloc's points table and
adjusts a unit's points with a reason; entries lock when the vote opens."""

from __future__ import annotations

import re

from sqlmodel import select

from storage import roster
from storage import scores as score_store
from storage.models import AuditLog, Bloc, PointsTable, Score, Unit, Vote
from tests.samples import HOA_BINH_BLOC, HOA_BINH_UNITS, enrol, link_of, set_up_bloc
from tests.transactions import transactions

TASK = "Thực hiện nhiệm vụ chính trị, chuyên môn được giao"
MOVEMENT = "Tổ chức phong trào thi đua, công tác khen thưởng"
BONUS = "Điểm thưởng: sáng kiến, mô hình mới"


def bloc_and_units(world, chat_id: int) -> tuple[Bloc, dict[str, Unit]]:
    with world.db.session() as s:
        bloc = s.exec(select(Bloc).where(Bloc.chat_id == chat_id)).one()
        units = {u.name: u for u in s.exec(select(Unit).where(Unit.bloc_id == bloc.id))}
    return bloc, units


def score_rows(world, unit_id: int) -> list[Score]:
    with world.db.session() as s:
        return list(s.exec(select(Score).where(Score.unit_id == unit_id).order_by(Score.criterion)))


def audit_of(world, action: str) -> list[AuditLog]:
    with world.db.session() as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


async def enter(officer, points: str) -> str:
    """The officer sends /chamdiem in the private chat and answers the question."""
    await officer.send_private("/chamdiem")
    question = officer.private_chat.last_bot_message()
    assert question.force_reply, question.text
    await officer.reply(question, points)
    return officer.private_chat.last_bot_message().text


async def test_a_representative_enters_the_units_scores_and_changes_them(world):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Khuyến học"]))["Hội Khuyến học"]
    chat = officer.private_chat

    await officer.send_private("/chamdiem")
    view, question = chat.bot_messages()[-2:]
    assert "Chấm điểm thi đua năm 2025 — Hội Khuyến học" in view.text
    assert f"1. {TASK} (tối đa 50): chưa chấm" in view.text
    assert "Tổng điểm: chưa chấm / 100" in view.text
    assert question.force_reply and "mỗi dòng một số" in question.text
    with transactions(world.db.engine) as record:
        await officer.reply(question, "45\n18\n14\n9,5\n5")
    assert len(record.of_the_action) == 1  # the question found, the points saved, the receipt read
    receipt = chat.last_bot_message().text
    assert "Đã ghi nhận điểm tự chấm năm 2025 của Hội Khuyến học" in receipt
    assert f"1. {TASK}: 45 / 50" in receipt
    assert "4. Tham gia các hoạt động chung của Khối: 9,5 / 10" in receipt
    assert f"5. {BONUS}: 5 / 5" in receipt
    assert "Tổng điểm: 91,5 / 100" in receipt
    assert "Thời điểm: 09:00 ngày 10/02/2025" in receipt
    _, units = bloc_and_units(world, group.id)
    assert [r.self_points for r in score_rows(world, units["Hội Khuyến học"].id)] == [45, 18, 14, 9.5, 5]

    # Changing them: the view shows what counts now; separators may be ";" or spaces.
    await officer.send_private("/chamdiem")
    assert f"1. {TASK} (tối đa 50): 45" in chat.bot_messages()[-2].text
    assert "Tổng điểm: 91,5 / 100" in chat.bot_messages()[-2].text
    await officer.reply(chat.last_bot_message(), "48; 19.5; 15 10 5")
    assert "Tổng điểm: 97,5 / 100" in chat.last_bot_message().text
    rows = score_rows(world, units["Hội Khuyến học"].id)
    assert [r.self_points for r in rows] == [48, 19.5, 15, 10, 5] and all(r.self_by == officer.id for r in rows)
    entries = audit_of(world, "scores.self")
    assert [e.detail["points"] for e in entries] == [[45, 18, 14, 9.5, 5], [48, 19.5, 15, 10, 5]]
    assert entries[1].detail["previous"] == [45, 18, 14, 9.5, 5] and entries[1].actor_id == officer.id


async def test_refused_answers_say_what_to_fix_save_nothing_and_ask_again(world):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Nhà báo"]))["Hội Nhà báo"]
    chat = officer.private_chat
    _, units = bloc_and_units(world, group.id)
    await officer.send_private("/chamdiem")

    cases = [
        ("51\n18\n14\n9\n5", f"Điểm tiêu chí 1 «{TASK}» là 51, vượt điểm tối đa 50 của tiêu chí này"),
        ("45\n18\n14\n9\n5,5", f"Điểm tiêu chí 5 «{BONUS}» là 5,5, vượt điểm tối đa 5"),
        ("45\n18\n14", "Bảng điểm có 5 tiêu chí nhưng anh/chị gửi 3 số"),
        ("45\n18\n14\n9\n5\n1", "Bảng điểm có 5 tiêu chí nhưng anh/chị gửi 6 số"),
        ("45\n18\nmười bốn\n9\n5", "«mười» (số thứ 3) không phải là một số điểm"),
        ("45\n-2\n14\n9\n5", f"Điểm tiêu chí 2 «{MOVEMENT}» là -2: điểm không được âm"),
    ]
    for typed, answer in cases:
        question = chat.last_bot_message()
        assert question.force_reply
        await officer.reply(question, typed)
        refusal, again = chat.bot_messages()[-2:]
        assert answer in refusal.text, (typed, refusal.text)
        assert "Chưa lưu điểm nào" in refusal.text
        assert again.force_reply and again.message_id != question.message_id  # asked again
        assert score_rows(world, units["Hội Nhà báo"].id) == []
    assert audit_of(world, "scores.self") == []

    await officer.reply(chat.last_bot_message(), "50\n20\n15\n10\n5")
    assert "Tổng điểm: 100 / 100" in chat.last_bot_message().text


async def test_the_group_sees_totals_in_order_and_only_secretaries_get_buttons(world):
    group, secretary = await set_up_bloc(world)
    officers = await enrol(world, group, secretary, ["Hội Khuyến học", "Hội Nhà báo", "Hội Đông y", "Hội Luật gia"])
    await enter(officers["Hội Khuyến học"], "45\n18\n14\n9,5\n5")  # 91,5
    await enter(officers["Hội Nhà báo"], "48\n19\n14\n10\n5")  # 96
    await enter(officers["Hội Đông y"], "45\n18\n14\n9,5\n5")  # 91,5: tied, before Khuyến học by name (Đ before K)
    member = world.standin.add_user("Võ Văn Tài")
    group.add_member(member)

    await member.send(group, "/chamdiem")
    table = group.last_bot_message()
    lines = table.text.splitlines()
    assert "Bảng điểm thi đua năm 2025" in table.text and "Đã chấm: 3/12 đơn vị" in table.text
    ranked = [line for line in lines if re.match(r"\d+\. ", line)]
    assert ranked[:4] == ["1. Hội Nhà báo: 96", "2. Hội Đông y: 91,5", "3. Hội Khuyến học: 91,5",
                          "4. Hội Bảo vệ quyền trẻ em: chưa chấm"]
    assert ranked[-1] == "12. Liên hiệp các Tổ chức hữu nghị: chưa chấm"  # Vietnamese order: Đ after D, L after H
    assert "Hội Luật gia: chưa chấm" in table.text
    assert table.buttons == []
    # A representative in the group sees the same table and nothing more.
    group.add_member(officers["Hội Luật gia"])
    await officers["Hội Luật gia"].send(group, "/chamdiem")
    assert group.last_bot_message().buttons == [] and "1. Hội Nhà báo: 96" in group.last_bot_message().text
    await secretary.send(group, "/chamdiem")
    assert group.last_bot_message().buttons == [["📋 Bảng tiêu chí"], ["✏️ Sửa điểm một đơn vị"]]


async def test_the_secretary_sets_the_blocs_points_table_until_scores_exist(world):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Chữ thập đỏ"]))["Hội Chữ thập đỏ"]
    await secretary.send(group, "/chamdiem")
    await secretary.press(group.last_bot_message(), "Bảng tiêu chí")
    criteria = group.last_bot_message()
    assert "Bảng tiêu chí chấm điểm năm 2025 (bảng mặc định)" in criteria.text
    assert f"1. {TASK}: tối đa 50 điểm" in criteria.text and "Tổng điểm tối đa: 100" in criteria.text
    await secretary.press(criteria, "Đặt bảng tiêu chí")
    question = group.last_bot_message()
    assert question.force_reply and "Tên tiêu chí | điểm tối đa" in question.text
    await secretary.reply(question, "Hoàn thành nhiệm vụ 60")
    assert "Dòng 1 «Hoàn thành nhiệm vụ 60» thiếu dấu |" in group.bot_messages()[-2].text
    await secretary.reply(group.last_bot_message(), "Hoàn thành nhiệm vụ | 60\nPhong trào thi đua | 0")
    assert "Dòng 2 «Phong trào thi đua | 0»: điểm tối đa phải là một số lớn hơn 0" in group.bot_messages()[-2].text
    with world.db.session() as s:
        assert s.exec(select(PointsTable)).all() == []
    with transactions(world.db.engine) as record:
        await secretary.reply(group.last_bot_message(),
                              "Hoàn thành nhiệm vụ được giao | 60\nPhong trào thi đua | 30\nĐiểm thưởng | 7,5")
    assert len(record.of_the_action) == 1  # the secretary checked and the table set in one transaction
    done = group.last_bot_message().text
    assert "Đã đặt bảng tiêu chí chấm điểm năm 2025 của khối" in done
    assert "3. Điểm thưởng: tối đa 7,5 điểm" in done and "Tổng điểm tối đa: 97,5" in done
    assert audit_of(world, "scores.table")[0].actor_id == secretary.id

    # Entries now follow the bloc's table.
    await officer.send_private("/chamdiem")
    question = officer.private_chat.last_bot_message()
    assert "cho 3 tiêu chí" in question.text and "2. Phong trào thi đua (tối đa 30)" in question.text
    await officer.reply(question, "55\n31\n5")
    assert "«Phong trào thi đua» là 31, vượt điểm tối đa 30" in officer.private_chat.bot_messages()[-2].text
    await officer.reply(officer.private_chat.last_bot_message(), "55\n25\n7,5")
    assert "Tổng điểm: 87,5 / 97,5" in officer.private_chat.last_bot_message().text

    # Once a score exists the table stays: the old button and a question asked before are refused.
    assert "không đổi được bảng tiêu chí" in await secretary.press(criteria, "Đặt bảng tiêu chí")
    await secretary.send(group, "/chamdiem")
    await secretary.press(group.last_bot_message(), "Bảng tiêu chí")
    view = group.last_bot_message()
    assert "Đã có đơn vị chấm điểm năm 2025" in view.text and view.buttons == []
    assert "(bảng mặc định)" not in view.text and "1. Hoàn thành nhiệm vụ được giao: tối đa 60 điểm" in view.text
    with world.db.session() as s:
        table = s.exec(select(PointsTable)).one()
    assert [c["name"] for c in table.criteria] == ["Hoàn thành nhiệm vụ được giao", "Phong trào thi đua",
                                                   "Điểm thưởng"]


async def test_a_question_for_the_table_answered_after_scores_exist_changes_nothing(world):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Chữ thập đỏ"]))["Hội Chữ thập đỏ"]
    await secretary.send(group, "/chamdiem")
    await secretary.press(group.last_bot_message(), "Bảng tiêu chí")
    await secretary.press(group.last_bot_message(), "Đặt bảng tiêu chí")
    question = group.last_bot_message()
    await enter(officer, "45\n18\n14\n9\n5")
    await secretary.reply(question, "Hoàn thành nhiệm vụ | 60\nPhong trào thi đua | 40")
    assert "Chưa đổi bảng tiêu chí: đã có đơn vị chấm điểm năm 2025" in group.last_bot_message().text
    assert not group.last_bot_message().force_reply  # not asked again
    with world.db.session() as s:
        table = s.exec(select(PointsTable)).one()  # the default, kept with the first score
    assert [c["max"] for c in table.criteria] == [50, 20, 15, 10, 5]
    assert audit_of(world, "scores.table") == []


async def test_the_secretary_adjusts_a_units_points_with_a_reason(world):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Khuyến học"]))["Hội Khuyến học"]
    await enter(officer, "45\n18\n14\n9,5\n5")
    _, units = bloc_and_units(world, group.id)
    await secretary.send(group, "/chamdiem")
    await secretary.press(group.last_bot_message(), "Sửa điểm một đơn vị")
    question = group.last_bot_message()
    assert question.force_reply and "Lý do:" in question.text

    # Without a reason: refused, nothing changes, asked again.
    await secretary.reply(question, "Hội Khuyến học\n40; 18; 14; 9,5; 5")
    assert "Thiếu lý do sửa điểm" in group.bot_messages()[-2].text
    assert all(r.adjusted_points is None for r in score_rows(world, units["Hội Khuyến học"].id))
    # A name matching several units, then one matching none.
    await secretary.reply(group.last_bot_message(), "Hội Khoa học\n40; 18; 14; 9,5; 5\nLý do: kiểm tra")
    ambiguous = group.bot_messages()[-2].text
    assert "«Hội Khoa học» khớp với nhiều đơn vị" in ambiguous
    assert "• Hội Khoa học Lịch sử" in ambiguous and "• Liên hiệp các Hội Khoa học và Kỹ thuật" in ambiguous
    await secretary.reply(group.last_bot_message(), "Hội Nông dân\n40; 18; 14; 9,5; 5\nLý do: kiểm tra")
    assert "Không tìm thấy đơn vị «Hội Nông dân»" in group.bot_messages()[-2].text
    await secretary.reply(group.last_bot_message(), "hoi khuyen hoc\n51; 18; 14; 9,5; 5\nLý do: kiểm tra")
    assert f"«{TASK}» là 51, vượt điểm tối đa 50" in group.bot_messages()[-2].text
    assert audit_of(world, "scores.adjust") == []

    with transactions(world.db.engine) as record:
        await secretary.reply(group.last_bot_message(),
                              "hoi khuyen hoc\n40; 18; 14; 9,5; 5\nLý do: theo biên bản kiểm tra của khối")
    assert len(record.of_the_action) == 1
    done = group.last_bot_message().text
    assert "Đã sửa điểm năm 2025 của Hội Khuyến học" in done
    assert f"1. {TASK}: 45 → 40" in done and "2. Tổ chức phong trào thi đua, công tác khen thưởng: 18" in done
    assert "Tổng điểm: 91,5 → 86,5 / 100" in done
    assert "Lý do: theo biên bản kiểm tra của khối" in done and "Người sửa: Trần Thị Hoa" in done
    notice = officer.private_chat.last_bot_message().text
    assert "đã điều chỉnh điểm thi đua năm 2025 của Hội Khuyến học" in notice and "86,5" in notice
    rows = score_rows(world, units["Hội Khuyến học"].id)
    assert [r.self_points for r in rows] == [45, 18, 14, 9.5, 5]  # the unit's own points are kept
    assert [r.adjusted_points for r in rows] == [40, 18, 14, 9.5, 5]
    entry = audit_of(world, "scores.adjust")[0]
    assert entry.actor_id == secretary.id and entry.detail["reason"] == "theo biên bản kiểm tra của khối"
    assert entry.detail["previous"] == [45, 18, 14, 9.5, 5]

    await secretary.send(group, "/chamdiem")
    assert "1. Hội Khuyến học: 86,5 (thư ký đã điều chỉnh)" in group.last_bot_message().text
    with world.db.session() as s:
        bloc, _ = bloc_and_units(world, group.id)
        assert score_store.totals(session=s, bloc_id=bloc.id, year=2025) == {units["Hội Khuyến học"].id: (86.5, True)}
    await officer.send_private("/chamdiem")
    view = officer.private_chat.bot_messages()[-2].text
    assert f"1. {TASK} (tối đa 50): 40 (thư ký đã điều chỉnh; đơn vị tự chấm 45)" in view
    assert "Lý do thư ký điều chỉnh: theo biên bản kiểm tra của khối" in view


async def test_the_secretary_types_in_a_score_sent_as_a_file(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/chamdiem")
    await secretary.press(group.last_bot_message(), "Sửa điểm một đơn vị")
    await secretary.reply(group.last_bot_message(),
                          "Hội Đông y\n44\n17\n13\n8\n4\nLý do: nhập theo bảng tự chấm gửi kèm báo cáo")
    assert "Tổng điểm: 86 / 100" in group.last_bot_message().text
    await secretary.send(group, "/chamdiem")
    assert "1. Hội Đông y: 86 (thư ký đã điều chỉnh)" in group.last_bot_message().text


async def test_people_who_are_not_secretaries_cannot_use_the_secretaries_buttons(world):
    group, secretary = await set_up_bloc(world)
    member = world.standin.add_user("Võ Văn Tài")
    group.add_member(member)
    await secretary.send(group, "/chamdiem")
    table = group.last_bot_message()
    for button in ("Bảng tiêu chí", "Sửa điểm một đơn vị"):
        assert await member.press(table, button) == "Chỉ thư ký khối mới dùng được nút này."
        assert group.last_bot_message().message_id == table.message_id  # nothing was asked or shown
    await secretary.press(table, "Bảng tiêu chí")
    criteria = group.last_bot_message()
    assert await member.press(criteria, "Đặt bảng tiêu chí") == "Chỉ thư ký khối mới dùng được nút này."
    assert group.last_bot_message().message_id == criteria.message_id
    # A secretary's question answered by someone else does nothing.
    await secretary.press(table, "Sửa điểm một đơn vị")
    await member.reply(group.last_bot_message(), "Hội Đông y\n50;20;15;10;5\nLý do: tự cho điểm")
    assert "Câu hỏi đó dành cho người đã bấm nút" in group.last_bot_message().text
    assert audit_of(world, "scores.adjust") == []
    # Anyone may open the table from another panel's button (sc:menu), without the buttons.
    await member.press_data(table, "sc:menu", as_a_button=True)
    assert "Bảng điểm thi đua năm 2025" in group.last_bot_message().text
    assert group.last_bot_message().buttons == []


async def test_a_representative_may_only_score_the_units_they_represent(world):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Khuyến học"]))["Hội Khuyến học"]
    _, units = bloc_and_units(world, group.id)
    # The same officer is invited for a second unit: /chamdiem asks which one.
    await secretary.send(group, "/moi Hội Nhà báo")
    await officer.open_link(link_of(secretary.private_chat.last_bot_message().text, "Hội Nhà báo"))
    await officer.press(officer.private_chat.last_bot_message(), "Xác nhận")
    await officer.send_private("/chamdiem")
    choice = officer.private_chat.last_bot_message()
    assert "Chọn đơn vị cần chấm điểm" in choice.text
    await officer.press(choice, "Hội Nhà báo")
    assert "Chấm điểm thi đua năm 2025 — Hội Nhà báo" in officer.private_chat.bot_messages()[-2].text
    await officer.reply(officer.private_chat.last_bot_message(), "40\n15\n10\n8\n2")
    assert "Đã ghi nhận điểm tự chấm năm 2025 của Hội Nhà báo" in officer.private_chat.last_bot_message().text
    assert score_rows(world, units["Hội Khuyến học"].id) == []

    # A representative of another bloc forges the button for this bloc's unit.
    other_group, other_secretary = await set_up_bloc(world, title=HOA_BINH_BLOC, units=HOA_BINH_UNITS,
                                                     secretary_name="Bùi Văn Sơn")
    stranger = (await enrol(world, other_group, other_secretary, ["Hội Người cao tuổi"]))["Hội Người cao tuổi"]
    await stranger.send_private("/chamdiem")
    own_question = stranger.private_chat.last_bot_message()
    answer = await stranger.press_data(own_question, f"sc:unit:{units['Hội Khuyến học'].id}")
    assert answer.startswith("Anh/chị không (còn) là người đại diện của đơn vị này")
    assert stranger.private_chat.last_bot_message().message_id == own_question.message_id
    assert score_rows(world, units["Hội Khuyến học"].id) == []
    # The group's button pressed in a private chat, or garbage, is stale.
    assert "Nút này đã cũ" in await stranger.press_data(own_question, "sc:table")
    assert "Nút này đã cũ" in await stranger.press_data(own_question, "sc:unit:abc")
    # Someone who represents no unit is told how to become a representative.
    nobody = world.standin.add_user("Lê Thị Mai")
    await nobody.send_private("/chamdiem")
    assert "chưa là người đại diện của đơn vị nào" in nobody.private_chat.last_bot_message().text


async def test_a_representative_removed_since_the_question_cannot_answer_it(world):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Luật gia"]))["Hội Luật gia"]
    _, units = bloc_and_units(world, group.id)
    await officer.send_private("/chamdiem")
    question = officer.private_chat.last_bot_message()
    with world.db.session() as s:
        roster.remove_unit(session=s, unit=s.get(Unit, units["Hội Luật gia"].id), by=secretary.id,
                           now=world.clock.now())
    await officer.reply(question, "45\n18\n14\n9\n5")
    assert "không (còn) là người đại diện" in officer.private_chat.last_bot_message().text
    assert score_rows(world, units["Hội Luật gia"].id) == []


async def test_self_scores_lock_when_the_vote_opens(world):
    group, secretary = await set_up_bloc(world)
    officers = await enrol(world, group, secretary, ["Hội Khuyến học", "Hội Nhà báo"])
    bloc, units = bloc_and_units(world, group.id)
    await enter(officers["Hội Khuyến học"], "45\n18\n14\n9,5\n5")
    with world.db.session() as s:
        s.add(Vote(bloc_id=bloc.id, year=2025, status="draft", created_by=secretary.id,
                   created_at=world.clock.now()))
    # A vote being prepared locks nothing.
    assert "Tổng điểm: 92,5 / 100" in await enter(officers["Hội Khuyến học"], "45,5\n18\n14\n10\n5")
    press = officers["Hội Nhà báo"]
    await press.send_private("/chamdiem")
    asked_before = press.private_chat.last_bot_message()
    with world.db.session() as s:
        vote = s.exec(select(Vote)).one()
        vote.status = "open"
        s.add(vote)

    await officers["Hội Khuyến học"].send_private("/chamdiem")
    view = officers["Hội Khuyến học"].private_chat.last_bot_message()
    assert not view.force_reply  # no question
    assert "Khối đã mở bỏ phiếu năm 2025: điểm tự chấm đã khoá" in view.text
    assert "Tổng điểm: 92,5 / 100" in view.text
    await press.reply(asked_before, "40\n15\n10\n8\n2")
    assert "điểm tự chấm của Hội Nhà báo đã khoá, chưa lưu gì" in press.private_chat.last_bot_message().text
    assert score_rows(world, units["Hội Nhà báo"].id) == []
    await secretary.send(group, "/chamdiem")
    assert "Khối đã mở bỏ phiếu: điểm tự chấm đã khoá" in group.last_bot_message().text
    # The secretary still can adjust, and a closed vote keeps the lock.
    with world.db.session() as s:
        vote = s.exec(select(Vote)).one()
        vote.status = "closed"
        s.add(vote)
    await secretary.press(group.last_bot_message(), "Sửa điểm một đơn vị")
    await secretary.reply(group.last_bot_message(), "Hội Nhà báo\n40;15;10;8;2\nLý do: đơn vị gửi bảng điểm muộn")
    assert "Tổng điểm: 75 / 100" in group.last_bot_message().text
    await press.send_private("/chamdiem")
    assert not press.private_chat.last_bot_message().force_reply


async def test_points_tables_scores_and_questions_survive_a_restart(world):
    group, secretary = await set_up_bloc(world)
    officers = await enrol(world, group, secretary, ["Hội Khuyến học", "Hội Người mù"])
    await secretary.send(group, "/chamdiem")
    await secretary.press(group.last_bot_message(), "Bảng tiêu chí")
    await secretary.press(group.last_bot_message(), "Đặt bảng tiêu chí")
    await secretary.reply(group.last_bot_message(), "Nhiệm vụ chuyên môn | 70\nHoạt động chung | 30")
    await enter(officers["Hội Khuyến học"], "65\n27,5")
    blind = officers["Hội Người mù"]
    await blind.send_private("/chamdiem")
    asked = blind.private_chat.last_bot_message()

    await world.restart_bot()

    await blind.reply(asked, "60 25")
    assert "Tổng điểm: 85 / 100" in blind.private_chat.last_bot_message().text
    await secretary.send(group, "/chamdiem")
    table = group.last_bot_message().text
    assert "1. Hội Khuyến học: 92,5" in table and "2. Hội Người mù: 85" in table
    await secretary.press(group.last_bot_message(), "Bảng tiêu chí")
    assert "1. Nhiệm vụ chuyên môn: tối đa 70 điểm" in group.last_bot_message().text


async def test_a_long_points_table_comes_in_parts_and_still_takes_answers(world):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Người mù"]))["Hội Người mù"]
    names = [f"Tiêu chí số {i}: " + "thực hiện đầy đủ, kịp thời các nhiệm vụ được giao trong năm " * 2
             for i in range(1, 26)]
    await secretary.send(group, "/chamdiem")
    await secretary.press(group.last_bot_message(), "Bảng tiêu chí")
    await secretary.press(group.last_bot_message(), "Đặt bảng tiêu chí")
    await secretary.reply(group.last_bot_message(), "\n".join(f"{name.strip()} | 4" for name in names))
    assert "Tổng điểm tối đa: 100" in group.last_bot_message().text

    before = len(officer.private_chat.bot_messages())
    await officer.send_private("/chamdiem")
    sent = officer.private_chat.bot_messages()[before:]
    assert len(sent) == 3 and sent[-1].force_reply  # the view in two parts, then the question
    assert "25. Tiêu chí số 25" in sent[1].text and "Tổng điểm: chưa chấm / 100" in sent[1].text
    await officer.reply(sent[-1], "\n".join(["4"] * 24 + ["3,5"]))
    assert "Tổng điểm: 99,5 / 100" in officer.private_chat.last_bot_message().text


async def test_a_group_administrator_answers_as_a_secretary_until_no_longer_one(world):
    group, _ = await set_up_bloc(world)
    admin = world.standin.add_user("Phan Văn Quản")
    group.add_member(admin)
    group.make_admin(admin)
    await admin.send(group, "/chamdiem")
    await admin.press(group.last_bot_message(), "Bảng tiêu chí")
    await admin.press(group.last_bot_message(), "Đặt bảng tiêu chí")
    with transactions(world.db.engine) as record:
        await admin.reply(group.last_bot_message(), "Nhiệm vụ chuyên môn | 60\nHoạt động chung | 40")
    # Not a listed secretary: Telegram asked first whether they administer the group, then
    # the question found, the table set and the question closed in one transaction.
    assert [t.writes for t in record.of_the_action] == [True]
    assert {"pending_reply", "points_table"} <= record.of_the_action[0].tables
    assert "Đã đặt bảng tiêu chí chấm điểm năm 2025 của khối" in group.last_bot_message().text
    await admin.send(group, "/chamdiem")
    await admin.press(group.last_bot_message(), "Sửa điểm một đơn vị")
    question = group.last_bot_message()
    group.remove_admin(admin)
    await admin.reply(question, "Hội Đông y\n50; 40\nLý do: theo biên bản")
    assert "Chỉ thư ký khối mới dùng được lệnh /chamdiem" in group.last_bot_message().text
    assert audit_of(world, "scores.adjust") == []
    with world.db.session() as s:
        assert [c["max"] for c in s.exec(select(PointsTable)).one().criteria] == [60, 40]
