"""What people do with the bot, step by step, as a Telegram app would let them: the
actions the demo's script names and the tests reuse. Each one checks that the bot answered
as a person would expect to go on (an AssertionError names what was missing)."""

from __future__ import annotations

from standin.state import SimChat, SimMessage, SimUser

# The individual titles the registration conversation asks a number for, in its order.
INDIVIDUAL_TITLES = ["Chiến sĩ thi đua cấp tỉnh", "Chiến sĩ thi đua cơ sở", "Lao động tiên tiến",
                     "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh (cá nhân)"]


def link_of(message_text: str, unit: str) -> str:
    """The invitation link printed under a unit's name in the secretary's DM."""
    lines = message_text.splitlines()
    for index, line in enumerate(lines):
        if line.strip() == unit:
            return lines[index + 1].strip()
    raise AssertionError(f"no link for {unit!r} in:\n{message_text}")


async def invite_and_enrol(secretary: SimUser, group: SimChat, unit: str, officer: SimUser) -> None:
    """The secretary asks /moi for the unit in the group; the link arrives in the
    secretary's DM, is forwarded to the officer, who opens it and confirms."""
    await secretary.send(group, f"/moi {unit}")
    link = link_of(secretary.private_chat.last_bot_message().text, unit)
    await officer.open_link(link)
    await officer.press(officer.private_chat.last_bot_message(), "Xác nhận")


async def register(officer: SimUser, titles: list[str], people: dict[str, str] | None = None,
                   targets: str | None = None, individual: list[str] | None = INDIVIDUAL_TITLES) -> SimMessage:
    """The officer sends /dangky and goes through every step: toggles the collective
    titles named, types the people per individual title (else presses 0), writes the
    targets (else skips), and confirms. Returns the review message confirmed.
    ``individual``: the individual titles the bot must ask for, in order (None: whichever it asks)."""
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
    assert sorted(chosen) == sorted(titles), f"chosen {chosen}, wanted {titles}"
    await officer.press(step, "Tiếp")
    zero = "0 — không đăng ký"
    asked, typed = 0, set()
    while any(zero in row for row in chat.last_bot_message().buttons):
        step = chat.last_bot_message()
        if individual is not None:
            assert asked < len(individual) and individual[asked] in step.text, step.text
            title = individual[asked]
        else:  # the first one not typed yet that the step names (the summary above names those typed)
            title = next((t for t in people or {} if t in step.text and t not in typed), None)
        if people and title in people:
            typed.add(title)
            await officer.send_private(people[title])
        else:
            await officer.press(step, zero)
        asked += 1
    assert individual is None or asked == len(individual), f"asked {asked} individual titles, wanted {individual}"
    step = chat.last_bot_message()
    if targets:
        await officer.send_private(targets)
    else:
        await officer.press(step, "»")
    review = chat.last_bot_message()  # a long review comes in parts; the last one has the buttons
    assert ["✅ Xác nhận"] in review.buttons, review.text
    await officer.press(review, "Xác nhận")
    return review


async def enter_scores(officer: SimUser, points: str) -> str:
    """/chamdiem in private, then the points per criterion as the reply. Returns the receipt."""
    await officer.send_private("/chamdiem")
    question = next(m for m in reversed(officer.private_chat.bot_messages()) if m.force_reply)
    await officer.reply(question, points)
    return officer.private_chat.last_bot_message().text


async def cast_ballot(officer: SimUser, choices: dict[str, list[str]]) -> str:
    """The officer sends /bophieu, on each line of the ballot presses the units named,
    presses "Tiếp »" (a line not named is left empty), and confirms on the review. Returns the receipt."""
    chat = officer.private_chat
    await officer.send_private("/bophieu")
    while "Xem lại phiếu bầu" not in chat.last_bot_message().text:
        step = chat.last_bot_message()
        # A line the choices do not name is left empty, as a voter may.
        picks = next((units for name, units in choices.items() if f"<b>{name}</b>" in step.html), [])
        for unit in picks:
            await officer.press(step, f"▫️ {unit}")
        step = chat.last_bot_message()
        assert all(f"✅ {unit}" in sum(step.buttons, []) for unit in picks), step.buttons
        await officer.press(step, "Tiếp »")
    review = chat.last_bot_message()
    await officer.press(review, "✅ Xác nhận bỏ phiếu")
    return chat.last_bot_message().text
