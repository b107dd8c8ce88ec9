"""Names and free text carrying HTML, Jinja2 syntax, quotes, backslashes, control
characters and great length are shown as text, never interpreted: in every message (the
stand-in parses HTML as strictly as Telegram and refuses what Telegram would), on the
board, in the lists, and in the files read back. Control characters in anything stored
are dropped (domain.text.clean), the same way everywhere."""

from __future__ import annotations

import ast
import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from domain.text import clean
from khoibot.render import Renderer
from storage.models import Bloc, Milestone, Registration, Report, TgUser, Unit
from tests.conftest import TZ
from tests.samples import enrol, register, set_up_bloc

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<b>in đậm</b> <script>alert('x')</script> &amp; {{ 7*7 }} {% if true %}có{% endif %} {# chú #} \"'\\"
CONTROLS = "\x00\x01\x07\x1b\x7f\u2028\u202e\u200f"
BLOC = "Khối <i>số 3</i> {{ 7*7 }} & \"Hội\""
UNIT_A = "Hội <b>Khuyến học</b> {{ 7*7 }}"
UNIT_B = "Hội \"Luật gia\" & 'Đông y' \\ {% raw %}"
UNIT_C = "Hội \x00\x07\u202eNhà\u200f báo\x7f"  # stored as "Hội Nhà báo"
LONG = "Hội " + "Dài" * 80  # over the 200-character limit of a unit name


def literal_in(message, text: str) -> bool:
    """The text appears as typed in what the person reads (not as formatting)."""
    return text in (message.text or message.caption or "")


async def test_hostile_names_and_text_are_shown_as_text_everywhere(world):
    group, secretary = await set_up_bloc(world, title=BLOC, units=[UNIT_A, UNIT_B, UNIT_C])
    group.promote_bot(can_pin=True)
    assert literal_in(group.last_bot_message(), "{{ 7*7 }}")
    await secretary.send(group, "/donvi\n" + LONG)
    assert "Tên dài quá 200 ký tự" in group.last_bot_message().text
    await secretary.send(group, "/donvi\n\x00\x07\u202e")  # nothing but control characters: nothing added

    with world.db.session() as session:
        names = sorted(session.exec(select(Unit.name)).all())
        bloc_name = session.exec(select(Bloc.name)).one()
    assert names == sorted([UNIT_A, UNIT_B, "Hội Nhà báo"]) and clean(UNIT_C) == "Hội Nhà báo"
    assert bloc_name == BLOC
    assert not any(ch in "".join(names) for ch in CONTROLS)

    # People with hostile Telegram names enrol; one types hostile targets.
    officers = await enrol(world, group, secretary, [UNIT_A, UNIT_B])
    officer = officers[UNIT_A]
    officer.first_name, officer.last_name = "<u>Lan</u> {{ 7*7 }}", f"Trần{CONTROLS}'\\"
    await officer.send_private("/start")
    await register(officer, ["Tập thể lao động xuất sắc"], targets=f"{HOSTILE}\n{CONTROLS}dòng hai")
    review = officer.private_chat.last_bot_message()
    assert literal_in(review, "{{ 7*7 }}") and literal_in(review, "<script>alert('x')</script>")
    assert literal_in(review, "{% if true %}có{% endif %}") and literal_in(review, "{# chú #}")

    # A meeting with a hostile place; a report with a hostile file name.
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hội nghị sơ kết")
    await secretary.reply(group.last_bot_message(), f"14:00 15/7/2025, <b>Hội trường</b> {{{{ 7*7 }}}}{CONTROLS} & 'A'")
    assert literal_in(group.last_bot_message(), "<b>Hội trường</b> {{ 7*7 }} & 'A'")
    await officer.send_private("/baocao")
    await officer.press(officer.private_chat.last_bot_message(), "Báo cáo 6 tháng")
    await officer.send_document(officer.private_chat, f"<b>bc</b>{{{{7*7}}}}{CONTROLS}.pdf", b"%PDF-1.4")
    assert literal_in(officer.private_chat.last_bot_message(), "<b>bc</b>{{7*7}}")

    with world.db.session() as session:
        place = session.exec(select(Milestone.place)).one()
        filename = session.exec(select(Report.filename)).one()
        targets = session.exec(select(Registration.targets)).one()
        person = session.get(TgUser, officer.id)
    for stored in (place, filename, targets, person.first_name, person.last_name):
        assert not any(ch in stored for ch in CONTROLS), repr(stored)
    assert targets.split("\n")[1] == "dòng hai"  # the line kept, its control characters dropped
    assert place == "<b>Hội trường</b> {{ 7*7 }} & 'A'" and filename == "<b>bc</b>{{7*7}} .pdf"

    # Every view: the roster, the board, the status, the calendar, the reminders.
    for command in ("/donvi", "/tinhhinh", "/lich", "/khoi", "/thuky"):
        await secretary.send(group, command)
    await world.run_reminders(datetime(2025, 7, 15, 7, 30, tzinfo=TZ))
    # (The secretary's private chat holds invitation links, random tokens: left out of the "49" check.)
    shown = [m for m in group.bot_messages() + officer.private_chat.bot_messages() if m.text or m.caption]
    everything = "\n".join((m.text or m.caption or "") for m in shown)
    assert "{{ 7*7 }}" in everything and "49" not in everything
    assert "<b>Khuyến học</b>" in everything and "Hội \"Luật gia\" & 'Đông y' \\ {% raw %}" in everything
    assert "<u>Lan</u> {{ 7*7 }}" in everything
    # The stand-in refused nothing the bot sent (a 400 would be bad HTML or a bad length).
    refused = {key: n for key, n in world.standin.stats.errors.items() if key[1] == 400}
    assert refused == {}, refused

    # The files: the registration sheet and the year's whole data, read back.
    await secretary.send(group, "/xuat")
    sheet = next(m for m in reversed(group.bot_messages()) if m.document)
    await secretary.press(sheet, "Toàn bộ dữ liệu năm 2025")
    cells = []
    for content in (sheet.document[1], secretary.private_chat.last_bot_message().document[1]):
        workbook = load_workbook(io.BytesIO(content))
        cells += [str(v) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for v in row
                  if v is not None]
    text = "\n".join(cells)
    for typed in (UNIT_A, UNIT_B, "<b>Hội trường</b> {{ 7*7 }} & 'A'", "<script>alert('x')</script>",
                  "<u>Lan</u> {{ 7*7 }}"):
        assert typed in text, typed


def test_html_messages_are_autoescaped_and_plain_ones_are_only_for_labels():
    render = Renderer(TZ)
    unit = type("U", (), {"name": "<b>X</b> {{ 7*7 }} & 'y'"})()
    html = render("roster.removed", unit=unit)
    assert "&lt;b&gt;X&lt;/b&gt; {{ 7*7 }} &amp; &#39;y&#39;" in html  # fails if autoescape were off
    assert "49" not in html
    assert render._html.autoescape is True and render._plain.autoescape is False
    assert "<b>X</b>" in render.plain("roster.removed", unit=unit)  # labels and console: not HTML


def test_no_other_template_engine_renders_people_s_text():
    """Every jinja2 Environment is made in khoibot/render.py (the HTML one autoescapes); the
    document builders fill fixed words with str.format and write values as cells."""
    makers = []
    for path in ROOT.rglob("*.py"):
        if any(part in (".git", "tests", "khoibot.egg-info") or part.startswith(".") for part in path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("Environment", "Template", "from_string"):
                    makers.append((path.relative_to(ROOT).as_posix(), name))
    assert makers == [("khoibot/render.py", "Environment")], makers
