"""The embedding model's two engines give the same vectors; the shipped one starts fast."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

TEXTS = [
    "What replaced open fires in lighthouses?",
    "Fresnel lenses focus the light into a beam seen far at sea.",
    "word " * 400,  # beyond the 256 word pieces the model reads
    "x",
    "Table 3: 12.5% (n = 1,204)",
    "Whale oil smoked; kerosene burned cleaner and brighter, and the keepers' work changed with it.",
]


def test_the_installed_embedder_runs_on_onnxruntime():
    from folioscope.embed import Embedder, onnx_graph
    assert onnx_graph() is not None, "make installs the ONNX graph (tools/export_embedder.py)"
    assert Embedder().backend == "onnx"


@pytest.mark.slow
def test_onnxruntime_and_torch_give_the_same_vectors():
    from folioscope.embed import Embedder
    onnx, torch = Embedder(backend="onnx", batch_size=4), Embedder(backend="torch", batch_size=4)
    a, b = onnx.encode(TEXTS), torch.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), 384) and a.dtype == np.float32
    assert np.abs(a - b).max() < 1e-5
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    # order and batching do not change a text's vector
    again = onnx.encode(TEXTS[::-1])[::-1]
    assert np.abs(again - a).max() < 1e-5
    # shallow vectors are torch's (the graph has the full depth only)
    assert np.abs(onnx.encode(TEXTS[:2], layers=2) - torch.encode(TEXTS[:2], layers=2)).max() < 1e-5
    assert np.abs(onnx.encode(TEXTS[:2], layers=2) - a[:2]).max() > 1e-2


def test_a_graph_traced_from_other_weights_is_not_used(tmp_path, monkeypatch):
    from folioscope import embed, models
    graph = tmp_path / "embedder" / "minilm-l6.onnx"
    graph.parent.mkdir()
    graph.write_bytes(b"not really a graph")
    card = {"weights": "model.safetensors", "weights_bytes": 1}
    graph.with_suffix(".json").write_text(json.dumps(card))
    monkeypatch.setattr(embed, "embedding_onnx_path", lambda: graph)
    assert embed.onnx_graph() is None and embed.Embedder().backend == "torch"
    weights = models.embedding_model_dir() / "model.safetensors"
    card["weights_bytes"] = weights.stat().st_size
    graph.with_suffix(".json").write_text(json.dumps(card))
    assert embed.onnx_graph() == graph
    with pytest.raises(ValueError):
        embed.Embedder(backend="tensorflow")


def test_answering_a_question_imports_neither_torch_nor_scikit_learn(tmp_path):
    """The first question after opening a library waits for every import on its path."""
    from folioscope.index import Store
    Store(tmp_path / "library").close()
    probe = ("import sys; from pathlib import Path; from folioscope.index import Store; "
             "from folioscope.retrieve import retrieve; from folioscope.embed import shared_embedder; "
             f"retrieve(Store(Path({str(tmp_path / 'library')!r})), 'What replaced open fires?', None, "
             "encoder=shared_embedder()); "
             "print(sorted(m for m in ('torch', 'sentence_transformers', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_stop_words_are_scikit_learns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as theirs

    from folioscope.core.stopwords import ENGLISH_STOP_WORDS as ours
    assert ours == theirs


@pytest.mark.slow
def test_the_exporter_refuses_an_unfaithful_graph(tmp_path, monkeypatch):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    try:
        import export_embedder
    finally:
        sys.path.pop(0)
    from folioscope import embed
    real = embed.Embedder._encode_onnx
    monkeypatch.setattr(embed.Embedder, "_encode_onnx", lambda self, texts: real(self, texts) * 0.9)
    out = tmp_path / "embedder" / "minilm-l6.onnx"
    with pytest.raises(SystemExit, match="differs"):
        export_embedder.export(out)
    assert not out.exists() and not out.with_suffix(".json").exists()
