import random
import unicodedata

import pytest
from hypothesis import given, strategies as st

from domain.text import clean, fold, parse_lines, sort_key, vi_sorted


def nfd(s):
    return unicodedata.normalize("NFD", s)


def nfc(s):
    return unicodedata.normalize("NFC", s)


# The four sample blocs of shared/domain.md §6, each in Vietnamese order.
BLOC_A = [  # Thừa Thiên Huế
    "Hội Bảo vệ quyền trẻ em",
    "Hội Chữ thập đỏ",
    "Hội Đông y",
    "Hội Khoa học Lịch sử",
    "Hội Khuyến học",
    "Hội Luật gia",
    "Hội Người khuyết tật – Bảo trợ người khuyết tật và trẻ mồ côi",
    "Hội Người mù",
    "Hội Nhà báo",
    "Liên hiệp các Hội Khoa học và Kỹ thuật",
    "Liên hiệp các Hội Văn học Nghệ thuật",
    "Liên hiệp các Tổ chức hữu nghị",
]
BLOC_B = [  # Hòa Bình
    "Câu lạc bộ Hưu trí",
    "Hội Bảo trợ người tàn tật và trẻ mồ côi tỉnh",
    "Hội Chữ thập đỏ",
    "Hội Cựu Thanh niên xung phong",
    "Hội Khuyến học",
    "Hội Nạn nhân chất độc da cam/dioxin tỉnh",
    "Hội Người cao tuổi",
    "Hội Người mù",
]
BLOC_C = [  # Lào Cai
    "Hội Chữ thập đỏ tỉnh",
    "Hội Cựu chiến binh tỉnh",
    "Hội Liên hiệp Phụ nữ tỉnh",
    "Hội Nông dân tỉnh",
    "Liên đoàn Lao động tỉnh",
    "Tỉnh Đoàn",
    "Ủy ban MTTQ Việt Nam tỉnh",
]
BLOC_D = [  # Bình Phước
    "Ban Dân tộc",
    "Đài Phát thanh - Truyền hình và Báo Bình Phước",
    "Sở Giáo dục và Đào tạo",
    "Sở Khoa học và Công nghệ",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Thông tin và Truyền thông",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Y tế",
    "Trường Cao đẳng Bình Phước",
]
ALL_UNITS = BLOC_A + BLOC_B + BLOC_C + BLOC_D

# Arbitrary text, plus text dense in Vietnamese letters, loose tone/vowel marks,
# dashes and odd spaces, where NFC/NFD and collation bugs live.
_VI_CHARS = list("aăâeêoôơuưiyđĐAĂÔƯdDzZ019 -–—/") + list(
    "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b\u00a0\u200b\t")
texts = st.one_of(st.text(), st.text(st.sampled_from(_VI_CHARS)),
                  st.sampled_from(ALL_UNITS).map(nfd))


# --- clean -------------------------------------------------------------------

def test_clean_nfc_and_spaces():
    assert clean("  Hội\u00a0\u00a0Người \t mù \n") == "Hội Người mù"
    assert clean(nfd("Hội Đông y")) == "Hội Đông y"
    assert clean(nfd("Hội Đông y")) == nfc("Hội Đông y")


def test_clean_removes_invisible_characters():
    # zero-width space, RTL mark, BOM, zero-width joiner, a stray control char
    assert clean("\ufeffHội\u200b Luật\u200f gia\u200d\x07") == "Hội Luật gia"


def test_clean_recomposes_across_removed_format_char():
    assert clean("Ho\u200b\u0302i") == "Hôi"


@given(texts)
def test_clean_properties(s):
    c = clean(s)
    assert clean(c) == c
    assert c == c.strip() and "  " not in c
    assert unicodedata.is_normalized("NFC", c)
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in c)


# --- fold --------------------------------------------------------------------

