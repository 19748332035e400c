"""Merkle trees as in RFC 6962 §2.1 (Certificate Transparency), pure functions.

Leaves are hashed as SHA-256(0x00 || data) and inner nodes as SHA-256(0x01 || left ||
right), so a leaf can never pass for a node. For n leaves the left subtree holds the
largest power of two smaller than n. Building the tree bottom-up, pairing neighbours and
carrying an odd last node up unchanged, gives exactly that shape, which is what lets
`MerkleStream` compute a root in O(log n) memory over a million leaves.

In the publication log a leaf's data is the 32 raw bytes of an entry's hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class MerkleStream:
    """Feed leaf hashes in order; `root()` is the RFC 6962 tree hash of all of them."""

    def __init__(self) -> None:
        # Complete subtrees, largest first: (number of leaves, hash). Sizes are distinct
        # powers of two, the binary digits of the leaf count.
        self._stack: list[tuple[int, bytes]] = []
        self.size = 0

    def add(self, leaf: bytes) -> None:
        size, value = 1, leaf
        while self._stack and self._stack[-1][0] == size:
            left_size, left = self._stack.pop()
            size, value = left_size + size, node_hash(left, value)
        self._stack.append((size, value))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        value = self._stack[-1][1]
        for _size, left in reversed(self._stack[:-1]):
            value = node_hash(left, value)
        return value


def root(leaves: Iterable[bytes]) -> bytes:
    """The tree hash over leaf hashes (already passed through `leaf_hash`)."""
    stream = MerkleStream()
    for leaf in leaves:
        stream.add(leaf)
    return stream.root()


def audit_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The inclusion proof for leaf `index`: sibling hashes from the leaf up to the root."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)}")
    path: list[bytes] = []
    level = list(leaves)
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        # else: the odd last node moves up a level unchanged and adds nothing to the path.
        level = [node_hash(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
        index //= 2
    return path


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root_hash: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does `path` prove leaf hash `leaf` at `index` in tree `root_hash`?"""
    if index < 0 or index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash
