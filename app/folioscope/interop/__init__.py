"""Folioscope with the other tools of a reader's day: a Zotero library in; a document's
questions, answers and evidence out as an annotated copy of the PDF and as Markdown notes whose
links (`folioscope://open?...`) open Folioscope at the quoted sentence."""
