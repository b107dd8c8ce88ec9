"""Documents the bot sends that more than one command sends: the year-end review's
documents (the record, the list, ...), sent by /danhsach and /binhxet (handlers/review.py)
and again, latest version, by /xuat (handlers/exports.py). The registration sheet is
handlers/status.py's (the status as a spreadsheet)."""

from __future__ import annotations

from telegram import Bot
from telegram.ext import Application

from exports import review_documents
from khoibot import outbox
from khoibot.services import Services, services_of
from storage import votes


async def send_latest_documents(app: Application, latest: dict, chat_id: int, year: int) -> None:
    """The latest version of each document of the year, read with /xuat's sheet
    (services.yearly.sheet), in the order of their kinds."""
    s: Services = services_of(app)
    for kind in review_documents.KINDS:
        if kind in latest:
            await send_document(app.bot, s, chat_id, latest[kind], year)


async def send_document(bot: Bot, s: Services, chat_id: int, document, year: int) -> None:
    caption = s.render("review.document_caption", kind=document.kind, version=document.version, year=year)
    sent = await outbox.send_document(bot, s, chat_id, document.file_id or document.content,
                                      filename=document.filename, caption=caption)
    if not document.file_id and sent is not None and sent.document is not None:
        with s.db.session() as session:
            votes.remember_file_id(session=session, document_id=document.id, file_id=sent.document.file_id)
