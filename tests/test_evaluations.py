"""Each evaluation runs end to end on a tiny slice and reports the rows the README cites.
(The numbers themselves come from full runs archived in results/.)"""

import json
from pathlib import Path

import pytest

from folioscope_lab.cli import main


def run_eval(capsys, data, what, *extra):
    code = main(["eval", what, "--data", str(data), "--json", *extra])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_routes_against_page_labels(capsys, data):
    from folioscope_lab.routes import PAGE_LABELS
    report = run_eval(capsys, data, "routes")
    labelled = sum(len(pages) for pages in PAGE_LABELS.values() if isinstance(pages, list))
    assert report["pages"] == labelled > 400 and report["commit"] and report["data"]
    assert report["born_digital_sent_to_ocr"] == 0 and report["scans_not_ocrd"] == 0
    assert sum(report["labels"].values()) == report["pages"]


@pytest.mark.slow
@pytest.mark.timeout(1500)  # with no cached vectors it encodes a novel per fiction half
def test_segmentation_leave_one_set_out_rows(capsys, data):
    report = run_eval(capsys, data, "segmentation", "--limit", "1")
    assert report["models"]["boundary"]
    for name, rows in report["sets"].items():
        assert {"no boundary", "random (gold count)", "even (gold count)", "fixed", "paragraph starts",
                "learned (trained without this set)", "texttiling (cut-off tuned on the other sets)"} <= set(rows["rows"])
        learned = rows["rows"]["learned (trained without this set)"]
        assert 0 <= learned["pk"] <= 1 and 0 <= learned["ap"] <= 1 and "f1" in learned
        assert 0 < rows["ap_chance"] < 1
        grid, cutoff = rows["texttiling_cutoff_grid"], rows["texttiling_cutoff_tuned"]
        assert grid[0] < cutoff < grid[-1] or abs(cutoff) == 6.0  # inside the grid it was chosen from
        if name == "choi":  # documents cut from shared texts: no interval
            assert rows["differences"].startswith("none")
        else:
            assert set(rows["differences"]) >= {"ap: learned - texttiling", "ap: learned - paragraph starts",
                                                "own-rule Pk: learned - no boundary",
                                                "own-rule Pk: learned - texttiling"}
        # the threshold sweep reproduces the learned row at the threshold chosen on the other sets
        at_chosen = rows["learned_own_rule_by_threshold"][str(rows["learned_threshold"])]
        assert (at_chosen["pk"], at_chosen["boundaries_found"]) == (learned["pk"], learned["boundaries_found"])
    assert "choi" in report["sets"] and "qasper" in report["sets"]


@pytest.mark.slow
def test_segmentation_at_a_cheaper_encoder_depth_refits_and_times_both_models(data):
    """`eval segmentation --layers 1`: the models are fitted on first-layer vectors (a model
    of another depth would refuse them), and the speed of both operating points is reported."""
    from folioscope_lab.segmentation import evaluate_segmentation
    report = evaluate_segmentation(data, sets=["docs"], limit=1, train_limit=1, perplexity_docs=0, layers=1)
    assert report["encoder_layers"] == 1
    rows = report["sets"]["docs"]["rows"]
    assert 0 <= rows["learned (trained without this set)"]["ap"] <= 1
    speed = report["speed_tracemonkey"]
    assert set(speed) == {"learned, all layers (shipped)", "learned, first 1 layer"}
    assert all(row["sentences"] > 500 and row["sentences_per_s"]["median"] > 0 for row in speed.values())


def test_eval_layers_is_only_for_segmentation(capsys):
    assert main(["eval", "retrieval", "--layers", "1"]) == 1
    assert main(["eval", "segmentation", "--layers", "7"]) == 1
    assert "--layers takes 1 to 6" in capsys.readouterr().err


@pytest.mark.slow
def test_retrieval_rows_default_and_scopes(capsys, data):
    report = run_eval(capsys, data, "retrieval", "--tune", "--limit", "2")
    assert report["split"] == "tune" and report["questions"] > 0
    assert "gold_paragraphs_not_located" in report
    for scope in ("within-paper", "library-wide"):
        rows = report["scopes"][scope]["results"]
        assert [name for name, row in rows.items() if row.get("default")] == [report["default"]]
        assert any(name.startswith("naive") for name in rows)
        assert all(0 <= row["recall"] <= 1 and row["tokens"] > 0 for row in rows.values())
    assert report["latency"]["retrieval"]["p95_ms"] > 0
    assert any(name.endswith("budget 600") for name in report["scopes"]["within-paper"]["results"])
    not_found = report["not_found"]
    assert not_found["answerable_questions"] == report["questions"]
    grid = not_found["thresholds"]
    assert str(not_found["shipped_threshold"]) in grid and str(not_found["best_threshold_on_this_half"]) in grid
    refused = [row["answerable_refused"] for _, row in sorted(grid.items(), key=lambda kv: float(kv[0]))]
    assert refused == sorted(refused)  # a higher threshold refuses at least as many


