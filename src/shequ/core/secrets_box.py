"""Encryption of small secrets (TOTP seeds) under the personal-information keyring and its cipher suite.

New values are `core.crypto` ciphertexts (`<key id>$...`, AES-256-GCM or SM4-GCM after the key's suite), so key
rotation and a change of suite cover them like any personal-data column (see `register_legacy_column`).
Values written before that were Fernet tokens under a key derived from SECRET_KEY; they still open, and the
next rotation re-encrypts them under the keyring. A value that opens with neither is `SecretUnreadable`,
never garbage.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from . import crypto


class SecretUnreadable(Exception):
    """The ciphertext was not made with a key this process holds."""


def _legacy_fernet(purpose: str) -> Fernet:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"shequ-secrets-box", info=purpose.encode())
    key = hkdf.derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str, *, purpose: str) -> str:
    return crypto.encrypt(plaintext, purpose=purpose)


def decrypt(ciphertext: str, *, purpose: str) -> str:
    if crypto.is_keyring_ciphertext(ciphertext):
        try:
            return crypto.decrypt(ciphertext, purpose=purpose)
        except crypto.KeyringError as exc:
            raise SecretUnreadable(purpose) from exc
    try:
        return _legacy_fernet(purpose).decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(purpose) from exc


def register_legacy_column(model_label: str, field: str, purpose: str) -> None:
    """Register a secrets-box column for key rotation (which also converts its SECRET_KEY-era values)."""

    def legacy(value: str) -> str:
        try:
            return decrypt(value, purpose=purpose)
        except SecretUnreadable as exc:
            raise crypto.KeyringError(f"{model_label}.{field}: a value opens with neither key nor SECRET_KEY") from exc

    crypto.register_column(crypto.EncryptedColumn(model_label, field, purpose, legacy_decrypt=legacy))
