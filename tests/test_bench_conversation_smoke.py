"""The conversation benchmark at a tiny scale: it runs end to end and is correct (every
representative's registration is in the database, the echo bot answered every update).
Timings are printed by the benchmark, never asserted here."""

from __future__ import annotations

import pytest

from bench import bench_conversation

pytestmark = pytest.mark.timeout(120)


async def test_conversation_bench_runs(tmp_path):
    run = await bench_conversation.run([3], 1, tmp_path, warm_up=1, log=lambda *_: None)
    units = [f"Đơn vị số {i} của khối 1" for i in (1, 2, 3)]
    # Warm-up: the first unit registered once more before the measured burst.
    assert run.registrations == {units[0]: 2, units[1]: 1, units[2]: 1}
    per_person = len(run.kinds)
    assert per_person >= 8 and set(run.kinds) == {"M", "C"}
    (echo,) = [b for _, _, b in run.bursts if b.bot == "echo"]
    (bot,) = [b for _, _, b in run.bursts if b.bot == "khoibot"]
    assert echo.updates == bot.updates == 3 * per_person
    assert len(echo.latencies) == echo.updates and all(x >= 0 for x in echo.latencies)
    assert len(bot.latencies) == bot.updates
    assert bench_conversation.markdown(run, "python -m bench.bench_conversation --levels 3 --rounds 1")
