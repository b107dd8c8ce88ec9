"""What the generated input (tests/test_generated_input.py) found, each as the plain story
of the person who did it, so the fix stays fixed whatever hypothesis draws."""

from __future__ import annotations

from tests.samples import HUE_BLOC, set_up_bloc

STALE = "Nút này đã cũ hoặc không còn hiệu lực. Hãy gửi lại lệnh để có nút mới."


async def test_a_press_without_data_changes_no_message(world):
    """A modified app presses a button of the bloc's card with no data at all: PTB lets such a
    press match every button handler, and the first one replaced the pressed message (here the
    bloc's card; the pinned board just as well) with the title catalogue."""
    group, secretary = await set_up_bloc(world)
    stranger = world.standin.add_user("Người Lạ")
    group.add_member(stranger)
    await secretary.send(group, "/khoi")
    card = group.last_bot_message()
    before = card.text
    assert await stranger.press_data(card, "") == STALE
    assert card.text == before and HUE_BLOC in card.text
    assert not card.edits
