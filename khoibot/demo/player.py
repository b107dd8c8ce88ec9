"""Plays a script (script.py) against the real bot in a sandbox, step by step, and checks
that each step happened as written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from khoibot.demo import acts
from khoibot.demo.script import SECRETARY, Script, ScriptError, Step
from khoibot.demo.transcript import Transcript
from khoibot.sandbox import Sandbox
from standin.state import SimChat, SimMessage, SimUser
from storage import reminders

# What a file sent in a script contains: enough bytes for the bot to take it as that kind.
_FILE_BYTES = {".pdf": b"%PDF-1.4\n% khoibot demo\n", ".docx": b"PK\x03\x04khoibot demo",
               ".xlsx": b"PK\x03\x04khoibot demo"}


class StepFailed(Exception):
    def __init__(self, step: Step, problem: str) -> None:
        super().__init__(problem)
        self.step, self.problem = step, problem


class Player:
    def __init__(self, script: Script, sandbox: Sandbox, transcript: Transcript) -> None:
        self.script = script
        self.sandbox = sandbox
        self.transcript = transcript
        standin = sandbox.standin
        self.secretary = standin.add_user(script.secretary)
        self.group = standin.add_group(script.bloc, members=[self.secretary], admins=[self.secretary])
        self.officers: dict[str, SimUser] = {}
        self.render = transcript.render

    async def play(self) -> None:
        for step in self.script.steps:
            self.transcript.begin_step()
            try:
                await self._play(step)
            except ScriptError as exc:
                raise StepFailed(step, self._problem(exc)) from exc
            except (AssertionError, LookupError, TimeoutError) as exc:
                self.transcript.flush()
                raise StepFailed(step, str(exc)) from exc
            self.transcript.flush()
            self._check(step)

    def _problem(self, exc: ScriptError) -> str:
        return self.render.plain("demo.problem", code=exc.code, step=None, value=exc.value)

    async def _play(self, step: Step) -> None:
        if step.action is None:  # only time passes: say why, then show what it brings
            self.transcript.say("heading", when=step.at, note=step.note)
            await self._advance(step.at)
            return
        if step.at is not None:
            await self._advance(step.at)
        if step.at is not None or step.note:
            self.transcript.say("heading", when=self.sandbox.clock.now(), note=step.note)
        await getattr(self, f"_{step.action}")(step)

    async def _advance(self, target: datetime) -> None:
        """Move the clock to ``target`` as time would pass for a running bot: through each
        reminder's due time on the way, sending what falls due there."""
        seen: set[datetime] = set()
        while True:
            with self.sandbox.db.session() as session:
                due = [r.due_at for r in reminders.pending(session=session) if r.due_at <= target]
            when = max(min(due), self.sandbox.clock.now()) if due else target
            if when in seen:  # nothing more will fall due before the target
                when, due = target, []
            seen.add(when)
            self.transcript.flush()
            before = len(self.sandbox.standin.stats.sends)
            await self.sandbox.run_reminders(when)
            sent = len(self.sandbox.standin.stats.sends) - before
            if sent:
                self.transcript.say("reminders_sent", when=when, count=sent)
            self.transcript.flush()
            if not due:
                return

    # ---- who and where
    def _person(self, step: Step) -> SimUser:
        if step.who == SECRETARY:
            return self.secretary
        if step.who not in self.officers:
            raise ScriptError("not_enrolled", step.number, step.who)
        return self.officers[step.who]

    def _chat(self, step: Step, person: SimUser) -> SimChat:
        return self.group if step.chat == "nhóm" else person.private_chat

    def _pressable(self, chat: SimChat, label: str, step: Step) -> SimMessage:
        """The most recent bot message in the chat with a button of this label."""
        for message in reversed(chat.bot_messages()):
            labels = [b for row in message.buttons for b in row]
            if label in labels or sum(label in b for b in labels) == 1:
                return message
        raise ScriptError("no_button", step.number, label)

    # ---- actions
    async def _say(self, step: Step) -> None:
        person = self._person(step)
        # "{units}" stands for the bloc's units, one per line (the list /donvi is given).
        await person.send(self._chat(step, person), step.value.replace("{units}", "\n".join(self.script.units)))

    async def _press(self, step: Step) -> None:
        person = self._person(step)
        await person.press(self._pressable(self._chat(step, person), step.value, step), step.value)

    async def _reply(self, step: Step) -> None:
        person = self._person(step)
        chat = self._chat(step, person)
        question = next((m for m in reversed(chat.bot_messages()) if m.force_reply), None)
        if question is None:
            raise ScriptError("no_question", step.number)
        await person.reply(question, step.value)

    async def _file(self, step: Step) -> None:
        person = self._person(step)
        content = _FILE_BYTES.get(Path(step.value).suffix.lower(), b"khoibot demo\n")
        await person.send_document(self._chat(step, person), step.value, content)

    async def _add_bot(self, step: Step) -> None:
        self.group.add_bot(by=self.secretary)
        await self.sandbox.standin.settle()
        if step.value:
            self.group.promote_bot(can_pin=True, by=self.secretary)
            await self.sandbox.standin.settle()

    async def _enrol(self, step: Step) -> None:
        units = self.script.units if step.value == "tất cả" else step.value
        for unit in units:
            officer = self.sandbox.standin.add_user(self.script.people.get(unit, f"Cán bộ {unit}")[:64])
            await acts.invite_and_enrol(self.secretary, self.group, unit, officer)
            self.officers[unit] = officer
            self.transcript.flush()

    def _per_unit(self, step: Step) -> dict:
        return step.value if isinstance(step.value, dict) else {step.who: step.value}

    async def _register(self, step: Step) -> None:
        for unit, titles in self._per_unit(step).items():
            # The individual titles are the province's of the year: the script's expectations check them.
            await acts.register(self._person(Step(step.number, None, who=unit)), titles, individual=None)
            self.transcript.flush()

    async def _scores(self, step: Step) -> None:
        for unit, points in self._per_unit(step).items():
            await acts.enter_scores(self._person(Step(step.number, None, who=unit)),
                                    "\n".join(str(p) for p in points))
            self.transcript.flush()

    async def _vote(self, step: Step) -> None:
        await acts.cast_ballot(self._person(step), step.value)

    # ---- what the step must have led to
    def _check(self, step: Step) -> None:
        said = "\n".join(self.transcript.said)
        for text in step.expect:
            if text not in said:
                raise StepFailed(step, self.render.plain("demo.problem", code="expected", step=None, value=text))
        pinned = self.group.pinned
        if step.pinned and (pinned is None or step.pinned not in (pinned.text or "")):
            raise StepFailed(step, self.render.plain("demo.problem", code="pinned", step=None, value=step.pinned))
        for name in step.files:
            if name not in self.transcript.files:
                raise StepFailed(step, self.render.plain("demo.problem", code="file", step=None, value=name))
