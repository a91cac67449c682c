"""Bad input: one clear sentence, a non-zero exit, the library untouched, the batch goes on."""

import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from folioscope.cli import main


def cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def lib(tmp_path, capsys, data):
    """A library already holding one document, which no bad input may disturb."""
    folder = tmp_path / "lib"
    code, _, _ = cli(capsys, "--library", str(folder), "ingest", "--quiet",
                     str(data / "pdfs" / "pdfplumber" / "issue-33-lorem-ipsum.pdf"))
    assert code == 0
    return folder


def library_state(capsys, folder):
    code, out, _ = cli(capsys, "--library", str(folder), "docs", "--json")
    assert code == 0
    docs = json.loads(out)
    return [(d["name"], d["n_pages"], d["n_chars"]) for d in docs]


def make_png_named_pdf(tmp_path):
    path = tmp_path / "picture.pdf"
    Image.new("RGB", (40, 20), "white").save(path, format="PNG")
    return path


def make_huge_image(tmp_path):
    path = tmp_path / "huge.png"
    Image.new("1", (10_000, 10_000), 1).save(path)  # 100 MP, a few kB on disk
    return path


def make_unsupported(tmp_path):
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    return path


CASES = {
    "encrypted": (lambda d, t: d / "pdfs" / "pdfplumber" / "password-example.pdf", "password-protected"),
    "empty": (lambda d, t: d / "pdfs" / "pdfplumber" / "empty.pdf", "empty (0 bytes)"),
    "invalid": (lambda d, t: d / "pdfs" / "ocrmypdf" / "invalid.pdf", "damaged"),
    "png named pdf": (lambda d, t: make_png_named_pdf(t), "is a PNG image"),
    "unsupported": (lambda d, t: make_unsupported(t), "cannot read '.xlsx' files"),
    "huge image": (lambda d, t: make_huge_image(t), "over the 64 MP limit"),
    "missing": (lambda d, t: t / "nowhere.pdf", "does not exist"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_fails_with_one_sentence(case, lib, tmp_path, capsys, data):
    make, expected = CASES[case]
    path = make(data, tmp_path)
    before = library_state(capsys, lib)
    code, out, err = cli(capsys, "--library", str(lib), "ingest", "--quiet", str(path))
    assert code == 1
    lines = [line for line in err.strip().split("\n") if line]
    assert len(lines) == 1 and expected in lines[0], err
    assert lines[0].rstrip().endswith("."), "one full sentence"
    assert library_state(capsys, lib) == before


def test_malformed_pdf_is_repaired_and_read(lib, capsys, data):
    """MuPDF repairs this file; its only page is a scan, so it is read by OCR."""
    code, out, _ = cli(capsys, "--library", str(lib), "ingest", "--json", "--quiet",
                       str(data / "pdfs" / "pdfplumber" / "malformed-from-issue-932.pdf"))
    result = json.loads(out)[0]
    assert code == 0 and result["routes"] == {"ocr": 1}


def test_blank_pdf_is_empty_pages_not_an_error(lib, capsys, data):
    code, out, _ = cli(capsys, "--library", str(lib), "ingest", "--json", "--quiet",
                       str(data / "pdfs" / "ocrmypdf" / "blank.pdf"))
    assert code == 0 and json.loads(out)[0]["routes"] == {"empty": 1}


def test_folder_with_unreadable_files(lib, tmp_path, capsys, data):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.md").write_text("# Notes\n\nSomething worth keeping.\n")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")
    (folder / "dangling.pdf").symlink_to(tmp_path / "gone.pdf")
    locked = folder / "locked.txt"
    locked.write_text("secret")
    locked.chmod(0)
    (folder / "notes.unknown").write_text("skipped: not a supported type inside a folder")
    before = library_state(capsys, lib)
    code, out, err = cli(capsys, "--library", str(lib), "ingest", "--quiet", str(folder))
    assert code == 1
    assert "added" in out and "good.md" in out
    failures = [line for line in err.strip().split("\n") if line]
    assert any("broken.pdf" in f and "damaged" in f for f in failures)
    assert any("dangling.pdf does not exist" in f for f in failures)
    if os.geteuid() != 0:  # root reads any file
        assert any("locked.txt" in f and "permission denied" in f for f in failures)
    after = library_state(capsys, lib)
    assert after[: len(before)] == before and len(after) >= len(before) + 1


def test_unknown_document_and_empty_library_messages(tmp_path, capsys):
    code, _, err = cli(capsys, "--library", str(tmp_path / "l"), "pages", "nothing.pdf")
    assert code == 1 and err.strip() == "folioscope: No document 'nothing.pdf' in the library (folioscope docs lists them)."


def test_cli_entry_point_runs(tmp_path, data):
    """The installed command, as scripts call it."""
    exe = os.path.join(os.path.dirname(sys.executable), "folioscope")
    out = subprocess.run([exe, "--library", str(tmp_path / "l"), "ingest", "--json",
                          str(data / "docx" / "sources" / "lorem_ipsum.docx")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["status"] == "added"
    out = subprocess.run([exe, "--library", str(tmp_path / "l"), "pages", "lorem_ipsum.docx", "--json"],
                         capture_output=True, text=True, timeout=120)
    pages = json.loads(out.stdout)
    assert pages[0]["route"] == "structure" and "Lorem ipsum" in pages[0]["text"]


def test_a_missing_qt_platform_library_is_named_with_its_install_command(monkeypatch, capsys, tmp_path):
    from folioscope.gui import platform_check
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(platform_check.sys, "platform", "linux")
    monkeypatch.setattr(platform_check, "missing_libraries", lambda plugin=None: ["libxcb-icccm.so.4"])
    code = main(["--library", str(tmp_path / "lib")])
    err = capsys.readouterr().err
    assert code == 1 and "libxcb-icccm.so.4" in err and platform_check.INSTALL in err
    assert len(err.strip().splitlines()) == 1


def test_the_platform_check_only_runs_where_qt_uses_xcb(monkeypatch):
    from folioscope.gui.platform_check import missing_libraries, uses_xcb, xcb_plugin
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen"})
    assert not uses_xcb({"WAYLAND_DISPLAY": "wayland-0"})
    monkeypatch.setattr("sys.platform", "linux")
    assert uses_xcb({"DISPLAY": ":0"}) and uses_xcb({"QT_QPA_PLATFORM": "xcb"})
    assert xcb_plugin() is not None and isinstance(missing_libraries(), list)


@pytest.mark.parametrize("mutation", ["middle-zeroed", "deep-nesting", "bomb", "512-bits-flipped"])
def test_a_damaged_word_file_gets_one_sentence(mutation, tmp_path, data):
    """Damage inside the zip (a broken deflate stream, XML past the parser's limits, an
    unknown zip version) is named, not reported as an exception."""
    from folioscope.core import UnreadableFile
    from folioscope.ingest import read_document
    from folioscope_lab.robustness import MUTATIONS, one_sentence
    change = dict(MUTATIONS["any"] + MUTATIONS["docx"])[mutation]
    source = data / "docx" / "sources" / ("equations.docx" if mutation == "512-bits-flipped" else "Strict.docx")
    path = tmp_path / f"{mutation}.docx"
    path.write_bytes(change(source.read_bytes()))
    with pytest.raises(UnreadableFile) as caught:
        read_document(path)
    assert one_sentence(str(caught.value)) and path.name in str(caught.value)


def test_a_page_mupdf_cannot_read_is_kept_empty_and_the_rest_is_read(monkeypatch, tmp_path):
    import pymupdf

    from folioscope.core import Route
    from folioscope.ingest import pdf, read_document
    path = tmp_path / "two.pdf"
    with pymupdf.open() as doc:
        for text in ("The first page reads fine.", "The second page is damaged."):
            doc.new_page().insert_text((72, 72), text)
        doc.save(path)
    real = pdf.read_page

    def failing(page, index, options):
        if index == 1:
            raise pymupdf.mupdf.FzErrorFormat("syntax error in content stream")
        return real(page, index, options)
    monkeypatch.setattr(pdf, "read_page", failing)
    document = read_document(path)
    first, second = document.pages
    assert "first page reads fine" in " ".join(b.text for b in first.blocks)
    assert second.route is Route.EMPTY and not second.blocks and "damaged" in second.reason["why"]


@pytest.mark.parametrize("error, words, bug", [
    (RuntimeError("could not create a primitive"), "too large to read with the memory available", ""),
    (KeyError("bbox"), "unexpected problem in Folioscope (KeyError); the details are in the log", "KeyError"),
])
def test_an_internal_failure_is_one_sentence_and_a_bug_is_counted_as_one(error, words, bug, tmp_path, monkeypatch):
    """The user reads one sentence either way; an error of Folioscope's own (not a file it
    refuses, such as one too large for memory) is marked a bug, which the robustness
    evaluation counts as a failure, never as a clean refusal."""
    from folioscope import pipeline
    from folioscope.index import Store
    from folioscope_lab.robustness import one_sentence
    monkeypatch.delenv("FOLIOSCOPE_STRICT")
    path = tmp_path / "note.md"
    path.write_text("# A note\n\nSome text.\n")

    def fail(*args):
        raise error
    [result] = list(pipeline.each_file([path], pipeline.Progress(), lambda p, fp: pipeline.ingest_file(
        Store(tmp_path / "lib"), p, fail, fp)))
    assert result.status == "failed" and words in result.message and one_sentence(result.message)
    assert result.bug == bug


def test_the_robustness_run_counts_an_error_of_its_own_as_a_bug_never_as_a_refusal(tmp_path):
    from folioscope.core.results import IngestResult
    from folioscope_lab.robustness import Tally
    tally = Tally()
    bug = IngestResult(tmp_path / "a.pdf", "failed", "a.pdf could not be read because of an unexpected problem in "
                       "Folioscope (KeyError); the details are in the log.", bug="KeyError")
    refused = [IngestResult(tmp_path / f"{n}.pdf", "failed", f"{n}.pdf is damaged at byte {n}.") for n in (1, 22)]
    memory = IngestResult(tmp_path / "m.pdf", "failed", "m.pdf is too large to read with the memory available.")
    where = {"file": "pdfs/x.pdf", "mutation": "bomb"}
    assert [tally.add(r, where) for r in (bug, *refused, memory)] == [False, False, False, True]
    report = tally.report()
    assert report["bugs"] == 1 and report["rejected"] == 3 and report["unclear_messages"] == 0
    assert report["bug_list"] == [{**where, "exception": "KeyError", "message": bug.message}]
    assert report["refusals_by_reason"] == {"FILE is damaged at byte N.": 2,
                                            "FILE is too large to read with the memory available.": 1}
    assert [o["status"] for o in report["outcomes"]] == ["failed"] * 4 and report["outcomes"][0]["bug"] == "KeyError"

