"""Adapters that put the JX_ registry into spreadsheet hosts."""
