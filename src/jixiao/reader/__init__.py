"""Layout-tolerant reader of submitted 绩效自评 workbooks (.xlsx, .xlsm, .xls, .ods).

>>> book = read_workbook("某单位自评表.xlsx")        # doctest: +SKIP
>>> [f.form_id for f in book.forms]                  # doctest: +SKIP
['fubiao1', 'fubiao2']
>>> book.forms[0].to_frame()                          # doctest: +SKIP
"""

from __future__ import annotations

from .layout import find_forms, load_grids, read_workbook
from .model import Cell, Form, FundsRow, Group, Indicator, Workbook, a1, col_letter

__all__ = ["read_workbook", "find_forms", "load_grids", "Cell", "Form", "FundsRow", "Group",
           "Indicator", "Workbook", "a1", "col_letter"]
