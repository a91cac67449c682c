"""Chapters: a document's chunks grouped into titled, positioned sections (PODTILE).

Documents with an outline or headings keep them (`structure`); the others get chapter cuts
chosen among chunk boundaries (`build`) and a generated title each (`titles`).
"""

from .build import ChapterInput, build_chapters
from .roles import RoleModel, load_role_model
from .titles import KeyphraseTitler, LLMTitler, is_grounded

__all__ = ["ChapterInput", "build_chapters", "RoleModel", "load_role_model", "KeyphraseTitler", "LLMTitler", "is_grounded"]
