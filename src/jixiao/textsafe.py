"""Text from strangers is data: make it safe for every output (terminal, JSON, CSV, .xlsx).

File names, sheet names and cell values of submissions may hold control characters (``\\x01``,
``_x0007_`` as decoded by readers, ANSI escapes), lone surrogates (undecodable bytes of a file
name) or markup. :func:`printable` shows each such character as a visible escape (``\\x1b``),
so nothing breaks a writer or reaches a terminal raw; tab and line feed stay.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls except tab and line feed, DEL, C1 controls, lone surrogates, and the bidi
# overrides that can reorder what a reviewer sees.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: Any) -> Any:
    """``value`` with unsafe characters escaped; anything but text is returned as it is."""
    if isinstance(value, str) and _UNSAFE.search(value):
        return _UNSAFE.sub(_escape, value)
    return value


def printable_all(value: Any) -> Any:
    """:func:`printable` through dicts, lists and tuples (a file's forms, a JSON document)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(k): printable_all(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(printable_all(v) for v in value)
    return value
