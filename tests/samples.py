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


INDIVIDUAL_TITLES = ["Chiến sĩ thi đua cấp tỉnh", "Chiến sĩ thi đua cơ sở", "Lao động tiên tiến",
                     "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh (cá nhân)"]


async def enrol(world, group, secretary, units: list[str]) -> dict:
    """Each named unit gets an officer who enrols through a fresh invitation link."""
    officers = {}
    for unit in units:
        await secretary.send(group, f"/moi {unit}")
        link = link_of(secretary.private_chat.last_bot_message().text, unit)
        officer = world.standin.add_user(f"Cán bộ {unit}"[:60])
        await officer.open_link(link)
        await officer.press(officer.private_chat.last_bot_message(), "Xác nhận")
        officers[unit] = officer
    return officers


async def register(officer, titles: list[str], people: dict[str, str] | None = None, targets: str | None = None):
    """The officer sends /dangky and goes through every step: toggles the collective
    titles named, types the people per individual title (else presses 0), writes the
    targets (else skips), and confirms. Returns the receipt message."""
    chat = officer.private_chat
    await officer.send_private("/dangky")
    overview = chat.last_bot_message()
    start = "Sửa đăng ký" if any("Sửa đăng ký" in b for row in overview.buttons for b in row) else "Đăng ký"
    await officer.press(overview, start)
    step = chat.last_bot_message()
    # Press exactly the titles whose state must change (✅ chosen, ▫️ not).
    for label in [b for row in step.buttons for b in row if b.startswith(("✅", "▫️"))]:
        name = label.split(" ", 1)[1]
        if label.startswith("✅") != (name in titles):
            await officer.press(step, label)
    chosen = [b.split(" ", 1)[1] for row in step.buttons for b in row if b.startswith("✅")]
    assert sorted(chosen) == sorted(titles), chosen
    await officer.press(step, "Tiếp")
    for title in INDIVIDUAL_TITLES:
        step = chat.last_bot_message()
        assert title in step.text, step.text
        if people and title in people:
            await officer.send_private(people[title])
        else:
            await officer.press(step, "0 — không đăng ký")
    step = chat.last_bot_message()
    if targets:
        await officer.send_private(targets)
    else:
        await officer.press(step, "»")
    review = chat.last_bot_message()  # a long review comes in parts; the last one has the buttons
    assert ["✅ Xác nhận"] in review.buttons, review.text
    await officer.press(review, "Xác nhận")
    return review
