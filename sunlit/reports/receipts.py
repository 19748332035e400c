"""Receipts: 16 digits the reporter keeps, stored only as an argon2id hash.

The receipt is derived from the filing's idempotency key with the installation secret
(HMAC), so a retry of the same filing (a lost response on a village network) gets the
same receipt again without the receipt ever being stored. Because the key yields the
receipt, the key is never taken from a URL or chosen by the client: the server mints it
when it renders the form, bound to the device that asked for it (`form_key`), and a
filing whose key is not bound to its own device is refused (`key_bound`). The database holds only
HMAC(secret, key) for de-duplication and argon2id(receipt) for look-up: neither reveals
a receipt, and the argon2 salt is derived from the secret so a receipt can be found by
its hash (a random salt per row would make look-up a scan of every report).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata

from argon2.low_level import Type, hash_secret_raw
from django.conf import settings

RECEIPT_DIGITS = 16
_KEY = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\uff0d_.]+")


def _secret() -> bytes:
    configured = settings.SUNLIT_REPORTS_SECRET
    if configured:
        return configured.encode()
    # Development only (production refuses to start without the setting).
    return hmac.new(settings.SECRET_KEY.encode(), b"sunlit.reports.secret", hashlib.sha256).digest()


def _mac(purpose: bytes, value: bytes) -> bytes:
    return hmac.new(_secret(), purpose + b"\0" + value, hashlib.sha256).digest()


def new_key() -> str:
    """A key for a reporter's message on the follow-up page (the receipt opened the report)."""
    return secrets.token_urlsafe(24)


# A form's key: a random nonce, then HMAC(secret, device, nonce) cut to 16 bytes.
_NONCE_CHARS = 24  # secrets.token_urlsafe(18)
_TAG_CHARS = 22  # 16 bytes in unpadded base64url


def _tag(nonce: str, device: str) -> str:
    raw = _mac(b"form-key", f"{device}\0{nonce}".encode())[:16]
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def form_key(device: str) -> str:
    """A new idempotency key for a filing form shown to `device` (its signed cookie's id)."""
    if not device:
        raise ValueError("a form key is bound to a device")
    nonce = secrets.token_urlsafe(18)
    return nonce + _tag(nonce, device)


def key_bound(key: str, device: str) -> bool:
    """Was `key` minted by `form_key` for this very device?"""
    if not device or not valid_key(key) or len(key) != _NONCE_CHARS + _TAG_CHARS:
        return False
    return hmac.compare_digest(key[_NONCE_CHARS:], _tag(key[:_NONCE_CHARS], device))


def valid_key(key: str) -> bool:
    return bool(_KEY.match(key or ""))


def idempotency_hash(key: str) -> str:
    return _mac(b"idempotency", key.encode()).hex()


def receipt_for(key: str) -> str:
    number = int.from_bytes(_mac(b"receipt", key.encode()), "big") % 10**RECEIPT_DIGITS
    return str(number).zfill(RECEIPT_DIGITS)


def receipt_hash(receipt: str) -> str:
    salt = _mac(b"argon2-salt", b"")[:16]
    raw = hash_secret_raw(
        secret=receipt.encode(),
        salt=salt,
        time_cost=settings.SUNLIT_REPORTS_ARGON2_TIME,
        memory_cost=settings.SUNLIT_REPORTS_ARGON2_MEMORY_KIB,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )
    return raw.hex()


def normalise(typed: str) -> str | None:
    """What a villager types → 16 digits, or None (full-width digits and spaces forgiven)."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed or ""))
    return text if re.fullmatch(r"[0-9]{16}", text) else None


def grouped(receipt: str) -> str:
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))
