"""Ingest: read a folder of files into :class:`~contradict.records.Document` records.

A recursive walk over plain text, Markdown, HTML (the article, by trafilatura; else the visible
text), PDF (text layer), Word (.docx) and JSON/JSON-lines files; anything unreadable is listed as :class:`~contradict.records.Skipped` with its reason.
Each document keeps its path, title, the date stated in its header, and its text.

Entry points: :func:`load_folder` (a folder), :func:`load_file` (one file), :func:`text_document`
(text in memory), :class:`LoadOptions`.
"""

from contradict.ingest.loading import (
    SUFFIXES,
    LoadOptions,
    LoadResult,
    find_header_date,
    load_file,
    load_folder,
    text_document,
)

__all__ = ["SUFFIXES", "LoadOptions", "LoadResult", "find_header_date", "load_file", "load_folder", "text_document"]
