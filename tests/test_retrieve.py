"""Chapters, fusion, the adaptive cut, evidence sentences and answers."""

import json
import subprocess
import sys

import numpy as np
import pytest

from folioscope.answer.ask import parse_citations
from folioscope.chapters.build import ChapterInput, build_chapters, chunk_cuts
from folioscope.chapters.structure import Heading, heading_marks
from folioscope.chapters.titles import KeyphraseTitler, clean_title, is_grounded, junk_reason
from folioscope.embed import shared_embedder
from folioscope.llm import answer_llm
from folioscope.retrieve.search import Hit, fuse, query_words
from folioscope.retrieve.select import Candidate, SelectOptions, elbow_cut, gradient_cut, select
from folioscope_lab.metrics import evidence_scores, intersect_ranges, merge_ranges

SAMPLE = "resources/sample/folioscope-sample.pdf"


# ---- fusion and cuts on hand-made score lists -----------------------------------------------

def test_rrf_rewards_agreement_between_the_two_searches():
    bm25 = [(1, 0, 9.0), (1, 1, 5.0), (1, 2, 1.0)]
    dense = [(1, 2, 0.9), (1, 1, 0.8), (1, 3, 0.1)]
    hits = fuse(bm25, dense, "rrf")
    order = [(h.doc_id, h.idx) for h in hits]
    assert order.index((1, 1)) < order.index((1, 0))  # ranks 2 + 2 beat rank 1 in one list only
    one = {(h.doc_id, h.idx): h for h in hits}
    assert one[(1, 1)].fused == pytest.approx(2 / 62)
    assert one[(1, 0)].fused == pytest.approx(1 / 61) and one[(1, 0)].dense_rank is None
    assert one[(1, 3)].bm25_rank is None and one[(1, 3)].dense_rank == 3


def test_convex_fusion_normalises_each_search():
    hits = fuse([(1, 0, 10.0), (1, 1, 0.0)], [(1, 1, 0.5), (1, 0, 0.3)], "cc")
    scores = {h.idx: h.fused for h in hits}
    assert scores == {0: pytest.approx(0.5), 1: pytest.approx(0.5)}


def test_gradient_cut_stops_at_the_first_big_drop_after_the_minimum():
    scores = np.array([1.0, 0.95, 0.9, 0.4, 0.35, 0.3])
    assert gradient_cut(scores, min_keep=2, drop=0.25) == 3
    assert gradient_cut(scores, min_keep=4, drop=0.25) == 6  # no big drop after the 4th
    assert gradient_cut(np.array([0.5, 0.5, 0.5]), 1, 0.25) == 3  # flat: nothing to cut on


def test_elbow_cut_finds_the_knee():
    scores = np.array([1.0, 0.9, 0.85, 0.2, 0.15, 0.1, 0.05, 0.0])
    assert elbow_cut(scores, min_keep=1) == 3
    assert elbow_cut(scores, min_keep=5) == 5


def _candidates(scores, tokens=100):
    return [Candidate(Hit(1, i, fused=s), start=i * 10, end=i * 10 + 10, tokens=tokens)
            for i, s in enumerate(scores)]


def test_select_records_reasons_respects_budget_and_adds_neighbours():
    cands = _candidates([0.9, 0.85, 0.1, 0.05])
    cands[0].hit.idx, cands[1].hit.idx, cands[2].hit.idx, cands[3].hit.idx = 5, 9, 6, 20
    by_key = {c.key: c for c in cands}
    kept = select(cands, SelectOptions(cut="gradient", min_keep=1, budget=1000, neighbour_share=0.1), by_key)
    assert {c.hit.idx for c in kept} == {5, 6, 9}  # 6 joins as the neighbour of 5
    assert "neighbour of chunk 5" in by_key[(1, 6)].reason
    assert by_key[(1, 20)].reason.startswith("cut") or "not added" in by_key[(1, 20)].reason
    kept = select(_candidates([0.9, 0.89, 0.88]), SelectOptions(cut="top", top_k=3, budget=250), {})
    assert len(kept) == 2  # the third would pass the 250-token budget


# ---- evidence metrics on a hand-checked case -------------------------------------------------

