"""Error values and exceptions shared by the core and every host.

Spreadsheet functions never raise at the user: they evaluate to an Excel error value
(``#VALUE!``, ``#DIV/0!`` ...) that propagates into totals, carrying a Chinese explanation
for the hosts that can show one.
"""

from __future__ import annotations

EXCEL_ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")


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
