"""GGUF models already on this machine: the bundled one, and those kept by GPT4All, LM Studio,
Ollama, llama.cpp's cache, the Hugging Face hub cache and any folder the person adds.

Each is described from its GGUF header alone (architecture, parameters, quantisation, context
length, chat template): the weights are never read, so listing fifty files takes well under a
second. The `gguf` package reads the same header but also decodes every tokenizer entry
(2.4 s for the bundled 135M model), so the few fields needed are read here.

    for model in find_models(): print(model.name, model.source, model.path)
"""

from __future__ import annotations

import json
import os
import struct
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .core import FolioscopeError

SOURCES = ("bundled", "gpt4all", "lmstudio", "ollama", "llamacpp", "huggingface", "folder")
MAGIC = b"GGUF"
# llama.cpp's file types (`general.file_type`), by number
FILE_TYPES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
              11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M",
              18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S",
              25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M",
              32: "BF16", 36: "TQ1_0", 37: "TQ2_0"}
# GGUF value types: struct format of the scalars; 8 is a string, 9 an array
SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
STRING, ARRAY = 8, 9


@dataclass(frozen=True)
class LocalModel:
    name: str
    path: str
    source: str  # one of SOURCES
    size_bytes: int
    parameters: int | None
    quantization: str | None
    context_length: int | None
    chat_template: bool
    architecture: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Header:
    architecture: str | None
    parameters: int | None
    quantization: str | None
    context_length: int | None
    chat_template: bool


def read_header(path: Path) -> Header:
    """What a GGUF file's header says about the model (never its weights)."""
    try:
        with Path(path).open("rb") as fh:
            if fh.read(4) != MAGIC:
                raise FolioscopeError(f"{Path(path).name} is not a GGUF model file.")
            version, tensors, keys = struct.unpack("<IQQ", fh.read(20))
            if version < 2:
                raise FolioscopeError(f"{Path(path).name} is a GGUF file of version {version}, too old to read.")
            meta = {}
            for _ in range(keys):
                key = _string(fh)
                meta[key] = _value(fh, struct.unpack("<I", fh.read(4))[0], keep=not key.startswith("tokenizer.ggml"))
            parameters = 0
            for _ in range(tensors):  # name, dimensions, type, offset
                _string(fh)
                dims = _dims(fh)
                fh.read(4 + 8)
                count = 1
                for d in dims:
                    count *= d
                parameters += count
    except (OSError, struct.error, UnicodeDecodeError, MemoryError) as exc:
        raise FolioscopeError(f"{Path(path).name} could not be read as a GGUF model ({exc}).") from exc
    arch = meta.get("general.architecture")
    file_type = meta.get("general.file_type")
    return Header(architecture=arch, parameters=parameters or None,
                  quantization=FILE_TYPES.get(file_type, f"type {file_type}") if file_type is not None else None,
                  context_length=meta.get(f"{arch}.context_length"),
                  chat_template=bool(meta.get("tokenizer.chat_template")))


def _dims(fh: BinaryIO) -> tuple[int, ...]:
    n = struct.unpack("<I", fh.read(4))[0]
    return struct.unpack(f"<{n}Q", fh.read(8 * n))


def _string(fh: BinaryIO) -> str:
    (n,) = struct.unpack("<Q", fh.read(8))
    return fh.read(n).decode("utf-8")


def _value(fh: BinaryIO, kind: int, keep: bool = True) -> Any:
    if kind in SCALARS:
        fmt = "<" + SCALARS[kind]
        return struct.unpack(fmt, fh.read(struct.calcsize(fmt)))[0]
    if kind == STRING:
        return _string(fh)
    if kind == ARRAY:
        item, n = struct.unpack("<IQ", fh.read(12))
        if item in SCALARS and not keep:  # skipped, not decoded (token scores, types)
            fh.seek(n * struct.calcsize("<" + SCALARS[item]), os.SEEK_CUR)
            return None
        if item == STRING and not keep:  # the vocabulary: lengths read, text skipped
            for _ in range(n):
                (length,) = struct.unpack("<Q", fh.read(8))
                fh.seek(length, os.SEEK_CUR)
            return None
        return [_value(fh, item) for _ in range(n)]
    raise struct.error(f"unknown GGUF value type {kind}")


# ---- where people keep models ------------------------------------------------------------------