def test_evidence_scores_hand_checked():
    assert merge_ranges([(5, 10), (0, 3), (8, 12)]) == [(0, 3), (5, 12)]
    assert intersect_ranges([(0, 10)], [(5, 15), (20, 30)]) == [(5, 10)]
    gold = [(0, 10), (20, 30)]  # 20 characters of evidence
    got = [(5, 25)]  # 20 retrieved, 10 of them evidence
    s = evidence_scores(gold, got)
    assert s["recall"] == pytest.approx(0.5)
    assert s["precision"] == pytest.approx(0.5)
    assert s["iou"] == pytest.approx(10 / 30)
    assert s["paragraph_recall"] == pytest.approx(1.0)  # half of each paragraph retrieved
    assert evidence_scores(gold, [(5, 9)])["paragraph_recall"] == 0.0


def test_query_words_are_the_content_words_once():
    assert query_words('What is "NEAR" the AND-gate? And the gate?') == ["near", "gate"]
    assert query_words("the of and") == []


def test_citations_keep_only_numbers_that_name_evidence():
    assert parse_citations("Paris [1], and Lyon [2, 3] but not [7].", 3) == {1: 0, 2: 1, 3: 2}


# ---- chapters --------------------------------------------------------------------------------

def test_titles_are_cleaned_and_junk_is_rejected():
    text = "The lighthouse keeper trimmed the wicks and polished the lenses every night."
    assert clean_title('Title: "Keeping the Lenses Clean".') == "Keeping the Lenses Clean"
    assert junk_reason("Polishing lenses at night", text, [], "Doc") is None
    assert junk_reason("", text, [], "Doc") == "empty"
    assert junk_reason("Quantum chromodynamics of quarks", text, [], "Doc") == "not grounded in the chapter"
    assert junk_reason("Lenses", text, ["lenses"], "Doc") == "repeated"
    assert junk_reason(" ".join(["lens"] * 12), text, [], "Doc") == "too long"
    assert is_grounded("Lighthouse keepers", text)


def test_keyphrase_titles_name_what_sets_a_chapter_apart():
    texts = ["Oil lamps burned whale oil. The oil lamps smoked. Lamps needed oil.",
             "Fresnel lenses bent the light. A Fresnel lens has rings. Fresnel lenses were costly."]
    titler = KeyphraseTitler(texts)
    assert "oil" in titler.title(0, []).lower()
    assert "fresnel" in titler.title(1, []).lower()


def test_heading_marks_pick_a_level_that_leaves_chapters_of_a_useful_size():
    heads = [Heading(0, "One", 1, 0), Heading(50, "One.a", 2, 0), Heading(90, "Two", 1, 1)]
    assert [m.title for m in heading_marks(heads, n_words=1000)] == ["One", "One.a", "Two"]
    assert [m.title for m in heading_marks(heads, n_words=120)] == ["One", "Two"]  # 40 words a chapter: too fine
    assert heading_marks(heads[:1], n_words=1000) == []


def test_chunk_cuts_follow_the_topic_shift():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=384), rng.normal(size=384)
    vecs = np.array([a + 0.1 * rng.normal(size=384) for _ in range(6)]
                    + [b + 0.1 * rng.normal(size=384) for _ in range(6)])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    chunks = [(i * 100, (i + 1) * 100, 0.5) for i in range(12)]
    assert chunk_cuts(chunks, vecs, 2) == [6]


def two_topics(topics: list[str]) -> ChapterInput:
    """Five chunks of each topic's sentence repeated, with chunk vectors that shift between them."""
    text, chunks = "", []
    for topic in topics:
        for _ in range(5):
            start = len(text)
            text += (topic + " ") * 20
            chunks.append((start, len(text), 0.5))
    vecs = np.array([[1.0, 0.0]] * 5 + [[0.0, 1.0]] * 5)
    return ChapterInput(title="Lights", text=text, chunks=chunks, vectors=vecs)


