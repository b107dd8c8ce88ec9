"""The catalogue named for a province's kind in a year (domain.catalogue.Catalogue.named_for):
in a city the titles are the city's («… Ủy ban nhân dân thành phố»), in a province the
province's; only the authorities' level word changes, and codes, order and quotas never."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.catalogue import DEFAULT_TITLES, Catalogue, Title, TitleKind, named, typed_naming
from domain.provinces import Era, Naming, Province, ProvinceKind

CATALOGUE = Catalogue(DEFAULT_TITLES)
HUE = Province(code="HUE", name="Huế", kind=ProvinceKind.CITY,
               eras=(Era(2024, "Thừa Thiên Huế", ProvinceKind.PROVINCE),), aliases=("TT Huế",))
CITY = Naming("Huế", ProvinceKind.CITY)
PROVINCE = Naming("Lào Cai", ProvinceKind.PROVINCE)


def names(catalogue: Catalogue) -> dict[str, str]:
    return {t.code: t.name for t in catalogue.titles}


def test_a_citys_flag_and_bang_khen_are_the_citys():
    city = names(CATALOGUE.named_for(HUE.in_year(2025)))
    assert city["CO_TINH"] == "Cờ thi đua của Ủy ban nhân dân thành phố"
    assert city["BK_UBND"] == "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố"
    assert city["BK_UBND_CN"] == "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố (cá nhân)"


def test_the_same_province_before_it_became_a_city_keeps_the_provinces_names():
    assert names(CATALOGUE.named_for(HUE.in_year(2024))) == names(CATALOGUE)
    assert CATALOGUE.named_for(HUE.in_year(2024)).titles[1].name == "Cờ thi đua của Ủy ban nhân dân tỉnh"


def test_a_province_and_an_unconfigured_one_read_as_configured():
    assert names(CATALOGUE.named_for(PROVINCE)) == names(CATALOGUE)
    assert CATALOGUE.named_for(None) is CATALOGUE


def test_titles_that_name_no_authority_do_not_change():
    # «cấp tỉnh» is the law's name of the level (cities included); the others name no level.
    city = names(CATALOGUE.named_for(CITY))
    for code in ("CO_CP", "TTLDXS", "TTLDTT", "CSTD_TINH", "CSTD_CS", "LDTT"):
        assert city[code] == names(CATALOGUE)[code]
    assert city["CSTD_TINH"] == "Chiến sĩ thi đua cấp tỉnh"


def test_codes_order_kinds_and_quotas_stay():
    city = CATALOGUE.named_for(CITY)
    for before, after in zip(CATALOGUE.titles, city.titles, strict=True):
        assert (after.code, after.kind, after.voted, after.quota, after.quota_share, after.years,
                after.also_nominee_for) == (before.code, before.kind, before.voted, before.quota,
                                            before.quota_share, before.years, before.also_nominee_for)
    assert city.quotas(2025, 12) == CATALOGUE.quotas(2025, 12)


def test_what_people_type_matches_in_either_kind():
    city = CATALOGUE.named_for(CITY)
    for typed in ("Cờ thi đua của UBND thành phố", "Cờ thi đua của Ủy ban nhân dân tỉnh", "Cờ thi đua của UBND tỉnh",
                  "cờ thi đua xuất sắc của ubnd thành phố", "Cờ Đơn vị dẫn đầu phong trào thi đua"):
        assert city.match(typed, 2025).code == "CO_TINH", typed
    province = CATALOGUE.named_for(PROVINCE)
    assert province.match("Bằng khen của Chủ tịch UBND thành phố", 2024).code == "BK_UBND"
    assert province.match("Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", 2024).code == "BK_UBND"


def test_the_authorities_words_as_written():
    assert named("Bằng khen của Chủ tịch UBND tỉnh", CITY) == "Bằng khen của Chủ tịch UBND thành phố"
    assert named("Cờ thi đua của Uỷ ban nhân dân tỉnh", CITY) == "Cờ thi đua của Uỷ ban nhân dân thành phố"
    assert named("Hội đồng Thi đua – Khen thưởng tỉnh", CITY) == "Hội đồng Thi đua – Khen thưởng thành phố"
    assert named("Hội đồng Thi đua - Khen thưởng tỉnh", CITY) == "Hội đồng Thi đua - Khen thưởng thành phố"
    assert named("CỜ THI ĐUA CỦA ỦY BAN NHÂN DÂN TỈNH", CITY) == "CỜ THI ĐUA CỦA ỦY BAN NHÂN DÂN THÀNH PHỐ"
    assert named("Cờ thi đua của Ủy ban nhân dân thành phố", PROVINCE) == "Cờ thi đua của Ủy ban nhân dân tỉnh"
    # Not an authority's level: a unit's name, the level's name, a word that only begins so.
    for text in ("Hội Nông dân tỉnh", "Chiến sĩ thi đua cấp tỉnh", "Tỉnh Đoàn", "Ủy ban nhân dân tỉnhx"):
        assert named(text, CITY) == text


def test_a_title_that_names_the_province_takes_the_years_name():
    medal = Title("KNC", "Kỷ niệm chương Vì sự nghiệp xây dựng và phát triển tỉnh {province}", TitleKind.INDIVIDUAL,
                  aliases=("Kỷ niệm chương {province}",))
    catalogue = Catalogue((*DEFAULT_TITLES, medal))
    assert catalogue.names_a_province and not CATALOGUE.names_a_province
    assert catalogue.named_for(HUE.in_year(2025)).get("KNC").name == \
        "Kỷ niệm chương Vì sự nghiệp xây dựng và phát triển thành phố Huế"
    earlier = catalogue.named_for(HUE.in_year(2024)).get("KNC")
    assert earlier.name == "Kỷ niệm chương Vì sự nghiệp xây dựng và phát triển tỉnh Thừa Thiên Huế"
    assert "Kỷ niệm chương Thừa Thiên Huế" in earlier.aliases
    assert all("{" not in a for t in catalogue.named_for(CITY).titles for a in (t.name, *t.aliases))


def test_a_province_nobody_configured_is_named_as_its_bloc_typed_it():
    assert typed_naming("Hà Nội") == Naming("Hà Nội", ProvinceKind.PROVINCE)
    assert typed_naming("thành phố  Hà Nội") == Naming("Hà Nội", ProvinceKind.CITY)
    assert typed_naming("TP. Cần Thơ") == Naming("Cần Thơ", ProvinceKind.CITY)
    assert typed_naming("Tỉnh Lào Cai") == Naming("Lào Cai", ProvinceKind.PROVINCE)
    assert typed_naming("") is None


LEVEL_WORDS = st.sampled_from(["Ủy ban nhân dân tỉnh", "UBND tỉnh", "Ủy ban nhân dân thành phố",
                               "Hội đồng Thi đua – Khen thưởng tỉnh", "Hội Nông dân tỉnh", "cấp tỉnh", "Chính phủ"])
WORDS = st.sampled_from(["Cờ thi đua của", "Bằng khen của Chủ tịch", "(cá nhân)", "năm 2025", "và", "Tập thể"])
NAMES = st.lists(st.one_of(LEVEL_WORDS, WORDS), min_size=1, max_size=6).map(" ".join)
NAMINGS = st.builds(Naming, st.sampled_from(["Huế", "Lào Cai", "Hà Nội"]), st.sampled_from(list(ProvinceKind)))


@given(NAMES, NAMINGS, NAMINGS)
def test_the_last_naming_decides_and_naming_twice_changes_nothing(name, first, second):
    assert named(named(name, first), second) == named(name, second)
    assert named(named(name, second), second) == named(name, second)


@given(NAMES)
def test_a_city_and_back_is_the_provinces_name(name):
    assert named(named(name, CITY), PROVINCE) == named(name, PROVINCE)
    # Only the authorities' level word differs between the two kinds.
    city, province = named(name, CITY), named(name, PROVINCE)
    assert city.replace("thành phố", "tỉnh") == province.replace("thành phố", "tỉnh")
