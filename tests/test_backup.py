"""Keeping the records: `khoibot db backup` copies the database while the bot runs, and
`khoibot db restore` puts the copy back; what was registered before the copy is there again."""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from khoibot.cli import main
from storage.models import Registration
from tests.samples import enrol, register, set_up_bloc

UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia"]


def khoibot(monkeypatch, url: str, *argv: str) -> int:
    monkeypatch.setenv("KHOIBOT_DATABASE_URL", url)
    monkeypatch.delenv("KHOIBOT_CONFIG", raising=False)
    return main(["db", *argv])


async def test_a_backup_taken_while_the_bot_runs_restores_every_registration(world, tmp_path, monkeypatch, capsys):
    url = world.settings.database.url
    if not url.startswith("sqlite"):
        assert khoibot(monkeypatch, url, "backup", str(tmp_path / "copy.sqlite3")) == 2
        assert "pg_dump" in capsys.readouterr().err
        return
    group, secretary = await set_up_bloc(world, units=UNITS)
    officers = await enrol(world, group, secretary, UNITS)
    await register(officers["Hội Chữ thập đỏ"], ["Tập thể lao động xuất sắc"])

    copy = tmp_path / "khoibot-2025-03-01.sqlite3"
    assert khoibot(monkeypatch, url, "backup", str(copy)) == 0  # the bot is running
    assert "Đã sao lưu cơ sở dữ liệu vào" in capsys.readouterr().out
    await register(officers["Hội Khuyến học"], ["Tập thể lao động tiên tiến"])  # after the copy
    # A second copy under the same name is refused, the first one kept.
    size = copy.stat().st_size
    assert khoibot(monkeypatch, url, "backup", str(copy)) == 2
    assert "đã có" in capsys.readouterr().err and copy.stat().st_size == size

    await world.stop_bot()
    # Restoring asks for a confirmation first and changes nothing without it.
    assert khoibot(monkeypatch, url, "restore", str(copy)) == 2
    assert "--yes" in capsys.readouterr().err
    assert khoibot(monkeypatch, url, "restore", str(copy), "--yes") == 0
    await world.start_bot()

    with world.db.session() as session:
        registered = session.exec(select(Registration).where(Registration.current)).all()
    assert len(registered) == 1  # the moment of the copy: Hội Khuyến học registered after it
    await secretary.send(group, "/tinhhinh")
    status = group.last_bot_message().text
    assert "Đã đăng ký: 1/3" in status and "Hội Chữ thập đỏ: Tập thể lao động xuất sắc" in status


def test_a_file_that_is_not_a_database_is_not_restored(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'khoibot.sqlite3'}"
    assert khoibot(monkeypatch, url, "upgrade") == 0
    capsys.readouterr()
    junk = tmp_path / "not-a-copy.sqlite3"
    junk.write_bytes(b"this is not SQLite" * 100)
    assert khoibot(monkeypatch, url, "restore", str(junk), "--yes") == 1
    assert "không sao lưu/khôi phục được" in capsys.readouterr().err
    assert khoibot(monkeypatch, url, "current") == 0  # the database is still sound


@pytest.mark.parametrize("url", ["postgresql://postgres@127.0.0.1:5432/test"])
def test_postgresql_is_backed_up_with_pg_dump(url, tmp_path, monkeypatch, capsys):
    assert khoibot(monkeypatch, url, "backup", str(tmp_path / "x.dump")) == 2
    err = capsys.readouterr().err
    assert "pg_dump --format=custom" in err and "pg_restore" in err


async def test_postgresql_dump_and_restore_as_operations_md_says(world, tmp_path):
    """docs/OPERATIONS.md's PostgreSQL procedure: pg_dump while the bot runs, pg_restore --clean
    with the bot stopped; what was registered before the dump is there again, what came after is not."""
    url = world.settings.database.url
    if url.startswith("sqlite"):
        pytest.skip("the PostgreSQL procedure (the SQLite one is tested above)")
    dump, restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if not (dump and restore):
        pytest.skip("pg_dump / pg_restore are not installed")
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    schema = parse_qs(parts.query)["options"][0].removeprefix("-csearch_path=")
    server = f"{parts.scheme}://{parts.netloc}{parts.path}"
    group, secretary = await set_up_bloc(world, units=UNITS)
    officers = await enrol(world, group, secretary, UNITS)
    await register(officers["Hội Chữ thập đỏ"], ["Tập thể lao động xuất sắc"])
    copy = tmp_path / "khoibot.dump"
    subprocess.run([dump, "--format=custom", f"--schema={schema}", f"--file={copy}", server], check=True)
    await register(officers["Hội Khuyến học"], ["Tập thể lao động tiên tiến"])  # after the dump
    await world.stop_bot()
    subprocess.run([restore, "--clean", "--if-exists", f"--dbname={server}", str(copy)], check=True)
    await world.start_bot()
    with world.db.session() as session:
        kept = {r.unit_id: r.collective for r in session.exec(select(Registration).where(Registration.current))}
    assert list(kept.values()) == [["TTLDXS"]]
    await officers["Hội Khuyến học"].send_private("/dangky")
    assert "chưa đăng ký" in officers["Hội Khuyến học"].private_chat.last_bot_message().text
