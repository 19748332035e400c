"""Resident identity numbers (居民身份证号码, GB 11643-1999): checked, sealed at rest,
looked up by a keyed fingerprint, and only ever shown as their last four characters.

A full number is personal information that the villages' publicity must never expose
(PIPL art. 28: sensitive). So a stored number is three things, never the plain text:

- `fingerprint(n)`: HMAC-SHA256 under the installation's key, for equality lookups
  (the self-check, "the same number in two households") without decrypting anything;
- `seal(n)`: AES-256-GCM ciphertext, for the rare lawful need to read it back (an
  inspector's export), opened only by `unseal`;
- `last4(n)`: the tail that pages may show (`masked` pads it with asterisks).

The key comes from SUNLIT_ID_KEY (settings): 32 bytes, base64. Lose it and sealed
numbers cannot be read and fingerprints no longer match: back it up with the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import random
import re
from datetime import date
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext as _

from sunlit.lib.errors import InvalidInput

LENGTH = 18
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")
# A full number anywhere in a text (tests scan every public page with it). 17 digits and
# a digit or X, not inside a longer run of digits.
FULL_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9Xx])")
SEAL_PREFIX = "v1:"


def check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize(value: object, *, field: str = "id_number") -> str:
    """The number in its canonical form (18 characters, upper-case X), or InvalidInput
    saying what is wrong with it. Spaces and full-width digits (what some ID-card readers
    and input methods type) are accepted."""
    text = re.sub(r"\s+", "", str(value or "")).translate(_FULLWIDTH).upper()
    if not text:
        raise InvalidInput(_("Enter the ID number."), field=field)
    # ASCII digits only: str.isdigit also takes "²" and "١", which int() then refuses.
    if (
        len(text) != LENGTH
        or not text.isascii()
        or not text[:17].isdigit()
        or not (text[17].isdigit() or text[17] == "X")
    ):
        raise InvalidInput(_("An ID number has 18 characters: 17 digits and a last digit or X."), field=field)
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidInput(_("This ID number holds no valid date of birth."), field=field) from None
    if check_character(text[:17]) != text[17]:
        raise InvalidInput(
            _("This ID number's last character does not match the others: check for a typing mistake."),
            field=field,
        )
    return text


def is_valid(value: object) -> bool:
    try:
        normalize(value)
    except InvalidInput:
        return False
    return True


@cache
def _keys() -> tuple[bytes, bytes]:
    """(fingerprint key, sealing key), both derived from SUNLIT_ID_KEY."""
    raw = base64.b64decode(settings.SUNLIT_ID_KEY)
    return (
        hmac.new(raw, b"sunlit id fingerprint", hashlib.sha256).digest(),
        hmac.new(raw, b"sunlit id seal", hashlib.sha256).digest(),
    )


def fingerprint(number: str) -> str:
    """A keyed hash of a normalised number (64 hex characters) for lookups."""
    return hmac.new(_keys()[0], number.encode("ascii"), hashlib.sha256).hexdigest()


def seal(number: str) -> str:

    nonce = os.urandom(12)
    sealed = AESGCM(_keys()[1]).encrypt(nonce, number.encode("ascii"), b"id")
    return SEAL_PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def unseal(token: str) -> str:

    if not token.startswith(SEAL_PREFIX):
        raise ValueError("not a sealed ID number")
    blob = base64.b64decode(token[len(SEAL_PREFIX) :])
    return AESGCM(_keys()[1]).decrypt(blob[:12], blob[12:], b"id").decode("ascii")


def last4(number: str) -> str:
    return number[-4:]


def masked(tail: str) -> str:
    """What a page shows for a number whose last four characters are `tail`."""
    return "*" * (LENGTH - len(tail)) + tail


def generate(rng: random.Random, *, area: str, born: date, female: bool) -> str:
    """A well-formed number for demo data: `area` is the 6-digit division code."""
    sequence = rng.randrange(0, 50) * 2 + (0 if female else 1)
    first17 = f"{area[:6]}{born:%Y%m%d}{rng.randrange(0, 10)}{sequence:02d}"
    return first17 + check_character(first17)
