"""Models already on the machine: GGUF headers read without the weights, the folders GPT4All,
LM Studio and Ollama keep them in, and `--model NAME` taking one by name."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from folioscope.core import FolioscopeError
from folioscope.local_models import find_models, read_header, resolve_model
from folioscope.models import gguf_path, sample_document

KEYS = {"name", "path", "source", "size_bytes", "parameters", "quantization", "context_length", "chat_template"}


def place(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)  # the same bytes without a copy, where the file system allows
    except OSError:
        shutil.copyfile(source, target)
    return target


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A HOME holding the bundled GGUF as GPT4All, LM Studio and Ollama keep their models."""
    home = tmp_path / "user"
    bundled = gguf_path()
    place(bundled, home / ".local" / "share" / "nomic.ai" / "GPT4All" / "gpt4all-smol.gguf")
    place(bundled, home / ".lmstudio" / "models" / "someone" / "smol-GGUF" / "lmstudio-smol.Q4_1.gguf")
    digest = hashlib.sha256(b"a stand-in digest").hexdigest()
    place(bundled, home / ".ollama" / "models" / "blobs" / f"sha256-{digest}")
    manifest = home / ".ollama" / "models" / "manifests" / "registry.ollama.ai" / "library" / "smol" / "latest"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"schemaVersion": 2, "layers": [
        {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:" + "0" * 64},
        {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}"}]}))
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "OLLAMA_MODELS", "LLAMA_CACHE", "HF_HOME", "HF_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    return home


def test_the_header_describes_the_bundled_model_without_its_weights():
    header = read_header(gguf_path())
    assert header.architecture == "llama" and header.quantization == "Q4_1"
    assert header.context_length == 8192 and header.chat_template
    assert 130e6 < header.parameters < 140e6  # SmolLM2-135M


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 a zip, not a model", b"GGUF\x03\x00\x00\x00\x05"])
def test_a_file_that_is_not_a_whole_gguf_gets_one_sentence(tmp_path, content):
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    with pytest.raises(FolioscopeError, match=r"model\.gguf .*\.$"):
        read_header(path)


def test_models_in_gpt4all_lm_studio_and_ollama_folders_are_listed_with_their_headers(home):
    out = subprocess.run([sys.executable, "-m", "folioscope", "models", "--json"], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "HOME": str(home)})
    assert out.returncode == 0, out.stderr
    models = json.loads(out.stdout)
    assert [m["source"] for m in models] == ["bundled", "gpt4all", "lmstudio", "ollama"]
    assert all(KEYS <= set(m) for m in models)
    by_source = {m["source"]: m for m in models}
    assert by_source["ollama"]["name"] == "smol:latest" and "/blobs/sha256-" in by_source["ollama"]["path"]
    assert by_source["gpt4all"]["name"] == "gpt4all-smol"
    assert all(m["quantization"] == "Q4_1" and m["chat_template"] and m["size_bytes"] == gguf_path().stat().st_size
               for m in models)


def test_a_model_is_chosen_by_its_listed_name(home, tmp_path):
    assert resolve_model("smol:latest").endswith(next(m.path for m in find_models() if m.source == "ollama")[-40:])
    assert resolve_model("gpt4all-smol").endswith("gpt4all-smol.gguf")
    assert resolve_model(None) is None and resolve_model(str(gguf_path())) == str(gguf_path())
    with pytest.raises(FolioscopeError, match="No model file or model named 'nowhere'"):
        resolve_model("nowhere")
    extra = place(gguf_path(), tmp_path / "mine" / "my-model.gguf")
    assert resolve_model("my-model", [extra.parent]) == str(extra)


def test_an_unknown_model_name_is_one_sentence_and_a_non_zero_exit(home, tmp_path):
    out = subprocess.run([sys.executable, "-m", "folioscope", "--library", str(tmp_path / "lib"), "ask",
                          "What is a lighthouse?", "--model", "no-such-model"], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "HOME": str(home)})
    assert out.returncode == 1 and "No model file or model named 'no-such-model'" in out.stderr


@pytest.mark.slow
def test_ask_answers_with_the_model_named(home, tmp_path):
    env = {**os.environ, "HOME": str(home)}
    library = str(tmp_path / "lib")
    subprocess.run([sys.executable, "-m", "folioscope", "--library", library, "ingest", "--quiet",
                    str(sample_document())], check=True, capture_output=True, timeout=600, env=env)
    out = subprocess.run([sys.executable, "-m", "folioscope", "--library", library, "ask",
                          "How much of the light does a Fresnel lens gather?", "--model", "smol:latest", "--json"],
                         capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert Path(answer["model"]["path"]).parent.name == "blobs" and answer["found"]
    assert answer["tokens"]["output"] > 0  # the named model wrote the reply


def test_settings_offer_the_models_found_and_choosing_one_sets_it(qtbot, home, tmp_path):
    from folioscope.gui.settings import Settings, SettingsDialog
    extra = place(gguf_path(), tmp_path / "mine" / "my-model.gguf")
    dialog = SettingsDialog(Settings(model_folders=[str(extra.parent)]))
    qtbot.addWidget(dialog)
    labels = [dialog.found.itemText(i) for i in range(dialog.found.count())]
    assert len(labels) == 6 and any(label.startswith("smol:latest  (ollama, 135M, Q4_1") for label in labels)
    assert any(label.startswith("my-model  (folder") for label in labels)
    ollama = next(i for i, label in enumerate(labels) if label.startswith("smol:latest"))
    dialog.found.activated.emit(ollama)
    chosen = dialog.result_settings()
    assert Path(chosen.model).parent.name == "blobs" and chosen.model_folders == [str(extra.parent)]