def model_folders() -> dict[str, list[Path]]:
    """The folders each application keeps its GGUF files in, on this platform."""
    import platformdirs
    home, env = Path.home(), os.environ
    xdg_cache = Path(env.get("XDG_CACHE_HOME") or home / ".cache")  # the hub's cache on every platform
    llama_cache = (Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local") if sys.platform == "win32"
                   else platformdirs.user_cache_path()) / "llama.cpp"
    return {
        "gpt4all": [platformdirs.user_data_path() / "nomic.ai" / "GPT4All"],
        "lmstudio": [home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"],
        "ollama": [Path(env["OLLAMA_MODELS"]) if env.get("OLLAMA_MODELS") else home / ".ollama" / "models"],
        "llamacpp": [Path(env["LLAMA_CACHE"]) if env.get("LLAMA_CACHE") else llama_cache],
        "huggingface": [Path(env["HF_HUB_CACHE"]) if env.get("HF_HUB_CACHE")
                        else Path(env.get("HF_HOME") or xdg_cache / "huggingface") / "hub"],
    }


def _ollama_models(root: Path) -> list[tuple[str, Path]]:
    """(name:tag, model blob) from Ollama's manifests: each names its layers by digest."""
    out = []
    for manifest in sorted((root / "manifests").rglob("*")) if (root / "manifests").is_dir() else []:
        if not manifest.is_file():
            continue
        try:
            layers = json.loads(manifest.read_text()).get("layers", [])
        except (OSError, ValueError, AttributeError):
            continue
        digest = next((layer.get("digest") for layer in layers if isinstance(layer, dict)
                       and layer.get("mediaType") == "application/vnd.ollama.image.model"), None)
        if not digest:
            continue
        blob = root / "blobs" / str(digest).replace(":", "-")
        model = manifest.parent.name
        namespace = manifest.parent.parent.name
        name = model if namespace == "library" else f"{namespace}/{model}"
        if blob.is_file():
            out.append((f"{name}:{manifest.name}", blob))
    return out


def _gguf_files(root: Path, source: str) -> list[tuple[str, Path]]:
    if not root.is_dir():
        return []
    files = sorted(p for p in root.rglob("*.gguf") if p.is_file() and not p.name.startswith("."))
    if source == "huggingface":  # models--owner--repo/snapshots/<hash>/file.gguf
        return [(f"{_hub_repo(p)}/{p.stem}", p) for p in files]
    return [(p.stem, p) for p in files]


def _hub_repo(path: Path) -> str:
    repo = next((part for part in path.parts if part.startswith("models--")), "models--unknown")
    return "/".join(repo.split("--")[1:])


def find_models(folders: Sequence[str | Path] = ()) -> list[LocalModel]:
    """Every GGUF model found: the bundled one first, then by source; one entry per file (a
    file two applications share is listed once, under the first)."""
    from .models import gguf_path
    found: list[tuple[str, Path, str]] = [(gguf_path().stem, gguf_path(), "bundled")]
    for source, roots in model_folders().items():
        for root in roots:
            pairs = _ollama_models(root) if source == "ollama" else _gguf_files(root, source)
            found.extend((name, path, source) for name, path in pairs)
    for folder in folders:
        found.extend((name, path, "folder") for name, path in _gguf_files(Path(folder).expanduser(), "folder"))
    out, seen = [], set()
    for name, path, source in found:
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        try:
            header = read_header(path)
        except FolioscopeError:
            continue  # not a model we can read: not offered
        out.append(LocalModel(name=name, path=str(path), source=source, size_bytes=path.stat().st_size,
                              parameters=header.parameters, quantization=header.quantization,
                              context_length=header.context_length, chat_template=header.chat_template,
                              architecture=header.architecture))
    return out


def resolve_model(name_or_path: str | None, folders: Sequence[str | Path] = ()) -> str | None:
    """A GGUF path for `--model`: a file path as it is, or the name of a model `find_models`
    lists; None for the bundled model."""
    if not name_or_path:
        return None
    if Path(name_or_path).expanduser().is_file():
        return str(Path(name_or_path).expanduser())
    models = find_models(folders)
    for match in (lambda m: m.name == name_or_path, lambda m: m.name.lower() == name_or_path.lower(),
                  lambda m: Path(m.path).stem == name_or_path):
        hits = [m for m in models if match(m)]
        if len(hits) == 1 or (hits and len({h.path for h in hits}) == 1):
            return hits[0].path
        if len(hits) > 1:
            raise FolioscopeError(f"'{name_or_path}' names {len(hits)} models; give its path "
                                  f"(folioscope models lists them).")
    raise FolioscopeError(f"No model file or model named '{name_or_path}' (folioscope models lists those found).")
