"""The renderer keeps the templates' compiled code for the process (khoibot/render.py): a
second bot start renders exactly what the first did, escaped in HTML and left as typed in
plain text, whichever kind of rendering came first."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from khoibot.render import Renderer

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NAME = "Nguyễn Văn A <Hội Luật gia & cộng sự>"


def test_a_second_renderer_says_the_same_escaped_in_html_and_as_typed_in_plain_text():
    first = Renderer(TZ)
    plain_first = first.plain("common.mention", user_id=42, user_name=NAME)
    html_first = first("common.mention", user_id=42, user_name=NAME)
    second = Renderer(TZ)
    assert second("common.mention", user_id=42, user_name=NAME) == html_first
    assert second.plain("common.mention", user_id=42, user_name=NAME) == plain_first
    assert "&lt;Hội Luật gia &amp; cộng sự&gt;" in html_first and NAME in plain_first
