"""An Office Open XML (docx/xlsx) package read without trusting it.

The zip directory is checked before any part is inflated (member count, total size, ratio,
encryption, macros); a part is then read in bounded pieces, and its XML is refused when it
declares a DOCTYPE, so no entity, internal or external, is ever expanded.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from xml.etree import ElementTree

from pierre_rag.knowledge.uploads.limits import UploadLimits, UploadRefused

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted Office files and .doc/.xls
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_READ_PIECE = 64 * 1024


class _NoDoctypeBuilder(ElementTree.TreeBuilder):
    """Stops the parse at the DOCTYPE's start, before its entities are declared."""

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise UploadRefused("fichier refusé : une partie XML déclare un DOCTYPE")


class OoxmlPackage:
    """The parts of a checked package; :meth:`xml` parses one of them safely."""

    def __init__(self, data: bytes, limits: UploadLimits) -> None:
        if data.startswith(_OLE_MAGIC):
            raise UploadRefused(
                "fichier chiffré (protégé par mot de passe) ou ancien format Office (.doc, .xls) : "
                "enregistrez-le sans mot de passe au format .docx ou .xlsx"
            )
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UploadRefused("fichier illisible ou endommagé (archive invalide)") from exc
        _check_directory(infos, limits)
        self._limits = limits
        self._read = 0
        self.names = {info.filename for info in infos}
        self._check_macros()

    def _check_macros(self) -> None:
        if any(name.lower().endswith("vbaproject.bin") for name in self.names):
            raise UploadRefused("fichier refusé : il contient des macros (vbaProject.bin)")
        if "[Content_Types].xml" not in self.names:
            raise UploadRefused(
                "fichier illisible : ce n'est pas un document Office (.docx, .xlsx)"
            )
        types = self.read("[Content_Types].xml")
        if b"macroenabled" in types.lower():
            raise UploadRefused("fichier refusé : format avec macros (macroEnabled)")

    def read(self, name: str) -> bytes:
        """The part's bytes, read in pieces and stopped once the limits are passed."""
        budget = self._limits.max_uncompressed_bytes - self._read
        chunks: list[bytes] = []
        try:
            with self._zip.open(name) as part:
                while piece := part.read(_READ_PIECE):
                    self._read += len(piece)
                    budget -= len(piece)
                    if budget < 0:
                        raise UploadRefused(_too_big(self._limits))
                    chunks.append(piece)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise UploadRefused(f"fichier endommagé : la partie {name} est illisible") from exc
        return b"".join(chunks)

    def xml(self, name: str) -> ElementTree.Element:
        data = self.read(name)
        if _DOCTYPE.search(data):
            raise UploadRefused("fichier refusé : une partie XML déclare un DOCTYPE")
        # A part without DOCTYPE declares no entity: nothing for expat to expand or fetch.
        parser = ElementTree.XMLParser(target=_NoDoctypeBuilder())  # noqa: S314
        try:
            parser.feed(data)
            return parser.close()
        except (ElementTree.ParseError, LookupError) as exc:  # LookupError: unknown encoding
            raise UploadRefused(f"fichier endommagé : XML invalide dans {name}") from exc


def _check_directory(infos: list[zipfile.ZipInfo], limits: UploadLimits) -> None:
    if len(infos) > limits.max_members:
        raise UploadRefused(
            f"fichier refusé : {len(infos)} parties dans l'archive, {limits.max_members} au plus"
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise UploadRefused("fichier chiffré : enregistrez-le sans mot de passe")
    if sum(info.file_size for info in infos) > limits.max_uncompressed_bytes:
        raise UploadRefused(_too_big(limits))
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise UploadRefused(
                f"fichier refusé : la partie {info.filename} se décompresse {ratio:.0f} fois "
                f"(bombe d'archive ?), {limits.max_ratio:.0f} fois au plus"
            )


def _too_big(limits: UploadLimits) -> str:
    return (
        "fichier refusé : son contenu décompressé dépasse "
        f"{limits.max_uncompressed_bytes // (1024 * 1024)} Mo (bombe d'archive ?)"
    )
