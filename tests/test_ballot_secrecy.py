"""The secret ballot stays secret in the database's files (issue 15), tried as someone who
copies the database while voting is open: the SQLite file and its write-ahead log, read as
bytes, hold no unit's choices, not even a draft's; every sealed ballot is the same size
whatever it ticks; nothing is counted until the close, when the box is opened and totalled."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from khoibot.demo.acts import cast_ballot
from storage.models import BallotDraft, SealedBallot, Unit, VoteCount
from storage.sealing import Seal, SealBroken
from tests import forensics
from tests.forensics import CLEAR_CHOICE
from tests.samples import voting_open
from tests.test_review import BK, CO_TINH

UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia", "Hội Nhà báo", "Hội Người mù"]
CTD, KH, LG, NB, NM = UNITS
SEVEN = [*UNITS, "Hội Cựu giáo chức", "Hội Đông y"]


def database_files(world) -> list[Path]:
    path = Path(world.settings.database.url.removeprefix("sqlite:///"))
    return [p for p in (path, Path(f"{path}-wal")) if p.exists()]


async def open_for(world, units):
    return await voting_open(world, units, flag={KH, NM}, deadline="không", flag_title=CO_TINH, bk_title=BK)


@pytest.fixture
async def voting(world):
    return await open_for(world, UNITS)


async def test_a_copy_of_the_database_while_voting_holds_no_unit_s_choice(world, voting):
    group, secretary, officers = voting
    await cast_ballot(officers[CTD], {CO_TINH: [KH], BK: [KH, NM]})
    await cast_ballot(officers[KH], {CO_TINH: [NM], BK: [NM]})
    await cast_ballot(officers[LG], {})  # a blank ballot: nothing ticked
    # Hội Nhà báo ticks, unticks and ticks again, and leaves its ballot unfinished.
    chat = officers[NB].private_chat
    await officers[NB].send_private("/bophieu")
    for _ in range(3):
        await officers[NB].press(chat.last_bot_message(), f"▫️ {NM}" if "▫️ " + NM in sum(
            chat.last_bot_message().buttons, []) else f"✅ {NM}")
    assert f"✅ {NM}" in sum(chat.last_bot_message().buttons, [])

    with world.db.session() as session:
        assert not [c for c in session.exec(select(VoteCount)) if c.votes or c.returned], "nothing counted yet"
        sealed = [b.sealed for b in session.exec(select(SealedBallot))]
        [draft] = session.exec(select(BallotDraft)).all()
    assert len(sealed) == 3 and len({len(text) for text in sealed}) == 1, "ballots of one size, whatever they tick"
    for text in (*sealed, draft.sealed):
        assert not CLEAR_CHOICE.search(text.encode()) and "[" not in text
    if world.settings.database.url.startswith("sqlite"):
        files = database_files(world)
        assert files, "the test reads the database's own files"
        for path in files:
            data = path.read_bytes()
            assert not CLEAR_CHOICE.search(data), f"{path.name} holds a choice in the clear"
        # The check finds a choice written the old way (a sanity check of the pattern).
        assert CLEAR_CHOICE.search(b'{"CO_TINH": [3]}')

    # The close opens the box: the totals are right and only totals stay.
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu ngay")
    with world.db.session() as session:
        names = {u.id: u.name for u in session.exec(select(Unit))}
        counts = {(c.code, names[c.unit_id]): (c.votes, c.returned) for c in session.exec(select(VoteCount))}
        assert not session.exec(select(SealedBallot)).all() and not session.exec(select(BallotDraft)).all()
    assert counts[("CO_TINH", KH)] == (1, 3) and counts[("CO_TINH", NM)] == (1, 3)
    assert counts[("BK_UBND", NM)] == (2, 3) and counts[("BK_UBND", KH)] == (1, 3)
    result = next(m for m in reversed(group.bot_messages()) if "Kết quả bỏ phiếu kín" in (m.text or ""))
    assert "phiếu phát ra 5, thu về 3" in result.text


def test_a_seal_opens_only_with_its_secret_and_for_its_vote():
    seal = Seal("123456:TEST-token")
    text = seal.seal("ballot 1", {"BK_UBND": [2, 3]})
    assert seal.open("ballot 1", text) == {"BK_UBND": [2, 3]}
    assert len(seal.seal("ballot 1", {})) == len(text)
    for other, purpose in ((Seal("another secret"), "ballot 1"), (seal, "ballot 2")):
        with pytest.raises(SealBroken):
            other.open(purpose, text)


# Seven units' ballots, all different, so a link between a unit and its ballot would show.
SEVEN_BALLOTS = {
    CTD: {CO_TINH: [KH], BK: [KH, NM]},
    KH: {CO_TINH: [NM], BK: [NM]},
    LG: {},
    NB: {BK: [KH]},
    NM: {CO_TINH: [KH], BK: [KH]},
    SEVEN[5]: {BK: [NM, KH]},
    SEVEN[6]: {CO_TINH: [NM]},
}


async def test_no_commit_the_files_hold_and_no_row_version_ties_a_unit_to_its_choice(world, tmp_path):
    """The forensic attack of the issue, after every confirmation and after the close: on
    SQLite, the file and its log rebuilt as of every commit the log holds, every pair of
    successive commits compared (a count that moves with the turnout gives the ballot away),
    every byte searched; on PostgreSQL every row version on the ballot tables' pages, dead
    ones too, searched and joined on the transaction that wrote it."""
    group, secretary, officers = await open_for(world, SEVEN)
    sqlite = world.settings.database.url.startswith("sqlite")
    db_path = Path(world.settings.database.url.removeprefix("sqlite:///")) if sqlite else None
    commits_read = 0

    def attack() -> None:
        nonlocal commits_read
        if sqlite:
            assert not CLEAR_CHOICE.search(forensics.raw_bytes(db_path))
            snapshots = [snap for image in forensics.sqlite_commits(db_path)
                         if (snap := forensics.read_snapshot(image, tmp_path / "commit.sqlite3")) is not None]
            commits_read += len(snapshots)
            assert forensics.links(snapshots) == []
        else:
            url = world.settings.database.url
            schema = parse_qs(urlsplit(url).query)["options"][0].removeprefix("-csearch_path=")
            versions = forensics.postgres_row_versions(
                url.split("?")[0], schema, ["ballot_draft", "sealed_ballot", "vote_count", "ballot_cast"])
            if versions is None:
                pytest.skip("pageinspect cannot be created on this server")
            for table, rows in versions.items():
                for _, data in rows:
                    assert not CLEAR_CHOICE.search(data), table
            # Joined on xmin: no version of a count was written by a transaction that marked a
            # unit as having voted.
            turnout = {xmin for xmin, _ in versions["ballot_cast"]}
            assert not turnout & {xmin for xmin, _ in versions["vote_count"]}

    for unit, choices in SEVEN_BALLOTS.items():
        assert f"Đã nhận phiếu của {unit}" in await cast_ballot(officers[unit], choices)
        attack()
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu ngay")
    attack()
    if sqlite:
        assert commits_read > 7, "the attack read the commits the log held"
    with world.db.session() as session:
        names = {u.id: u.name for u in session.exec(select(Unit))}
        counts = {(c.code, names[c.unit_id]): c.votes for c in session.exec(select(VoteCount))}
    assert counts[("BK_UBND", KH)] == 4 and counts[("BK_UBND", NM)] == 3 and counts[("CO_TINH", NM)] == 2


async def test_ballots_sealed_under_a_secret_since_changed_are_said_and_nothing_else_is_lost(world, voting):
    """The deployer changed the seal's secret while the vote was open (README: only between
    votes): the ballots sealed before cannot be opened at the close. The result says how many
    and counts the rest."""
    group, secretary, officers = voting
    await cast_ballot(officers[CTD], {BK: [KH]})
    await cast_ballot(officers[LG], {BK: [KH]})
    await world.stop_bot()
    world.settings.vote.seal_key = "a new secret, set while the vote was open"
    await world.start_bot()
    await cast_ballot(officers[NB], {BK: [NM]})
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu ngay")
    result = next(m for m in reversed(group.bot_messages()) if "Kết quả bỏ phiếu kín" in (m.text or ""))
    assert "⚠️ 2 phiếu không mở được để đếm: khóa niêm phong của bot đã đổi" in result.text
    with world.db.session() as session:
        names = {u.id: u.name for u in session.exec(select(Unit))}
        counts = {(c.code, names[c.unit_id]): (c.votes, c.returned) for c in session.exec(select(VoteCount))}
    assert counts[("BK_UBND", NM)] == (1, 1) and counts[("BK_UBND", KH)] == (0, 1)
