"""Chunked uploads: pieces must arrive in order, the size limit holds, ids are checked."""
from __future__ import annotations

import pytest

from services.common.errors import Conflict, InvalidArgument
from services.dataio.uploads import UploadStore

UID = "0123456789abcdef"


def test_pieces_assemble_in_order_and_a_gap_is_a_conflict(tmp_path):
    store = UploadStore(tmp_path, max_bytes=100)
    assert store.append(UID, 0, b"abc") == 3
    assert store.append(UID, 3, b"def") == 6
    with pytest.raises(Conflict, match="6 バイト目から送り直して"):
        store.append(UID, 3, b"def")  # a repeated piece
    with store.open(UID) as fh:
        assert fh.read() == b"abcdef"
    store.discard(UID)
    assert not list(tmp_path.glob("*.part"))


def test_size_limit_and_bad_ids(tmp_path):
    store = UploadStore(tmp_path, max_bytes=5)
    store.append(UID, 0, b"abc")
    with pytest.raises(InvalidArgument, match="大きすぎます"):
        store.append(UID, 3, b"def")
    assert not (tmp_path / f"{UID}.part").exists()  # the partial file is dropped with the refusal
    with pytest.raises(InvalidArgument, match="16進数"):
        store.append("../../etc/passwd", 0, b"x")
