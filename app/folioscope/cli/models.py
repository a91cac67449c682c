"""`folioscope models`: the GGUF models found on this machine, any of which `ask --model NAME`
and `chapters --titles llm --model NAME` take by name."""

from __future__ import annotations

from .common import print_json


def cmd_models(args) -> int:
    from ..local_models import find_models
    models = find_models(args.folder or [])
    if args.json:
        print_json([m.as_dict() for m in models])
        return 0
    for m in models:
        size = f"{m.size_bytes / 1e9:.2f} GB" if m.size_bytes >= 1e8 else f"{m.size_bytes / 1e6:.0f} MB"
        params = f"{m.parameters / 1e9:.1f}B" if m.parameters and m.parameters >= 1e9 else (
            f"{m.parameters / 1e6:.0f}M" if m.parameters else "?")
        print(f"{m.name:40} {m.source:11} {params:>6} {m.quantization or '?':8} ctx {m.context_length or '?':>6}  "
              f"{size:>8}{'' if m.chat_template else '  (no chat template)'}")
        print(f"{'':40} {m.path}")
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("models", help="GGUF models on this machine (GPT4All, LM Studio, Ollama, llama.cpp, "
                                      "Hugging Face, added folders, the bundled one)")
    p.add_argument("--folder", action="append", metavar="DIR", help="also look in DIR (repeatable)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_models)