@pytest.mark.parametrize("typed, unit", [
    ("hoi nguoi khuyet tat-bao tro nguoi khuyet tat va tre mo coi",
     "Hội Người khuyết tật – Bảo trợ người khuyết tật và trẻ mồ côi"),
    ("HOI NGUOI KHUYET TAT — BAO TRO NGUOI KHUYET TAT VA TRE MO COI",
     "Hội Người khuyết tật – Bảo trợ người khuyết tật và trẻ mồ côi"),
    ("dai phat thanh-truyen hinh va bao binh phuoc",
     "Đài Phát thanh - Truyền hình và Báo Bình Phước"),
    ("  hội   đông y ", "Hội Đông y"),
    ("Uỷ ban MTTQ Việt Nam tỉnh", "Ủy ban MTTQ Việt Nam tỉnh"),  # old and new tone placement
    ("so lao dong ‐ thuong binh va xa hoi", "Sở Lao động - Thương binh và Xã hội"),
    ("hoi nan nhan chat doc da cam/dioxin tinh", "Hội Nạn nhân chất độc da cam/dioxin tỉnh"),
])
def test_fold_matches_typed_names(typed, unit):
    assert fold(typed) == fold(unit)


def test_fold_values():
    assert fold("Hội Đông y") == "hoi dong y"
    assert fold("Hội Người khuyết tật – Bảo trợ") == "hoi nguoi khuyet tat-bao tro"
    assert fold(nfd("Hội")) == fold(nfc("Hội")) == "hoi"


def test_fold_keeps_units_of_a_bloc_apart():
    for bloc in (BLOC_A, BLOC_B, BLOC_C, BLOC_D):
        assert len({fold(u) for u in bloc}) == len(bloc)
    assert fold("Hội Chữ thập đỏ") != fold("Hội Chữ thập đỏ tỉnh")
    assert fold("Hội Người mù") != fold("Hội Người cao tuổi")


@given(texts)
def test_fold_idempotent(s):
    assert fold(fold(s)) == fold(s)


@given(texts)
def test_fold_ignores_normal_form(s):
    assert fold(nfd(s)) == fold(nfc(s)) == fold(s)


@given(st.sampled_from(ALL_UNITS), st.sampled_from([" ", "  ", "\u00a0", "\t"]))
def test_fold_ignores_case_and_spacing_of_units(unit, space):
    variant = space + nfd(unit.upper()).replace(" ", space) + space
    assert fold(variant) == fold(unit)


# --- sorting -------------------------------------------------------------------

def test_spec_example_order():
    expected = ["Ban Dân tộc", "Đài Phát thanh", "Hội Chữ thập đỏ", "Hội Đông y",
                "Hội Khuyến học", "Sở Y tế"]
    shuffled = expected[::-1]
    assert vi_sorted(shuffled) == expected
    assert sorted(shuffled) != expected  # plain sorted() gets it wrong


@pytest.mark.parametrize("bloc", [BLOC_A, BLOC_B, BLOC_C, BLOC_D], ids="ABCD")
def test_sample_blocs_sort_in_vietnamese_order(bloc):
    shuffled = bloc[:]
    random.Random(42).shuffle(shuffled)
    assert vi_sorted(shuffled) == bloc
    assert vi_sorted([nfd(u) for u in shuffled]) == [nfd(u) for u in bloc]


def test_d_stroke_before_e_and_never_after_z():
    assert vi_sorted(["Zalo", "Đài", "Em", "Dân"]) == ["Dân", "Đài", "Em", "Zalo"]
    assert sort_key("Đ") < sort_key("Z") and sort_key("đ") < sort_key("z")


def test_vowel_letters_order():
    letters = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
    assert vi_sorted(letters[::-1]) == letters


def test_tone_order_is_secondary():
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert vi_sorted(tones[::-1]) == tones
    # letters decide first: "mạ" before "mai" although ạ > i in code points
    assert vi_sorted(["mai", "mạ"]) == ["mạ", "mai"]
    assert vi_sorted(["Hội Đồng y", "Hội Đông y"]) == ["Hội Đông y", "Hội Đồng y"]


