"""`khoibot demo`: the Thừa Thiên Huế bloc's year played against the real bot without a
token; and what it says when a script is wrong or a step does not happen as written."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from docx import Document

from khoibot import demo
from khoibot.config import Settings
from tests.guards import file_texts, leaks, transcript_leaks

SMALL = """
[bloc]
name = "Khối thi đua số 3 (các tổ chức Hội)"
year = 2025
province = "Hòa Bình"
start = "05/01/2025 09:00"
secretary = "Bùi Thị Nga"
units = ["Hội Người cao tuổi", "Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Người mù", "Câu lạc bộ Hưu trí"]

[[step]]
add_bot = false

[[step]]
say = "/khoi Khối thi đua số 3 (các tổ chức Hội) 2025"
expect = "Đã lập Khối thi đua số 3"

[[step]]
say = "/donvi\\n{units}"
expect = "Đã thêm 5 đơn vị"
"""


def test_the_demo_plays_the_hue_blocs_year_and_writes_the_documents(tmp_path):
    out = io.StringIO()
    assert demo.run(output=tmp_path / "ket-qua", out=out) == 0, out.getvalue()[-3000:]
    transcript = out.getvalue()
    folder = tmp_path / "ket-qua"
    assert (folder / "transcript.txt").read_text(encoding="utf-8").strip() == transcript.strip()
    # Who said what where, as people read it.
    assert "[nhóm «Khối thi đua các Tổ chức xã hội»] 👤 Trần Thị Hoa: /khoi Khối thi đua các Tổ chức xã hội 2025" in transcript
    assert "[riêng · Lương Văn Phúc] 🤖 khoibot:\n    │ ⏰ Hạn bỏ phiếu suy tôn (còn 2 giờ)" in transcript
    assert "📌 khoibot ghim tin nhắn «📜 DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG NĂM 2025»" in transcript
    assert "✓ Xong" in transcript and str(folder) in transcript
    # The documents the bot attached are in the folder, readable.
    for name in ("bien-ban-binh-xet-2025-v2.docx", "danh-sach-de-nghi-2025-v2.docx",
                 "to-trinh-de-nghi-khen-thuong-2025-v2.docx", "danh-sach-de-nghi-2025-v2.xlsx",
                 "dang_ky_thi_dua_2025.xlsx"):
        assert (folder / name).stat().st_size > 1000, name
    minutes = Document(str(folder / "bien-ban-binh-xet-2025-v2.docx"))
    cells = "\n".join(c.text for t in minutes.tables for r in t.rows for c in r.cells)
    assert "Huế, ngày 10 tháng 12 năm 2025" in cells + "\n".join(p.text for p in minutes.paragraphs)
    assert "Hội Nhà báo" in cells
    # Huế has been a city since 2025 (the script's [[provinces]]): its titles and council are the city's.
    assert "Cờ thi đua của Ủy ban nhân dân thành phố" in transcript
    assert "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố" in transcript
    assert "Ủy ban nhân dân tỉnh" not in transcript
    proposal = Document(str(folder / "to-trinh-de-nghi-khen-thuong-2025-v2.docx"))
    proposal_text = "\n".join(p.text for p in proposal.paragraphs)
    assert "Hội đồng Thi đua - Khen thưởng thành phố Huế" in proposal_text
    assert "Cờ thi đua của Ủy ban nhân dân thành phố" in proposal_text
    # No person reads an internal code or English, in the conversation or in a document
    # (guard A of tests/guards.py, which the tests on the `world` fixture run after each test).
    codes = [t.code for t in Settings().catalogue.titles]
    found, read, people = transcript_leaks(transcript, codes)
    assert read > 100 and found == []
    documents = sorted([*folder.glob("*.docx"), *folder.glob("*.xlsx")])
    assert len(documents) >= 5
    for path in documents:
        for text in file_texts(path.name, path.read_bytes()):
            assert not leaks(text, codes, people), (path.name, text)
    # The demo logs as a deployment does: the token never reaches bot.log (issue 14, defect 10).
    log = (folder / "bot.log").read_text(encoding="utf-8")
    assert log.strip(), "the demo wrote no log at all"
    assert "TEST-token" not in log and "/bot123456" not in log


def test_a_step_that_does_not_happen_as_written_fails_the_demo(tmp_path):
    script = tmp_path / "khoi3.toml"
    script.write_text(SMALL + '\n[[step]]\nnote = "Danh sách"\nsay = "/tinhhinh"\nexpect = "Đã đăng ký: 5/5"\n',
                      encoding="utf-8")
    out = io.StringIO()
    assert demo.run(script, tmp_path / "out", out=out) == 1
    assert "✗ Bước 4 (Danh sách) không diễn ra như kịch bản:\nbot không nói «Đã đăng ký: 5/5»" in out.getvalue()


def test_a_script_that_cannot_be_played_is_refused_before_anything_runs(tmp_path, capsys):
    script = tmp_path / "sai.toml"
    script.write_text(SMALL + '\n[[step]]\nwho = "Hội Nông dân"\nsay = "/dangky"\n', encoding="utf-8")
    assert demo.run(script, tmp_path / "out", out=io.StringIO()) == 2
    assert "bước 4: «Hội Nông dân» không phải thư ký cũng không phải đơn vị của khối" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    script.write_text(SMALL + '\n[[step]]\nat = "01/01/2025 08:00"\n', encoding="utf-8")
    assert demo.run(script, tmp_path / "out", out=io.StringIO()) == 2
    assert "bước 4: đồng hồ không lùi được về 01/01/2025 08:00" in capsys.readouterr().err
    script.write_text(SMALL + '\n[[provinces]]\ncode = "HB"\nname = "Hòa Bình"\nkind = "tỉnh"\n', encoding="utf-8")
    assert demo.run(script, tmp_path / "out", out=io.StringIO()) == 2
    assert "giá trị của «provinces» không đúng kiểu" in capsys.readouterr().err


def test_the_khoibot_demo_command_replays_a_provinces_own_script(tmp_path):
    script = tmp_path / "khoi3.toml"
    script.write_text(SMALL, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "khoibot.cli", "demo", "--script", str(script),
                           "--output", str(tmp_path / "out")], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "👤 Bùi Thị Nga: /donvi" in done.stdout and "Đã thêm 5 đơn vị" in done.stdout
    assert (tmp_path / "out" / "transcript.txt").exists()
