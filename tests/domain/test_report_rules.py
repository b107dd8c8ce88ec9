"""Which files /baocao takes and the name each is kept under (domain.reports)."""

from domain.reports import EMPTY, MAX_BYTES, MAX_NAME, TOO_LARGE, WRONG_KIND, file_problem, stored_name


def test_reports_of_the_usual_office_kinds_are_taken_whatever_the_case_of_their_extension():
    for name in ("Báo cáo sơ kết.pdf", "BC tổng kết.DOCX", "bang_diem.xlsx", "hồ sơ.zip", "bc.odt"):
        assert file_problem(name, 1000) is None, name


def test_other_kinds_empty_files_and_files_too_large_to_download_are_refused():
    assert file_problem("virus.exe", 1000) == WRONG_KIND
    assert file_problem("baocao", 1000) == WRONG_KIND  # no extension at all
    assert file_problem("trống.pdf", 0) == EMPTY
    assert file_problem("lớn.pdf", MAX_BYTES + 1) == TOO_LARGE
    assert file_problem("vừa.pdf", MAX_BYTES) is None
    assert file_problem("không rõ cỡ.pdf", None) is None  # Telegram need not tell the size


def test_names_are_kept_on_one_line_and_shortened_in_their_stem():
    assert stored_name("Báo\ncáo\u200b.pdf").count("\n") == 0
    assert stored_name(None) == stored_name("") == "baocao"
    long = stored_name("Báo cáo tổng kết " * 30 + ".docx")
    assert len(long) <= MAX_NAME and long.endswith(".docx")
    dotted = stored_name("v1." + "x" * 300)  # a "suffix" longer than an extension is cut like the stem
    assert len(dotted) == MAX_NAME and dotted.startswith("v1.")
