"""Webhook mode behind a real proxy: Debian's nginx, with the site file the project ships
(deploy/nginx/khoibot.conf) and a self-signed certificate; the stand-in posts each update over
HTTPS to nginx with Telegram's secret header (trusting the certificate because the bot uploaded
it with setWebhook, as Telegram does), nginx forwards it to the bot. A wrong or missing secret is
refused; the Mini Apps and the health checks are served through the same proxy. Also: the
systemd unit is checked by ``systemd-analyze verify`` where it runs."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import os
import secrets
import shutil
import ssl
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from standin import BotApiStandIn
from tests.conftest import BOT_USERNAME, TOKEN
from tests.test_webhook import SECRET_HEADER, _eventually, _free_port, _stops_cleanly

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "khoibot.conf"
UNIT = ROOT / "deploy" / "systemd" / "khoibot.service"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _need(tool: str, path: str | None) -> str:
    if path and os.access(path, os.X_OK):
        return path
    reason = f"{tool} is missing (Debian's package; scripts/test installs it when it can)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, signed by its own key: what a proxy without a CA's uses."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def site_for(folder: Path, *, https: int, http: int, webhook: int, web: int, cert: Path, key: Path) -> Path:
    """The shipped site file with this test's ports, certificate and server name."""
    text = SITE.read_text(encoding="utf-8")
    for old, new in (("listen 443 ssl", f"listen 127.0.0.1:{https} ssl"), ("listen 80;", f"listen 127.0.0.1:{http};"),
                     ("127.0.0.1:8443", f"127.0.0.1:{webhook}"), ("127.0.0.1:8080", f"127.0.0.1:{web}"),
                     ("/etc/ssl/khoibot/fullchain.pem", str(cert)), ("/etc/ssl/khoibot/privkey.pem", str(key)),
                     ("khoibot.example.gov.vn", "127.0.0.1")):
        assert old in text, f"the site file no longer says {old!r}"
        text = text.replace(old, new)
    site = folder / "khoibot.conf"
    site.write_text(text, encoding="utf-8")
    main = folder / "nginx.conf"
    main.write_text(f"""
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    include {site};
}}
""", encoding="utf-8")
    return main


async def test_webhook_and_mini_apps_through_nginx(tmp_path):
    nginx = _need("nginx", NGINX)
    cert, key = self_signed(tmp_path)
    https, plain, webhook, web = (_free_port() for _ in range(4))
    conf = site_for(tmp_path, https=https, http=plain, webhook=webhook, web=web, cert=cert, key=key)
    checked = subprocess.run([nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proxy = await asyncio.create_subprocess_exec(nginx, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;",
                                                 stderr=asyncio.subprocess.PIPE)
    standin = BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME)
    await standin.start()
    secret = secrets.token_urlsafe(24)
    public = f"https://127.0.0.1:{https}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHOIBOT_")}
    env.update({
        "PYTHONPATH": str(ROOT), "KHOIBOT_TELEGRAM_TOKEN": TOKEN, "KHOIBOT_TELEGRAM_BASE_URL": standin.base_url,
        "KHOIBOT_TELEGRAM_BASE_FILE_URL": standin.base_file_url, "KHOIBOT_TELEGRAM_MODE": "webhook",
        "KHOIBOT_TELEGRAM_WEBHOOK_URL": f"{public}/telegram/webhook", "KHOIBOT_TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
        "KHOIBOT_TELEGRAM_WEBHOOK_PORT": str(webhook), "KHOIBOT_TELEGRAM_WEBHOOK_SECRET": secret,
        "KHOIBOT_TELEGRAM_WEBHOOK_CERTIFICATE": str(cert),
        "KHOIBOT_WEB_ENABLED": "true", "KHOIBOT_WEB_PORT": str(web), "KHOIBOT_WEB_PUBLIC_URL": f"{public}/app",
        "KHOIBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
    })
    bot = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    trust = ssl.create_default_context(cafile=str(cert))
    try:
        await _eventually(lambda: standin.webhook is not None or bot.returncode is not None,
                          what="the bot did not call setWebhook")
        assert bot.returncode is None, (await bot.stderr.read()).decode()
        assert standin.webhook["url"] == f"{public}/telegram/webhook"
        assert standin.webhook.get("certificate", "").startswith("-----BEGIN CERTIFICATE-----")
        # A person writes; the update goes stand-in → HTTPS → nginx → the bot, the answer comes back.
        lan = standin.add_user("Nguyễn Thị Lan")
        await lan.send_private("/start", settle=False)
        await _eventually(lambda: lan.private_chat.bot_messages(), standin=standin,
                          what="the update did not reach the bot through nginx")
        assert "Chào Nguyễn Thị Lan!" in lan.private_chat.last_bot_message().text
        assert standin.stats.calls["getUpdates"] == 0
        forged = {"update_id": 99, "message": {
            "message_id": 1, "date": 0, "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            "chat": {"id": 42, "type": "private", "first_name": "Kẻ giả"},
            "from": {"id": 42, "is_bot": False, "first_name": "Kẻ giả"}}}
        async with aiohttp.ClientSession() as http:
            async def status(method: str, path: str, **kwargs) -> int:
                async with http.request(method, f"{public}{path}", ssl=trust, **kwargs) as response:
                    await response.read()
                    return response.status

            # Wrong or missing secret: refused by the bot, through the proxy; the forged sender hears nothing.
            assert await status("POST", "/telegram/webhook", json=forged, headers={SECRET_HEADER: "wrong"}) == 403
            assert await status("POST", "/telegram/webhook", json=forged) == 403
            assert await status("GET", "/telegram/webhook") == 403  # nginx: only POST
            # The Mini Apps and the health checks through the same proxy.
            assert await status("GET", "/app/dangky") == 200
            assert await status("GET", "/app/static/telegram-web-app.js") == 200
            assert await status("POST", "/app/api/registration/state", json={}) == 401  # no initData
            assert await status("GET", "/healthz") == 200
            assert await status("GET", "/nothing-here") == 404
        assert {s.chat_id for s in standin.stats.sends} == {lan.id}
        await _stops_cleanly(bot)
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        proxy.terminate()
        await proxy.wait()
        await standin.stop()


def test_the_systemd_unit_is_valid(tmp_path):
    analyze = _need("systemd-analyze", shutil.which("systemd-analyze"))
    # verify resolves ExecStart: a copy of the unit points at a stand-in executable.
    fake = tmp_path / "khoibot"
    fake.write_text("#!/bin/sh\n", encoding="utf-8")
    fake.chmod(0o755)
    shipped = UNIT.read_text(encoding="utf-8").replace("/opt/khoibot/.venv/bin/khoibot", str(fake))

    def complaints(text: str) -> list[str]:
        unit = tmp_path / "khoibot.service"
        unit.write_text(text, encoding="utf-8")
        result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
        return [line for line in (result.stderr + result.stdout).splitlines() if str(unit) in line]

    assert complaints(shipped) == []
    # The check sees a mistake (systemd only warns and goes on, exit code 0).
    assert complaints(shipped.replace("Restart=always", "Restart=sometimes"))
