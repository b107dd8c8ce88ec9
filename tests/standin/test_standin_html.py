"""Telegram HTML parsing and text helpers, without a server."""

import pytest

from standin.html import HtmlError, parse_html
from standin.text import detect_entities, render_html, trim, utf16_len


def reason(src: str, strict: bool = True) -> str:
    with pytest.raises(HtmlError) as e:
        parse_html(src, strict=strict)
    return e.value.reason


@pytest.mark.parametrize("src, expected", [
    # Telegram's own parser gives these texts (UTF-8 byte offsets; 🏟 is 4 bytes).
    ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
    ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
    ("🏟 🏟&lt;<i    aba>", 'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13'),
    ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
    ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
    ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
    ("🏟 🏟&lt;<i>a</em   >", 'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"'),
    ("<b>đậm", "Can't find end tag corresponding to start tag b"),
    ("<b>x <i>y</b></i>", 'Unmatched end tag at byte offset 9, expected "</i>", found "</b>"'),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("<br>", 'Unsupported start tag "br" at byte offset 0'),
    ("&#57311;", "Text contains invalid Unicode characters after decoding HTML entities, "
                 "check for unmatched surrogate code units"),
])
def test_malformed_html_is_refused_with_telegrams_reason(src, expected):
    assert reason(src, strict=False) == expected
    assert reason(src, strict=True) == expected


def test_strict_mode_also_refuses_what_telegram_would_show_literally():
    assert reason("Hội A & Hội B") == 'Character "&" must be escaped as "&amp;" at byte offset 8'
    assert reason("a&nbsp;b") == 'Unsupported HTML entity "&nbsp;" at byte offset 1'
    assert reason('<b class="x">y</b>') == 'Unsupported attribute "class" in the tag "b" at byte offset 0'
    # ...which Telegram itself accepts:
    assert parse_html("Hội A & Hội B", strict=False) == ("Hội A & Hội B", [])


def test_entities_are_utf16_and_sorted():
    text, entities = parse_html("🏟 <b>Khối <i>thi đua</i></b> &lt;2025&gt; &#x1F3C6;")
    assert text == "🏟 Khối thi đua <2025> 🏆"
    assert entities == [{"type": "bold", "offset": 3, "length": 12},
                        {"type": "italic", "offset": 8, "length": 7}]


def test_links_pre_code_spoiler_blockquote():
    text, entities = parse_html(
        '<a href="https://t.me/x?a=1&amp;b=2">link</a> <a href=telegram.org>t</a> '
        '<pre><code class="language-python">x=1</code></pre> <code>c</code> '
        '<span class="tg-spoiler">s</span> <tg-spoiler>s</tg-spoiler> '
        '<blockquote>q</blockquote><blockquote expandable>e</blockquote> <a href="javascript:x">j</a>')
    types = [(e["type"], e.get("url") or e.get("language")) for e in entities]
    assert types == [("text_link", "https://t.me/x?a=1&b=2"), ("text_link", "http://telegram.org/"),
                     ("pre", "python"), ("code", None), ("spoiler", None), ("spoiler", None),
                     ("blockquote", None), ("expandable_blockquote", None)]
    assert text.startswith("link t x=1 c s s qe j")


def test_nothing_is_nested_inside_code():
    assert parse_html("<code><b>x</b></code>") == ("x", [{"type": "code", "offset": 0, "length": 1}])
    assert parse_html("<pre><code>x</code></pre>") == ("x", [{"type": "pre", "offset": 0, "length": 1}])


def test_trim_shifts_entities_and_counts_utf16():
    text, entities = trim("  \n🏆 cup \n", [{"type": "bold", "offset": 3, "length": 3}])
    assert text == "🏆 cup"
    assert entities == [{"type": "bold", "offset": 0, "length": 3}]
    assert utf16_len("🏆a") == 3


def test_automatic_entities_like_telegram():
    text = "/khoi@khoibot_test_bot Khối 2025 /x@other_bot @lan_hkh https://t.me/abc. #thi_dua"
    found = [(e["type"], text[e["offset"]:e["offset"] + e["length"]]) for e in detect_entities(text)]
    assert found == [("bot_command", "/khoi@khoibot_test_bot"), ("bot_command", "/x@other_bot"),
                     ("mention", "@lan_hkh"), ("hashtag", "#thi_dua"), ("url", "https://t.me/abc")]


def test_render_html_round_trips():
    src = '<b>Đậm <i>nghiêng</i></b> &lt;x&gt; <a href="https://example.org/">l</a> <code>c</code>'
    assert render_html(*parse_html(src)) == src
