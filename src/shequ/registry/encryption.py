"""How the registry stores personal information: ciphertext, keyed hash and masked form per value."""

import json
from datetime import date

from pypinyin import Style, lazy_pinyin, pinyin

from shequ.core import crypto

from .domain import CARE_TAG_BY_CODE, clear_birth_decade, mask_document, mask_mobile

ID_PURPOSE = "registry.resident.id_number"
MOBILE_PURPOSE = "registry.resident.mobile"
TAGS_PURPOSE = "registry.resident.sensitive_tags"
NOTES_PURPOSE = "registry.resident.notes"
BIRTH_PURPOSE = "registry.resident.birth_date"
TAG_HASH_PURPOSE = "registry.resident.care_tag"


def register_columns() -> None:
    """Tell key rotation which columns hold ciphertext (and which hashes go with them)."""
    for column in (
        crypto.EncryptedColumn("registry.Resident", "id_number_encrypted", ID_PURPOSE, "id_number_hash"),
        crypto.EncryptedColumn("registry.Resident", "mobile_encrypted", MOBILE_PURPOSE, "mobile_hash"),
        crypto.EncryptedColumn("registry.Resident", "sensitive_tags_encrypted", TAGS_PURPOSE),
        crypto.EncryptedColumn("registry.Resident", "notes_encrypted", NOTES_PURPOSE),
        crypto.EncryptedColumn("registry.Resident", "birth_date_encrypted", BIRTH_PURPOSE),
        crypto.EncryptedColumn("registry.ImportRow", "payload_encrypted", "registry.import.row"),
    ):
        crypto.register_column(column)
    crypto.register_hashed_values(
        crypto.HashedValues("registry.ResidentTag", "tag_hash", TAG_HASH_PURPOSE, lambda: list(CARE_TAG_BY_CODE))
    )
    from . import imports  # uploads are sealed files: old keys are not dropped while one is under them

    crypto.register_sealed_files(
        crypto.SealedFiles("registry import uploads", imports.FILE_PURPOSE, imports.stored_uploads)
    )


def document_fields(number: str) -> dict[str, str]:
    """Ciphertext, lookup hash and masked display form of a (normalised) document number."""
    return {
        "id_number_encrypted": crypto.encrypt(number, purpose=ID_PURPOSE),
        "id_number_hash": crypto.keyed_hash(number, purpose=ID_PURPOSE),
        "id_number_masked": mask_document(number),
    }


def mobile_fields(number: str) -> dict[str, str]:
    return {
        "mobile_encrypted": crypto.encrypt(number, purpose=MOBILE_PURPOSE),
        "mobile_hash": crypto.keyed_hash(number, purpose=MOBILE_PURPOSE),
        "mobile_masked": mask_mobile(number),
    }


def tag_fields(codes: list[str]) -> dict[str, object]:
    """Split care tags: non-sensitive ones in plain text, sensitive ones encrypted."""
    plain = [c for c in codes if not CARE_TAG_BY_CODE[c].sensitive]
    sensitive = [c for c in codes if CARE_TAG_BY_CODE[c].sensitive]
    return {
        "plain_tags": ",".join(plain),
        "sensitive_tags_encrypted": crypto.encrypt(json.dumps(sensitive), purpose=TAGS_PURPOSE) if sensitive else "",
        "has_sensitive_tags": bool(sensitive),
    }


def tag_hashes(codes: list[str]) -> list[str]:
    return [crypto.keyed_hash(c, purpose=TAG_HASH_PURPOSE) for c in codes]


def tag_lookup_hashes(code: str) -> list[str]:
    return crypto.lookup_hashes(code, purpose=TAG_HASH_PURPOSE)


def notes_fields(notes: str) -> dict[str, str]:
    return {"notes_encrypted": crypto.encrypt(notes, purpose=NOTES_PURPOSE)}


def birth_fields(birth: date | None, earliest_fact: date | None) -> dict[str, object]:
    """Ciphertext of a birth date and the decade kept in clear (None when withheld, see clear_birth_decade)."""
    return {
        "birth_date_encrypted": crypto.encrypt(birth.isoformat(), purpose=BIRTH_PURPOSE) if birth else "",
        "birth_decade": clear_birth_decade(birth, earliest_fact),
    }


def decrypt_birth_date(ciphertext: str) -> date | None:
    return date.fromisoformat(crypto.decrypt(ciphertext, purpose=BIRTH_PURPOSE)) if ciphertext else None


def decrypt_document(ciphertext: str) -> str:
    return crypto.decrypt(ciphertext, purpose=ID_PURPOSE)


def decrypt_mobile(ciphertext: str) -> str:
    return crypto.decrypt(ciphertext, purpose=MOBILE_PURPOSE)


def decrypt_sensitive_tags(ciphertext: str) -> list[str]:
    return json.loads(crypto.decrypt(ciphertext, purpose=TAGS_PURPOSE)) if ciphertext else []


def decrypt_notes(ciphertext: str) -> str:
    return crypto.decrypt(ciphertext, purpose=NOTES_PURPOSE)


def document_lookup_hashes(number: str) -> list[str]:
    return crypto.lookup_hashes(number, purpose=ID_PURPOSE)


def mobile_lookup_hashes(number: str) -> list[str]:
    return crypto.lookup_hashes(number, purpose=MOBILE_PURPOSE)


def pinyin_index(name: str) -> str:
    """Search keys for a name: initials and full pinyin, with every reading of the surname (曾 zeng/ceng).

    Stored as "|zsf|zhangsanfeng|" so that `icontains("|" + query)` is a prefix match on any variant.
    """
    if not name:
        return ""
    first_readings = pinyin(name[0], style=Style.NORMAL, heteronym=True)[0] or [name[0]]
    rest = lazy_pinyin(name[1:], style=Style.NORMAL, errors="ignore")
    variants: list[str] = []
    for first in first_readings[:3]:
        syllables = [first, *rest]
        variants.append("".join(s[:1] for s in syllables))
        variants.append("".join(syllables))
    unique = list(dict.fromkeys(v.lower() for v in variants if v))
    return ("|" + "|".join(unique) + "|")[:255]
