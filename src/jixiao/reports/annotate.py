"""An annotated copy of a .docx report: each sentence a finding rests on highlighted in yellow,
with a Word comment (python-docx ≥ 1.2 ``Document.add_comment``) giving the finding. The user's
file is never modified: the checked bytes are re-read and the copy written atomically."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from ..fileio import atomic_path
from .reading import _W, open_docx, paragraph_text, walk_paragraphs


def _split_run(run: Any, start: int, end: int) -> list[Any]:
    """Split a w:r holding plain text so that text[start:end] is a run of its own; return it."""
    t = run.find(f"{_W}t")
    text = t.text or ""
    pieces = [(0, start), (start, end), (end, len(text))]
    made = []
    for a, b in pieces:
        if a >= b:
            continue
        new = copy.deepcopy(run)
        nt = new.find(f"{_W}t")
        nt.text = text[a:b]
        nt.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.addprevious(new)
        made.append((a, b, new))
    run.getparent().remove(run)
    return [r for a, b, r in made if a >= start and b <= end]


def _sentence_runs(p: Any, sentence: str) -> list[Any]:
    """The runs covering ``sentence`` in paragraph p (split at its edges when runs hold plain text)."""
    full = paragraph_text(p)
    at = full.find(sentence.strip())
    runs = [r for r in p.iterchildren(f"{_W}r")]
    if at < 0:
        return runs
    end = at + len(sentence.strip())
    chosen: list[Any] = []
    pos = 0
    for r in runs:
        length = len(paragraph_text(r))
        a, b = pos, pos + length
        pos = b
        if b <= at or a >= end:
            continue
        simple = [c.tag for c in r if c.tag != f"{_W}rPr"] == [f"{_W}t"]
        if simple and (a < at or b > end):
            chosen.extend(_split_run(r, max(at - a, 0), min(end - a, length)))
        else:
            chosen.append(r)
    return chosen or runs


def annotate_report(source: str | os.PathLike[str], anchored: list[tuple[str, int, str]],
                    dest: str | os.PathLike[str]) -> Path:
    """Copy ``source`` to ``dest`` with each (message, paragraph order, sentence) marked."""
    from docx.enum.text import WD_COLOR_INDEX
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    document = open_docx(Path(source).read_bytes())
    paragraphs = [p for p, *_ in walk_paragraphs(document.element.body)]
    for message, order, sentence in anchored:
        if not 0 <= order < len(paragraphs):
            continue
        p = paragraphs[order]
        runs = [Run(r, Paragraph(p, document)) for r in _sentence_runs(p, sentence)]
        if not runs:
            continue
        for run in runs:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        document.add_comment(runs, text=message, author="jixiao", initials="JX")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dest) as tmp:
        document.save(str(tmp))
    return dest
