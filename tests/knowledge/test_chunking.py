"""Chunker: Japanese sentence boundaries, size limit, whole-sentence overlap, heading context."""
from __future__ import annotations

import pytest

from services.knowledge.chunking import chunk_text, sections, split_sentences


def test_sentences_end_at_japanese_terminators_and_line_breaks():
    text = "検品は熟練者が行う。新人は単独にしない！本当か？「はい。」と答えた\n・項目A\n・項目B"
    assert [s.strip() for s in split_sentences(text)] == [
        "検品は熟練者が行う。", "新人は単独にしない！", "本当か？", "「はい。」", "と答えた", "・項目A", "・項目B"]


@pytest.mark.parametrize("size,overlap", [(64, 0), (80, 16), (120, 40), (512, 64)])
def test_chunks_respect_size_and_never_cut_a_sentence(size, overlap):
    sentences = [f"{i}番目の文では、月曜の朝に熟練者を午前へ配置する理由を説明する。" for i in range(30)]
    chunks = chunk_text("".join(sentences), size, overlap)
    assert all(len(c) <= size for c in chunks)
    for chunk in chunks:  # every chunk is a run of whole sentences
        assert chunk.endswith("。")
        assert chunk.split("番目")[0].isdigit()
    covered = "".join(chunks)
    assert all(s in covered for s in sentences)


def test_overlap_repeats_the_previous_chunks_last_sentences():
    sentences = [f"文{i:02d}はここで終わる。" for i in range(40)]  # 11 characters each
    chunks = chunk_text("".join(sentences), 60, 25)
    assert len(chunks) > 2
    for previous, current in zip(chunks, chunks[1:]):
        tail = [s.strip() for s in split_sentences(previous)[-2:]]
        assert current.startswith("".join(tail))  # two sentences (22 chars) fit in 25 of overlap


def test_no_overlap_means_disjoint_chunks():
    sentences = [f"文{i:02d}はここで終わる。" for i in range(40)]
    chunks = chunk_text("".join(sentences), 60, 0)
    assert "".join(chunks) == "".join(sentences)


def test_headings_become_the_context_of_every_chunk_and_are_never_crossed():
    text = "# 拠点別\n## 横浜\n### 月曜\n月曜は熟練者を午前に置く。\n### 新人\n新人はペアで育てる。\n## 札幌\n冬季は予備要員。"
    assert [s.prefix for s in sections(text)] == ["拠点別 > 横浜 > 月曜", "拠点別 > 横浜 > 新人", "拠点別 > 札幌"]
    assert chunk_text(text, 512, 64) == ["拠点別 > 横浜 > 月曜\n月曜は熟練者を午前に置く。",
                                         "拠点別 > 横浜 > 新人\n新人はペアで育てる。",
                                         "拠点別 > 札幌\n冬季は予備要員。"]


def test_a_sentence_longer_than_a_chunk_is_split_at_commas():
    sentence = "、".join(["検品と出荷には熟練者を置き"] * 20) + "。"
    chunks = chunk_text(sentence, 100, 20)
    assert len(chunks) >= 3 and all(len(c) <= 100 for c in chunks)
    assert all(c.endswith(("、", "。")) for c in chunks)


def test_plain_text_without_headings_and_empty_text():
    assert chunk_text("ただの本文。二文目。", 512, 64) == ["ただの本文。二文目。"]
    assert chunk_text("", 512, 64) == []
    assert chunk_text("# 見出しだけ\n\n", 512, 64) == []
