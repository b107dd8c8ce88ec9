"""Every way something of value is removed, cancelled, withdrawn, replaced or reset, as a
table. Each row: how a person starts it; that nothing changed before they confirmed (a
button, or their typed answer to the bot's question); that after confirming the change is
made and an audit_log row names who did it, and when.

Played in order on one bloc (the vote's and the year's rows last, as in a real year)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Awaitable, Callable

from sqlmodel import col, select

from khoibot.demo.acts import link_of
from storage.models import AuditLog, Bloc, Invitation, Milestone, Registration, Reopening, Role, Score, Unit, Vote
from tests.conftest import TZ
from tests.samples import enrol, register, set_up_bloc

KHKT = "Liên hiệp các Hội Khoa học và Kỹ thuật"
CTD = "Hội Chữ thập đỏ"
KH = "Hội Khuyến học"
NB = "Hội Nhà báo"
LG = "Hội Luật gia"
NB2 = "Hội Nhà báo tỉnh"  # Hội Nhà báo, renamed on the way
BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
XS = "Tập thể lao động xuất sắc"


@dataclass
class Row:
    what: str
    action: str  # the audit_log action the confirmed change writes
    start: Callable[[Any], Awaitable[Any]]  # the person's first step; returns what they confirm on
    confirm: Callable[[Any, Any], Awaitable[None]]
    state: Callable[[Any], Any]  # what the change changes, read from the database
    actor: str = "secretary"
    ready: Callable[[Any], Awaitable[None]] | None = None  # what must be there first


async def prepare_ballot(t):
    await t.secretary.send(t.group, "/binhxet")
    panel = t.group.last_bot_message()
    await t.secretary.press(panel, "Chuẩn bị lá phiếu")
    await t.secretary.press(panel, "Thêm ứng viên ngoại lệ")
    await t.secretary.press(panel, BK)
    await t.secretary.press(panel, KH)
    assert "Đã thêm <b>Hội Khuyến học</b>" in panel.html


async def open_vote(t):
    await t.secretary.send(t.group, "/binhxet")
    await t.secretary.press(t.group.last_bot_message(), "Mở bỏ phiếu")
    await t.secretary.reply(t.group.last_bot_message(), "17:00 10/12/2025")


def db(world, query):
    with world.db.session() as session:
        return query(session)


def unit_id(session, name):
    return session.exec(select(Unit.id).where(Unit.name == name)).one()


async def unit_menu(t, name):
    await t.secretary.send(t.group, "/donvi")
    await t.secretary.press(t.group.last_bot_message(), "Sửa đơn vị")
    menu = t.group.last_bot_message()
    await t.secretary.press(menu, name)
    return menu


async def press_on(t, message, label, who="secretary"):
    await getattr(t, who).press(message, label)
    return message


async def command_then_press(t, command, label):
    """The secretary sends ``command`` in the group and presses ``label`` on its answer."""
    await t.secretary.send(t.group, command)
    return await press_on(t, t.group.last_bot_message(), label)


async def remove_unit(t):
    menu = await unit_menu(t, LG)
    return await press_on(t, menu, "Xoá đơn vị")


async def rename_unit(t):
    menu = await unit_menu(t, NB)
    await t.secretary.press(menu, "Đổi tên")
    return t.group.last_bot_message()


async def remove_secretary(t):
    return await command_then_press(t, "/thuky", "Bỏ thư ký: Hồ Thị Lan")


async def cancel_milestone(t):
    return await command_then_press(t, "/lich", "Huỷ: Hội nghị sơ kết")


async def revoke_links(t):
    await t.secretary.send(t.group, f"/moi {NB2}")
    menu = await unit_menu(t, NB2)
    return await press_on(t, menu, "Thu hồi liên kết mời")


async def withdraw(t):
    officer = t.officers[KH]
    await officer.send_private("/dangky")
    overview = officer.private_chat.last_bot_message()
    await officer.press(overview, "Rút đăng ký")
    return officer.private_chat.last_bot_message()


async def reopen(t):
    await t.secretary.send(t.group, "/tinhhinh")
    await t.secretary.press(t.group.last_bot_message(), "Mở lại đăng ký cho một đơn vị")
    return t.group.last_bot_message()


async def adjust_scores(t):
    await t.secretary.send(t.group, "/chamdiem")
    await t.secretary.press(t.group.last_bot_message(), "Sửa điểm một đơn vị")
    return t.group.last_bot_message()


async def rebuild_ballot(t):
    return await command_then_press(t, "/binhxet", "Lấy lại ứng viên từ đăng ký")


async def close_vote(t):
    return await command_then_press(t, "/binhxet", "Đóng bỏ phiếu")


async def roll_over(t):
    return await command_then_press(t, "/namsau", "Sang năm 2026")


ROWS = [
    Row("a unit removed", "unit.remove", remove_unit,
        lambda t, m: t.secretary.press(m, "🗑 Xoá hẳn"),
        lambda w: db(w, lambda s: s.exec(select(Unit.removed_at).where(Unit.name == LG)).one())),
    Row("a unit renamed (its old name replaced)", "unit.rename", rename_unit,
        lambda t, question: t.secretary.reply(question, NB2),
        lambda w: db(w, lambda s: sorted(s.exec(select(Unit.name)).all()))),
    Row("a secretary removed", "secretary.remove", remove_secretary,
        lambda t, m: t.secretary.press(m, "🗑 Bỏ thư ký"),
        lambda w: db(w, lambda s: s.exec(select(Role.removed_at).where(Role.user_id == w.lan.id)).one())),
    Row("a meeting cancelled", "milestone.cancel", cancel_milestone,
        lambda t, m: t.secretary.press(m, "✖️ Huỷ mốc này"),
        lambda w: db(w, lambda s: s.exec(select(Milestone.cancelled_at)).all())),
    Row("a unit's invitation links revoked", "invitation.revoke", revoke_links,
        lambda t, m: t.secretary.press(m, "⛔ Thu hồi"),
        lambda w: db(w, lambda s: len(s.exec(select(Invitation.id).where(
            Invitation.unit_id == unit_id(s, NB2), col(Invitation.revoked_at).is_not(None))).all()))),
    Row("a registration withdrawn", "registration.withdraw", withdraw,
        lambda t, m: t.kh.press(m, "↩️ Rút đăng ký"),
        lambda w: db(w, lambda s: s.exec(select(Registration.withdrawn).where(
            Registration.unit_id == unit_id(s, KH), col(Registration.current).is_(True))).one()), actor="kh"),
    Row("registration reopened after the deadline", "registration.reopen", reopen,
        lambda t, m: t.secretary.press(m, KH),
        lambda w: db(w, lambda s: len(s.exec(select(Reopening)).all()))),
    Row("a unit's scores changed by the secretary", "scores.adjust", adjust_scores,
        lambda t, question: t.secretary.reply(question, f"{KHKT}\n40; 15; 10; 5; 5\nLý do: theo biên bản kiểm tra"),
        lambda w: db(w, lambda s: s.exec(select(Score.adjusted_points).order_by(Score.criterion)).all())),
    Row("the prepared ballot rebuilt (exceptions dropped)", "vote.rebuild", rebuild_ballot,
        lambda t, m: t.secretary.press(m, "🔄 Lấy lại từ đăng ký"),
        lambda w: db(w, lambda s: s.exec(select(Vote.ballot)).one()), ready=prepare_ballot),
    Row("voting closed before its deadline", "vote.close", close_vote,
        lambda t, m: t.secretary.press(m, "Đóng bỏ phiếu ngay"),
        lambda w: db(w, lambda s: s.exec(select(Vote.closed_at)).one()), ready=open_vote),
    Row("the bloc moved to the next year", "bloc.rollover", roll_over,
        lambda t, m: t.secretary.press(m, "Xác nhận sang năm 2026"),
        lambda w: db(w, lambda s: s.exec(select(Bloc.year)).one())),
]


def audit_rows(world, action):
    return db(world, lambda s: s.exec(select(AuditLog).where(AuditLog.action == action)).all())


async def test_every_deletion_asks_first_and_is_audited(world):
    t = world  # the table's steps read the people from here
    t.group, t.secretary = await set_up_bloc(world, units=[KHKT, CTD, KH, NB, LG])
    t.lan = world.standin.add_user("Hồ Thị Lan")
    t.group.add_member(t.lan)
    said = await t.lan.send(t.group, "Chào cả nhà")
    await t.secretary.reply(said, "/thuky")
    t.officers = await enrol(world, t.group, t.secretary, [KHKT, CTD, KH])
    t.kh = t.officers[KH]
    await register(t.officers[KHKT], [BK])
    await register(t.officers[CTD], [BK])
    await register(t.kh, [XS])
    await t.secretary.send(t.group, "/lich")
    await t.secretary.press(t.group.last_bot_message(), "Đặt/dời: Hội nghị sơ kết")
    await t.secretary.reply(t.group.last_bot_message(), "14:00 15/7/2025, Hội trường A")
    await t.officers[KHKT].send_private("/chamdiem")
    question = next(m for m in reversed(t.officers[KHKT].private_chat.bot_messages()) if m.force_reply)
    await t.officers[KHKT].reply(question, "48\n19\n14\n9\n5")

    tried = []
    for row in ROWS:
        if row.action == "vote.rebuild":
            world.clock.set(datetime(2025, 12, 10, 13, 0, tzinfo=TZ))
        if row.ready:
            await row.ready(t)
        before, audited = row.state(world), len(audit_rows(world, row.action))
        handle = await row.start(t)
        assert row.state(world) == before, f"{row.what}: changed before it was confirmed"
        assert len(audit_rows(world, row.action)) == audited, f"{row.what}: audited before it was confirmed"
        await row.confirm(t, handle)
        assert row.state(world) != before, f"{row.what}: not changed after confirming"
        entries = audit_rows(world, row.action)
        assert len(entries) == audited + 1, f"{row.what}: {len(entries) - audited} audit rows"
        who = getattr(t, row.actor)
        assert entries[-1].actor_id == who.id and entries[-1].at == world.clock.now(), row.what
        tried.append(row.what)
    assert len(tried) == len(ROWS) == 11
    # A link revoked cannot be used any more.
    links = t.secretary.private_chat.bot_messages()
    late = world.standin.add_user("Người đến muộn")
    await late.open_link(link_of(next(m.text for m in reversed(links) if NB2 in m.text), NB2))
    assert "thu hồi" in late.private_chat.last_bot_message().text
