"""Plays a script (script.py) against the real bot in a sandbox, step by step, and checks
that each step happened as written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from khoibot.demo import acts
from khoibot.demo.script import PROVINCE_CHAT, SECRETARY, BlocPart, Script, ScriptError, Step
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


class Crew:
    """One bloc's people in the stand-in: its secretary, its group, its units' representatives."""

    def __init__(self, part: BlocPart, sandbox: Sandbox) -> None:
        self.part = part
        self.secretary = sandbox.standin.add_user(part.secretary)
        self.group = sandbox.standin.add_group(part.name, members=[self.secretary], admins=[self.secretary])
        self.officers: dict[str, SimUser] = {}  # unit → its representative


class Player:
    def __init__(self, script: Script, sandbox: Sandbox, transcript: Transcript) -> None:
        self.script = script
        self.sandbox = sandbox
        self.transcript = transcript
        standin = sandbox.standin
        parts = script.blocs or [BlocPart("", script.bloc, script.secretary, script.units, script.people,
                                          script.province)]
        self.crews = {part.key: Crew(part, sandbox) for part in parts}
        first = self.crews[parts[0].key]
        self.secretary, self.group, self.officers = first.secretary, first.group, first.officers
        # The province's officers, with the Telegram ids the configuration names, and their group.
        self.province_officers = {name: standin.add_user(name, user_id=uid) for name, uid in script.officers.items()}
        self.province_group = None
        if script.province_group:
            people = list(self.province_officers.values())
            self.province_group = standin.add_group(script.province_group, members=people, admins=people)
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
    def _crew(self, step: Step) -> Crew:
        return self.crews[step.bloc]

    def _person(self, step: Step) -> SimUser:
        crew = self._crew(step)
        if step.who == SECRETARY:
            return crew.secretary
        if step.who in crew.officers:
            return crew.officers[step.who]
        if step.who in self.province_officers:
            return self.province_officers[step.who]
        raise ScriptError("not_enrolled", step.number, step.who)

    def _chat(self, step: Step, person: SimUser) -> SimChat:
        if step.chat == PROVINCE_CHAT:
            return self.province_group
        return self._crew(step).group if step.chat == "nhóm" else person.private_chat

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
        await person.send(self._chat(step, person), step.value.replace("{units}", "\n".join(self._crew(step).part.units)))

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
        person = self._person(step)
        group = self.province_group if step.chat == PROVINCE_CHAT else self._crew(step).group
        group.add_bot(by=person)
        await self.sandbox.standin.settle()
        if step.value:
            group.promote_bot(can_pin=True, by=person)
            await self.sandbox.standin.settle()

    async def _enrol(self, step: Step) -> None:
        crew = self._crew(step)
        units = crew.part.units if step.value == "tất cả" else step.value
        for unit in units:
            officer = self.sandbox.standin.add_user(crew.part.people.get(unit, f"Cán bộ {unit}")[:64])
            await acts.invite_and_enrol(crew.secretary, crew.group, unit, officer)
            crew.officers[unit] = officer
            self.transcript.flush()

    def _per_unit(self, step: Step) -> dict:
        return step.value if isinstance(step.value, dict) else {step.who: step.value}

    async def _register(self, step: Step) -> None:
        for unit, titles in self._per_unit(step).items():
            # The individual titles are the province's of the year: the script's expectations check them.
            await acts.register(self._person(Step(step.number, None, who=unit, bloc=step.bloc)), titles,
                                individual=None)
            self.transcript.flush()

    async def _scores(self, step: Step) -> None:
        for unit, points in self._per_unit(step).items():
            await acts.enter_scores(self._person(Step(step.number, None, who=unit, bloc=step.bloc)),
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
        pinned = (self.province_group if step.chat == PROVINCE_CHAT else self._crew(step).group).pinned
        if step.pinned and (pinned is None or step.pinned not in (pinned.text or "")):
            raise StepFailed(step, self.render.plain("demo.problem", code="pinned", step=None, value=step.pinned))
        for name in step.files:
            if name not in self.transcript.files:
                raise StepFailed(step, self.render.plain("demo.problem", code="file", step=None, value=name))
