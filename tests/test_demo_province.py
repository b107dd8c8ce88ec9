"""`khoibot demo --province`: Huế's year with three blocs and the city's Ban Thi đua – Khen
thưởng, played against the real bot; the officers' board names the late bloc, the nominations
warn with their legal sources, the .xlsx and the .zip land in the output folder."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from khoibot import demo
from khoibot.config import Settings
from khoibot.demo.script import PROVINCE_SCRIPT
from tests.guards import file_texts, leaks, transcript_leaks

LATE = "Khối thi đua các trường đại học, cao đẳng"
BLOCS = ["Khối thi đua các Sở, ngành tổng hợp", "Khối thi đua các Tổ chức xã hội", LATE]
CAP_SOURCE = "Quy chế thi đua, khen thưởng thành phố Huế, Điều 8"
LAW_SOURCE = "Luật Thi đua, khen thưởng 2022 và Nghị định 152/2025/NĐ-CP (tiêu chuẩn Cờ thi đua của Chính phủ)"


def test_the_province_demo_plays_three_blocs_and_the_officers_receive_their_dossiers(tmp_path):
    out = io.StringIO()
    folder = tmp_path / "ket-qua"
    assert demo.run(PROVINCE_SCRIPT, folder, out=out) == 0, out.getvalue()[-3000:]
    transcript = out.getvalue()
    # Each bloc plays in its own group; the officer works in the Ban's group and in private.
    for bloc in BLOCS:
        assert f"[nhóm «{bloc}»] 🤖 khoibot:\n    │ ✅ Đã gửi hồ sơ năm 2025 (bản 1) lên Ban Thi đua – Khen thưởng " \
               "thành phố Huế." in transcript.replace(" (sửa tin nhắn đã gửi)", "")
    assert "📌 khoibot ghim tin nhắn «🏛 Ban Thi đua – Khen thưởng thành phố Huế — các khối thi đua năm 2025»" \
        in transcript
    # After the due date the board says who is late, by name.
    board = transcript.split("cán bộ Ban xem bảng theo dõi các khối ══", 1)[1]
    assert "Hồ sơ đã nhận: 2/3 khối · Chậm: 1 khối" in board
    assert f"Khối chậm: {LATE}" in board
    # The nominations list warns, each warning with its source.
    listing = board.split("👤 Nguyễn Thị Lan bấm nút «📋 Danh sách đề nghị»", 1)[1].split("══", 1)[0]
    assert ("Vượt giới hạn toàn thành phố: tối đa 2 đề nghị Cờ thi đua của Chính phủ, các khối đề nghị 3 — "
            f"Căn cứ: {CAP_SOURCE}") in listing
    assert ("Đơn vị đề nghị Cờ thi đua của Chính phủ phải là đơn vị khối đề nghị Cờ thi đua của Ủy ban nhân dân "
            f"thành phố, nhưng khối không đề nghị đơn vị này — Căn cứ: {LAW_SOURCE}") in listing

    # The officers' .xlsx, read back: every bloc's proposals, the warnings with their sources,
    # the late bloc's dossier dated after the due date.
    book = load_workbook(folder / "danh-sach-de-nghi-cac-khoi-2025.xlsx")
    rows = [r for r in book.active.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert {r[2] for r in rows} == set(BLOCS)
    flags = [r for r in rows if r[1] == "Cờ thi đua của Chính phủ"]
    assert sorted(r[3] for r in flags) == ["Hội Chữ thập đỏ", "Sở Tài chính", "Trường Đại học Y - Dược, Đại học Huế"]
    red_cross = next(r for r in flags if r[3] == "Hội Chữ thập đỏ")
    assert CAP_SOURCE in red_cross[7] and LAW_SOURCE in red_cross[7]
    assert {r[9] for r in rows if r[2] == LATE} == {"22/12/2025"}
    # The .zip: a folder per bloc, in the order an officer files them, with the version sent.
    names = zipfile.ZipFile(folder / "ho-so-cac-khoi-2025.zip").namelist()
    assert sorted({n.split("/")[0] for n in names}) == [f"0{i} - {b}" for i, b in enumerate(BLOCS, start=1)]
    assert f"03 - {LATE}/{LATE} - Tờ trình - bản 1.docx" in names
    # What every bloc's group received is kept apart; the first bloc's at the top, as in the one-bloc demo.
    assert (folder / "bien-ban-binh-xet-2025-v1.docx").exists()
    assert (folder / BLOCS[0] / "bien-ban-binh-xet-2025-v1.docx").exists()

    # No person reads an internal code or English, in a message or a document (tests/guards.py, guard A).
    codes = [t.code for t in Settings().catalogue.titles]
    found, read, people = transcript_leaks(transcript, codes)
    assert read > 100 and found == []
    documents = sorted([*folder.rglob("*.docx"), *folder.rglob("*.xlsx")])
    with zipfile.ZipFile(folder / "ho-so-cac-khoi-2025.zip") as archive:
        inside = [(n, archive.read(n)) for n in archive.namelist()]
    assert len(documents) >= 10 and len(inside) == 12
    for name, content in [(p.name, p.read_bytes()) for p in documents] + inside:
        for text in file_texts(name, content):
            assert not leaks(text, codes, people), (name, text)


def test_a_script_built_on_the_one_bloc_script_names_only_blocs_it_has(tmp_path, capsys):
    """[bloc] from = … takes the other script's bloc and names; a step naming a bloc the script
    does not have is refused before anything runs."""
    script = tmp_path / "tinh.toml"
    script.write_text(f'[bloc]\nfrom = "{Path(demo.__file__).with_name("hue-2025.toml")}"\n\n'
                      '[[step]]\nbloc = "SO"\nsay = "/tinhhinh"\n', encoding="utf-8")
    assert demo.run(script, tmp_path / "out", out=io.StringIO()) == 2
    assert "bước 1: không có khối nào mang mã «SO» trong các mục [[blocs]]" in capsys.readouterr().err


def test_the_khoibot_demo_command_has_a_province_shortcut(tmp_path):
    done = subprocess.run([sys.executable, "-m", "khoibot.cli", "demo", "--province", "--output", str(tmp_path)],
                          capture_output=True, text=True, timeout=180, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Nhóm của tỉnh: Ban Thi đua – Khen thưởng thành phố Huế" in done.stdout
    assert (tmp_path / "ho-so-cac-khoi-2025.zip").exists()
