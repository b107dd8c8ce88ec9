"""Real blocs from ../shared/domain.md §6, and the steps every scenario starts with."""

from __future__ import annotations

from khoibot.demo.acts import INDIVIDUAL_TITLES, invite_and_enrol, link_of, register  # noqa: F401 (re-exported)

HUE_BLOC = "Khối thi đua các Tổ chức xã hội"
HUE_UNITS = [
    "Liên hiệp các Hội Khoa học và Kỹ thuật",
    "Liên hiệp các Hội Văn học Nghệ thuật",
    "Liên hiệp các Tổ chức hữu nghị",
    "Hội Chữ thập đỏ",
    "Hội Người mù",
    "Hội Người khuyết tật – Bảo trợ người khuyết tật và trẻ mồ côi",
    "Hội Bảo vệ quyền trẻ em",
    "Hội Khuyến học",
    "Hội Nhà báo",
    "Hội Khoa học Lịch sử",
    "Hội Luật gia",
    "Hội Đông y",
]

HOA_BINH_BLOC = "Khối thi đua số 3 (các tổ chức Hội)"
HOA_BINH_UNITS = [
    "Hội Nạn nhân chất độc da cam/dioxin tỉnh",
    "Hội Bảo trợ người tàn tật và trẻ mồ côi tỉnh",
    "Hội Người cao tuổi",
    "Hội Chữ thập đỏ",
    "Hội Khuyến học",
    "Hội Cựu Thanh niên xung phong",
    "Hội Người mù",
    "Câu lạc bộ Hưu trí",
]


async def set_up_bloc(world, *, title=HUE_BLOC, units=HUE_UNITS, year=2025, secretary_name="Trần Thị Hoa"):
    """A group admin adds the bot, sets the bloc up and pastes its units; the secretary
    has opened a private chat with the bot. Returns (group, secretary, members)."""
    secretary = world.standin.add_user(secretary_name)
    group = world.standin.add_group(title, members=[secretary], admins=[secretary])
    group.add_bot(by=secretary)
    await world.standin.settle()
    await secretary.send(group, f"/khoi {title} {year}")
    await secretary.send(group, "/donvi\n" + "\n".join(units))
    await secretary.send_private("/start")
    return group, secretary


async def enrol(world, group, secretary, units: list[str]) -> dict:
    """Each named unit gets an officer who enrols through a fresh invitation link."""
    officers = {}
    for unit in units:
        officers[unit] = world.standin.add_user(f"Cán bộ {unit}"[:60])
        await invite_and_enrol(secretary, group, unit, officers[unit])
    return officers


def opened_box(db, settings, vote_id: int) -> dict[tuple[str, int], int]:
    """What the box holds so far, (line code, unit id) -> votes, as the close will count it:
    the totals plus the sealed ballots opened with the deployment's secret. Only a test looks
    inside an open box; the bot counts nothing until the close."""
    from sqlmodel import select

    from khoibot.services import Services
    from storage.models import SealedBallot, VoteCount
    from storage.sealing import ballot_purpose

    seal = Services(settings=settings, db=db, clock=None, render=None, catalogue=None).seal
    with db.session() as session:
        box = {(c.code, c.unit_id): c.votes for c in session.exec(select(VoteCount).where(VoteCount.vote_id == vote_id))}
        for row in session.exec(select(SealedBallot).where(SealedBallot.vote_id == vote_id)):
            for code, chosen in seal.open(ballot_purpose(vote_id), row.sealed).items():
                for unit_id in chosen:
                    box[code, unit_id] = box.get((code, unit_id), 0) + 1
    return box


async def voting_open(world, units: list[str], *, flag: set[str], deadline: str, flag_title: str, bk_title: str):
    """A bloc of ``units`` where every unit registered for Bằng khen and those in ``flag`` for
    the provincial flag too; on 10/12 at 9:00 the secretary prepares the ballot and opens it
    until ``deadline`` («không»: none). (group, secretary, officers by unit)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    group, secretary = await set_up_bloc(world, units=units)
    officers = await enrol(world, group, secretary, units)
    for unit, officer in officers.items():
        await register(officer, [flag_title, bk_title] if unit in flag else [bk_title])
    world.clock.set(datetime(2025, 12, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), deadline)
    return group, secretary, officers