def test_documents_without_headings_get_titled_chapters_at_chunk_cuts():
    inp = two_topics(["The lighthouse lamp burned whale oil in a brass lamp with a wick.",
                      "Fresnel lenses focus the lamp's light into a beam seen far at sea."])
    text, chunks = inp.text, inp.chunks
    chapters, _ = build_chapters(inp)
    assert chunks[5][0] in {c.start for c in chapters}  # the topic shift starts a chapter
    assert chapters[0].start == 0 and chapters[0].end == chapters[1].start and chapters[-1].end == len(text)
    assert all(c.title_source == "keyphrases" and is_grounded(c.title, text[c.start:c.end]) for c in chapters)


def test_keyphrase_titles_are_spelt_as_the_chapter_spells_them():
    texts = ["The LSTM reads the sentence. An LSTM keeps a memory cell. Tree LSTM models compose "
             "the parse tree. The LSTM gates decide what to forget.",
             "Character embeddings feed a CNN. The CNN filters slide over characters. A CNN is fast."]
    titler = KeyphraseTitler(texts)
    assert titler.written(0, "lstm") == "LSTM" and titler.written(1, "cnn", first=False) == "CNN"
    assert "LSTM" in titler.title(0, []) and "lstm" not in titler.title(0, [])
    assert titler.written(1, "character embeddings") == "Character embeddings"
    assert titler.written(1, "characters", first=False) == "characters"


def test_embedding_titles_pick_the_phrase_nearest_the_chapter():
    from folioscope.embed import shared_embedder
    inp = two_topics(["The lighthouse lamp burned whale oil in a brass lamp with a wick. Whale oil smoked.",
                      "Fresnel lenses focus the light into a beam seen far at sea. Fresnel lenses have rings."])
    chapters, _ = build_chapters(inp, embed=shared_embedder().encode)
    assert [c.title_source for c in chapters] == ["embedding keyphrases"] * len(chapters) and len(chapters) >= 2
    assert "oil" in chapters[0].title.lower() or "lamp" in chapters[0].title.lower()
    assert "fresnel" in chapters[-1].title.lower() or "lens" in chapters[-1].title.lower()
    assert len({c.title.lower() for c in chapters}) == len(chapters)


def test_section_names_map_to_roles():
    from folioscope.chapters.roles import OTHER, role_of
    assert role_of("Conclusions and Future Work") == role_of("Conclusion") == "Conclusion"
    assert role_of("Acknowledgements") == "Acknowledgments" and role_of("  Related work ") == "Related Work"
    assert role_of("Neural summarization model") == OTHER and role_of("") == OTHER


def test_a_role_goes_once_to_the_chapter_most_sure_of_it_and_only_above_the_threshold():
    from folioscope.chapters.roles import RoleModel
    model = RoleModel(("Conclusion", "Introduction", "other"), np.zeros(2), np.ones(2), np.zeros((3, 2)),
                      np.zeros(3), threshold=0.6, card={})
    p = np.array([[0.0, 0.9, 0.1],   # sure it is the introduction
                  [0.0, 0.7, 0.3],   # also an introduction, less sure: no second one
                  [0.5, 0.0, 0.5],   # a conclusion, but under the threshold
                  [0.8, 0.0, 0.2]])
    assert model.assign(p) == ["Introduction", None, None, "Conclusion"]


def test_a_missing_role_model_says_how_to_train_it(tmp_path):
    from folioscope.chapters.roles import load_role_model
    from folioscope.core import FolioscopeError
    with pytest.raises(FolioscopeError, match="folioscope-lab train roles"):
        load_role_model(tmp_path / "roles.npz")


def test_chapters_the_role_model_is_sure_of_are_titled_by_their_role():
    from folioscope.chapters.roles import PLACE_FEATURES, RoleModel
    inp = two_topics(["The lighthouse lamp burned whale oil in a brass lamp with a wick.",
                      "Fresnel lenses focus the lamp's light into a beam seen far at sea."])
    # a model that reads only "is it the first chapter": the first is the introduction
    coef = np.zeros((2, 2 + PLACE_FEATURES))
    coef[0, 2 + 2] = 10.0  # after the 2-d mean vector: first share, last share, is first
    model = RoleModel(("Introduction", "other"), np.zeros(9), np.ones(9), coef, np.array([0.0, 5.0]),
                      threshold=0.9, card={})
    chapters, _ = build_chapters(inp, roles=model)
    assert chapters[0].title == "Introduction" and chapters[0].title_source == "section role"
    assert all(c.title_source == "keyphrases" for c in chapters[1:])


