"""The Ed25519 key that signs Merkle roots, kept at settings.SUNLIT_SIGNING_KEY_PATH.

The key is created on first signing (PKCS8 PEM, mode 0600). Public pages only read it:
a GET must never be what creates a deployment's key. The fingerprint that villagers
compare is the SHA-256 of the 32 raw public-key bytes, in hex.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings


def key_path() -> Path:
    return Path(settings.SUNLIT_SIGNING_KEY_PATH)


def _load(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def private_key() -> Ed25519PrivateKey:
    """The signing key, created (with its directories) if there is none yet."""
    path = key_path()
    if path.exists():
        return _load(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        # O_EXCL: two workers starting at once must not each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _load(path)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key


def public_key_or_none() -> Ed25519PublicKey | None:
    path = key_path()
    if not path.exists():
        return None
    return _load(path).public_key()


def raw_public_bytes(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public_bytes(public)).hexdigest()


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(
        "ascii"
    )


def sign(key: Ed25519PrivateKey, statement: str) -> str:
    return key.sign(statement.encode("utf-8")).hex()


def signature_valid(public: Ed25519PublicKey, statement: str, signature_hex: str) -> bool:
    try:
        public.verify(bytes.fromhex(signature_hex), statement.encode("utf-8"))
    except (InvalidSignature, ValueError):
        return False
    return True
