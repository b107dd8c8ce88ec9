"""The demo's transcript: who did what in which chat, and what the bot answered, as the
people would read it. It watches the stand-in from outside (the updates it queues for the
bot, the sends and edits that took effect, the pins, the answers to button presses) and
keeps the documents the bot sent."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from khoibot.render import Renderer
from standin import BotApiStandIn

EDIT_LINES = 4


class Transcript:
    def __init__(self, standin: BotApiStandIn, render: Renderer, folder: Path,
                 out: TextIO = sys.stdout) -> None:
        self.standin = standin
        self.render = render
        self.folder = folder
        self.out = out
        self.lines: list[str] = []
        self.said: list[str] = []  # what the bot said (texts, captions, alerts) since the step began
        self.files: list[str] = []  # documents the bot sent since the step began
        self.saved: list[str] = []  # every document written to the folder (its path there), in order
        self.home: set[int] = set()  # chats whose documents go to the folder itself (others: a subfolder each)
        self._written: dict[str, bytes] = {}
        self._pending: list[str] = []  # people's actions not printed yet
        self._presses: list[tuple[str, str]] = []  # (query id, person) waiting for the bot's answer
        self._sends_seen = 0
        self._pins: dict[int, int | None] = {}
        world = standin.world
        queue = world.enqueue

        def watched(kind: str, payload: dict[str, Any]) -> None:
            self._person_did(kind, payload)  # before the bot can change the message pressed
            queue(kind, payload)

        world.enqueue = watched

    # ---- output
    def write(self, text: str) -> None:
        if not text:
            return
        self.lines.append(text)
        print(text, file=self.out, flush=True)

    def say(self, template: str, **ctx: Any) -> None:
        self.write(self.render.plain(f"demo.{template}", **ctx))

    def begin_step(self) -> None:
        self.flush()
        self.said, self.files = [], []

    # ---- what people did
    def _chat_label(self, chat_id: int) -> str:
        chat = self.standin.chats[chat_id]
        if chat.is_group:
            return self.render.plain("demo.chat_group", title=chat.title)
        return self.render.plain("demo.chat_private", person=chat.user.full_name)

    def _person(self, payload: dict[str, Any]) -> str:
        user = self.standin.users.get(payload.get("from", {}).get("id"))
        return user.full_name if user else "?"

    def _person_did(self, kind: str, payload: dict[str, Any]) -> None:
        line = ""
        if kind == "message":
            chat = self._chat_label(payload["chat"]["id"])
            if "text" in payload:
                line = self.render.plain("demo.said", chat=chat, person=self._person(payload), text=payload["text"],
                                         reply="reply_to_message" in payload)
            elif "document" in payload:
                line = self.render.plain("demo.sent_file", chat=chat, person=self._person(payload),
                                         filename=payload["document"].get("file_name", ""))
        elif kind == "callback_query":
            message = payload["message"]
            chat_id = message["chat"]["id"]
            sim = self.standin.chats[chat_id].get(message["message_id"])
            label = next((b["text"] for row in (sim.button_rows if sim else []) for b in row
                          if b.get("callback_data") == payload["data"]), payload["data"])
            line = self.render.plain("demo.pressed", chat=self._chat_label(chat_id), person=self._person(payload),
                                     label=label)
            self._presses.append((payload["id"], self._person(payload)))
        elif kind == "my_chat_member":
            chat = self._chat_label(payload["chat"]["id"])
            old, new = payload["old_chat_member"]["status"], payload["new_chat_member"]["status"]
            if new == "administrator":
                line = self.render.plain("demo.promoted_bot", chat=chat, person=self._person(payload))
            elif new == "member" and old in ("left", "kicked") and payload["chat"]["type"] != "private":
                line = self.render.plain("demo.added_bot", chat=chat, person=self._person(payload))
        if line:
            self._pending.append(line)

    # ---- what the bot did
    def flush(self) -> None:
        for line in self._pending:
            self.write(line)
        self._pending.clear()
        sends = self.standin.stats.sends
        new, self._sends_seen = sends[self._sends_seen:], len(sends)
        for record in new:
            self._bot_did(record)
        for query_id, person in self._presses:
            answer = self.standin.callback_answer(query_id)
            if answer and answer.get("text"):
                self.said.append(answer["text"])
                self.write(self.render.plain("demo.toast", person=person, text=answer["text"]))
        self._presses.clear()
        for chat_id, chat in self.standin.chats.items():
            pinned = chat.pinned.message_id if chat.is_group and chat.pinned else None
            if pinned is not None and self._pins.get(chat_id) != pinned:
                first = (chat.pinned.text or chat.pinned.caption or "").splitlines()[0] if chat.pinned else ""
                self.write(self.render.plain("demo.bot_pinned", chat=self._chat_label(chat_id), first_line=first))
            self._pins[chat_id] = pinned

    def _save(self, chat_id: int, name: str, content: bytes) -> str:
        """Write a document the bot sent: the bloc's group's and private chats' to the folder, another
        group's (a second bloc's, the province's) to a subfolder named after it; a name taken there by
        other content gets « (2)», « (3)», as a browser saves a second download."""
        chat = self.standin.chats[chat_id]
        place = name if chat_id in self.home or not chat.is_group else f"{_folder_name(chat.title)}/{name}"
        stem, dot, ext = place.rpartition(".") if "." in name else (place, "", "")
        number = 1
        while self._written.get(place, content) != content:
            number += 1
            place = f"{stem} ({number}){dot}{ext}"
        path = self.folder / place
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self._written[place] = content
        return place

    def _bot_did(self, record: Any) -> None:
        chat = self._chat_label(record.chat_id)
        message = self.standin.chats[record.chat_id].get(record.message_id)
        if record.method == "editMessageReplyMarkup" or message is None:
            return
        if record.method == "sendDocument":
            name, content = message.document
            saved = self._save(record.chat_id, name, content)
            if saved not in self.saved:
                self.saved.append(saved)
            self.files.append(name)
            self.said.append(record.text or "")
            self.write(self.render.plain("demo.bot_file", chat=chat, filename=name,
                                         size=max(1, round(len(content) / 1024)), caption=record.text or ""))
            return
        text, edited = record.text or "", record.method.startswith("edit")
        self.said.append(text)
        lines = text.splitlines()
        # A long message edited in place (the status board) is shown by its first lines.
        shown = lines[:EDIT_LINES] if edited and len(lines) > EDIT_LINES + 2 else lines
        self.write(self.render.plain("demo.bot_said", chat=chat, text="\n".join(shown), edited=edited,
                                     more=len(lines) - len(shown), buttons=message.buttons))


def _folder_name(title: str) -> str:
    return "".join("-" if c in '/\\:*?"<>|' else c for c in title).strip() or "nhom"
