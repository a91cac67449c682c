"""Chunking: sentences, metrics, sizing invariants, user edits, the shipped model."""

import socket
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from folioscope.core import BLOCK_SEPARATOR, ChunkOptions, Edit
from folioscope.embed import count_tokens
from folioscope.segment.chunker import apply_edits, chunk_text
from folioscope.segment.sentences import split_sentences
from folioscope.segment.sizing import plan_cuts
from folioscope_lab.metrics import boundaries_from_segments, default_k, pk, window_diff
from folioscope_lab.segdata import parse, split_of
from folioscope_lab.segmentation import even_cuts, top_n

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "sample" / "folioscope-sample.pdf"
MINILM_LIMIT = 254  # 256 word pieces minus [CLS] and [SEP]


def test_pk_and_windowdiff_on_a_hand_checked_case():
    # 6 sentences; gold: [0 1 2 | 3 4 5]; hypothesis: [0 1 2 3 | 4 5]; k = 2
    # pairs (1,3) and (3,5) are judged wrongly: Pk = 2/4; windows at 1 and 3 differ: WD = 2/4
    assert default_k({2}, 6) == 2
    assert pk({2}, {3}, 6) == 0.5
    assert window_diff({2}, {3}, 6) == 0.5
    assert pk({2}, {2}, 6) == 0.0 and window_diff({2}, {2}, 6) == 0.0
    # a hypothesis with an extra boundary: Pk misses it inside a window, WindowDiff does not
    assert pk({2}, {2, 3}, 6) == 0.25 and window_diff({2}, {2, 3}, 6) == 0.5


def test_reference_helpers():
    assert boundaries_from_segments([3, 2, 4]) == {2, 4}
    assert top_n(np.array([0.1, 0.9, 0.5, 0.9]), 2) == {1, 3}
    assert even_cuts(9, 2) == {2, 5}
    sentences, gold = parse("==========\na\nb\n==========\nc\n==========\n")
    assert sentences == ["a", "b", "c"] and gold == {1}
    assert {split_of(f"1/3-5/{i}.ref") for i in range(20)} == {"tune", "test"}


def test_sentences_keep_offsets_and_block_structure():
    text = BLOCK_SEPARATOR.join(["Heading one", "Dr. Smith paid 3.5 dollars. He left.", "- a list item"])
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["Heading one", "Dr. Smith paid 3.5 dollars.", "He left.", "- a list item"]
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_a_quote_inside_a_quote_stays_with_the_sentence_it_closes():
    text = ("They only repeat their own case.’” “Why did he?” she asked. It ended.'\" Then. "
            'He left. "Go home," she said.')
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["They only repeat their own case.’”", "“Why did he?” she asked.",
                                           "It ended.'\"", "Then.", "He left.", '"Go home," she said.']
    assert all(text[s.start:s.end] == s.text for s in sentences)


def assert_chunking_invariants(text, chunking, budget):
    chunks = chunking.chunks
    assert "".join(c.text for c in chunks) == text  # lossless
    assert all(c.text for c in chunks)  # never empty
    assert [c.start for c in chunks[1:]] == [c.end for c in chunks[:-1]]  # contiguous
    if chunks:
        assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for chunk, n in zip(chunks, count_tokens([c.text for c in chunks])):
        assert n <= budget, (n, chunk.text[:80])


words = st.sampled_from("the lighthouse keeper wrote a long report about storms and lamps on "
                        "Tuesday, antidisestablishmentarianism notwithstanding".split())
