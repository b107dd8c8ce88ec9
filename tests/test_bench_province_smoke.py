"""The province benchmark at a tiny scale, for correctness only (never timings): the seeding
plays every bloc to its list and dossier as the bot would leave them, and what the officers
read back (board, nominations, .xlsx, .zip) holds every bloc of the province and none of another."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook
from sqlmodel import func, select

from bench.bench_province import COUNTRY, archive, board, nominations, play, services, workbook
from storage.models import Dossier, ReviewDocument


def test_a_small_country_played_to_the_dossiers_reads_back_per_province(database_url):
    country = COUNTRY[:3]
    played = play(database_url, country, blocs=9, units=70, weights=[2.0, 1.0, 1.0], real_documents=False)
    assert [len(played.blocs_of[code]) for code, _, _ in country] == [5, 2, 2]
    s = services(database_url, country)
    try:
        with s.db.session() as session:
            documents = session.exec(select(func.count()).select_from(ReviewDocument)).one()
            sent = session.exec(select(func.count()).select_from(Dossier)).one()
        assert documents >= 9 * 4 and sent == len(played.sent | played.late)
        for province in s.provinces.all:
            ours = set(played.blocs_of[province.code])
            found, text = board(s, province)
            assert {stage.bloc.id for stage in found.stages} == ours
            assert {stage.bloc.id for stage in found.stages if stage.late_dossier} == ours - played.sent
            assert f"Hồ sơ đã nhận: {len(ours & (played.sent | played.late))}/{len(ours)} khối" in text
            listed, messages = nominations(s, province)
            proposals = {(b.id, code, unit) for b in played.seeded.blocs if b.id in ours
                         for code, units in b.selected.items() for unit in units}
            assert {(n.bloc.id, n.title.code, n.unit.name) for n in listed.items} == proposals
            assert all("Căn cứ: " in m for m in messages if "⚠️" in m)
            rows = [r for r in load_workbook(io.BytesIO(workbook(s, province))).active.iter_rows(values_only=True)
                    if isinstance(r[0], int)]
            assert len(rows) == len(proposals)
            names = zipfile.ZipFile(io.BytesIO(archive(s, province))).namelist()
            folders = {n.split("/")[0].split(" - ", 1)[1] for n in names}
            assert folders == {b.name for b in played.seeded.blocs if b.id in ours & (played.sent | played.late)}
        # The rule profile warns somewhere: the Government flag is capped across each province.
        warned = [n for p in s.provinces.all for n in nominations(s, p)[0].items if n.warnings]
        assert warned and all(w.source for n in warned for w in n.warnings)
    finally:
        s.db.dispose()
