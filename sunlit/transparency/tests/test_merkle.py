"""The Merkle code against RFC 6962 §2.1 written out literally (recursion on the split)."""

from __future__ import annotations

import hashlib

import pytest

from sunlit.transparency import merkle


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(data: list[bytes]) -> bytes:
    """MTH(D[n]) exactly as RFC 6962 §2.1 defines it."""
    n = len(data)
    if n == 0:
        return sha(b"")
    if n == 1:
        return sha(b"\x00" + data[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return sha(b"\x01" + mth(data[:k]) + mth(data[k:]))


def path(m: int, data: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) exactly as RFC 6962 §2.1.1 defines it."""
    n = len(data)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*path(m, data[:k]), mth(data[k:])]
    return [*path(m - k, data[k:]), mth(data[:k])]


# The leaves and roots of the test vectors used by Certificate Transparency
# implementations (e.g. certificate-transparency-go, merkle tree tests).
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def leaves_of(data: list[bytes]) -> list[bytes]:
    return [merkle.leaf_hash(d) for d in data]


def test_it_hashes_the_empty_tree_as_sha256_of_nothing() -> None:
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert merkle.root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_it_hashes_leaves_and_nodes_with_distinct_prefixes() -> None:
    assert merkle.leaf_hash(b"a") == sha(b"\x00a")
    assert merkle.node_hash(b"l", b"r") == sha(b"\x01lr")


def test_it_matches_certificate_transparency_vectors() -> None:
    for size in range(1, len(CT_LEAVES) + 1):
        assert merkle.root(leaves_of(CT_LEAVES[:size])).hex() == CT_ROOTS[size - 1], size
        assert mth(CT_LEAVES[:size]).hex() == CT_ROOTS[size - 1], size


def test_it_matches_a_hand_built_three_leaf_tree() -> None:
    a, b, c = (sha(b"\x00" + x) for x in (b"a", b"b", b"c"))
    assert merkle.root([a, b, c]) == sha(b"\x01" + sha(b"\x01" + a + b) + c)


@pytest.mark.parametrize("size", range(1, 18))
def test_it_matches_the_rfc_definition(size: int) -> None:
    data = [f"entry {i}".encode() for i in range(size)]
    assert merkle.root(leaves_of(data)) == mth(data)


@pytest.mark.parametrize("size", range(1, 18))
def test_it_proves_every_leaf(size: int) -> None:
    data = [f"entry {i}".encode() for i in range(size)]
    leaves, root = leaves_of(data), mth(data)
    for index in range(size):
        proof = merkle.audit_path(leaves, index)
        assert proof == path(index, data), (size, index)
        assert merkle.verify_inclusion(leaves[index], index, size, proof, root), (size, index)


@pytest.mark.parametrize("size", [1, 2, 5, 8, 13])
def test_it_refuses_proofs_that_do_not_fit(size: int) -> None:
    data = [f"entry {i}".encode() for i in range(size)]
    leaves, root = leaves_of(data), mth(data)
    for index in range(size):
        proof = merkle.audit_path(leaves, index)
        other = merkle.leaf_hash(b"forged")
        assert not merkle.verify_inclusion(other, index, size, proof, root)
        assert not merkle.verify_inclusion(leaves[index], index, size, [*proof, other], root)
        # (A wrong size can still fit the path's shape: the signed root statement is
        # what binds the size, so only a size past the leaf is refused here.)
        assert not merkle.verify_inclusion(leaves[index], size, size, proof, root)
        if proof:
            assert not merkle.verify_inclusion(leaves[index], index, size, proof[:-1], root)
        if size > 1:
            wrong = (index + 1) % size
            assert not merkle.verify_inclusion(leaves[index], wrong, size, proof, root)
