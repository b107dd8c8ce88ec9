"""The benchmarks at a tiny scale, for correctness only (never timings): the seeder writes
what the real flow would, the data paths read it back right, and the fan-out reaches every
representative and group exactly once through the real bot under Telegram's limits."""

from __future__ import annotations

import io

from docx import Document
from sqlmodel import func, select

from bench.bench_data import build_documents, compile_list, queries_per_compile, services, status_of_all
from bench.bench_fanout import run_fanout
from bench.seed import seed
from storage.db import Database
from storage.models import BallotCast, Registration, Representative, Role, TgUser, Unit, VoteCount


def test_seeded_blocs_compile_to_their_winners(database_url):
    seeded = seed(Database(database_url), blocs=3, sizes=[5, 12, 25], year=2025)
    assert [b.size for b in seeded.blocs] == [5, 12, 25] and seeded.units == 42
    s = services(database_url)
    try:
        with s.db.session() as session:
            assert session.exec(select(func.count()).select_from(Unit)).one() == 42
            assert session.exec(select(func.count()).select_from(Representative)).one() == 42
            assert session.exec(select(func.count()).select_from(TgUser)).one() == 45  # + a secretary per bloc
            assert session.exec(select(func.count()).select_from(Registration)).one() == 42
            casts = session.exec(select(func.count()).select_from(BallotCast)).one()
            assert casts == sum(next(iter(b.returned.values())) for b in seeded.blocs)
            # The box: every row of a line says how many ballots came back for it.
            for row in session.exec(select(VoteCount)):
                bloc = next(b for b in seeded.blocs if b.vote_id == row.vote_id)
                assert row.votes == bloc.votes[row.code][row.unit_id]
                assert row.returned == bloc.returned[row.code]
        for bloc in seeded.blocs:
            messages, record = compile_list(s, bloc.chat_id)
            text = "\n".join(messages)
            assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG NĂM 2025" in text and bloc.name in text
            assert record.members == bloc.size and record.present == next(iter(bloc.returned.values()))
            assert any(bloc.selected.values()), bloc.selected
            for code, winners in bloc.selected.items():
                ids = {name: uid for uid, name in bloc.unit_names.items()}
                for name in winners:
                    assert f"{name} — {bloc.votes[code][ids[name]]}/{bloc.size} phiếu" in text, (code, name)
            documents = build_documents(s, record)
            assert sorted(documents) == ["list", "list_xlsx", "minutes", "proposal"]
            minutes = Document(io.BytesIO(documents["minutes"]))
            cells = "\n".join(c.text for t in minutes.tables for r in t.rows for c in r.cells)
            assert all(name in cells for name in bloc.selected["CO_TINH"])
        assert status_of_all(s) > 0
        counts = queries_per_compile(s, seeded)
        with s.db.session() as session:
            leaders = {b.id: bool(session.exec(select(Role).where(Role.bloc_id == b.id, Role.year == 2026)).first())
                       for b in seeded.blocs}
        # Constant: the same statements whatever the size (one more only when next year's
        # leaders are recorded and their names are read).
        assert {counts[b.size] - leaders[b.id] for b in seeded.blocs} == {counts[5] - leaders[seeded.blocs[0].id]}
    finally:
        s.db.dispose()


async def test_a_reminder_reaches_every_representative_once(database_url):
    figures = await run_fanout(database_url, blocs=3, units=16, sizes=[5, 6, 5], quiet=0.5, timeout=60,
                               label="smoke-fanout")
    assert figures.expected == 16 + 3
    assert (figures.delivered, figures.lost, figures.duplicated, figures.unexpected) == (19, 0, 0, 0)
    assert figures.too_many_after_first_second == 0
