"""The form-against-conversation benchmark at a tiny scale: it runs end to end against the real
bot and its web server, and everyone is registered both ways (in the database, with the same
content, and with a receipt in their chat). Timings are printed by the benchmark, never asserted here."""

from __future__ import annotations

import pytest

from bench import bench_forms

pytestmark = pytest.mark.timeout(180)


async def test_form_and_conversation_bench_runs(tmp_path):
    run = await bench_forms.run(3, 1, tmp_path, log=lambda *_: None)
    units = [f"Đơn vị số {i} của khối {1 if i <= 3 else 2}" for i in range(1, 7)]
    assert run.units == {"form": units[:3], "conversation": units[3:]}
    # The warm-up round and the measured one: each unit registered twice, none lost or doubled.
    assert run.registrations == {unit: 2 for unit in units}
    form, conversation = (next(b for b in run.bursts if b.way == way) for way in ("form", "conversation"))
    assert len(form.people) == len(conversation.people) == 3
    # The form is two requests a person (read the form, send it); the conversation many updates.
    assert [t.requests for t in form.people] == [2, 2, 2]
    assert all(t.requests >= 8 for t in conversation.people)
    # Every form's receipt came in its chat, after the submit was answered.
    assert all(t.began <= t.registered <= t.receipt for t in form.people + conversation.people)
    assert form.calls["sendMessage"] >= 3
    assert bench_forms.markdown(run, "python -m bench.bench_forms --people 3 --rounds 1").startswith(
        "## Mini App form vs conversation (issue 17)")
