"""Bot API error answers, shaped like Telegram's: the HTTP status equals error_code."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer: raise it from a method implementation, the server turns it into JSON."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.injected = False  # a fault a test injected (faults.py), not Telegram refusing the call

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            out["parameters"] = self.parameters
        return out

    def __repr__(self) -> str:
        return f"ApiError({self.code}, {self.description!r})"


def bad_request(reason: str, parameters: dict[str, Any] | None = None) -> ApiError:
    return ApiError(400, "Bad Request: " + reason, parameters)


def forbidden(reason: str) -> ApiError:
    return ApiError(403, "Forbidden: " + reason)


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


NOT_FOUND = ApiError(404, "Not Found")
UNAUTHORIZED = ApiError(401, "Unauthorized")

# 5xx answers as Telegram's front end gives them.
SERVER_ERRORS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
