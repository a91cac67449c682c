"""Asking: the question goes to the worker process, the answer's words stream into the Ask
panel, and its evidence sentences are highlighted on the page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from ..workers.tasks import ask_task
from .tasks import TaskThread

if TYPE_CHECKING:
    from .main_window import MainWindow

HISTORY_SHOWN = 200  # earlier questions listed in the Ask panel


class AskController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.last_answer: dict = {}

    def focus(self) -> None:
        panel = self.window.ask_panel
        self.window.tabs.setCurrentWidget(panel)
        panel.question.setFocus()
        panel.question.selectAll()

    def ask(self, question: str, this_document: bool = True) -> TaskThread | None:
        w = self.window
        if not w.library.count():
            w.show_message("Folioscope", "Add a document first: there is nothing to search yet.")
            return None
        doc_ids = {w.doc_id} if this_document and w.doc_id is not None else None
        w.tabs.setCurrentWidget(w.ask_panel)
        w.ask_panel.start(question)
        w.document.view.clear_evidence()
        model, threads, folder = w.settings.model or None, w.settings.threads, w.library.folder
        task = TaskThread(lambda *, progress, emit: w.worker.call(
            ask_task, folder, question, doc_ids, model, threads, progress=progress, emit=emit), name="ask")
        task.item.connect(w.ask_panel.add_token)
        task.succeeded.connect(self.answered)
        task.failed.connect(lambda message: (w.ask_panel.show_error(message), w.finish_work(message)))
        task.cancelled.connect(lambda: (w.ask_panel.show_error("Cancelled."), w.finish_work("Cancelled.")))
        w.start_work("Answering…")
        return w.tasks.start("ask", task)

    def answered(self, result: dict) -> None:
        w = self.window
        self.last_answer = result
        w.ask_panel.show_result(result)
        answer = result["answer"]
        if "asked" not in result:
            w.finish_work("Answered." if answer.found else "Not found in these documents.")
            self.refresh_history()
        self.highlight()

    def highlight(self) -> None:
        """The last answer's evidence in the open document, highlighted."""
        w = self.window
        answer = self.last_answer.get("answer")
        if answer is None:
            return
        w.document.view.clear_evidence()
        here = [e for e in answer.evidence if e.doc_id == w.doc_id]
        if here:
            numbers = [n for n, e in enumerate(answer.evidence, 1) if e.doc_id == w.doc_id]
            w.document.view.set_evidence(here, numbers)

    def refresh_history(self) -> None:
        self.window.ask_panel.set_history(self.window.library.history(limit=HISTORY_SHOWN))

    def show_entry(self, ask_id: int) -> None:
        """An earlier question's answer and evidence again, highlighted on the page (its
        first evidence's document opened when the open one has none of it)."""
        w = self.window
        entry = w.library.ask_entry(ask_id)
        answer = entry.answer
        sources = {d: w.library.document(d).citation for d in entry.documents}
        w.ask_panel.question.setText(answer.question)  # Enter asks it again
        self.answered({"answer": answer, "history_id": entry.id, "trace": [], "timings": {"total": entry.seconds},
                       "tokens": {"chunks": 0}, "sources": sources, "removed": entry.removed,
                       "asked": f"{entry.at[:16].replace('T', ' ')} with {entry.model}"})
        if answer.evidence and not any(e.doc_id == w.doc_id for e in answer.evidence):
            self.show_citation(1)
        elif answer.evidence:
            first = next(n for n, e in enumerate(answer.evidence, 1) if e.doc_id == w.doc_id)
            self.show_citation(first)

    def show_citation(self, number: int) -> None:
        """Scroll to evidence item `number` (1-based), opening its document if needed."""
        w = self.window
        answer = self.last_answer.get("answer")
        if answer is None or not 1 <= number <= len(answer.evidence):
            return
        evidence = answer.evidence[number - 1]
        if evidence.doc_id != w.doc_id:
            w.refresh_documents(select=evidence.doc_id)
            self.highlight()
        here = [n for n, e in enumerate(answer.evidence, 1) if e.doc_id == w.doc_id]
        view = w.document.view
        view.show_evidence(here.index(number) + 1 if view is w.text_view else number)
