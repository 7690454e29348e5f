"""Cell formats added to an existing xl/styles.xml: appended, so every index already used stays."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..xlsxcache import xml_text

# The number formats Excel has built in, by the codes openpyxl gives Python's dates and times.
_BUILTIN_FORMATS = {"General": 0, "h:mm:ss": 21}
_NUM_FMT = re.compile(rb'<numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')


class Unpatchable(Exception):
    """The package holds something jixiao does not edit safely; use openpyxl instead."""


@dataclass
class Styles:
    """xl/styles.xml with fills, fonts and cell formats appended on demand."""

    xml: bytes
    fills: list[bytes] = field(default_factory=list)
    fonts: list[bytes] = field(default_factory=list)
    xfs: list[bytes] = field(default_factory=list)
    numfmts: list[bytes] = field(default_factory=list)
    _cache: dict[object, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base_fills = self._count(b"fills")
        self.base_fonts = self._count(b"fonts")
        self.base_xfs = self._count(b"cellXfs")
        self.existing = re.findall(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", self._section(b"cellXfs"), re.S)
        if len(self.existing) != self.base_xfs:
            raise Unpatchable("cellXfs count")
        font0 = re.search(rb"<font\b[^>]*?(?:/>|>.*?</font>)", self._section(b"fonts"), re.S)
        self.font0 = font0.group(0) if font0 else b"<font/>"

    def _section(self, tag: bytes) -> bytes:
        m = re.search(rb"<" + tag + rb"\b[^>]*>(.*?)</" + tag + rb">", self.xml, re.S)
        if m is None:
            raise Unpatchable(f"styles.xml has no <{tag.decode()}>")
        return m.group(1)

    def _count(self, tag: bytes) -> int:
        body = self._section(tag)
        child = {b"fills": b"fill", b"fonts": b"font", b"cellXfs": b"xf"}[tag]
        return len(re.findall(rb"<" + child + rb"\b", body))

    def _add(self, kind: str, key: object, xml: bytes) -> int:
        if (kind, key) not in self._cache:
            items, base = {"fill": (self.fills, self.base_fills), "font": (self.fonts, self.base_fonts),
                           "xf": (self.xfs, self.base_xfs)}[kind]
            items.append(xml)
            self._cache[kind, key] = base + len(items) - 1
        return self._cache[kind, key]

    def fill(self, color: str) -> int:
        return self._add("fill", color, b'<fill><patternFill patternType="solid"><fgColor rgb="%s"/>'
                         b'<bgColor indexed="64"/></patternFill></fill>' % color.encode())

    def filled(self, style: int, color: str) -> int:
        """The format ``style`` with a solid ``color`` fill (number format, font, borders kept)."""
        fill = self.fill(color)
        xf = self.existing[style] if style < len(self.existing) else self.existing[0]
        xf = re.sub(rb'\s(?:fillId|applyFill)="[^"]*"', b"", xf)
        xf = re.sub(rb"^<xf\b", b'<xf fillId="%d" applyFill="1"' % fill, xf)
        return self._add("xf", (style, color), xf)

    def number_format(self, code: str) -> int:
        """The id of number format ``code``: a built-in one, one the workbook has, or a new one."""
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        if ("numFmt", code) not in self._cache:
            text = xml_text(code).encode()
            found = {m.group(2): int(m.group(1)) for m in _NUM_FMT.finditer(self._numfmts())}
            if text in found:
                return found[text]
            used = [163, *found.values(), *(i for k, i in self._cache.items() if k[0] == "numFmt")]
            self._cache["numFmt", code] = new = max(used) + 1
            self.numfmts.append(b'<numFmt numFmtId="%d" formatCode="%s"/>' % (new, text))
        return self._cache["numFmt", code]

    def _numfmts(self) -> bytes:
        m = re.search(rb"<numFmts\b[^>]*>(.*?)</numFmts>", self.xml, re.S)
        return m.group(1) if m else b""

    def cell(self, *, bold: bool = False, link: bool = False, wrap: bool = False, quote: bool = False,
             fill: str | None = None, number_format: str | None = None) -> int:
        """A format for the tables jixiao writes, built on the workbook's default font."""
        key = ("cell", bold, link, wrap, quote, fill, number_format)
        if ("xf", key) in self._cache:
            return self._cache["xf", key]
        font = 0
        if bold or link:
            extra = b"<b/>" if bold else b'<u/><color rgb="FF0563C1"/>'
            body = re.sub(rb"<(?:b|u|color)\b[^>]*/>", b"", self.font0)
            body = (body[:-2] + b">" + extra + b"</font>") if body.endswith(b"/>") else \
                body.replace(b"</font>", extra + b"</font>")
            font = self._add("font", (bold, link), body)
        fmt = self.number_format(number_format) if number_format else 0
        attrs = b'numFmtId="%d" fontId="%d" fillId="%d" borderId="0" xfId="0"' % (
            fmt, font, self.fill(fill) if fill else 0)
        if fmt:
            attrs += b' applyNumberFormat="1"'
        if font:
            attrs += b' applyFont="1"'
        if fill:
            attrs += b' applyFill="1"'
        if quote:
            attrs += b' quotePrefix="1"'
        inner = b'<alignment vertical="top" wrapText="1"/>' if wrap else b""
        xf = b"<xf " + attrs + (b' applyAlignment="1">' + inner + b"</xf>" if wrap else b"/>")
        return self._add("xf", key, xf)

    def render(self) -> bytes:
        xml = self.xml
        if self.numfmts:
            m = re.search(rb"<numFmts\b([^>]*?)(/>|>(.*?)</numFmts>)", xml, re.S)
            if m is None:  # numFmts is the stylesheet's first child
                at = re.search(rb"<styleSheet\b[^>]*>", xml).end()
                xml = xml[:at] + b'<numFmts count="%d">' % len(self.numfmts) + b"".join(self.numfmts) + \
                    b"</numFmts>" + xml[at:]
            else:
                old = m.group(3) or b""
                count = len(re.findall(rb"<numFmt\b", old)) + len(self.numfmts)
                attrs = re.sub(rb'\scount="\d*"', b"", m.group(1))
                xml = xml[:m.start()] + b"<numFmts" + attrs + b' count="%d">' % count + old + \
                    b"".join(self.numfmts) + b"</numFmts>" + xml[m.end():]
        for tag, items, base in ((b"fills", self.fills, self.base_fills), (b"fonts", self.fonts, self.base_fonts),
                                 (b"cellXfs", self.xfs, self.base_xfs)):
            if not items:
                continue
            m = re.search(rb"<" + tag + rb"\b([^>]*)>(.*?)</" + tag + rb">", xml, re.S)
            attrs = re.sub(rb'\scount="\d*"', b"", m.group(1)) + b' count="%d"' % (base + len(items))
            xml = xml[:m.start()] + b"<" + tag + attrs + b">" + m.group(2) + b"".join(items) + \
                b"</" + tag + b">" + xml[m.end():]
        return xml
