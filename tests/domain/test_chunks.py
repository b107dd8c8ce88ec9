"""Splitting long messages: under the limit, at paragraph and line boundaries, never
inside a tag or an entity."""

from hypothesis import given
from hypothesis import strategies as st

from domain.chunks import split_lines, utf16_len


def test_short_text_is_one_chunk():
    assert split_lines("a\nb") == ["a\nb"]


def test_paragraphs_stay_whole():
    blocks = [f"<b>Hội số {n}</b>\nhttps://t.me/khoibot_test_bot?start=i_{'x' * 32}\n(hết hạn 12/03/2025)"
              for n in range(60)]
    chunks = split_lines("\n\n".join(blocks))
    assert len(chunks) > 1
    for chunk in chunks:
        assert utf16_len(chunk) <= 4096
        for block in chunk.split("\n\n"):
            assert block in blocks  # no unit separated from its link


def test_an_overlong_line_is_cut_outside_entities():
    line = "• Lao động tiên tiến: 500 (" + ", ".join(f"Nguyễn &amp; Trần {n}" for n in range(400)) + ")"
    chunks = split_lines(line)
    assert len(chunks) > 1
    for chunk in chunks:
        assert utf16_len(chunk) <= 4096
        assert chunk.count("&") == chunk.count("&amp;")


@given(st.lists(st.text(alphabet="ab cđ\n", min_size=0, max_size=300), max_size=60))
def test_every_chunk_fits_and_nothing_is_lost(parts):
    text = "\n".join(parts)
    chunks = split_lines(text, limit=200)
    assert all(utf16_len(c) <= 200 for c in chunks)
    assert "".join(text.split()) == "".join("".join(chunks).split())
