"""Typed, versioned settings, stored once in QSettings, and the dialog that edits them."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ..core import DEFAULT_BUDGET, DEFAULT_STRATEGY
from ..segment.strategies import strategy_names

VERSION = 1


@dataclass
class Settings:
    model: str = ""  # a GGUF file; empty: the bundled model
    threads: int = max(1, min(4, os.cpu_count() or 1))
    readers: int = 1  # reader processes reading dropped files side by side
    chunk_budget: int = DEFAULT_BUDGET
    chunk_strategy: str = DEFAULT_STRATEGY
    ocr_engine: str = "rapidocr"
    llm_repair: bool = False
    chapter_titles: str = "embedding"  # for chapters cut from chunks; see IngestOptions
    role_titles: bool = True  # such a chapter the role model is sure of is named by its role
    library_folder: str = ""  # empty: the platform's user data folder
    watched_folders: list[str] = field(default_factory=list)  # new files in them are read
    model_folders: list[str] = field(default_factory=list)  # searched for GGUF models besides the usual places

    @classmethod
    def load(cls, store: QSettings | None = None) -> Settings:
        store = store or qsettings()
        out = cls()
        if int(store.value("settings/version", 0) or 0) != VERSION:
            return out
        for f in fields(cls):
            value = store.value(f"settings/{f.name}")
            if value is None:
                continue
            try:
                if f.type in ("bool", bool):
                    value = value in (True, "true", "1", 1)
                elif f.type in ("int", int):
                    value = int(value)
                elif f.type == "list[str]":  # QSettings gives a str for a one-item list
                    value = [value] if isinstance(value, str) else [str(v) for v in value or []]
                else:
                    value = str(value)
            except (TypeError, ValueError):
                continue
            setattr(out, f.name, value)
        return out

    def save(self, store: QSettings | None = None) -> None:
        store = store or qsettings()
        store.setValue("settings/version", VERSION)
        for f in fields(self):
            store.setValue(f"settings/{f.name}", getattr(self, f.name))
        store.sync()

    def ingest_options(self):
        from ..ingest import IngestOptions
        return IngestOptions(ocr_engine=self.ocr_engine, repair=self.llm_repair,
                             repair_model=self.model or None, chapter_titles=self.chapter_titles,
                             role_titles=self.role_titles)

    def chunk_options(self):
        from ..core import ChunkOptions
        return ChunkOptions(strategy=self.chunk_strategy, budget=self.chunk_budget,
                            minimum=min(40, self.chunk_budget // 2))


TITLE_CHOICES = {"embedding": "Key phrase nearest the chapter (best measured)",
                 "llm": "Written by the language model",
                 "keyphrases": "Most distinctive key phrase"}


def qsettings() -> QSettings:
    return QSettings("Folioscope", "Folioscope")


class SettingsDialog(QDialog):
    """Edits a copy of the settings; `check_model(path)` (set by the window) tests that a GGUF loads."""

    def __init__(self, settings: Settings, check_model=None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.check_model = check_model
        self.model = QLineEdit(settings.model, placeholderText="bundled SmolLM2-135M")
        self.model_folders = list(settings.model_folders)
        self.found = QComboBox()
        self.found.setToolTip("GGUF models kept by GPT4All, LM Studio, Ollama, llama.cpp, the Hugging Face "
                              "cache, your added folders, and the bundled one")
        self.found.activated.connect(lambda i: self.model.setText(self.found.itemData(i) or ""))
        self._list_models()
        add_folder = QPushButton("Add Folder…", clicked=self._add_model_folder)
        found_row = QWidget()
        found_line = QHBoxLayout(found_row)
        found_line.setContentsMargins(0, 0, 0, 0)
        found_line.addWidget(self.found, 1)
        found_line.addWidget(add_folder)
        browse = QPushButton("Choose…", clicked=self._browse)
        self.check_button = QPushButton("Check", clicked=self._check)
        self.model_status = QLabel()
        self.model_status.setWordWrap(True)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        for w in (self.model, browse, self.check_button):
            line.addWidget(w)
        self.threads = QSpinBox(minimum=1, maximum=64, value=settings.threads)
        self.readers = QSpinBox(minimum=1, maximum=max(1, os.cpu_count() or 1), value=settings.readers)
        self.readers.setToolTip("Files read side by side when several are added; each reader process "
                                "loads its own copy of the models")
        self.budget = QSpinBox(minimum=32, maximum=256, value=settings.chunk_budget, suffix=" tokens")
        self.budget.setToolTip("MiniLM reads at most 256 word pieces")
        self.strategy = QComboBox()
        self.strategy.addItems(strategy_names())
        self.strategy.setCurrentText(settings.chunk_strategy)
        from ..ingest.ocr import available
        self.ocr = QComboBox()
        self.ocr.addItems(available())
        self.ocr.setCurrentText(settings.ocr_engine)
        self.repair = QCheckBox("Repair low-confidence OCR lines with the LLM")
        self.repair.setChecked(settings.llm_repair)
        self.titles = QComboBox()
        for key, label in TITLE_CHOICES.items():
            self.titles.addItem(label, key)
        self.titles.setCurrentIndex(max(0, self.titles.findData(settings.chapter_titles)))
        self.titles.setToolTip("For documents without headings; the README's Chapters section compares them")
        self.roles = QCheckBox("Name a chapter by its section role (Introduction, Related Work, Conclusion…)")
        self.roles.setChecked(settings.role_titles)
        self.roles.setToolTip("Where the role model is sure of it; trained on research papers")
        self.folder = QLineEdit(settings.library_folder, placeholderText="default user data folder")
        self.folder.setToolTip("Takes effect the next time Folioscope starts")
        form = QFormLayout(self)
        form.addRow("Models on this machine", found_row)
        form.addRow("Language model (GGUF)", row)
        form.addRow("", self.model_status)
        form.addRow("Threads", self.threads)
        form.addRow("Reader processes", self.readers)
        form.addRow("Chunk budget", self.budget)
        form.addRow("Chunk strategy", self.strategy)
        form.addRow("OCR engine", self.ocr)
        form.addRow("", self.repair)
        form.addRow("Chapter titles", self.titles)
        form.addRow("", self.roles)
        form.addRow("Library folder", self.folder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._base = settings

    def _list_models(self) -> None:
        """The models found (headers only: fast), each with what a person chooses by."""
        from ..local_models import find_models
        self.found.clear()
        self.found.addItem("Choose a model found here…", None)
        for m in find_models(self.model_folders):
            size = f"{m.parameters / 1e9:.1f}B" if m.parameters and m.parameters >= 1e9 else (
                f"{m.parameters / 1e6:.0f}M" if m.parameters else "?")
            self.found.addItem(f"{m.name}  ({m.source}, {size}, {m.quantization or '?'}"
                               f"{'' if m.chat_template else ', no chat template'})", m.path)

    def _add_model_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A folder holding GGUF models")
        if folder and folder not in self.model_folders:
            self.model_folders.append(folder)
            self._list_models()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a GGUF model", "", "GGUF models (*.gguf)")
        if path:
            self.model.setText(path)

    def _check(self) -> None:
        if self.check_model is not None:
            self.model_status.setText("Loading…")
            self.check_button.setEnabled(False)
            self.check_model(self.model.text().strip(), self._checked)

    def _checked(self, ok: bool, message: str) -> None:
        self.check_button.setEnabled(True)
        self.model_status.setText(("✓ " if ok else "✗ ") + message)
        self.model_status.setStyleSheet("color: #2e7d32" if ok else "color: #c62828")

    def result_settings(self) -> Settings:
        return dataclasses.replace(self._base, model=self.model.text().strip(), threads=self.threads.value(),
                                   readers=self.readers.value(),
                                   chunk_budget=self.budget.value(), chunk_strategy=self.strategy.currentText(),
                                   ocr_engine=self.ocr.currentText(), llm_repair=self.repair.isChecked(),
                                   chapter_titles=self.titles.currentData(), role_titles=self.roles.isChecked(),
                                   library_folder=self.folder.text().strip(), model_folders=self.model_folders)
