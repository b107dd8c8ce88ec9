"""Method parameters from a query string, form, multipart or JSON body, typed like Telegram does.

Form and multipart values are strings; PTB JSON-encodes everything that is not a string
("123", "true", '{"inline_keyboard": ...}'), so getters convert by the expected type.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import bad_request


class Upload:
    """A file part of a multipart request."""

    def __init__(self, filename: str | None, content: bytes, content_type: str | None):
        self.filename = filename
        self.content = content
        self.content_type = content_type


class Params:
    def __init__(self, values: dict[str, Any]):
        self.values = values

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        values: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise bad_request("can't parse JSON encoded request body")
                if not isinstance(body, dict):
                    raise bad_request("can't parse JSON encoded request body")
                values.update(body)
            elif ctype == "multipart/form-data":
                reader = await request.multipart()
                async for part in reader:
                    if part.name is None:
                        continue
                    data = await part.read()
                    if part.filename is not None:
                        values[part.name] = Upload(part.filename, bytes(data),
                                                   part.headers.get("Content-Type"))
                    else:
                        values[part.name] = data.decode(part.get_charset("utf-8"))
            else:
                form = await request.post()
                values.update({k: v for k, v in form.items()})
        return cls(values)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def str(self, name: str, default: str | None = None) -> str | None:
        v = self.values.get(name)
        if v is None:
            return default
        if isinstance(v, Upload):
            raise bad_request(f"parameter \"{name}\" must be a String")
        return v if isinstance(v, str) else str(v)

    def int(self, name: str, default: int | None = None) -> int | None:
        v = self.values.get(name)
        if v is None or v == "":
            return default
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, int):
            return v
        try:
            return int(str(v).strip())
        except ValueError:
            try:
                f = float(v)
            except ValueError:
                raise bad_request(f"invalid {name} specified")
            return int(f)

    def float(self, name: str, default: float | None = None) -> float | None:
        v = self.values.get(name)
        if v is None or v == "":
            return default
        try:
            return float(v)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified")

    def bool(self, name: str, default: bool = False) -> bool:
        v = self.values.get(name)
        if v is None or v == "":
            return default
        if isinstance(v, bool):
            return v
        return str(v).strip().lower() in ("true", "1")

    def json(self, name: str, what: str | None = None) -> Any:
        """A JSON-valued parameter (object/array); `what` names it in the error text."""
        v = self.values.get(name)
        if v is None or v == "":
            return None
        if isinstance(v, (dict, list)):
            return v
        try:
            return json.loads(v)
        except (TypeError, ValueError):
            raise bad_request(f"can't parse {what or name} JSON object")

    def chat_id(self, name: str = "chat_id") -> int | str:
        v = self.values.get(name)
        if v is None or v == "":
            raise bad_request("chat_id is empty")
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        s = str(v).strip()
        if s.startswith("@"):
            return s
        try:
            return int(s)
        except ValueError:
            raise bad_request("chat not found")
