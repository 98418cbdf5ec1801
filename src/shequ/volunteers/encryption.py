"""How a volunteer's name, mobile, ID number and birth date, and a guardian's name and mobile, are stored:
ciphertext, a keyed hash (name, ID number) and a masked form."""

import datetime
from typing import Any

from shequ.core import crypto
from shequ.core.masking import mask_id_number, mask_mobile

NAME_PURPOSE = "volunteers.volunteer.name"
MOBILE_PURPOSE = "volunteers.volunteer.mobile"
DOCUMENT_PURPOSE = "volunteers.volunteer.id_number"
BIRTH_PURPOSE = "volunteers.volunteer.birth_date"
GUARDIAN_NAME_PURPOSE = "volunteers.guardian.name"
GUARDIAN_MOBILE_PURPOSE = "volunteers.guardian.mobile"


def register_columns() -> None:
    """Tell key rotation which columns hold ciphertext (and which hashes go with them)."""
    column = crypto.EncryptedColumn
    crypto.register_column(column("volunteers.Volunteer", "name_encrypted", NAME_PURPOSE, "name_hash"))
    crypto.register_column(column("volunteers.Volunteer", "mobile_encrypted", MOBILE_PURPOSE))
    crypto.register_column(column("volunteers.Volunteer", "id_number_encrypted", DOCUMENT_PURPOSE, "id_number_hash"))
    crypto.register_column(column("volunteers.Volunteer", "birth_date_encrypted", BIRTH_PURPOSE))
    crypto.register_column(column("volunteers.GuardianConsent", "guardian_name_encrypted", GUARDIAN_NAME_PURPOSE))
    crypto.register_column(column("volunteers.GuardianConsent", "guardian_mobile_encrypted", GUARDIAN_MOBILE_PURPOSE))


def mask_name(name: str) -> str:
    """The first character and a star for each other one: "程*" for 程丽, "欧**" for 欧阳修."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def name_fields(name: str) -> dict[str, str]:
    return {
        "name_encrypted": crypto.encrypt(name, purpose=NAME_PURPOSE),
        "name_hash": crypto.keyed_hash(name, purpose=NAME_PURPOSE),
        "name_masked": mask_name(name),
    }


def mobile_fields(number: str) -> dict[str, str]:
    if not number:
        return {"mobile_encrypted": "", "mobile_masked": ""}
    return {"mobile_encrypted": crypto.encrypt(number, purpose=MOBILE_PURPOSE), "mobile_masked": mask_mobile(number)}


def document_fields(number: str) -> dict[str, str]:
    if not number:
        return {"id_number_encrypted": "", "id_number_hash": "", "id_number_masked": ""}
    return {
        "id_number_encrypted": crypto.encrypt(number, purpose=DOCUMENT_PURPOSE),
        "id_number_hash": crypto.keyed_hash(number, purpose=DOCUMENT_PURPOSE),
        "id_number_masked": mask_id_number(number),
    }


def birth_fields(birth: datetime.date | None) -> dict[str, str]:
    return {"birth_date_encrypted": crypto.encrypt(birth.isoformat(), purpose=BIRTH_PURPOSE) if birth else ""}


def guardian_fields(name: str, mobile: str) -> dict[str, str]:
    return {
        "guardian_name_encrypted": crypto.encrypt(name, purpose=GUARDIAN_NAME_PURPOSE),
        "guardian_name_masked": mask_name(name),
        "guardian_mobile_encrypted": crypto.encrypt(mobile, purpose=GUARDIAN_MOBILE_PURPOSE) if mobile else "",
        "guardian_mobile_masked": mask_mobile(mobile) if mobile else "",
    }


def name_of(volunteer: Any) -> str:
    return crypto.decrypt(volunteer.name_encrypted, purpose=NAME_PURPOSE)


def birth_date_of(volunteer: Any) -> datetime.date | None:
    value = volunteer.birth_date_encrypted
    return datetime.date.fromisoformat(crypto.decrypt(value, purpose=BIRTH_PURPOSE)) if value else None


def name_lookup_hashes(name: str) -> list[str]:
    return crypto.lookup_hashes(name, purpose=NAME_PURPOSE)
