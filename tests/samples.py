"""Real blocs from ../shared/domain.md §6, and the steps every scenario starts with."""

from __future__ import annotations

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


def link_of(message_text: str, unit: str) -> str:
    """The invitation link printed under a unit's name in the secretary's DM."""
    lines = message_text.splitlines()
    for index, line in enumerate(lines):
        if line.strip() == unit:
            return lines[index + 1].strip()
    raise AssertionError(f"no link for {unit!r} in:\n{message_text}")
