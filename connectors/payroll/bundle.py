"""A payroll bundle: the files of one payload in one ZIP archive, read back safely (plain file
names only, no path, no link)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from cae_contract.cli import fail

_NAME = re.compile(r"^[^/\\\x00]{1,200}$")
MAX_FILES = 10_000


def pack(files: Sequence[Path]) -> bytes:
    """The files (names kept, folders flattened) in one archive, in name order."""
    if not files:
        fail("aucun fichier à envoyer")
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        fail("deux fichiers portent le même nom : renommez-en un")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files, key=lambda p: p.name):
            info = zipfile.ZipInfo(path.name, (2026, 1, 1, 0, 0, 0))
            archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def files_of(folder: Path) -> list[Path]:
    if not folder.is_dir():
        fail(f"dossier introuvable : {folder}")
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def unpack(bundle: bytes, target: Path) -> list[Path]:
    """Write the bundle's files into ``target``; the paths written."""
    written: list[Path] = []
    try:
        with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
            members = archive.infolist()
            if len(members) > MAX_FILES:
                fail("archive reçue trop grande")
            target.mkdir(parents=True, exist_ok=True)
            for member in members:
                name = member.filename
                if member.is_dir() or not _NAME.match(name) or name in (".", ".."):
                    fail(f"archive reçue refusée : nom de fichier interdit ({name[:40]!r})")
                path = target / name
                path.write_bytes(archive.read(member))
                written.append(path)
    except zipfile.BadZipFile:
        fail("contenu déchiffré illisible : ce n'est pas une archive de paie")
    return written
