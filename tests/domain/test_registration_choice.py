"""The typed choice of a registration (domain.registration.Choice) and the JSON it is stored
as: rows written before it existed read back the same, and what it writes is the same shape."""

from __future__ import annotations

from domain.registration import Choice, People, people_stored

# A draft's ``data`` as the bot has always written it.
DRAFT_JSON = {"collective": ["TTLDXS", "BK_UBND"],
              "individuals": {"CSTD_TINH": {"count": 0, "names": []},
                              "CSTD_CS": {"count": 2, "names": ["Nguyễn Văn An", "Trần Thị Bình"]}},
              "targets": "Phát triển 500 hội viên mới"}
# The same choice as a registration's columns keep it (only titles with someone).
STORED = dict(collective=["TTLDXS", "BK_UBND"],
              individuals=[{"code": "CSTD_CS", "count": 2, "names": ["Nguyễn Văn An", "Trần Thị Bình"]}],
              targets="Phát triển 500 hội viên mới")


def test_a_draft_s_json_reads_back_and_is_written_the_same():
    choice = Choice.from_draft_json(DRAFT_JSON)
    assert choice.collective == ("TTLDXS", "BK_UBND")
    assert choice.people("CSTD_CS") == People(2, ("Nguyễn Văn An", "Trần Thị Bình"))
    assert choice.people("LDTT") == People(0, ())  # not reached yet
    assert choice.as_draft_json() == DRAFT_JSON


def test_a_registration_s_columns_read_back_and_are_written_the_same():
    choice = Choice.from_stored(**STORED)
    assert people_stored(choice.stored_individuals()) == STORED["individuals"]
    # zeros left out
    assert people_stored(Choice.from_draft_json(DRAFT_JSON).stored_individuals()) == STORED["individuals"]
    assert Choice.from_stored(["TTLDXS"], [{"code": "LDTT", "count": 3}], "").people("LDTT") == People(3, ())


def test_toggling_and_typing_make_new_choices():
    empty = Choice.from_draft_json({})
    assert empty == Choice() and empty.empty
    ticked = empty.toggled("TTLDXS").toggled("CO_TINH")
    assert ticked.collective == ("TTLDXS", "CO_TINH") and not ticked.empty
    assert ticked.toggled("TTLDXS").collective == ("CO_TINH",)
    counted = empty.with_people("CSTD_CS", 1, ["Lê Văn Cường"]).with_people("CSTD_CS", 0, [])
    assert counted.people("CSTD_CS") == People(0, ()) and counted.empty
    assert empty.with_targets("Khám sàng lọc").as_draft_json()["targets"] == "Khám sàng lọc"
