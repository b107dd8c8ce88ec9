"""Button data is typed (handlers/buttons.py): every kind packs to what the bot always sent
and reads it back, refuses another kind's data, odd digits, ids past a 32-bit INTEGER and
parts too many or too few; no two kinds share a prefix; the route table routes presses
only by the kinds' patterns. Pure: no bot, no database."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

import pytest
from telegram.ext import CallbackQueryHandler

from handlers import buttons as b
from handlers import errors, replies, routes

TOKEN = "A" * 32  # a well-formed invitation token (domain.invitations.is_token)

# One instance of every kind, with the data the bot sends (tests and sent messages use these strings).
EXAMPLES: list[tuple[b.Button, str]] = [
    (b.Catalogue(), "b:catalogue"),
    (b.RenameBloc(), "b:rename"),
    (b.SetProvince(), "b:province"),
    (b.Roster("unit", 12), "r:unit:12"),
    (b.Roster("add"), "r:add:0"),
    (b.InviteUnit("revok", 12), "i:revok:12"),
    (b.Enrol("ok", TOKEN), f"inv:ok:{TOKEN}"),
    (b.Secretary("rmok", 7), "s:rmok:7"),
    (b.Secretary("list"), "s:list:0"),
    (b.RegistrationUnit("edit", 3), "rg:edit:3"),
    (b.RegistrationUnit("wdok", 3, 9), "rg:wdok:3:9"),
    (b.Draft(41, "next"), "rd:41:next"),
    (b.Draft(41, "t", "TT"), "rd:41:t:TT"),
    (b.Covenant(3), "gu:ok:3"),
    (b.ReportPeriod("yearend", 3), "bc:yearend:3"),
    (b.DoDuty("bophieu", 3), "do:bophieu:3"),
    (b.Schedule("set", "dl"), "lc:set:dl"),
    (b.Schedule("cancelok", milestone_id=5), "lc:cancelok:5"),
    (b.Schedule("hour"), "lc:hour:0"),
    (b.ScoreUnit(3), "sc:unit:3"),
    (b.ScoreMenu(), "sc:menu"),
    (b.ScoreCriteria(), "sc:table"),
    (b.ScoreSetTable(), "sc:settable"),
    (b.ScoreAdjust(), "sc:adjust"),
    (b.Status("pick"), "st:pick:0"),
    (b.Status("reopen", 3), "st:reopen:3"),
    (b.Status("qt", code="DT_XS"), "st:qt:DT_XS"),
    (b.ExportYear(2025), "xu:all:2025"),
    (b.Rollover("L", 2025, 3), "ro:L:2025:3"),
    (b.ReviewPanel("addu", "TT", 3), "bx:addu:TT:3"),
    (b.ReviewPanel("show"), "bx:show"),
    (b.BallotUnit(3), "bp:unit:3"),
    (b.BallotDraft(8, "c", 3), "bv:8:c:3"),
    (b.ProvinceView("xlsx", "HUE"), "tv:xlsx:HUE"),
    (b.DossierSend(2025), "hs:send:2025"),
]


def test_every_kind_has_an_example():
    assert {type(button) for button, _ in EXAMPLES} == set(b.Button.kinds.values())


@pytest.mark.parametrize("button, data", EXAMPLES, ids=[d for _, d in EXAMPLES])
def test_a_button_packs_to_the_data_the_bot_sends_and_reads_it_back(button, data):
    assert button.pack() == data
    assert len(data.encode()) <= 64
    assert type(button).unpack(data) == button
    assert re.match(type(button).pattern, data)


@pytest.mark.parametrize("button, data", EXAMPLES, ids=[d for _, d in EXAMPLES])
def test_no_other_kind_reads_a_buttons_data(button, data):
    others = [kind for kind in b.Button.kinds.values() if kind is not type(button)]
    assert [kind.__name__ for kind in others if kind.unpack(data) is not None] == []
    assert [kind.__name__ for kind in others if re.match(kind.pattern, data)] == []


@pytest.mark.parametrize("data", [
    None, "", "r", "r:", "r:unit", "r:unit:", "r:unit:1:2",  # missing and extra parts
    "r:unit:²", "r:unit:١٢", "r:unit:+1", "r:unit:-1", "r:unit: 1", "r:unit:1.0",  # not ASCII digits
    "r:unit:2147483648", "r:unit:99999999999", "r:unit:4294967297",  # past a 32-bit INTEGER
    "r:nuke:1",  # an action the kind does not have
    "rg:wdok:3", "rg:unit:3:4", "rd:41", "rd:41:t", "rd:41:ok:x", "rd:x:ok", "rd:41:t:a:b",
    "gu:no:3", "bc:someday:3", "do:xoa:3", "lc:set:", "lc:cancelok:dl", "st:qt:", "st:reopen:x",
    f"inv:maybe:{TOKEN}", "inv:ok:short", "xu:some:2025", "ro:L:2025", "ro:zz:2025:0",
    "sc:menu:1", "sc:unit:", "b:catalogue:x", "bp:unit:²", "bv:8:c:2147483648", "bv:x:next",
])
def test_data_not_shaped_as_a_kind_is_read_by_none(data):
    assert [kind.__name__ for kind in b.Button.kinds.values() if kind.unpack(data) is not None] == []


def test_ids_are_read_up_to_the_databases_integer():
    assert b.Roster.unpack("r:unit:2147483647") == b.Roster("unit", 2**31 - 1)
    assert b.Roster.unpack("r:unit:2147483648") is None


def test_data_over_telegrams_64_bytes_is_not_made():
    with pytest.raises(ValueError):
        b.Draft(1, "t", "X" * 60).pack()


def test_no_two_kinds_share_a_prefix():
    prefixes = list(b.Button.kinds)
    assert len(prefixes) == len(set(prefixes))
    for p in prefixes:
        assert [q for q in prefixes if q != p and (q.startswith(p + ":") or p.startswith(q + ":"))] == []


@pytest.mark.parametrize("prefix", ["r", "sc", "sc:menu:more", "b:rename"])
def test_a_kind_with_a_taken_prefix_cannot_be_made(prefix):
    before = dict(b.Button.kinds)
    with pytest.raises(TypeError):
        @dataclass(frozen=True)
        class Clash(b.Button, prefix=prefix):
            pass
    assert b.Button.kinds == before


def test_every_press_the_route_table_routes_is_a_kinds_pattern():
    kinds = {kind.pattern for kind in b.Button.kinds.values()}
    presses = [h for h in routes.feature_handlers() if isinstance(h, CallbackQueryHandler)]
    # Two are not features: a press without data (first) and a press no kind reads (last).
    assert presses[0].callback is errors.stale_button and presses[0].pattern.pattern == "^$"
    assert presses[-1].callback is errors.stale_button and presses[-1].pattern is None
    patterns = [h.pattern.pattern for h in presses[1:-1]]
    assert set(patterns) <= kinds
    assert set(patterns) == kinds  # and every kind is answered
    assert len(patterns) == len(set(patterns))


def test_every_reply_action_and_deep_link_answers_with_a_function():
    # A reply action is a coroutine function, or a decision the router runs in its transaction and its screen.
    assert all(inspect.iscoroutinefunction(fn) or (isinstance(fn, replies.Decided)
                                                  and callable(fn.decide) and inspect.iscoroutinefunction(fn.show))
               for fn in routes.REPLY_ACTIONS.values())
    assert set(routes.DEEP_LINKS) == set(b.DoDuty.COMMANDS)
