"""The pinned status message of each bloc and year."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import StatusBoard


def board_of(*, session: Session, bloc_id: int, year: int) -> StatusBoard | None:
    return session.exec(select(StatusBoard).where(StatusBoard.bloc_id == bloc_id, StatusBoard.year == year)).first()


def save_board(*, session: Session, bloc_id: int, year: int, chat_id: int, message_id: int, pinned: bool,
               pin_refusal_told: bool) -> StatusBoard:
    board = board_of(session=session, bloc_id=bloc_id, year=year) or StatusBoard(
        bloc_id=bloc_id, year=year, chat_id=chat_id, message_id=message_id)
    board.chat_id, board.message_id, board.pinned, board.pin_refusal_told = (chat_id, message_id, pinned,
                                                                             pin_refusal_told)
    session.add(board)
    return board
