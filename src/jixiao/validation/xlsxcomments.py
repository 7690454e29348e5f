"""A worksheet's comments (批注) as the two parts that hold them: the comments part (text and
authors) and the legacy VML shapes Excel needs to show each note.

Comments a submission already has are kept, text and author as they are (a flagged cell's own
comment gives way to jixiao's, as openpyxl's ``cell.comment = …`` does); their note shapes are
drawn again at the default size, as openpyxl draws them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..reader.model import parse_a1
from ..xlsxcache import xml_text
from .xlsxstyles import Unpatchable
from .xlsxwrite import NS_MAIN

_COMMENT = re.compile(rb"<comment\b([^>]*)>(.*?)</comment>", re.S)
_AUTHOR = re.compile(rb"<author\s*(?:/>|>(.*?)</author>)", re.S)
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_NOTE_KIND = re.compile(rb'<(?:\w+:)?ClientData\b[^>]*?\bObjectType="([^"]*)"')


@dataclass
class Note:
    """One comment: its cell, author, text (the ``<text>`` element as stored) and note size."""

    ref: str
    author: bytes  # as XML text
    body: bytes
    width: int = 144  # px: openpyxl's and Excel's default note
    height: int = 79


def new_note(ref: str, author: str, text: str, lines: int) -> Note:
    return Note(ref, xml_text(author).encode(), f'<text><t xml:space="preserve">{xml_text(text)}</t></text>'.encode(),
                320, 40 + 18 * lines)


def read_notes(comments: bytes, vml: bytes) -> list[Note]:
    """The comments a sheet has, from its comments part; refused (:class:`Unpatchable`) when its
    parts hold what jixiao would not rewrite faithfully (other VML shapes, prefixed XML …)."""
    if not re.search(rb"<comments\b[^>]*\bxmlns=\"" + NS_MAIN.encode() + rb'"', comments) or \
            re.search(rb"<\w+:comment", comments):
        raise Unpatchable("comments part with prefixed XML")
    if any(kind != b"Note" for kind in _NOTE_KIND.findall(vml)):
        raise Unpatchable("VML with shapes other than notes (form controls)")
    authors_part = re.search(rb"<authors\b[^>]*>(.*?)</authors>", comments, re.S)
    authors = [m.group(1) or b"" for m in _AUTHOR.finditer(authors_part.group(1))] if authors_part else []
    notes = []
    for m in _COMMENT.finditer(comments):
        attrs = dict(_ATTR.findall(m.group(1)))
        ref = attrs.get(b"ref", b"").decode().replace("$", "")  # "$B$3" is B3, where a finding may land
        author = int(attrs.get(b"authorId", b"0"))
        at = parse_a1(ref)
        if at is None or at[0] < 0 or not 0 <= author < len(authors):
            raise Unpatchable("comment without a cell or an author")
        if re.search(rb"<\w+:", m.group(2)):
            raise Unpatchable("comment text with prefixed XML")
        notes.append(Note(ref, authors[author], m.group(2)))
    if len(notes) != comments.count(b"<comment ") + comments.count(b"<comment>"):
        raise Unpatchable("comments this reader does not follow")
    return notes


def comments_xml(notes: list[Note]) -> bytes:
    authors: dict[bytes, int] = {}
    for n in notes:
        authors.setdefault(n.author, len(authors))
    items = b"".join(b'<comment ref="%s" authorId="%d">%s</comment>' % (n.ref.encode(), authors[n.author], n.body)
                     for n in notes)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="{NS_MAIN}">'.encode()
            + b"<authors>" + b"".join(b"<author>%s</author>" % a for a in authors) + b"</authors><commentList>"
            + items + b"</commentList></comments>")


def vml_block(vml: bytes) -> int | None:
    """The shape-id block (``o:idmap data``) of an existing VML part."""
    m = re.search(rb'<(?:\w+:)?idmap\b[^>]*?\bdata="(\d+)', vml)
    return int(m.group(1)) if m else None


def vml_xml(notes: list[Note], block: int) -> bytes:
    """Legacy VML shapes: Excel shows a comment only when its note shape exists."""
    shapes = []
    for i, n in enumerate(notes):
        row, col = parse_a1(n.ref)
        shapes.append(
            f'<v:shape id="_x0000_s{block * 1024 + 2 + i}" type="#_x0000_t202" style="position:absolute; '
            f"margin-left:59.25pt;margin-top:1.5pt;width:{n.width}px;height:{n.height}px;z-index:1;"
            f'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            f'<v:shadow color="black" obscured="t"/><v:path o:connecttype="none"/>'
            f'<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/></v:textbox>'
            f'<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData>"
            f"</v:shape>")
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
            f'<o:idmap v:ext="edit" data="{block}"/></o:shapelayout><v:shapetype id="_x0000_t202" '
            'coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
            '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            + "".join(shapes) + "</xml>").encode()