def test_case_is_last():
    assert vi_sorted(["Mà", "ma", "Ma"]) == ["ma", "Ma", "Mà"]
    assert vi_sorted(["hội b", "Hội a"]) == ["Hội a", "hội b"]


def test_digits_before_letters_in_numeric_order():
    assert vi_sorted(["Khối số 10", "Khối số A", "Khối số 2", "Khối số 1"]) == [
        "Khối số 1", "Khối số 2", "Khối số 10", "Khối số A"]


def test_vi_sorted_with_key():
    units = [{"name": n} for n in BLOC_D[::-1]]
    assert [u["name"] for u in vi_sorted(units, key=lambda u: u["name"])] == BLOC_D


@given(st.lists(texts, max_size=8))
def test_sort_key_total_order_across_normal_forms(xs):
    keys = [sort_key(x) for x in xs]
    for a, ka in zip(xs, keys):
        assert sort_key(nfd(a)) == ka == sort_key(nfc(a))
        for b, kb in zip(xs, keys):
            # exactly one of <, ==, > ; equal only for the same text
            assert (ka < kb) + (ka == kb) + (ka > kb) == 1
            assert (ka == kb) == (nfc(a) == nfc(b))
    order = [nfc(x) for x in vi_sorted(xs)]
    assert order == [nfc(x) for x in vi_sorted([nfd(x) for x in xs])]
    assert all(sort_key(p) <= sort_key(q) for p, q in zip(order, order[1:]))


# --- parse_lines ----------------------------------------------------------------

def test_parse_lines_strips_markers_keeps_order():
    text = (
        "1. Hội Cựu chiến binh tỉnh\r\n"
        "2) Hội Nông dân tỉnh\n"
        "\n   \n"
        "03 - Liên đoàn Lao động tỉnh\n"
        "- Hội Liên hiệp Phụ nữ tỉnh\n"
        "• Tỉnh Đoàn\n"
        "* Ủy ban MTTQ Việt Nam tỉnh\n"
        "+ Hội Chữ thập đỏ tỉnh\n"
        "a) Ban Dân tộc\n"
        "đ) Sở Y tế\n"
        "(4) Hội Người mù\n"
    )
    assert parse_lines(text) == [
        "Hội Cựu chiến binh tỉnh", "Hội Nông dân tỉnh", "Liên đoàn Lao động tỉnh",
        "Hội Liên hiệp Phụ nữ tỉnh", "Tỉnh Đoàn", "Ủy ban MTTQ Việt Nam tỉnh",
        "Hội Chữ thập đỏ tỉnh", "Ban Dân tộc", "Sở Y tế", "Hội Người mù",
    ]


def test_parse_lines_keeps_numbers_that_belong_to_names():
    text = "Khối thi đua số 3\nTrường THPT số 1\n1. Trường THPT số 2\n19-5 Hội Cựu chiến binh"
    assert parse_lines(text) == [
        "Khối thi đua số 3", "Trường THPT số 1", "Trường THPT số 2", "19-5 Hội Cựu chiến binh"]


def test_parse_lines_cleans_and_handles_table_paste():
    text = "1\tHội  Khuyến\u00a0học\u200b\n2\t" + nfd("Hội Đông y") + "\n-\n3.\n"
    assert parse_lines(text) == ["Hội Khuyến học", "Hội Đông y"]


def test_parse_lines_round_trips_a_bloc():
    numbered = "\n".join(f"{i}. {u}" for i, u in enumerate(BLOC_A, 1))
    assert parse_lines(numbered) == BLOC_A
    assert parse_lines("\n".join(BLOC_A)) == BLOC_A


@given(st.text())
def test_parse_lines_never_empty_or_untrimmed(text):
    for name in parse_lines(text):
        assert name and name == name.strip() and name == clean(name)
