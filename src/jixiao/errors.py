"""Error values and exceptions shared by the core and every host.

Spreadsheet functions never raise at the user: they evaluate to an Excel error value
(``#VALUE!``, ``#DIV/0!`` ...) that propagates into totals, carrying a Chinese explanation
for the hosts that can show one.
"""

from __future__ import annotations

import re

EXCEL_ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
# Newer Excel error values have no code of their own here; as inputs they count as #VALUE!.
OTHER_ERROR_CODES = ("#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#BUSY!", "#CONNECT!",
                     "#UNKNOWN!", "#DATA!", "#GETTING_DATA")
ERROR_VALUES = frozenset((*EXCEL_ERROR_CODES, *OTHER_ERROR_CODES))  # what a cell may show
_ERROR_TEXT = re.compile(
    r"^(" + "|".join(re.escape(c) for c in (*EXCEL_ERROR_CODES, *OTHER_ERROR_CODES)) + r")(?:\s+(.*))?$",
    re.S,
)


class JXError(Exception):
    """Raised by the pure core when an input cannot be scored.

    ``code`` is the Excel error value the hosts show; ``message`` is the Chinese explanation.
    """

    def __init__(self, code: str, message: str) -> None:
        if code not in EXCEL_ERROR_CODES:
            raise ValueError(f"not an Excel error code: {code!r}")
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message

    def as_value(self) -> ExcelError:
        return ExcelError(self.code, self.message)


class ExcelError(str):
    """An Excel error value returned by a JX_ function, e.g. ``#DIV/0!``.

    It compares equal to its code (``ExcelError("#N/A", "…") == "#N/A"``) and keeps the
    Chinese explanation in ``.message``.
    """

    message: str

    def __new__(cls, code: str, message: str = "") -> ExcelError:
        if code not in EXCEL_ERROR_CODES:
            raise ValueError(f"not an Excel error code: {code!r}")
        obj = super().__new__(cls, code)
        obj.message = message
        return obj

    @property
    def code(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"ExcelError({str(self)!r}, {self.message!r})"


class RulePackError(ValueError):
    """A rule pack file is missing, unreadable or malformed (names the file and key)."""


def error_from_text(value: object) -> object:
    """An argument as a spreadsheet host sends it → what the JX_ functions expect.

    Error cells read as text (``"#N/A"``) and the desktop add-in's own error texts
    (``"#DIV/0! 原因"``) become :class:`ExcelError`, so errors propagate instead of turning
    into blanks; lists are converted element-wise; any other value is returned unchanged.
    """
    if isinstance(value, (list, tuple)):
        return [error_from_text(v) for v in value]
    if isinstance(value, str) and not isinstance(value, ExcelError) and value.startswith("#"):
        m = _ERROR_TEXT.match(value.strip())
        if m:
            code, reason = m.group(1), (m.group(2) or "").strip()
            return ExcelError(code if code in EXCEL_ERROR_CODES else "#VALUE!",
                              reason or f"输入单元格为错误值 {code}")
    return value
