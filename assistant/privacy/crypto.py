"""Field-level encryption of personal data at rest (AES-256-GCM).

A value is stored as a self-describing token "enc:v1:<key id>:<base64 nonce+ciphertext>". The key id
names the key that wrote it, so after a rotation old tokens are read with an old key while new ones
are written with the current key. The token's header is authenticated too: changing any part of it
makes decryption fail rather than return something else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import SecretStr

from settings import Settings

PREFIX = "enc:v1:"
KEY_BYTES = 32
NONCE_BYTES = 12
DIGEST_KEY_INFO = b"govassist keyed digest v1"


class FieldCipherError(ValueError):
    """A token that cannot be decrypted, or a key that cannot be used."""


def key_id(key: bytes) -> str:
    # A domain-separated hash: it names the key without being usable as (or revealing) the key.
    return hashlib.sha256(b"govassist field key id\0" + key).hexdigest()[:8]


def is_token(value: str) -> bool:
    parts = value.split(":", 3)
    return value.startswith(PREFIX) and len(parts) == 4 and bool(parts[2]) and bool(parts[3])


def token_key_id(token: str) -> str | None:
    """The id of the key that wrote a token; None if the value is not a token."""
    return token.split(":", 3)[2] if is_token(token) else None


class FieldCipher:
    """Encrypts with the first key; decrypts with whichever configured key wrote the token."""

    is_token = staticmethod(is_token)

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise FieldCipherError("at least one key is needed")
        for key in keys:
            if len(key) != KEY_BYTES:
                raise FieldCipherError(f"a field key must be {KEY_BYTES} bytes, got {len(key)}")
        self._current = key_id(keys[0])
        self._keys = {key_id(k): AESGCM(k) for k in keys}
        # Its own key, derived from the current one: a digest never uses the encryption key itself.
        self._digest_key = HKDF(algorithm=SHA256(), length=KEY_BYTES, salt=None, info=DIGEST_KEY_INFO).derive(keys[0])

    @property
    def current_key_id(self) -> str:
        return self._current

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The configured keys' ids, the current one first."""
        return tuple(self._keys)

    def reencrypt(self, token: str) -> str:
        """The same value under the current key (the token itself if already so)."""
        return token if token_key_id(token) == self._current else self.encrypt(self.decrypt(token))

    def encrypt(self, plain: str) -> str:
        header = f"{PREFIX}{self._current}:"
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._keys[self._current].encrypt(nonce, plain.encode("utf-8"), header.encode("ascii"))
        return header + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def keyed_digest(self, value: str, purpose: str) -> str:
        """HMAC-SHA256 of value for one purpose: equal values give equal digests, so records can be
        linked without storing the value or a plain hash of it (which anyone could recompute for every
        possible ID number). A rotated key gives new digests: `govassist keys rotate` derives the
        stored ones again (assistant/proactive/applicant_links.py `relink`)."""
        return hmac.new(self._digest_key, f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()

    def decrypt(self, token: str) -> str:
        if not is_token(token):
            raise FieldCipherError("not an encrypted field token")
        _, _, kid, body = token.split(":", 3)
        aead = self._keys.get(kid)
        if aead is None:
            raise FieldCipherError(f"value was encrypted with key {kid!r}, which is not configured")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], f"{PREFIX}{kid}:".encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError, InvalidTag) as exc:
            raise FieldCipherError(f"encrypted value with key {kid!r} is damaged or was altered") from exc
        return plain.decode("utf-8")


def decode_key(encoded: str, source: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error as exc:
        raise FieldCipherError(f"{source} is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise FieldCipherError(f"{source} must be base64 of {KEY_BYTES} bytes, got {len(key)} bytes")
    return key


def load_or_create_key(path: Path) -> bytes:
    """Read the base64 key file at path, first writing a new random key (mode 0600) if there is none."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii") + "\n")
            # A hard link never replaces an existing file: if another process made the key first,
            # this one keeps theirs instead of overwriting a key already in use.
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            temp.unlink(missing_ok=True)
    return decode_key(path.read_text(encoding="ascii"), f"key file {path}")


def field_key_path(settings: Settings) -> Path:
    return settings.data_dir / "keys" / "field.key"


def cipher_from_settings(settings: Settings) -> FieldCipher:
    def decode(secret: SecretStr, source: str) -> bytes:
        return decode_key(secret.get_secret_value(), source)

    if settings.encryption_key is not None:
        current = decode(settings.encryption_key, "GOVASSIST_ENCRYPTION_KEY")
    else:
        current = load_or_create_key(field_key_path(settings))
    previous = [
        decode(k, f"GOVASSIST_PREVIOUS_ENCRYPTION_KEYS[{i}]") for i, k in enumerate(settings.previous_encryption_keys)
    ]
    return FieldCipher([current, *previous])
