"""How the contact person of an organisation's role in a community is stored: ciphertext, a keyed hash (name) and
masked forms for pages, exports and the API."""

from typing import Any

from shequ.core import crypto
from shequ.core.masking import mask_mobile

NAME_PURPOSE = "coordination.contact.name"
MOBILE_PURPOSE = "coordination.contact.mobile"


def register_columns() -> None:
    """Tell key rotation which columns hold ciphertext (and which hashes go with them)."""
    crypto.register_column(
        crypto.EncryptedColumn("coordination.ActorRole", "contact_name_encrypted", NAME_PURPOSE, "contact_name_hash")
    )
    crypto.register_column(crypto.EncryptedColumn("coordination.ActorRole", "contact_mobile_encrypted", MOBILE_PURPOSE))


def mask_name(name: str) -> str:
    """The first character and a star for each other one: "程*" for 程丽."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def contact_fields(name: str, mobile: str) -> dict[str, str]:
    return {
        "contact_name_encrypted": crypto.encrypt(name, purpose=NAME_PURPOSE) if name else "",
        "contact_name_hash": crypto.keyed_hash(name, purpose=NAME_PURPOSE) if name else "",
        "contact_name_masked": mask_name(name),
        "contact_mobile_encrypted": crypto.encrypt(mobile, purpose=MOBILE_PURPOSE) if mobile else "",
        "contact_mobile_masked": mask_mobile(mobile) if mobile else "",
    }


def contact_of(role: Any) -> dict[str, str]:
    name, mobile = role.contact_name_encrypted, role.contact_mobile_encrypted
    return {
        "name": crypto.decrypt(name, purpose=NAME_PURPOSE) if name else "",
        "mobile": crypto.decrypt(mobile, purpose=MOBILE_PURPOSE) if mobile else "",
    }