def test_a_paper_read_as_plain_text_gets_its_introduction_named_unless_asked_not_to(data, tmp_path, capsys):
    """The shipped role model on a test-half paper it was not trained on: the chapter after
    the title and abstract is named "Introduction"; no role is given twice; `chapters
    --retitle --no-roles` titles every chapter by its key phrase."""
    from folioscope.cli import main
    from folioscope_lab.chapters import paper_text
    from folioscope_lab.retrieval import load_papers
    from folioscope_lab.segdata import split_of
    papers = load_papers(data)
    pid = min(p for p in papers if split_of(p) == "test")
    path = tmp_path / "paper.txt"
    path.write_text(paper_text(papers[pid]), encoding="utf-8")
    library = ["--library", str(tmp_path / "library")]
    assert main([*library, "ingest", "--quiet", str(path)]) == 0
    capsys.readouterr()
    assert main([*library, "chapters", "paper.txt", "--json"]) == 0
    chapters = json.loads(capsys.readouterr().out)
    roles = [c["title"] for c in chapters if c["title_source"] == "section role"]
    assert "Introduction" in [c["title"] for c in chapters[:3]] and len(roles) == len(set(roles))
    assert len(roles) < len(chapters) / 2  # the others keep their keyphrase titles
    assert main([*library, "chapters", "paper.txt", "--retitle", "--no-roles", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert [c["start"] for c in again] == [c["start"] for c in chapters]
    assert {c["title_source"] for c in again} == {"embedding keyphrases"}


# ---- the real pipeline on the sample ---------------------------------------------------------

@pytest.fixture(scope="module")
def sample_library(tmp_path_factory):
    from folioscope.index import Store
    from folioscope.pipeline import ingest_paths
    lib = Store(tmp_path_factory.mktemp("lib"))
    [result] = list(ingest_paths(lib, [SAMPLE]))
    assert result.ok, result.message
    yield lib, result.doc_id
    lib.close()


def test_sample_chapters_come_from_its_outline(sample_library):
    lib, doc = sample_library
    chapters = lib.chapters(doc)
    assert [c.title for c in chapters][:2] == ["1. Fire on the headland", "2. Lamps, mirrors and lenses"]
    assert chapters[0].start == 0 and chapters[-1].end == len(lib.text(doc))
    assert all(a.end == b.start for a, b in zip(chapters, chapters[1:]))
    assert chapters[-1].last_page == 2 and chapters[0].first_page == 0
    hits = lib.conn.execute("SELECT idx FROM chunk_fts WHERE chunk_fts MATCH 'chapter:automation'").fetchall()
    assert hits, "chapter titles are searchable"


def test_vectors_are_stored_once_per_chunk_content_and_searched_in_memory(sample_library):
    lib, doc = sample_library
    n_chunks = len(lib.chunks(doc))
    assert lib.conn.execute("SELECT count(*) FROM vectors").fetchone()[0] == n_chunks
    docs, idx, matrix = lib.vectors.arrays()
    assert matrix.shape == (n_chunks, 384)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-3)


def test_evidence_spans_slice_back_to_the_text_and_its_page_boxes(sample_library):
    import pymupdf

    from folioscope.retrieve import retrieve
    lib, doc = sample_library
    found = retrieve(lib, "What replaced open fires in lighthouses?", {doc}, encoder=shared_embedder())
    assert found.evidence
    text = lib.text(doc)
    pdf = pymupdf.open(SAMPLE)
    for e in found.evidence:
        assert text[e.start:e.end] == e.text
        words_on_page = " ".join(pdf[p].get_textbox(pymupdf.Rect(*box)) for p, *box in e.boxes)
        first = e.text.split()[0].strip(".,;:")
        assert first in words_on_page
    assert any("oil lamps" in e.text.lower() for e in found.evidence)
    kept = [t for t in found.trace() if t["kept"]]
    assert kept and all(t["reason"].startswith("kept") for t in kept)


def test_unrelated_question_is_refused_without_guessing(sample_library):
    from folioscope.answer.ask import NOT_FOUND, ask
    lib, doc = sample_library
    result = ask(lib, "Which team won the 1998 football world cup final?", {doc}, llm=answer_llm(), encoder=shared_embedder())
    assert not result.answer.found and result.answer.text == NOT_FOUND
    assert result.generation is None  # the model was not asked


def test_an_answer_names_the_pages_of_documents_still_being_indexed_that_have_the_words(tmp_path, data):
    """A document stored up to its text is not searched for evidence, but BM25 over its pages
    says where the question's words are; the answer says so."""
    from folioscope.answer.ask import ask, indexing_pages
    from folioscope.core.results import indexing_note
    from folioscope.index import Store
    from folioscope.ingest import read_document
    from folioscope.pipeline import file_sha256, ingest_paths
    paper = data / "pdfs" / "pdfjs" / "tracemonkey.pdf"
    with Store(tmp_path / "lib") as lib:
        list(ingest_paths(lib, [SAMPLE]))
        reading = lib.write_text(paper, file_sha256(paper), read_document(paper), 0.0)
        result = ask(lib, "How are trace trees compiled?", None, llm=answer_llm(), encoder=shared_embedder())
        pages = indexing_pages(lib, result)
    assert result.still_indexing == 1 and all(e.doc_id != reading for e in result.answer.evidence)
    assert pages and {p["doc_id"] for p in pages} == {reading} and pages[0]["document"] == "tracemonkey.pdf"
    note = indexing_note({"still_indexing": 1, "indexing_pages": pages})
    assert note.startswith("1 document still being indexed was not searched") and f"p{pages[0]['page']}" in note


def test_a_paragraph_under_a_heading_about_the_question_is_kept_first(tmp_path):
    from folioscope.index import Store
    from folioscope.pipeline import ingest_paths
    from folioscope.retrieve import PassageOptions, retrieve
    body = "All of the runs below use the material described in this part of the report."
    source = tmp_path / "report.md"
    source.write_text(f"# A report\n\n## Acknowledgments\n\n{body}\n\n## Datasets\n\n{body}\n")
    lib = Store(tmp_path / "lib")
    [result] = list(ingest_paths(lib, [source]))
    text = lib.text(result.doc_id)
    under_datasets = text.index(body, text.index("Datasets"))
    one = dict(min_keep=1, max_keep=1)
    found = retrieve(lib, "Which datasets did they use?", {result.doc_id}, PassageOptions(**one), evidence=None, encoder=shared_embedder())
    [kept] = found.kept
    assert kept.start == under_datasets and 'under "Datasets"' in kept.reason
    # the two paragraphs are the same words: without the heading's score nothing tells them apart
    plain = retrieve(lib, "Which datasets did they use?", {result.doc_id}, PassageOptions(heading=0.0, **one),
                     evidence=None, encoder=shared_embedder())
    assert "under" not in plain.kept[0].reason
    lib.close()


@pytest.mark.slow
def test_ask_cli_streams_an_answer_with_evidence(sample_library, tmp_path):
    lib, doc = sample_library
    out = subprocess.run([sys.executable, "-m", "folioscope", "--library", str(lib.folder), "ask",
                          "What did keepers do every night?", "--json"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["found"] and report["answer"].strip()
    assert report["evidence"] and all(e["boxes"] for e in report["evidence"])
    assert report["tokens"]["prompt"] > report["tokens"]["prompt_reused"] > 0
    assert report["timings"]["first_token"] > 0


def test_rouge_l_hand_checked():
    from folioscope_lab.chapters import rouge_l
    assert rouge_l("Related Work", "related work") == 1.0
    assert rouge_l("the model results", "Results") == pytest.approx(0.5)  # P 1/3, R 1
    # the words are shared in reverse order: the longest common subsequence is one word
    assert rouge_l("Experimental setup and data", "Data and setup") == pytest.approx(2 / 7)
    assert rouge_l("", "Results") == 0.0


def test_elbow_cut_on_a_curve_that_holds_then_falls():
    assert elbow_cut(np.array([1.0, 0.99, 0.98, 0.97, 0.0]), min_keep=1) == 4


def test_an_uncited_answer_is_attributed_only_to_evidence_holding_its_words():
    from folioscope.answer.ask import attribute
    from folioscope.core import Evidence
    evidence = [Evidence(1, 0, 10, "Oil lamps replaced open fires in the eighteenth century.", 0.8, 0),
                Evidence(1, 20, 30, "Keepers polished the brass every morning.", 0.6, 0)]
    assert attribute("Oil lamps replaced the fires.", evidence) == {1: 0}
    assert attribute("Electric light arrived in 1900.", evidence) == {}


def test_a_failing_or_overflowing_model_falls_back_to_keyphrases():
    from folioscope.chapters.titles import LLMTitler

    class Overflowing:
        calls = 0

        def chat(self, messages, **kw):
            Overflowing.calls += 1
            raise ValueError("Requested tokens (2449) exceed context window of 2048")

    texts = ["Oil lamps burned whale oil. The oil lamps smoked. Lamps needed oil."]
    titler = LLMTitler(Overflowing(), "Lights", texts, KeyphraseTitler(texts))
    title, source = titler.title(0, [])
    assert source == "keyphrases" and "oil" in title.lower()
    assert Overflowing.calls == 2 and "exceed context" in titler.rejected[0][2]


def test_the_evidence_ranker_orders_the_evidence_and_falls_back_to_the_sentence_score():
    """The shipped ranker loads, scores one row per sentence, and decides the order; without
    it the sentences keep the order of their own score."""
    import numpy as np

    from folioscope.core import SpanTable
    from folioscope.retrieve.evidence import EvidenceOptions, evidence_from
    from folioscope.retrieve.passages import Passage, ScoredSentence
    from folioscope.retrieve.ranker import FEATURES, EvidenceRanker, features, shipped_ranker
    from folioscope.retrieve.search import Hit
    from folioscope.retrieve.select import Candidate

    ranker = shipped_ranker()
    assert ranker is not None and ranker.names == FEATURES
    chunk = Candidate(Hit(doc_id=1, idx=0, fused=1.0), 0, 200, 40)
    passage = Passage(1, 0, 200, 1.0, chunk, kept=True)
    question = "How many keepers worked on a rock station?"
    sentences = [ScoredSentence(1, 0, 40, 0.9, chunk, "Keepers worked on rock stations at sea.", cosine=0.8),
                 ScoredSentence(1, 41, 90, 0.5, chunk, "Three keepers worked together on each station.",
                                cosine=0.4)]
    for s in sentences:
        s.passage = passage
    rows = features(question, sentences)
    assert rows.shape == (2, len(FEATURES))
    assert rows[1, FEATURES.index("number_question_x_number")] == 0  # "Three" is a word, not a digit

    class Spans:
        def span_table(self, doc_id):
            return SpanTable([])
    # a ranker that prefers a lower cosine puts the second sentence first
    weights = np.zeros(len(FEATURES))
    weights[FEATURES.index("cosine")] = -1.0
    flipped = EvidenceRanker(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), weights, 0.0, {})
    ranked = evidence_from(Spans(), [passage], sentences, EvidenceOptions(relative=0.0),
                           flipped.score(features(question, sentences)))
    plain = evidence_from(Spans(), [passage], sentences, EvidenceOptions(relative=0.0))
    assert [e.start for e in ranked] == [41, 0] and [e.start for e in plain] == [0, 41]
    assert EvidenceRanker.from_json(ranker.to_json()).weights.tolist() == ranker.weights.tolist()


def test_a_table_row_is_labelled_with_its_headers_cell_by_cell_or_as_a_whole():
    from folioscope.retrieve.tables import TableRows, labelled
    assert labelled("Column | Type", "USER_NAME | VARCHAR(10)") == "Column: USER_NAME | Type: VARCHAR(10)"
    assert labelled("Table 2 Costs", "Lamp | 12 | 14") == "Table 2 Costs: Lamp | 12 | 14"
    text = "Column | Type\n\nUSER_NAME | VARCHAR(10)\n\nAfter the table."
    rows = TableRows([("table_header", 1, 0, 13), ("table_row", 1, 15, 38)], text)
    assert rows.at(15, 24).text == "Column: USER_NAME | Type: VARCHAR(10)"
    assert rows.at(40, 50) is None and rows.in_header(0, 6) and not rows.in_header(15, 24)


def test_boilerplate_never_leads_the_evidence():
    from folioscope.retrieve.evidence import is_boilerplate
    assert is_boilerplate("For the latest information about the company, please visit our website.")
    assert is_boilerplate("Contact: investor.relations@example.com")
    assert is_boilerplate("Risk factors ........................ 14")
    assert not is_boilerplate("Revenue grew 12% to $5.2 billion in 2023.")


@pytest.mark.slow
def test_a_question_about_a_table_is_answered_by_its_row_with_the_headers_boxed_on_the_page(data, library):
    from folioscope.pipeline import ingest_paths
    from folioscope.retrieve import retrieve
    [result] = list(ingest_paths(library, [data / "pdfs" / "docling" / "sources" / "redp5110_sampled.pdf"]))
    found = retrieve(library, "What is the data type of FUNCTION_ID?", {result.doc_id}, encoder=shared_embedder())
    first = found.evidence[0]
    assert first.text.startswith("Column name: FUNCTION_ID | Data type: VARCHAR(30)")
    row = library.text(result.doc_id)[first.start:first.end]
    assert row.startswith("FUNCTION_ID | VARCHAR(30)")  # the highlight is the row itself
    assert first.boxes and {page for page, *_ in first.boxes} == {first.page}


def test_a_summary_sentence_gives_the_lead_to_the_body_sentence_that_restates_it():
    """The abstract's brief claim leads only when no body sentence says the same thing; the
    body's statement then leads, the summary's sentence follows, and the cut still holds."""
    from folioscope.core import SpanTable
    from folioscope.retrieve.evidence import EvidenceOptions, evidence_from
    from folioscope.retrieve.passages import Passage, ScoredSentence

    class Spans:
        def span_table(self, doc_id):
            return SpanTable([])

    def unit(*v):
        v = np.asarray(v, dtype=np.float32)
        return v / np.linalg.norm(v)

    chunk = Candidate(Hit(doc_id=1, idx=0, fused=1.0), 0, 400, 80)
    summary = Passage(1, 0, 100, 1.0, chunk, kept=True, under="Abstract")
    body = Passage(1, 100, 400, 0.9, chunk, kept=True, under="3. Data")
    brief = ScoredSentence(1, 0, 60, 0.9, chunk, "We report results with a finance-specific embedding.",
                           passage=summary, vector=unit(1, 0, 0))
    unrelated = ScoredSentence(1, 100, 160, 0.8, chunk, "The headlines were tagged by two annotators.",
                               passage=body, vector=unit(0, 1, 0))
    full = ScoredSentence(1, 200, 280, 0.7, chunk, "We trained word2vec on 189,206 financial articles.",
                          passage=body, vector=unit(1, 0.4, 0))
    sentences = [brief, unrelated, full]
    rank = np.array([0.9, 0.8, 0.3])  # the body sentence ranks last, under the cut of the best
    led = evidence_from(Spans(), [summary, body], sentences, EvidenceOptions(relative=0.5), rank)
    assert [e.start for e in led] == [200, 0, 100]
    assert [e.start for e in evidence_from(Spans(), [summary, body], sentences,
                                           EvidenceOptions(relative=0.5, restated=None), rank)] == [0, 100]
    full.vector = unit(0, 0, 1)  # no body sentence restates it: the summary's sentence leads
    assert [e.start for e in evidence_from(Spans(), [summary, body], sentences,
                                           EvidenceOptions(relative=0.5), rank)] == [0, 100]
    brief.passage = Passage(1, 0, 100, 1.0, chunk, kept=True, under="2. Method")  # not a summary
    full.vector = unit(1, 0.4, 0)
    assert [e.start for e in evidence_from(Spans(), [summary, body], sentences,
                                           EvidenceOptions(relative=0.5), rank)] == [0, 100]
