"""Symmetric encryption of small secrets (TOTP seeds) with a key derived from SECRET_KEY.

The derived key is never stored; changing SECRET_KEY makes existing secrets unreadable, which
`decrypt` reports as `SecretUnreadable` rather than returning garbage.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """The ciphertext was not made with the current key."""


def _fernet(purpose: str) -> Fernet:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"shequ-secrets-box", info=purpose.encode())
    key = hkdf.derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str, *, purpose: str) -> str:
    return _fernet(purpose).encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str, *, purpose: str) -> str:
    try:
        return _fernet(purpose).decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(purpose) from exc
