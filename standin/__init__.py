"""A Telegram Bot API stand-in for tests, demos and benchmarks.

    standin = BotApiStandIn(token="123456:TEST-token", bot_username="khoibot_test_bot")
    await standin.start()
    app = ApplicationBuilder().token(standin.token).base_url(standin.base_url) \
        .base_file_url(standin.base_file_url).build()
    alice = standin.add_user("Nguyễn Thị Lan", username="lan_hkh")
    await alice.send_private("/start")
    alice.private_chat.last_bot_message().text
"""

from .errors import ApiError
from .faults import Fault, Faults, SendRecord, Stats
from .html import HtmlError, parse_html
from .server import BotApiStandIn, BotCall, ptb_idle_probe
from .state import Document, SimChat, SimFile, SimMessage, SimUser

__all__ = [
    "ApiError", "BotApiStandIn", "BotCall", "Document", "Fault", "Faults", "HtmlError", "SendRecord",
    "SimChat", "SimFile", "SimMessage", "SimUser", "Stats", "parse_html", "ptb_idle_probe",
]