sentence = st.lists(words, min_size=1, max_size=60).map(lambda ws: " ".join(ws).capitalize() + ".")
paragraph = st.lists(sentence, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=40, deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=6), st.sampled_from([32, 64, 120]))
def test_fixed_chunks_are_lossless_and_within_budget(paragraphs, budget):
    text = BLOCK_SEPARATOR.join(paragraphs)
    chunking = chunk_text(text, ChunkOptions(strategy="fixed", budget=budget, minimum=budget // 4))
    assert_chunking_invariants(text, chunking, budget)


def test_a_sentence_longer_than_the_budget_is_cut_at_words():
    text = "Intro sentence. " + " ".join(["lighthouse"] * 400) + ". End."
    chunking = chunk_text(text, ChunkOptions(strategy="fixed", budget=64, minimum=8))
    assert_chunking_invariants(text, chunking, 64)
    assert len(chunking.chunks) >= 7


def test_plan_cuts_splits_at_strongest_gap_and_merges_fragments():
    tokens = [50, 50, 50, 50, 10]
    scores = np.array([0.1, 0.9, 0.2, 0.3])
    cuts = plan_cuts(tokens, scores, np.zeros(4, dtype=bool), budget=120, minimum=20)
    assert cuts == [0, 2]  # split at the 0.9 gap; the 10-token tail joins its neighbour
    decided = np.array([False, False, False, True])
    assert plan_cuts(tokens, scores, decided, budget=120, minimum=20) == [0, 2]


def test_edits_apply_to_cuts():
    valid = {10, 20, 30, 40}
    assert apply_edits([20], [Edit("split", 30)], valid) == [20, 30]
    assert apply_edits([20, 30], [Edit("merge", 20)], valid) == [30]
    assert apply_edits([20], [Edit("move", 20, 40)], valid) == [40]
    assert apply_edits([20], [Edit("split", 33)], valid) == [20]  # not a sentence start


def test_learned_model_loads_offline_and_scores_gaps(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the model tried to use the network")
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from folioscope.segment.strategies import SegmentInput, get_strategy
    strategy = get_strategy("learned")
    assert strategy.model.card["training_data"]
    doc = SegmentInput(["The cat sat on the mat.", "It purred softly in the sun.",
                        "Stock markets fell sharply on Monday.", "Investors sold bank shares."])
    scores = strategy.score(doc)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    assert scores[1] == scores.max()  # the topic changes between sentences 2 and 3


@pytest.fixture
def sample_library(library):
    from folioscope.core import Progress
    from folioscope.pipeline import ingest_file, prepare
    result = ingest_file(library, SAMPLE, lambda p, r, pr, o: prepare(p, progress=pr, reader=r, on_read=o), Progress())
    assert result.status == "added", result.message
    return library, result.doc_id


def test_ingest_chunks_with_the_default_strategy(sample_library):
    library, doc_id = sample_library
    chunks = library.chunks(doc_id)
    text = library.text(doc_id)
    assert chunks and "".join(c.text for c in chunks) == text
    assert {c.strategy for c in chunks} == {"learned"}
    assert all(n <= MINILM_LIMIT for n in count_tokens([c.text for c in chunks]))
    # every heading starts a chunk
    for title in ("2. Lamps, mirrors and lenses", "5. Automation"):
        assert any(c.text.startswith(title) for c in chunks), title
    assert chunks[-1].pages == [2]


def test_edits_survive_rechunk_and_undo(sample_library):
    from folioscope.pipeline import edit_chunks, rechunk, redo_edit, undo_edit
    library, doc_id = sample_library
    text = library.text(doc_id)
    target = text.index("A Fresnel lens gathers")
    assert target not in {c.start for c in library.chunks(doc_id)}
    edit_chunks(library, doc_id, Edit("split", target))
    assert target in {c.start for c in library.chunks(doc_id)}
    rechunk(library, doc_id, ChunkOptions(strategy="fixed", budget=120, minimum=20))
    assert target in {c.start for c in library.chunks(doc_id)}
    assert {c.strategy for c in library.chunks(doc_id)} == {"fixed"}
    assert undo_edit(library, doc_id)
    assert target not in {c.start for c in library.chunks(doc_id)}
    assert redo_edit(library, doc_id)
    assert target in {c.start for c in library.chunks(doc_id)}
    first = library.chunks(doc_id)[1].start
    edit_chunks(library, doc_id, Edit("merge", first))
    assert first not in {c.start for c in library.chunks(doc_id)}
    assert "".join(c.text for c in library.chunks(doc_id)) == text


def test_export_formats(sample_library):
    import json

    from folioscope.index.export import export_chunks
    library, doc_id = sample_library
    lines = export_chunks(library, doc_id, "jsonl").splitlines()
    records = [json.loads(line) for line in lines]
    text = library.text(doc_id)
    assert all(text[r["start"]:r["end"]] == r["text"] for r in records)
    assert all(r["boxes"] and r["pages"] for r in records)
    assert json.loads(export_chunks(library, doc_id, "json"))["chunks"] == records
    assert export_chunks(library, doc_id, "md").count("<!-- chunk ") == len(records)
