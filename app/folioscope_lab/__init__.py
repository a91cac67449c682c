"""Evaluations (quality against gold data) and the benchmark. Each prints numbers."""

from __future__ import annotations

from pathlib import Path

EXTERNAL_DATA = {  # evaluations whose documents are read from a checkout of a public repository
    "long-structure": ("FOLIOSCOPE_LONG_DATA", "https://github.com/docugami/KG-RAG-datasets"),
    "receipts": ("FOLIOSCOPE_RECEIPTS_DATA", "https://github.com/softmatic/vision-data"),
}


def external_data_dir(what: str) -> Path:
    """The checkout an evaluation reads its documents from, named by its environment variable."""
    import os

    from folioscope.core import FolioscopeError
    variable, repository = EXTERNAL_DATA[what]
    env = os.environ.get(variable)
    if not env:
        raise FolioscopeError(f"eval {what} reads its documents from a checkout of {repository}: "
                              f"pass it as --data or set {variable}.")
    return Path(env)


def default_data_dir() -> Path:
    """../shared/data beside the project checkout, or $FOLIOSCOPE_DATA."""
    import os
    env = os.environ.get("FOLIOSCOPE_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "data"


EVALUATIONS = ("segmentation", "retrieval", "evidence", "answers", "chapters", "ocr", "routes", "robustness")


def run_eval(what: str, data: Path | None = None, tune: bool = False, limit: int | None = None,
             layers: int | None = None, model: str | None = None) -> dict:
    """One evaluation's report, with its provenance (commit, data and model hashes)."""
    from folioscope.core import FolioscopeError

    from .archive import git_commit, provenance
    commit = git_commit()  # the tree as the run begins
    data = data or (external_data_dir(what) if what in EXTERNAL_DATA else default_data_dir())
    if not data.is_dir():
        raise FolioscopeError(f"The evaluation data folder {data} does not exist.")
    split = "tune" if tune else "test"
    from folioscope.models import boundary_model_path
    models = {"boundary": boundary_model_path()}
    if what == "segmentation":
        from .segmentation import PERPLEXITY_DOCS, evaluate_segmentation
        report = evaluate_segmentation(data, split=split, limit=limit, train_limit=limit, layers=layers,
                                       perplexity_docs=min(limit, 1) if limit else PERPLEXITY_DOCS)
        sources = [data / "segmentation", data / "qa" / "qasper_dev.json", data / "pdfs" / "docling" / "groundtruth"]
    elif what == "retrieval":
        from .retrieval import evaluate_retrieval
        report = evaluate_retrieval(data, split=split, limit=limit)
        sources = [data / "qa" / "qasper_dev.json"]
    elif what == "evidence":
        from folioscope.models import evidence_ranker_path

        from .evidence import evaluate_evidence
        report = evaluate_evidence(data, split=split, limit=limit)
        sources = [data / "qa" / "qasper_dev.json"]
        models["evidence_ranker"] = evidence_ranker_path()
    elif what == "answers":
        # the whole run shares the retrieval evaluation's cached library; a limited one builds its own
        from folioscope.local_models import resolve_model
        from folioscope.models import gguf_path

        from .answers import evaluate_answers
        from .retrieval import library_cache
        chosen = resolve_model(model)
        report = evaluate_answers(data, split=split, limit=limit, model=chosen,
                                  library=None if limit else library_cache(data))
        sources = [data / "qa" / "qasper_dev.json"]
        models["llm"] = gguf_path(chosen)
    elif what == "chapters":
        from .chapters import evaluate_chapters
        report = evaluate_chapters(data, split=split, limit=limit)
        sources = [data / "qa" / "qasper_dev.json", data / "pdfs" / "docling" / "groundtruth"]
    elif what == "structure":
        from .structure import GOLD, evaluate_structure
        report = evaluate_structure(data)
        sources = [data / "pdfs", GOLD]
    elif what == "long-structure":
        from .long_structure import GOLD as LONG_GOLD
        from .long_structure import evaluate_long_structure
        report = evaluate_long_structure(data, split=split, limit=limit)
        sources = [LONG_GOLD]
    elif what == "ocr":
        from .ocr import evaluate_ocr
        report = evaluate_ocr(data, limit=limit)
        sources = [data / "images", data / "pdfs" / "ocrmypdf"]
    elif what == "order":
        from .order import evaluate_order
        report = evaluate_order(data, limit=limit)
        sources = [data / "pdfs" / "docling"]
    elif what == "receipts":
        from .receipts import MANIFEST, evaluate_receipts
        report = evaluate_receipts(data, split=split, limit=limit)
        sources = [MANIFEST, MANIFEST.parent / "receipts"]
    elif what == "forms":
        from .forms import FORMS, evaluate_forms
        from .forms import MANIFEST as FORMS_MANIFEST
        report = evaluate_forms(split=split, limit=limit)
        sources = [FORMS_MANIFEST, FORMS]
    elif what == "routes":
        from .routes import route_accuracy
        report = route_accuracy(data)
        sources = [data / "pdfs", data / "images"]
    elif what == "robustness":
        from .robustness import evaluate_robustness
        report = evaluate_robustness(data, limit=limit)
        sources = [data / "pdfs", data / "docx", data / "images"]
    else:
        raise ValueError(what)
    return {"evaluation": what, **provenance(sources, models, commit), **report}
