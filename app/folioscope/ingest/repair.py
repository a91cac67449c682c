"""LLM repair of low-confidence OCR lines, guarded so that it cannot invent text.

Only lines under the confidence threshold are sent; a repair is accepted only when it is a
small edit of the OCR line (few characters changed, similar length). Evidence is never
generated text: a rejected repair leaves the OCR line as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from ..core import Block, ChatModel, Piece

PROMPT = ("Correct the OCR errors in this line of a scanned document. Keep every word that is "
          "already right. Reply with the corrected line only.\nLine: {line}")
MAX_EDIT_SHARE = 0.15  # of the line's characters
MIN_LINE_CHARS = 4


@dataclass
class RepairStats:
    tried: int = 0
    accepted: int = 0


def accept_repair(original: str, repaired: str) -> bool:
    """A repair is a small edit of the line: at most 15% of its characters (and at least
    one), the same length give or take, and not empty."""
    repaired = repaired.strip()
    if not repaired or repaired == original:
        return False
    budget = max(1, int(len(original) * MAX_EDIT_SHARE))
    return Levenshtein.distance(original, repaired, score_cutoff=budget) <= budget


def clean_reply(reply: str) -> str:
    line = reply.strip().split("\n")[0].strip()
    if line.lower().startswith("line:"):
        line = line[5:].strip()
    return line.strip('"').strip()


def repair_blocks(blocks: list[Block], llm: ChatModel, threshold: float, model_name: str) -> RepairStats:
    """Repair, in place, the OCR lines of `blocks` whose confidence is under `threshold`."""
    stats = RepairStats()
    for block in blocks:
        if not block.source.startswith("ocr:"):
            continue
        pieces: list[str] = []
        new_lines: list[Piece] = []
        offset = 0
        changed = False
        for line in block.pieces_or_whole():
            text = block.text[line.start:line.end]
            if line.confidence < threshold and len(text) >= MIN_LINE_CHARS:
                stats.tried += 1
                reply = clean_reply(llm.chat([{"role": "user", "content": PROMPT.format(line=text)}],
                                             max_tokens=max(16, len(text))))
                if accept_repair(text, reply):
                    stats.accepted += 1
                    text, changed = reply, True
            if pieces:
                pieces.append(" ")
                offset += 1
            new_lines.append(Piece(offset, offset + len(text), line.box, line.confidence))
            pieces.append(text)
            offset += len(text)
        if changed:
            block.text, block.pieces = "".join(pieces), new_lines
            block.source = f"repaired:{model_name}"
    return stats


def repair_page(page, options) -> None:
    """Run the repair pass on an OCR'd page when the options ask for it; record what it did
    in the page's reason and timings."""
    if not options.repair:
        return
    import time

    from ..llm import shared_llm
    started = time.perf_counter()
    llm = shared_llm(options.repair_model)
    stats = repair_blocks(page.blocks, llm, options.repair_threshold, llm.path.stem)
    page.reason["repair"] = {"tried": stats.tried, "accepted": stats.accepted,
                             "threshold": options.repair_threshold}
    page.timings["repair"] = time.perf_counter() - started
