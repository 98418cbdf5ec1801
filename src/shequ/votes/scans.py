"""Scans of paper ballots and written authorisations: checked by their bytes, sealed on disk with the keyring.

A scan carries owners' names and signatures, so it is stored only encrypted (``core.crypto.seal_blob``, purpose
``votes.scan``) under ``MEDIA_ROOT/vote-scans/<public id>.sealed``, and kept for good like the ballot it proves.
Only JPEG, PNG and PDF are accepted, decided by the leading bytes, at most 10 MB.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from shequ.core import crypto
from shequ.core.errors import ValidationError

from .models import Scan

PURPOSE = "votes.scan"
MAX_SCAN_BYTES = 10 * 1024 * 1024
SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"%PDF-", "application/pdf"))


@dataclass(frozen=True)
class CleanScan:
    content: bytes
    content_type: str


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "vote-scans"


def _path(scan: Scan) -> Path:
    return _root() / f"{scan.public_id}.sealed"


def stored_scans() -> list[Path]:
    """Sealed scans on disk (for the keyring's old-key check)."""
    return sorted(_root().glob("*.sealed"))


# Ballot scans are kept for good (§280 challenges): a key rotation re-seals them under the new key.
crypto.register_sealed_files(crypto.SealedFiles(label="votes.scans", purpose=PURPOSE, paths=stored_scans, reseal=True))


def clean_scan(upload: Any, field: str = "scan") -> CleanScan:
    """The upload's bytes and type; ValidationError in Chinese when missing, too large or not JPEG/PNG/PDF."""
    if not upload:
        raise ValidationError({field: [_("请上传扫描件（JPEG、PNG 或 PDF）")]})
    if upload.size > MAX_SCAN_BYTES:
        raise ValidationError({field: [_("扫描件超过 10 MB，请压缩后再上传")]})
    upload.seek(0)
    data = upload.read()
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return CleanScan(data, content_type)
    raise ValidationError({field: [_("扫描件只能是 JPEG、PNG 或 PDF 文件")]})


def store_scan(*, vote: Any, scan: CleanScan, uploaded_by: Any) -> Scan:
    """Seal and store a cleaned scan. Call inside the transaction of the write it proves."""
    row = Scan.objects.create(
        vote=vote,
        content_type=scan.content_type,
        size=len(scan.content),
        sha256=hashlib.sha256(scan.content).hexdigest(),
        uploaded_by=uploaded_by,
    )
    path = _path(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(crypto.seal_blob(scan.content, purpose=PURPOSE))
    return row


def scan_content(scan: Scan) -> bytes:
    """The scan's bytes, decrypted."""
    return crypto.open_blob(_path(scan).read_bytes(), purpose=PURPOSE)
