"""Sealed ballots: what a unit chose is written only encrypted, under a key that is never in
the database, and opened only when the vote closes (issue: the secret ballot stays secret in
the database's files). A copy of the database, its write-ahead log, its dead row versions or
a backup then holds, beside a unit's name, nothing but ciphertext of one fixed size.

AES-256-GCM (the well-kept `cryptography` package); the key of each vote is derived with
HKDF-SHA256 from the deployment's secret (``vote.seal_key``, by default the bot token: both
live in the environment, never in the database)."""

from __future__ import annotations

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Every sealed plaintext is padded to a multiple of this, so the length of a ballot tells
# nothing about how many candidates it ticked (a real ballot is well under it).
BLOCK = 4096
_NONCE = 12


class SealBroken(Exception):
    """A sealed ballot cannot be opened: the secret changed since it was sealed, or the row
    was altered."""


class Seal:
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a seal needs a secret")
        self._secret = secret.encode()

    def _key(self, purpose: bytes) -> AESGCM:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                       info=b"khoibot ballot seal " + purpose).derive(self._secret)
        return AESGCM(derived)

    def seal(self, purpose: str, value) -> str:
        """``value`` (anything JSON can hold) encrypted for ``purpose`` (which vote, drafts
        or cast ballots), as text of a fixed size."""
        plain = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
        plain += b" " * (-len(plain) % BLOCK)
        nonce = os.urandom(_NONCE)
        sealed = self._key(purpose.encode()).encrypt(nonce, plain, purpose.encode())
        return base64.b64encode(nonce + sealed).decode()

    def open(self, purpose: str, text: str):
        try:
            raw = base64.b64decode(text.encode(), validate=True)
            plain = self._key(purpose.encode()).decrypt(raw[:_NONCE], raw[_NONCE:], purpose.encode())
        except (InvalidTag, ValueError) as exc:
            raise SealBroken(purpose) from exc
        return json.loads(plain)


def draft_purpose(vote_id: int) -> str:
    return f"draft {vote_id}"


def ballot_purpose(vote_id: int) -> str:
    return f"ballot {vote_id}"
