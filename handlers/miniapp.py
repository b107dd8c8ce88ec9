"""The buttons and links that open the Mini Apps (webapp/), when the deployment serves them
(``[web]`` enabled with a public HTTPS address): a ``web_app`` button in private chats, and in
groups, where Telegram allows no ``web_app`` button, a link to the Direct Link Mini App with a
start parameter naming the page (and the bloc, for its status page)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from khoibot.services import Services

REGISTRATION, BALLOT, STATUS = "dangky", "bophieu", "tinhhinh"
# The start parameter of a group's link: which page, and for the status page which bloc.
START_PARAMS = {REGISTRATION: "dk", BALLOT: "bp", STATUS: "tt"}
LABELS = {REGISTRATION: "common.btn_form_registration", BALLOT: "common.btn_form_ballot",
          STATUS: "common.btn_form_status"}


def served(s: Services) -> bool:
    web = s.settings.web
    return web.enabled and bool(web.public_url)


def form_button(s: Services, page: str) -> InlineKeyboardButton | None:
    """A private chat's button opening the page, or None when no Mini App is served."""
    if not served(s):
        return None
    return InlineKeyboardButton(s.render.plain(LABELS[page]),
                                web_app=WebAppInfo(f"{s.settings.web.public_url}/{page}"))


def group_link(s: Services, bot_username: str, page: str, bloc_id: int | None = None) -> InlineKeyboardButton | None:
    """A group's button (a plain link) opening the page as a Direct Link Mini App."""
    if not served(s):
        return None
    param = START_PARAMS[page] + (f"-{bloc_id}" if bloc_id is not None else "")
    name = s.settings.web.app_short_name
    url = f"https://t.me/{bot_username}/{name}?startapp={param}" if name else \
        f"https://t.me/{bot_username}?startapp={param}"
    return InlineKeyboardButton(s.render.plain(LABELS[page]), url=url)


def with_row(markup, button: InlineKeyboardButton | None):
    """The keyboard (or none) with the button as a last row of its own; unchanged without one."""
    if button is None:
        return markup
    rows = [list(row) for row in markup.inline_keyboard] if markup is not None else []
    return InlineKeyboardMarkup([*rows, [button]])
