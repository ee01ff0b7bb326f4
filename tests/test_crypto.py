"""Field encryption: tokens that name their key, refuse tampering, and stay readable across key rotation."""

from __future__ import annotations

import base64
import os
import re
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.dialogue.session import SessionState
from assistant.privacy.crypto import FieldCipher, FieldCipherError, cipher_from_settings, is_token, load_or_create_key
from settings import Settings

OLD_KEY = bytes(range(32))
NEW_KEY = bytes(range(32, 64))
TOKEN_SHAPE = re.compile(r"^enc:v1:[0-9a-f]{8}:[A-Za-z0-9_-]+=*$")


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.mark.parametrize("plain", ["110101199003074258", "13912345678", "王小明", "广东省广州市天河区 1 号", ""])
def test_a_value_comes_back_from_its_token(plain: str) -> None:
    cipher = FieldCipher([NEW_KEY])
    token = cipher.encrypt(plain)
    assert TOKEN_SHAPE.match(token) and is_token(token)
    assert plain == "" or plain not in token
    assert cipher.decrypt(token) == plain


def test_the_same_value_encrypts_differently_each_time() -> None:
    cipher = FieldCipher([NEW_KEY])
    first, second = cipher.encrypt("13912345678"), cipher.encrypt("13912345678")
    assert first != second
    assert cipher.decrypt(first) == cipher.decrypt(second) == "13912345678"


@pytest.mark.parametrize("text", ["13912345678", "enc:v1:", "enc:v1:abcd1234:", "enc:v2:abcd1234:AAAA", "王小明"])
def test_plain_text_is_not_a_token(text: str) -> None:
    assert not FieldCipher.is_token(text)
    with pytest.raises(FieldCipherError, match="not an encrypted field token"):
        FieldCipher([NEW_KEY]).decrypt(text)


def test_an_altered_token_is_refused() -> None:
    cipher = FieldCipher([NEW_KEY])
    token = cipher.encrypt("110101199003074258")
    body_start = token.rindex(":") + 1
    flipped = "A" if token[body_start + 5] != "A" else "B"
    altered = token[: body_start + 5] + flipped + token[body_start + 6 :]
    with pytest.raises(FieldCipherError, match="damaged or was altered"):
        cipher.decrypt(altered)
    with pytest.raises(FieldCipherError, match="damaged or was altered"):
        cipher.decrypt(token[:-8])


def test_a_token_moved_under_another_key_id_is_refused() -> None:
    # The header is authenticated: relabelling a token with another configured key's id must not decrypt.
    cipher = FieldCipher([NEW_KEY, OLD_KEY])
    old_id = FieldCipher([OLD_KEY]).current_key_id
    token = cipher.encrypt("13912345678")
    relabelled = token.replace(cipher.current_key_id, old_id, 1)
    with pytest.raises(FieldCipherError):
        cipher.decrypt(relabelled)


def test_a_token_from_an_unknown_key_says_so() -> None:
    token = FieldCipher([OLD_KEY]).encrypt("13912345678")
    with pytest.raises(FieldCipherError, match="not configured"):
        FieldCipher([NEW_KEY]).decrypt(token)


def test_after_rotation_old_tokens_are_read_and_new_ones_use_the_new_key() -> None:
    old_token = FieldCipher([OLD_KEY]).encrypt("王小明")
    rotated = FieldCipher([NEW_KEY, OLD_KEY])
    assert rotated.decrypt(old_token) == "王小明"
    new_token = rotated.encrypt("王小明")
    assert new_token.split(":")[2] == rotated.current_key_id != old_token.split(":")[2]
    assert FieldCipher([NEW_KEY]).decrypt(new_token) == "王小明"


@pytest.mark.parametrize("keys", [[], [b"short"], [NEW_KEY, bytes(16)]])
def test_unusable_keys_are_refused(keys: list[bytes]) -> None:
    with pytest.raises(FieldCipherError):
        FieldCipher(keys)


def test_a_key_file_is_created_once_private_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "field.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert base64.b64decode(path.read_text()) == key
    assert load_or_create_key(path) == key
    assert [p.name for p in path.parent.iterdir()] == ["field.key"]  # no temporary file left behind


def test_without_a_configured_key_the_key_file_in_the_data_dir_is_used(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    token = cipher_from_settings(settings).encrypt("13912345678")
    assert (tmp_path / "keys" / "field.key").is_file()
    # A restarted process reads the same key file.
    assert cipher_from_settings(Settings(data_dir=tmp_path)).decrypt(token) == "13912345678"


def test_keys_from_the_environment_with_previous_keys_still_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVASSIST_ENCRYPTION_KEY", b64(NEW_KEY))
    monkeypatch.setenv("GOVASSIST_PREVIOUS_ENCRYPTION_KEYS", f'["{b64(OLD_KEY)}"]')
    cipher = cipher_from_settings(Settings(data_dir=tmp_path))
    assert FieldCipher([NEW_KEY]).decrypt(cipher.encrypt("王小明")) == "王小明"
    assert cipher.decrypt(FieldCipher([OLD_KEY]).encrypt("王小明")) == "王小明"
    assert not (tmp_path / "keys").exists()  # a configured key means no key file is made


@pytest.mark.parametrize(
    ("key", "message"),
    [("not base64!", "GOVASSIST_ENCRYPTION_KEY is not valid base64"), (b64(bytes(16)), "32 bytes, got 16")],
)
def test_a_bad_configured_key_is_reported_by_name(tmp_path: Path, key: str, message: str) -> None:
    with pytest.raises(FieldCipherError, match=message):
        cipher_from_settings(Settings(data_dir=tmp_path, encryption_key=SecretStr(key)))


def test_the_remembered_reply_and_its_suggestions_are_encrypted_in_the_stored_conversation():
    """A resent message is answered from the session: what it remembers must not sit there in plain text."""
    cipher = FieldCipher([os.urandom(32)])
    state = SessionState()
    state.remember("m1", ["您的电话是138****8000，对吗？"], ["困难残疾人生活补贴申领"])
    document = state.to_document(cipher.encrypt)
    assert "138****8000" not in str(document) and "残疾" not in str(document)
    again = SessionState.from_document(document, cipher.decrypt)
    assert again.last_reply == ["您的电话是138****8000，对吗？"]
    assert again.last_suggestions == ["困难残疾人生活补贴申领"]
