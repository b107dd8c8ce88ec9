"""services/province.py on a real database (both backends): the province's officers, their
board of every bloc, the nominations checked across blocs and the blocs' dossiers. The blocs'
years are set up through storage (tests/factories.py); refusals are typed codes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain.catalogue import DEFAULT_TITLES, Catalogue
from domain.provinces import Era, Province, ProvinceKind, Provinces, Rule, RuleKind
from services import province as service
from tests.factories import bloc_of_units, more_blocs_of_hue, new_documents, past_results, year_to_the_list
from tests.samples import HOA_BINH_BLOC, HUE_BLOC, HUE_UNITS

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 12, 22, 9, 0, tzinfo=VN)
CATALOGUE = Catalogue(DEFAULT_TITLES)
OFFICER, OTHER_OFFICER, SECRETARY = 9001, 9002, 501

HUE = Province(code="HUE", name="Huế", kind=ProvinceKind.CITY,
               eras=(Era(2024, "Thừa Thiên Huế", ProvinceKind.PROVINCE),), officers=(OFFICER,),
               dossier_due="20/12 17:00", rules=(
                   Rule("CAP_CP", RuleKind.CAP, "Quyết định 12/2024/QĐ-UBND, Điều 8", title="CO_CP", limit=2),
                   Rule("CP_TINH", RuleKind.ALSO_NOMINEE, "Luật Thi đua, khen thưởng 2022, Điều 26",
                        title="CO_CP", of_title="CO_TINH"),
                   Rule("ONE", RuleKind.ONE_BLOC, "Quyết định 12/2024/QĐ-UBND, Điều 5"),
                   Rule("TINH_2Y", RuleKind.CONSECUTIVE, "Nghị định 152/2025/NĐ-CP, Điều 9", title="CO_TINH",
                        years=1, results=("BK_UBND", "CO_TINH"))))
HOA_BINH = Province(code="HB", name="Hòa Bình", kind=ProvinceKind.PROVINCE, officers=(OTHER_OFFICER,))
PROVINCES = Provinces((HUE, HOA_BINH))


@pytest.fixture
def province(db):
    """Four blocs of Huế played to their lists (one of them late), and one bloc of Hòa Bình."""
    at = datetime(2025, 12, 12, 10, 0, tzinfo=VN)
    with db.session() as s:
        hue, hue_units = bloc_of_units(s, HUE_UNITS, secretary=SECRETARY, now=at, chat_id=-1001, name=HUE_BLOC,
                                       province="Thừa Thiên Huế")
        by = {u.name: u for u in hue_units}
        year_to_the_list(s, hue, hue_units, by=SECRETARY, now=at, proposals={
            "CO_CP": [by["Hội Khuyến học"]], "CO_TINH": [by["Liên hiệp các Hội Khoa học và Kỹ thuật"]],
            "BK_UBND": [by["Hội Chữ thập đỏ"], by["Hội Nhà báo"], by["Hội Luật gia"]]})
        past_results(s, hue, by["Liên hiệp các Hội Khoa học và Kỹ thuật"], year=2024, codes=["BK_UBND"], now=at)
        made = more_blocs_of_hue(s, first_secretary=502, first_chat=-1002, now=at,
                                 registration_deadline=datetime(2025, 3, 31, 17, 0, tzinfo=VN))
        third, depts, schools, elsewhere = (made[k][0] for k in ("third", "depts", "schools", "elsewhere"))
        ids = dict(hue=hue.id, third=third.id, depts=depts.id, schools=schools.id, elsewhere=elsewhere.id)
    for name in ("hue", "third", "depts"):  # three send their dossiers in time; the schools do not
        with db.session() as s:
            bloc = s.get(service.Bloc, ids[name])
            assert isinstance(service.send_dossier(s, PROVINCES, bloc, year=2025, by=SECRETARY,
                                                   now=datetime(2025, 12, 15, 9, 0, tzinfo=VN)), service.Sent)
    return ids


def test_the_board_shows_each_bloc_of_the_province_and_who_is_late(db, province):
    with db.session() as s:
        board = service.board(s, HUE, None, CATALOGUE, NOW, tz=VN)
    assert board.year == 2025 and board.naming.level == "thành phố"
    assert [st.bloc.name for st in board.stages] == ["Khối các Sở", "Khối các Trường", HUE_BLOC, HOA_BINH_BLOC]
    hue = board.stages[2]
    assert (hue.registered, hue.units, hue.signed, hue.held, hue.listed) == (12, 12, 12, True, True)
    assert (hue.dossier.version, hue.sent_times, hue.sent_by) == (1, 1, "Trần Thị Hoa")
    schools = board.stages[1]
    assert (schools.registered, schools.units, schools.dossier) == (1, 2, None)
    assert schools.late_registration and schools.late_dossier
    assert [st.bloc.name for st in board.late] == ["Khối các Trường"]
    assert board.sent == 3


def test_the_nominations_carry_the_warnings_of_the_provinces_rules(db, province):
    with db.session() as s:
        found = service.nominations(s, HUE, 2025, CATALOGUE)
    assert [t.code for t, _ in found.by_title()] == ["CO_CP", "CO_TINH", "BK_UBND"]
    by = {(n.title.code, n.unit.name, n.bloc.name): n for n in found.items}
    khuyen_hoc = by["CO_CP", "Hội Khuyến học", HUE_BLOC]
    assert {w.rule for w in khuyen_hoc.warnings} == {"CAP_CP", "CP_TINH"}
    cap = next(w for w in khuyen_hoc.warnings if w.rule == "CAP_CP")
    assert (cap.count, cap.limit, cap.source) == (3, 2, "Quyết định 12/2024/QĐ-UBND, Điều 8")
    assert {w.rule for w in by["CO_CP", "Sở Y tế", "Khối các Sở"].warnings} == {"CAP_CP"}
    twice = by["BK_UBND", "Hội Chữ thập đỏ", HUE_BLOC].warnings
    assert [(w.rule, w.other_blocs) for w in twice] == [("ONE", (HOA_BINH_BLOC,))]
    assert by["CO_TINH", "Liên hiệp các Hội Khoa học và Kỹ thuật", HUE_BLOC].warnings == []
    assert [w.rule for w in by["CO_TINH", "Sở Y tế", "Khối các Sở"].warnings] == ["TINH_2Y"]
    assert by["BK_UBND", "Hội Nhà báo", HUE_BLOC].votes == 11
    assert by["BK_UBND", "Hội Nhà báo", HUE_BLOC].version_sent == 1
    assert all(n.bloc.name != "Khối Hòa Bình" for n in found.items)


def test_a_dossier_goes_once_per_version_and_again_after_the_list_changes(db, province):
    with db.session() as s:
        hue = s.get(service.Bloc, province["hue"])
        again = service.send_dossier(s, PROVINCES, hue, year=2025, by=SECRETARY, now=NOW)
        assert again.code == service.Refusal.SENT_ALREADY and again.version == 1
        assert again.at == datetime(2025, 12, 15, 9, 0, tzinfo=VN)
        assert service.offer(s, PROVINCES, hue, 2025).up_to_date
        assert new_documents(s, hue, by=SECRETARY, now=NOW) == 2
        offer = service.offer(s, PROVINCES, hue, 2025)
        assert (offer.up_to_date, offer.version, offer.sent.version) == (False, 2, 1)
        sent = service.send_dossier(s, PROVINCES, hue, year=2025, by=SECRETARY, now=NOW)
        assert (sent.version, sent.times, sent.group_chat_id) == (2, 2, None)
        assert sorted(sent.documents) == ["list", "list_xlsx", "minutes", "proposal"]
        assert {d.version for d in sent.documents.values()} == {2}
    with db.session() as s:
        schools = s.get(service.Bloc, province["schools"])
        stage = next(st for st in service.board(s, HUE, 2025, CATALOGUE, NOW, tz=VN).stages if st.bloc.id == hue.id)
        assert (stage.dossier.version, stage.sent_times) == (2, 2)
        year, folders = service.dossier_folders(s, HUE, None, now=NOW, tz=VN)
        assert year == 2025 and [f.bloc.name for f in folders] == ["Khối các Sở", HUE_BLOC, HOA_BINH_BLOC]
        assert folders[1].version == 2 and len(folders[1].documents) == 4
        assert schools.id not in {f.bloc.id for f in folders}


def test_a_bloc_without_a_list_or_a_configured_province_sends_nothing(db):
    with db.session() as s:
        bloc, units = bloc_of_units(s, ["Hội A", "Hội B"], secretary=SECRETARY, now=NOW, province="Huế")
        assert service.send_dossier(s, PROVINCES, bloc, year=2025, by=SECRETARY, now=NOW).code \
            == service.Refusal.NO_LIST
        other, _ = bloc_of_units(s, ["Hội C"], secretary=SECRETARY, now=NOW, chat_id=-1009, province="Lào Cai")
        assert service.send_dossier(s, PROVINCES, other, year=2025, by=SECRETARY, now=NOW).code \
            == service.Refusal.NO_PROVINCE
        assert service.offer(s, PROVINCES, other, 2025) is None


def test_officers_see_only_their_province_and_add_officers_to_it(db, province):
    with db.session() as s:
        assert service.officer_province(s, PROVINCES, OFFICER, "HUE") == HUE
        assert service.officer_province(s, PROVINCES, OTHER_OFFICER, "HUE").code == service.Refusal.NOT_OFFICER
        assert service.open_board(s, PROVINCES, user_id=SECRETARY, catalogue=CATALOGUE, now=NOW).code \
            == service.Refusal.NOT_OFFICER
        other = service.open_board(s, PROVINCES, user_id=OTHER_OFFICER, catalogue=CATALOGUE, now=NOW)
        assert [st.bloc.name for st in other.board.stages] == ["Khối Hòa Bình"]
        assert service.add_officer(s, PROVINCES, user_id=SECRETARY, new=777, now=NOW).code \
            == service.Refusal.NOT_OFFICER
        added = service.add_officer(s, PROVINCES, user_id=OFFICER, new=777, now=NOW)
        assert added.province == HUE
        assert service.add_officer(s, PROVINCES, user_id=OFFICER, new=777, now=NOW).code \
            == service.Refusal.ALREADY_OFFICER
        assert service.add_officer(s, PROVINCES, user_id=OFFICER, new=None, now=NOW).code \
            == service.Refusal.NO_PERSON
    with db.session() as s:
        assert service.officer_province(s, PROVINCES, 777, None) == HUE


def test_the_provinces_group_is_one_a_new_one_replaces_and_a_blocs_group_cannot_be(db, province):
    with db.session() as s:
        assert service.set_group(s, PROVINCES, user_id=OFFICER, chat_id=-1001, now=NOW).code \
            == service.Refusal.BLOC_GROUP
        first = service.set_group(s, PROVINCES, user_id=OFFICER, chat_id=-2001, now=NOW)
        assert first.replaced is None
        service.record_board(s, HUE, chat_id=-2001, message_id=55)
    with db.session() as s:
        assert service.board_place(s, HUE, CATALOGUE, NOW, tz=VN).message_id == 55
        moved = service.set_group(s, PROVINCES, user_id=OFFICER, chat_id=-2002, now=NOW)
        assert moved.replaced == -2001
    with db.session() as s:
        place = service.board_place(s, HUE, CATALOGUE, NOW, tz=VN)
        assert (place.chat_id, place.message_id) == (-2002, None)
