"""Adapters that put the JX_ registry into spreadsheet hosts."""

# The formula modes a template or generated workbook is written in: the add-in's JX_ functions
# (xlwings, xlwings Lite), named LAMBDAs (Excel 365/2024), or native formula text (any program).
MODES = ("udf", "lambda", "native")
