"""The one render helper: every sentence a user reads comes from templates/.

Messages are Jinja2 macros grouped by feature, one file per feature under
``templates/messages/``; ``render("roster.added", units=...)`` calls macro ``added`` of
``templates/messages/roster.j2``. HTML output is autoescaped (Telegram's HTML parse mode);
``plain`` renders the same macros without escaping, for button labels and the console.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined
from jinja2.bccache import Bucket

from domain import dates
from domain.scores import fmt_points
from domain.text import shorten

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_BLANKS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANKS.sub("\n\n", "\n".join(lines))


class _CompiledOnce(BytecodeCache):
    """The templates' compiled code, kept for the process: a Renderer is made at each bot
    start (the tests and the demo start hundreds), and compiling every template anew cost
    ~0.8 s a Renderer. Jinja keys the code by template name and source checksum, not by the
    environment's options: one cache per kind of environment."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = {True: _CompiledOnce(), False: _CompiledOnce()}  # by autoescape


class Renderer:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._html = self._environment(autoescape=True)
        self._plain = self._environment(autoescape=False)

    def _environment(self, *, autoescape: bool) -> Environment:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=autoescape,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            # Templates do not change while the bot runs: no stat() of the file per message.
            auto_reload=False,
            bytecode_cache=_COMPILED[autoescape],
        )
        env.filters["date"] = lambda value: dates.fmt_date(value.astimezone(self.tz) if hasattr(value, "hour") else value)
        env.filters["datetime"] = lambda value: dates.fmt_datetime(value, tz=self.tz)
        env.filters["points"] = fmt_points
        # names cut for a button or a line: at a word, marked «…» (never str[:n])
        env.filters["shorten"] = shorten
        return env

    def _call(self, env: Environment, template: str, ctx: dict) -> str:
        feature, _, macro = template.rpartition(".")
        module = env.get_template(f"messages/{feature}.j2").module
        try:
            fn = getattr(module, macro)
        except AttributeError:
            raise LookupError(f"no message {macro!r} in templates/messages/{feature}.j2") from None
        if not fn.catch_kwargs:
            # Callers pass what they have; each message takes what it names.
            ctx = {key: value for key, value in ctx.items() if key in fn.arguments}
        return _tidy(str(fn(**ctx)))

    def __call__(self, template: str, /, **ctx) -> str:
        """A message in Telegram HTML, values escaped."""
        return self._call(self._html, template, ctx)

    def page(self, name: str, /, **ctx) -> str:
        """A Mini App page, templates/webapp/<name>.html, values escaped (webapp/server.py)."""
        return self._html.get_template(f"webapp/{name}.html").render(**ctx)

    def plain(self, template: str, /, **ctx) -> str:
        """The same, unescaped: for button labels and console output."""
        return self._call(self._plain, template, ctx)


@lru_cache(maxsize=1)
def command_menus() -> dict[str, dict[str, str]]:
    """Command descriptions per scope, from templates/commands.toml."""
    return tomllib.loads((TEMPLATES / "commands.toml").read_text(encoding="utf-8"))
