"""Masking personal data for read-backs, screens and logs (张*, 110101********4514, 138****8000).

Names keep the surname's first character, ID numbers the region code and the last four, mobiles
the first three and the last four, addresses the divisions up to the county, long digit strings
(bank accounts, card numbers) the last four. Dates, choices and amounts are not identifying alone
and stay as they are. In free text (`mask_text`) names and street addresses are found by
assistant/privacy/free_text_pii.py and shown the same way.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from stdnum import luhn

from assistant.privacy.free_text_pii import mask_names_and_addresses
from knowledge.models import SlotType

# A county-level division ends the part of an address that stays readable.
_COUNTY_END = re.compile(r"^.*?(?:自治县|自治旗|新区|区|县|旗)|^.*?市(?=.*?(?:街道|镇|乡))|^.*?市")
# An ID number stands apart from other digits, written whole or grouped (6-8-4, 6-4-4-4); letters may touch
# it ("sfz110101…", "ID:110101…"): found by fuzzing, a letter before the number used to keep it readable.
_ID = re.compile(r"(?<!\d)(\d{6})[\s-]?\d{4}[\s-]?\d{4}[\s-]?(\d{3}[\dXxＸｘ])(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:(\+?86)[\s-]?)?(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")
# Account numbers in a text answer: 8 digits or more, spaces allowed ("6222 0212 3456 7890").
_ACCOUNT = re.compile(r"(?<![0-9A-Za-z])\d(?: ?\d){7,}(?![0-9A-Za-z])")
# In free text a run must be card-long, so dates (20240305) and times stay readable in logs.
_CARD = re.compile(r"(?<![0-9A-Za-z])\d(?: ?\d){11,}(?![0-9A-Za-z])")
# Bank card numbers (13–19 digits) however they are grouped ("6222-0212-3456-7894") or whatever touches
# them ("No6222…"): masked when the Luhn check digit fits, so other hyphenated numbers stay readable.
_LUHN_RUN = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")


def _name(value: str) -> str:
    if len(value) <= 1:
        return value
    return value[0] + "*" * (len(value) - 1)


def _id_number(value: str) -> str:
    compact = re.sub(r"[\s-]", "", value)
    if len(compact) < 10:
        return "*" * len(compact)
    return compact[:6] + "*" * (len(compact) - 10) + compact[-4:]


def _phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _address(value: str) -> str:
    head = _COUNTY_END.match(value)
    if head is None or head.end() >= len(value):
        # No division to keep: show the first two characters only.
        return value[:2] + "****" if len(value) > 2 else value
    return head.group(0) + "****"


def _digit_run(run: str) -> str:
    digits = re.sub(r"\D", "", run)
    return "*" * (len(digits) - 4) + digits[-4:]


def _bank_cards(text: str) -> str:
    def card(match: re.Match[str]) -> str:
        run = match.group(0)
        return _digit_run(run) if luhn.is_valid(re.sub(r"\D", "", run)) else run

    return _LUHN_RUN.sub(card, text)


def _text(value: str) -> str:
    return _ACCOUNT.sub(lambda m: _digit_run(m.group(0)), _bank_cards(value))


def mask(slot_type: SlotType, value: str) -> str:
    """How a value of this type is shown where others may see it."""
    if slot_type is SlotType.person_name:
        return _name(value)
    if slot_type is SlotType.id_number:
        return _id_number(value)
    if slot_type is SlotType.phone:
        return _phone(value)
    if slot_type is SlotType.address:
        return _address(value)
    if slot_type is SlotType.text:
        return _text(value)
    return value


def own_view(slot_type: SlotType, value: str) -> str:
    """How a value is read back to the person who gave it, on their own conversation: as they gave it,
    so they can check it, except an ID number's middle digits (a screen is seen over a shoulder).
    Everywhere else (logs, analytics, staff screens, stored text) values go through `mask`."""
    return _id_number(value) if slot_type is SlotType.id_number else value


def mask_text(text: str, keep: Collection[str] = ()) -> str:
    """Free text (a chat message, a log line) with every ID number, mobile number, bank card number
    (Luhn, any grouping) and long digit run masked; ID numbers first, as they contain digit runs of their own.
    Then Chinese personal names (陈晓明 → 陈**) and street addresses below the county
    (越秀区东风中路305号 → 越秀区****), found by assistant/privacy/free_text_pii.py, except inside `keep` (the
    place a report is about, which the department must read)."""
    text = _ID.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(3)}", text)
    text = _CARD.sub(lambda m: _digit_run(m.group(0)), _bank_cards(text))
    return mask_names_and_addresses(text, keep)


def digits_tail(phone: str, length: int = 4) -> str | None:
    """The last digits of a phone number, the part a caller proves they know a case by (None if too short)."""
    digits = "".join(c for c in phone if c.isdigit())
    return digits[-length:] if len(digits) >= length else None
