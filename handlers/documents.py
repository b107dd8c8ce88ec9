"""Documents the bot sends that more than one command sends: the year-end review's
documents (the record, the list, ...), sent by /danhsach and /binhxet (handlers/review.py)
and again, latest version, by /xuat (handlers/exports.py). The registration sheet is
handlers/status.py's (the status as a spreadsheet)."""

from __future__ import annotations

from collections.abc import Callable

from telegram.ext import Application

from exports import review_documents
from khoibot import outbox
from khoibot.services import Services, services_of
from storage import votes
from storage.models import ReviewDocument


async def send_documents(app: Application, documents: dict, chat_id: int, year: int, *,
                         caption: Callable[[ReviewDocument], str] | None = None) -> None:
    """The documents of the year (kind -> the version to send: the list's when it is posted,
    the latest for /xuat, read with its sheet by services.yearly.sheet), in the order of their
    kinds. A file sent for the first time is sent as bytes; the ids Telegram gives the files
    are kept, all in one transaction after the sends, so later sends reuse them. ``caption``:
    each file's own (a dossier sent to the province names its bloc), else the review's."""
    s: Services = services_of(app)
    learnt: dict[int, str] = {}
    for kind in review_documents.KINDS:
        document = documents.get(kind)
        if document is None:
            continue
        text = caption(document) if caption else s.render("review.document_caption", kind=document.kind,
                                                           version=document.version, year=year)
        sent = await outbox.send_document(app.bot, s, chat_id, document.file_id or document.content,
                                          filename=document.filename, caption=text)
        if not document.file_id and sent is not None and sent.document is not None:
            learnt[document.id] = sent.document.file_id
    if learnt:
        with s.db.session() as session:
            for document_id, file_id in learnt.items():
                votes.remember_file_id(session=session, document_id=document_id, file_id=file_id)
