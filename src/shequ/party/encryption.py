"""How a Party member's name and mobile are stored: ciphertext, a keyed hash (name) and a masked form."""

from typing import Any

from shequ.core import crypto
from shequ.core.masking import mask_mobile

NAME_PURPOSE = "party.member.name"
MOBILE_PURPOSE = "party.member.mobile"


def register_columns() -> None:
    """Tell key rotation which columns hold ciphertext (and which hashes go with them)."""
    crypto.register_column(crypto.EncryptedColumn("party.PartyMember", "name_encrypted", NAME_PURPOSE, "name_hash"))
    crypto.register_column(crypto.EncryptedColumn("party.PartyMember", "mobile_encrypted", MOBILE_PURPOSE))
    crypto.register_column(crypto.EncryptedColumn("party.InServiceMember", "name_encrypted", NAME_PURPOSE, "name_hash"))


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


def name_of(member: Any) -> str:
    return crypto.decrypt(member.name_encrypted, purpose=NAME_PURPOSE)


def mobile_of(member: Any) -> str:
    value = member.mobile_encrypted
    return crypto.decrypt(value, purpose=MOBILE_PURPOSE) if value else ""
