"""Every bloc's dossier in one .zip, as an officer files them: a folder per bloc
«01 - <bloc>» in the order of the blocs' names, holding the documents of the version the
bloc sent last, «<bloc> - Biên bản - bản 2.docx» and so on. Names are safe on Windows (no
reserved characters or device names, no trailing dot or space, of a length Explorer opens).
Pure: bytes in memory; the words are templates/documents/province.toml's."""

from __future__ import annotations

import io
import re
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

_TEXTS = tomllib.loads((Path(__file__).resolve().parent.parent / "templates" / "documents"
                        / "province.toml").read_text(encoding="utf-8"))
KINDS = ("minutes", "list", "proposal", "list_xlsx")   # the order files are listed in

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_PART = 120  # characters of one folder or file name (paths stay well under Windows' 260)


def safe_name(name: str, limit: int = MAX_PART) -> str:
    """A folder or file name Windows accepts, the Vietnamese letters kept (NFC)."""
    text = unicodedata.normalize("NFC", name)
    text = _FORBIDDEN.sub("-", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > limit:
        stem, dot, ext = text.rpartition(".")
        if dot and len(ext) <= 5:
            text = stem[:limit - len(ext) - 1].rstrip() + "." + ext
        else:
            text = text[:limit]
    text = text.rstrip(". ")
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    return text or "_"


@dataclass(frozen=True)
class BlocFiles:
    bloc: str
    version: int
    files: list[tuple[str, str, bytes]]   # (kind, the file's own name, content)


def file_name(bloc: str, kind: str, version: int, own_name: str) -> str:
    ext = own_name.rpartition(".")[2] or "bin"
    return safe_name(_TEXTS["zip"]["file"].format(bloc=bloc, kind=_TEXTS["kinds"].get(kind, kind), version=version,
                                                  ext=ext))


def province_zip(blocs: list[BlocFiles], *, made_at: datetime) -> bytes:
    """``blocs`` in the order of their names (services.province.dossier_folders)."""
    out = io.BytesIO()
    stamp = made_at.timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, bloc in enumerate(blocs, start=1):
            folder = safe_name(_TEXTS["zip"]["folder"].format(number=number, bloc=bloc.bloc))
            order = {k: i for i, k in enumerate(KINDS)}
            for kind, own, content in sorted(bloc.files, key=lambda f: order.get(f[0], len(KINDS))):
                info = zipfile.ZipInfo(f"{folder}/{file_name(bloc.bloc, kind, bloc.version, own)}", date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, content)
    return out.getvalue()
