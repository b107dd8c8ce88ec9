"""A draft left idle ends, whatever it drafts: the sweep job (handlers/waits.py) drops a
registration or a ballot untouched past the timeout, takes its buttons off and tells its
owner in Vietnamese; nothing unconfirmed is counted."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from handlers.waits import sweep_idle_drafts
from storage.models import BallotCast, BallotDraft
from tests.samples import voting_open
from tests.test_review import BK, CO_TINH

UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia"]


async def test_an_idle_ballot_is_swept_and_its_representative_told(world):
    _, _, officers = await voting_open(world, UNITS, flag={"Hội Khuyến học"}, deadline="không",
                                       flag_title=CO_TINH, bk_title=BK)
    officer = officers["Hội Chữ thập đỏ"]
    await officer.send_private("/bophieu")
    ballot = officer.private_chat.last_bot_message()
    assert ballot.buttons
    world.clock.advance(timedelta(minutes=59))
    assert await sweep_idle_drafts(world.app) == 0
    world.clock.advance(timedelta(minutes=2))
    assert await sweep_idle_drafts(world.app) == 1
    await world.standin.settle()
    told = officer.private_chat.last_bot_message().text
    assert "Lá phiếu đang điền của Hội Chữ thập đỏ đã kết thúc vì 60 phút không có thao tác" in told
    assert "chưa có gì được tính" in told and "/bophieu" in told
    assert ballot.buttons == []
    with world.db.session() as s:
        assert s.exec(select(BallotDraft)).all() == [] and s.exec(select(BallotCast)).all() == []
    # A new ballot starts afresh.
    await officer.send_private("/bophieu")
    assert officer.private_chat.last_bot_message().buttons