@pytest.mark.slow
def test_evidence_rows_hits_and_baselines(capsys, data):
    report = run_eval(capsys, data, "evidence", "--limit", "2")
    assert report["split"] == "test" and report["questions"] > 0 and report["models"]["evidence_ranker"]
    rows = report["results"]
    assert report["default"] in rows and any(name.startswith("MiniLM cosine") for name in rows)
    for row in rows.values():
        assert 0 <= row["hit@1"] <= row["hit@k"] <= 1 and row["pieces"] > 0
    one = rows["MiniLM cosine over the paper's sentences, top-1"]
    assert one["k"] == 1 and one["hit@1"] == one["hit@k"]
    assert "hit@1: default - MiniLM cosine over the paper's sentences, top-1" in report["differences"]


def test_a_sentence_is_a_hit_when_half_of_it_is_highlighted():
    from folioscope_lab.evidence import holds_span, is_hit
    gold = [(100, 150)]
    assert is_hit(100, 150, gold) and is_hit(90, 150, gold) and is_hit(125, 175, gold)
    assert not is_hit(40, 150, gold) and not is_hit(150, 200, gold)
    assert holds_span("They use the SQuAD dataset [1].", ["SQuAD"]) and not holds_span("Squadron", ["SQuAD"])


@pytest.mark.slow
def test_chapters_starts_and_titles(capsys, data):
    report = run_eval(capsys, data, "chapters", "--tune", "--limit", "1")
    assert report["papers"] == 1 and report["sections"] > 0
    assert {"chapters", "even cuts at the gold count"} <= set(report["starts"])
    assert {"keyphrases (tf-idf)", "keyphrases (embedding)"} <= set(report["titles"])
    [default] = [k for k, v in report["titles"].items() if v.get("default")]
    assert default.startswith("roles") and set(report["titles_default_minus"]) == set(report["titles"]) - {default}
    assert 0 <= report["role_titles"]["right"] <= report["role_titles"]["given"] <= report["chapters"]
    assert set(report["role_titles"]["elsewhere"]) == {"clinical", "lectures", "fiction"}
    assert report["markdown_documents"] == 1  # a docling ground truth, headings removed
    markdown = report["markdown_starts"]
    assert markdown["chapters"]["gold"] > 0 and 0 <= markdown["chapters"]["f1"] <= 1


@pytest.mark.slow
def test_ocr_grid_on_one_page(capsys, data):
    report = run_eval(capsys, data, "ocr", "--limit", "1")
    [page] = report["pages"]
    assert page["file"].endswith("linn.png")
    assert len([k for k in page if k.startswith("rapidocr")]) == 4  # classifier on/off x two orders
    assert 0 <= page["folioscope"]["cer"] < 0.1 and page["folioscope"]["bow_f1"] > 0.9


def test_reading_order_score_punishes_a_wrong_order_and_ignores_markdown():
    from folioscope_lab.order import tokens, word_error_rate
    gold = "## Intro\n\nFirst column text.\n\n<!-- image -->\n\n| a | b |\n|---|---|\n| Second column |"
    assert tokens(gold) == ["intro", "first", "column", "text", "a", "b", "second", "column"]
    assert word_error_rate("Intro First column text a b Second column", gold) == 0
    swapped = word_error_rate("Intro a b Second column First column text", gold)
    assert swapped > 0.4  # the same words, out of order


@pytest.mark.slow
def test_order_reads_a_docling_pdf_four_ways(capsys, data):
    report = run_eval(capsys, data, "order", "--limit", "1")
    [row] = report["rows"]
    assert row["document"] == "2305.03393v1-pg9.pdf"
    readings = [k for k in row if k != "document"]
    assert readings == ["folioscope", "pymupdf get_text, content-stream order", "pymupdf get_text, sorted top-down",
                        "pymupdf4llm with pymupdf-layout"]
    assert all(0 <= row[k]["wer"] <= 1.5 and row[k]["bow_f1"] > 0.8 for k in readings)


