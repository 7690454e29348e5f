"""Number formats, hidden rows and columns as the files themselves say them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao import security
from jixiao.reader.sheetmeta import format_unit, shown_value, xlsx_sheet_meta, xlsx_styles


@pytest.mark.parametrize("code, unit", [
    ("0%", "%"), ("0.00%", "%"), ('0.00"万元"', "万元"), ('#,##0.00"元"', "元"), ('#,##0"个"', "个"),
    ('0.0\\ "人次"', "人次"), ('0"分";[Red]-0"分"', "分"),
    ('"¥"#,##0.00', None), ("¥#,##0.00;[Red]-¥#,##0.00", None), ("[$¥-804]#,##0.00", None),  # money, no unit
    ('yyyy"年"m"月"d"日"', None), ("h:mm", None), ("General", None), ("@", None), ("0.00_);(0.00)", None),
    ("0.00E+00", None), ("[DBNum1][$-804]General", None),
])
def test_format_unit(code, unit):
    assert format_unit(code) == unit


@pytest.mark.parametrize("value, unit, shown", [
    (0.1, "%", "10%"), (0.9873, "%", "98.73%"), (0.07, "%", "7%"), (86.54, "万元", "86.54万元"),
    (6, "分", "6分"), ("5%", "%", "5%"), (None, "%", None), (True, "%", True),
])
def test_shown_value(value, unit, shown):
    assert shown_value(value, unit) == shown


STYLES = (b'<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="0.00&quot;\xe4\xb8\x87\xe5\x85\x83'
          b'&quot;"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="9" applyNumberFormat="1"/>'
          b'<xf numFmtId="164"/></cellXfs></styleSheet>')


@pytest.mark.parametrize("cell", ['<c r="{ref}" s="{s}"{t}>', '<c s="{s}"{t} r="{ref}">'])
def test_xlsx_cells_in_any_attribute_order(cell):
    styles = xlsx_styles(STYLES)
    assert styles == {1: "%", 2: "万元"}
    cells = "".join(cell.format(ref=ref, s=s, t=t) + "<v>1</v></c>"
                    for ref, s, t in (("B2", 1, ""), ("C2", 2, ' t="n"'), ("D2", 1, ' t="s"'), ("E2", 0, "")))
    meta = xlsx_sheet_meta(f"<worksheet><sheetData><row r=\"2\">{cells}</row></sheetData></worksheet>".encode(),
                           styles)
    assert meta.shown == {(1, 1): "%", (1, 2): "万元"}  # shared-string text and plain cells unchanged


_CELLS = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 60), st.sampled_from(["0", "1", "2", "12", "21", "121", "01"]),
                            st.sampled_from(["", "n", "s", "str", "e"])), max_size=40, unique_by=lambda c: c[:2])


@given(_CELLS, st.booleans())
def test_xlsx_shown_cells_are_those_of_the_unit_styles(cells, ordered):
    # Only the cells of styles that show a unit are sought (1 ≠ 12 ≠ 121 ≠ 01), numbers only.
    styles = {1: "%", 12: "万元", 21: "个"}
    expected = {}
    xml = []
    for r, c, s, t in cells:
        ref = f"{chr(64 + c // 26) if c >= 26 else ''}{chr(65 + c % 26)}{r + 1}"
        kind = f' t="{t}"' if t else ""
        xml.append(f'<c r="{ref}" s="{s}"{kind}><v>1</v></c>' if ordered else f'<c s="{s}"{kind} r="{ref}"><v>1</v></c>')
        if int(s) in styles and str(int(s)) == s and t in ("", "n"):
            expected[r, c] = styles[int(s)]
    meta = xlsx_sheet_meta(f"<worksheet><sheetData>{''.join(xml)}</sheetData></worksheet>".encode(), styles)
    assert meta.shown == expected


def test_hidden_rows_and_columns_bounded():
    xml = (b'<worksheet><cols><col min="2" max="2" hidden="1"/><col min="5" max="16384" hidden="true"/>'
           b'<col min="3" max="3" hidden="0"/></cols><sheetData><row r="3" hidden="1"/><row r="4"/>'
           b'<row r="9999999" hidden="1"/></sheetData></worksheet>')
    meta = xlsx_sheet_meta(xml, {})
    assert meta.hidden_rows == {2}
    assert 1 in meta.hidden_cols and 2 not in meta.hidden_cols and max(meta.hidden_cols) == security.MAX_COLS - 1


def test_ods_meta_from_hostile_counts():
    from jixiao.reader.sheetmeta import ods_sheet_meta

    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="表"><table:table-column table:number-columns-repeated="abc"/>'
        '<table:table-column table:visibility="collapse" table:number-columns-repeated="99999999"/>'
        '<table:table-row table:number-rows-repeated="-5"><table:table-cell office:value-type="percentage" '
        'table:number-rows-spanned="2000000000" table:number-columns-repeated="99999999"/></table:table-row>'
        '<table:table-row table:visibility="collapse" table:number-rows-repeated="1048000"/>'
        '</table:table></office:spreadsheet></office:body></office:document-content>').encode()
    meta = ods_sheet_meta({"content.xml": content})["表"]
    assert meta.hidden_cols == set(range(1, security.MAX_COLS))
    assert meta.hidden_rows == set(range(1, security.MAX_ROWS))
    assert meta.merges == [(0, 0, security.MAX_ROWS - 1, 0)]
    assert len(meta.shown) == security.MAX_COLS  # one row of percentages, repeated columns capped