@pytest.mark.slow
def test_scale_bench_reports_the_issue_keys(capsys, data, tmp_path):
    code = main(["bench", "scale", "--documents", "3", "--data", str(data), "--keep", str(tmp_path),
                 "--list-rows", "500", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["documents"] == 3 and report["failed"] == 0
    assert report["chunks"] > 3 and report["retrieval_p95_ms"] >= report["retrieval_p50_ms"] > 0
    assert report["embed_question_ms"] > 0 and report["cold_start_s"] > 0 and report["rss_mb"] > 100
    assert report["list_rows"] == 500 and report["library_documents"] == 3
    assert report["ingest_parallel"]["documents"] == 3 and report["ingest_parallel"]["speedup"] > 0
    ray = report["ingest_parallel"]["ray"]
    assert ray["documents"] == ray["imported"] == 3 and ray["documents_per_s"] > 0 and ray["import_s"] > 0
    assert report["list_scroll_ms"]["pages"] > 5 and report["list_filter_ms"]["keystrokes"] == 16
    assert report["list_add_ms"] > 0
    assert report["text_index_build_s"] > 0 and "text_index_mb" in report  # built on close, then read
    saved = json.loads((tmp_path / "library" / "text-index.json").read_text())
    assert len(saved["documents"]) == 3 and (tmp_path / "library" / saved["index"]).stat().st_size > 1000
    # three distinct documents: no chunk text repeats
    texts = [(tmp_path / "documents" / f"doc-0000{k}.md").read_text() for k in (1, 2, 3)]
    assert len(set(texts)) == 3

    # the kept library measured again as it is: nothing built, the same library
    before = sorted(p.name for p in (tmp_path / "library").iterdir())
    code = main(["bench", "scale", "--measure", str(tmp_path), "--data", str(data), "--list-rows", "100",
                 "--save", str(tmp_path / "results"), "--json"])
    again = json.loads(capsys.readouterr().out)
    assert code == 0 and again["measured_only"] and again["chunks"] == report["chunks"]
    assert again["retrieval_p95_ms"] > 0 and again["list_rows"] == 100 and "ingest_parallel" not in again
    assert sorted(p.name for p in (tmp_path / "library").iterdir()) == before
    [saved_report] = (tmp_path / "results").glob("bench-scale-3-documents-*-chunks-measured.json")
    assert json.loads(saved_report.read_text())["commit"]
    assert main(["bench", "scale", "--measure", str(tmp_path / "documents")]) != 0  # no library there


def test_vector_bench_compares_exact_and_approximate_search_and_archives_it(capsys, tmp_path):
    code = main(["bench", "vectors", "--chunks", "3000", "--save", str(tmp_path), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["chunks"] == 3000 and report["queries"] == 100
    assert report["approximate_recall_at_10"] > 0.9  # a small index is searched almost exactly
    assert report["exact_ms"]["p95"] >= report["exact_ms"]["p50"] > 0 and report["index_mb"] >= 1
    sweep = report["approximate_by_expansion"]
    assert [row["expansion_search"] for row in sweep] == [64, 128, 256, 512] and sum(r["default"] for r in sweep) == 1
    assert sweep[-1]["recall_at_10"] >= sweep[0]["recall_at_10"]
    saved = json.loads((tmp_path / "bench-vectors-3000.json").read_text())
    assert saved["commit"] and saved["approximate_ms"] == report["approximate_ms"]


@pytest.mark.slow
def test_answer_bench_times_the_first_token_with_and_without_the_prefix_beside_the_raw_decode(capsys):
    assert main(["bench", "--only", "answers", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["answers"]
    cached, uncached = report["with prefix cache"], report["without prefix cache"]
    assert cached["answers"] == uncached["answers"] == 8
    assert cached["prompt_tokens_reused"] > 0 == uncached["prompt_tokens_reused"]
    assert 0 < report["decode_ms_per_token"] < uncached["first_token_ms_median"]


def test_bench_names_its_parts_when_asked_for_one_it_does_not_have(capsys):
    assert main(["bench", "--only", "ocr,speed"]) == 1
    assert "born_digital, ocr, routes" in capsys.readouterr().err


def test_bench_scale_refuses_a_library_of_nothing(capsys):
    assert main(["bench", "scale", "--documents", "0"]) == 1
    assert "--documents" in capsys.readouterr().err


def test_scale_copies_are_stored_like_imported_records_and_found_library_wide(data, tmp_path):
    """`bench scale --distinct M`: the library is filled with copies of M read documents,
    stored under their own names with the same chunks, vectors and chapters, and searched."""
    from folioscope.index import Store
    from folioscope.retrieve.search import bm25_search
    from folioscope_lab.retrieval import load_papers
    from folioscope_lab.scale import ingest_keeping, make_documents, store_copies
    paths = make_documents(load_papers(data), 2, tmp_path / "docs")
    with Store(tmp_path / "lib") as store:
        results, prepared = ingest_keeping(store, paths)
        assert all(r.ok for r in results)
        assert store_copies(store, prepared, 0) is None
        assert store_copies(store, prepared, 3) >= 0
        ids = {Path(r.path).name: r.id for r in store.documents()}
        assert sorted(ids) == ["copy-00001-doc-00001.md", "copy-00002-doc-00002.md", "copy-00003-doc-00001.md",
                               "doc-00001.md", "doc-00002.md"]
        original, copy = ids["doc-00001.md"], ids["copy-00003-doc-00001.md"]
        assert [(c.start, c.end, c.hash) for c in store.chunks(copy)] == \
               [(c.start, c.end, c.hash) for c in store.chunks(original)]
        assert [c.title for c in store.chapters(copy)] == [c.title for c in store.chapters(original)]
        question = " ".join(store.chunks(original)[1].text.split()[:12])
        top = {doc for doc, _, _ in bm25_search(store, question, limit=3)}
        assert top == {original, copy, ids["copy-00001-doc-00001.md"]}  # the three equal texts


def test_open_bench_times_a_dropped_batch_in_a_fresh_window(capsys, data):
    """Two PDFs' first two pages dropped together: page 1, every file listed, every file
    ready, in that order, each file added; then the same in the baseline order."""
    from folioscope.models import sample_document
    files = [str(sample_document()), str(data / "pdfs" / "pdfjs" / "tracemonkey.pdf")]
    for order in ([], ["--one-pass"]):
        assert main(["bench", "open", *files, "--batch", *order, "--first-pages", "2", "--rounds", "1",
                     "--json"]) == 0
        report = json.loads(capsys.readouterr().out)["batch"]
        assert report["files"] == ["folioscope-sample-first-2.pdf", "tracemonkey-first-2.pdf"]
        assert sorted(report["statuses"].values()) == ["added", "added"] and report["pages"] == 2
        assert 0 < report["first_page_s"] and 0 < report["all_text_s"] <= report["all_ready_s"]
        assert report["all_listed_s"] < report["all_text_s"] and len(report["text_s_each"]) == 2
        assert report["order"] == ("one pass per file" if order else "two passes")


def test_text_bench_times_bm25_in_memory_against_fts5_and_finds_the_same_results(capsys, data, tmp_path):
    code = main(["bench", "text", "--chunks", "2000", "--data", str(data), "--save", str(tmp_path), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["chunks"] == 2000 and report["questions"] == 100
    assert report["same_as_fts5"] == 1.0 and report["fts5_questions"] == 20  # rows, order and scores
    assert report["text_index_ms"]["p95"] >= report["text_index_ms"]["p50"] > 0 and report["fts5_ms"]["p50"] > 0
    assert report["text_index_build_s"] > 0 and report["terms"] > 1000
    saved = json.loads((tmp_path / "bench-text-2000.json").read_text())
    assert saved["commit"] and saved["text_index_ms"] == report["text_index_ms"]


def test_the_candidate_answer_phrase_takes_figures_and_names_from_the_sentence():
    from folioscope_lab.phrase import answer_phrase
    figure = answer_phrase("What is the accuracy of their model?", "Our model reaches 85.3% accuracy [12] in 2019.")
    assert figure is not None and figure.text == "85.3%"
    names = answer_phrase("Which datasets do they use?", "We evaluate on SQuAD and TriviaQA BIBREF3 .")
    assert names is not None and names.text == "SQuAD, TriviaQA"
    assert answer_phrase("Why does it work?", "Because of SQuAD.") is None


def test_an_archive_names_the_tree_its_run_began_on_and_every_shipped_model(monkeypatch, tmp_path):
    from folioscope_lab import archive
    data = tmp_path / "set.json"
    data.write_text("{}")
    monkeypatch.setattr(archive, "git_commit", lambda: "bbbb+changes")  # the tree changed during the run
    record = archive.provenance([data], commit="aaaa")
    assert record["commit"] == "aaaa" and record["commit_at_end"] == "bbbb+changes"
    assert {"boundary/boundary.npz", "titles/roles.npz", "evidence/ranker.json"} <= set(record["models"])
    assert record["data"] == {"set.json": archive.file_hash(data)}
    assert "commit_at_end" not in archive.provenance([data], commit="bbbb+changes")


def test_a_boundary_model_fitted_on_some_features_gives_the_others_no_weight():
    import numpy as np

    from folioscope.segment.learned import feature_names
    from folioscope_lab.choose_boundary import feature_sets
    from folioscope_lab.segdata import SegDoc
    from folioscope_lab.train_boundary import examples, fit
    rng = np.random.default_rng(0)
    docs, vectors = [], []
    for n in range(6):  # two topics a document, the second starting at sentence 10
        a, b = rng.normal(size=8), rng.normal(size=8)
        v = np.vstack([a + 0.1 * rng.normal(size=(10, 8)), b + 0.1 * rng.normal(size=(10, 8))])
        docs.append(SegDoc(f"d{n}", "toy", [f"sentence {i} of {n}." for i in range(20)], {9}, None))
        vectors.append((v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32))
    train = examples("toy", docs, vectors)
    sets = feature_sets()
    assert sets["all"] == list(range(len(feature_names())))
    without = sets["without the paragraph mark"]
    model = fit(train, synthetic_docs=0, columns=without)
    dropped = sorted(set(range(len(feature_names()))) - set(without))
    assert [feature_names()[i] for i in dropped] == ["starts_paragraph"]
    assert model.coef[dropped[0]] == 0 and np.abs(model.coef[without]).sum() > 0
    assert int(np.argmax(model.predict_features(train[0].features))) == 9  # the topic change ranks first


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_boundary_settings_are_chosen_on_the_tune_halves_and_archived(capsys, data, tmp_path):
    code = main(["train", "boundary", "--data", str(data), "--choose", "--limit", "1", "--json",
                 "--save", str(tmp_path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["commit"] and report["models"]
    assert [s["factor"].split(" ")[0] for s in report["sweeps"]] == ["C", "feature", "synthetic", "encoder"]
    for sweep in report["sweeps"]:
        best = max(r["mean_ap"] for r in sweep["rows"])
        assert any(r["setting"] == sweep["best"] and r["mean_ap"] == best for r in sweep["rows"])
        assert sweep["shipped_is_best"] == (sweep["shipped"] == sweep["best"])
        assert sweep["adopt"] in (sweep["shipped"], sweep["best"])  # the best only on an interval above 0
        assert sweep["adopt"] == sweep["shipped"] or sweep["best_minus_shipped_by_document"]["ci95"][0] > 0
    assert json.loads((tmp_path / "boundary-choice-tune-limit1.json").read_text())["sweeps"]


def test_an_archive_is_stale_when_the_code_it_measures_changed_since_its_commit(tmp_path):
    """The check above can fail: an archive of a commit that is not HEAD's ancestor, one from
    a changed tree, and one whose measured code changed since are each named stale."""
    import subprocess

    from folioscope_lab.archive import ROOT, measured_code, stale_reason
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode:
        pytest.skip("git history absent (not a git checkout): commits cannot be compared")
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    first = subprocess.run(["git", "-C", str(ROOT), "rev-list", "--max-parents=0", "HEAD"], capture_output=True,
                           text=True).stdout.split()[0]

    def archive(name, commit):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"commit": commit}))
        return path

    assert stale_reason(archive("evidence", head)) is None
    assert "changed since" in stale_reason(archive("evidence", first))  # the very first commit
    assert "uncommitted" in stale_reason(archive("evidence", head + "+changes"))
    assert "not an ancestor" in stale_reason(archive("evidence", "0" * 40))
    assert "app/folioscope/retrieve" in measured_code("evidence-tune")
    # text read as text never runs the OCR path; OCR and reading evaluations do
    assert ":(exclude)app/folioscope/ingest/layout.py" in measured_code("evidence")
    assert not any("exclude" in p for p in measured_code("ocr") + measured_code("long-structure"))
    # Qasper and Markdown never run the PDF reader; the evidence run reads PDF tables, so it does
    assert ":(exclude)app/folioscope/ingest/pdf.py" in measured_code("retrieval") + measured_code("chapters")
    assert ":(exclude)app/folioscope/ingest/headings.py" in measured_code("answers")
    assert ":(exclude)app/folioscope/ingest/pdf.py" not in measured_code("evidence")
    assert measured_code("something-new") == ["app/folioscope", "models"]


def test_structure_matches_headings_one_to_one_by_text():
    from folioscope_lab.structure import matches, same_heading, title_right
    assert same_heading("1.1  Security fundamentals", "1.1 Security fundamentals")
    assert same_heading("Chapter 1. Securing and protecting IBM DB2 data", "Securing and protecting IBM DB2 data")
    assert not same_heading("1", "1.1 Security fundamentals")  # too short to match by its start
    assert matches(["Results", "Results", "Method"], ["Results", "Method"]) == 2  # one to one
    assert title_right("Trace-based JIT — Mozilla", "Trace-based JIT") and not title_right("tracemonkey", "Trace-based JIT")


def test_long_structure_gold_comes_from_the_outline_the_reader_never_sees(tmp_path):
    import pymupdf

    from folioscope_lab.long_structure import heading_matches, outline_gold, title_right, without_outline
    pdf = pymupdf.open()
    for _ in range(4):
        pdf.new_page()
    pdf.set_toc([[1, "Annual Performance Report", 1], [2, "Goal 1", 2], [3, "Objective 1.1", 2], [2, "Goal 2", 4]])
    pdf.save(tmp_path / "report.pdf")
    # the first level with two entries is level 1; the lone entry above it is left out
    assert outline_gold(tmp_path / "report.pdf") == [(1, 1, "Goal 1"), (1, 2, "Objective 1.1"), (3, 1, "Goal 2")]
    (tmp_path / "copies").mkdir()
    copy = without_outline(tmp_path / "report.pdf", tmp_path / "copies")
    assert copy != tmp_path / "report.pdf" and pymupdf.open(copy).get_toc() == []
    gold = outline_gold(tmp_path / "report.pdf")
    assert heading_matches([("Goal 1", 1), ("Goal 2", 2)], gold) == 1  # text and page both
    assert title_right("Apple Inc. — Form 10-Q, quarter ended July 1, 2023", ["Apple Inc.", "10-Q"])
    assert not title_right("Apple Inc.", ["Apple Inc.", "10-Q"]) and not title_right("0000320193-23-000077", ["Apple Inc."])


def test_an_outline_of_bookmark_names_is_no_heading_gold_and_its_document_counts_for_its_title(tmp_path):
    import pymupdf

    from folioscope_lab.long_structure import outline_gold, summarise
    pdf = pymupdf.open()
    for _ in range(3):
        pdf.new_page()
    pdf.set_toc([[1, "REPORT_Part01", 1], [1, "REPORT_Part02", 2], [2, "_GoBack", 2], [1, "REPORT_Part03", 3]])
    pdf.save(tmp_path / "parts.pdf")
    assert outline_gold(tmp_path / "parts.pdf") == []

    def row(family, ours, base, gold=True, title=True):
        return {"file": family, "family": family, "headings_gold": gold, "gold_complete": True,
                **{name: {"chapter_start_f1": f1, "found": 1, "matched": 1, "gold": 1, "top_headings": 1,
                          "top_headings_with_a_chapter": 1, "title_right": title}
                   for name, f1 in (("folioscope", ours), ("font size only", base))},
                "even cuts (gold count)": {"chapter_start_f1": 0.5}}
    summary = summarise([row("a/1", 1.0, 0.5), row("b/1", 0.0, 1.0, gold=False, title=False)], "test")
    assert summary["chapter_start_f1"]["folioscope"] == 1.0 and summary["documents"] == 1
    assert summary["title_accuracy"]["folioscope"] == {"right": 1, "documents": 2}
    assert summary["titled_only"] == ["b/1"]


def test_receipt_halves_share_no_merchant_and_a_wrong_scan_is_refused(tmp_path):
    from folioscope.core import FolioscopeError
    from folioscope_lab.ocr import GOLD_DIR
    from folioscope_lab.receipts import MANIFEST, receipt_pages, summarise
    pages = json.loads(MANIFEST.read_text(encoding="utf-8"))["pages"]
    halves = {split: {p["merchant"] for p in pages if p["split"] == split} for split in ("tune", "test")}
    assert halves["tune"] and halves["test"] and not halves["tune"] & halves["test"]
    assert all((GOLD_DIR / "receipts" / p["gold"]).read_text(encoding="utf-8").strip() for p in pages)
    first = next(p for p in pages if p["split"] == "tune")
    (tmp_path / first["image"]).parent.mkdir(parents=True)
    (tmp_path / first["image"]).write_bytes(b"not the scan")
    with pytest.raises(FolioscopeError, match="not the scan the gold was made from"):
        receipt_pages(tmp_path, "tune")
    rows = [{"page": str(k), "merchant": "m", "folioscope": {"cer": 0.1, "bow_f1": 0.9, "seconds": 1.0},
             "raw": {"cer": 0.1 + 0.02 * k, "bow_f1": 0.9, "seconds": 2.0}} for k in range(6)]
    summary = summarise(rows)
    assert summary["raw"]["folioscope_cer_minus_this"]["difference"] == -0.05
    assert summary["raw"]["folioscope_speed_over_this"] == 2.0


def test_form_halves_share_no_form_a_wrong_pdf_is_refused_and_a_scan_is_the_same_for_the_same_seed(
        tmp_path, monkeypatch):
    from folioscope.core import FolioscopeError
    from folioscope_lab import forms
    pages = json.loads(forms.MANIFEST.read_text(encoding="utf-8"))["pages"]
    halves = {split: {p["form"] for p in pages if p["split"] == split} for split in ("tune", "test")}
    assert halves["tune"] and halves["test"] and not halves["tune"] & halves["test"]
    assert all((forms.FORMS / "gold" / p["gold"]).read_text(encoding="utf-8").strip() for p in pages)
    first = pages[0]
    once, again = forms.scan(forms.FORMS / "pdf" / first["pdf"], first["page"], 1), forms.scan(
        forms.FORMS / "pdf" / first["pdf"], first["page"], 1)
    other = forms.scan(forms.FORMS / "pdf" / first["pdf"], first["page"], 2)
    assert once.ndim == 3 and once.shape[2] == 3 and (once == again).all() and not (once == other).all()
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / first["pdf"]).write_bytes(b"not the form")
    monkeypatch.setattr(forms, "FORMS", tmp_path)
    with pytest.raises(FolioscopeError, match="not the PDF the gold was made from"):
        forms.form_pages(first["split"])


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_structure_reports_headings_chapter_starts_and_titles_beside_the_baselines(capsys, data):
    report = run_eval(capsys, data, "structure")
    assert report["commit"] and report["documents"] >= 8
    assert set(report["headings"]) == {"folioscope", "font size only", "outline alone"}
    for row in report["headings"].values():
        assert row["matched"] <= min(row["found"], row["gold"])
    assert set(report["chapter_start_f1"]) == {"folioscope", "font size only", "even cuts (gold count)"}
    assert report["title_accuracy"]["folioscope"]["documents"] == report["title_accuracy"][
        "metadata title or file name"]["documents"] > 0
    tracemonkey = next(d for d in report["per_document"] if d["file"].endswith("tracemonkey.pdf"))
    assert tracemonkey["gold_not_in_text"] == [] and tracemonkey["gold_headings"] == 26


def _cited_archives(text: str):
    import re
    for line in text.splitlines():
        for name in sorted(set(re.findall(r"results/([\w.-]+\.json)", line))):
            yield line, name


def test_every_number_in_the_readme_comes_from_an_archive_of_the_code_it_describes():
    """A README line citing results/X.json is measured on a commit that is an ancestor of HEAD
    with the code it measures unchanged since (archive.MEASURED_CODE), or says "measured at
    <commit>" itself. docs/measurements.md and docs/large-libraries.md are held to the same rule."""
    import subprocess

    from folioscope_lab.archive import ROOT, stale_reason
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode:
        pytest.skip("git history absent (not a git checkout): commits cannot be compared")
    stale = []
    for doc in ("README.md", "docs/measurements.md", "docs/large-libraries.md"):
        for line, name in _cited_archives((ROOT / doc).read_text()):
            path = ROOT / "results" / name
            assert path.exists(), f"{doc} cites {name}, which is not archived"
            reason = stale_reason(path)
            commit = json.loads(path.read_text()).get("commit", "")[:7]
            if reason and f"measured at {commit}" not in line:
                stale.append(f"{doc}: {name}: {reason}")
    assert not stale, "\n".join(stale)
