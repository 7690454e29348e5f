"""LibreOffice headless: recalculate, convert and render workbooks with a throw-away profile.

One ``soffice`` process handles a whole batch (start-up ~1 s, then ~0.1 s per small file).
The private profile forces recalculation on load (LibreOffice's default is to trust the
cached values of .xlsx files) and maps Windows Chinese font names (宋体, 仿宋 …) to the Noto
CJK faces. A timeout kills the whole process group.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

SOFFICE = shutil.which("soffice") or "soffice"

# OOXMLRecalcMode / ODFRecalcMode: 0 = always recalc, 1 = never (default), 2 = prompt
RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


# Map Windows Chinese font names to installed Noto CJK SC faces (fonts-noto-cjk).
# Without it 宋体/SimSun fall back to Noto *Sans* CJK JP (+DejaVu for Latin).
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
""" + "".join(
    f'  <alias binding="same"><family>{win}</family><prefer><family>{noto}</family></prefer></alias>\n'
    for noto, names in {
        "Noto Serif CJK SC": ["宋体", "SimSun", "新宋体", "NSimSun", "仿宋", "FangSong", "楷体", "KaiTi"],
        "Noto Sans CJK SC": ["黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "等线", "DengXian"],
    }.items() for win in names) + "</fontconfig>\n"


class LibreOfficeError(RuntimeError):
    pass


def _make_profile(root: Path, recalc: bool = True) -> str:
    """Create a throw-away LO user profile that forces recalculation on load (or never recalculates)."""
    user = root / "user"
    user.mkdir(parents=True, exist_ok=True)
    xcu = RECALC_XCU if recalc else RECALC_XCU.replace("<value>0</value>", "<value>1</value>")
    (user / "registrymodifications.xcu").write_text(xcu, encoding="utf-8")
    return root.resolve().as_uri()  # file:///...


def _run_soffice(args: list[str], timeout: float, recalc: bool = True) -> subprocess.CompletedProcess[str]:
    """Run soffice with a private, recalc-forcing profile; kill the whole group on timeout."""
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as prof:
        cmd = [SOFFICE, f"-env:UserInstallation={_make_profile(Path(prof), recalc)}",
               "--headless", "--norestore", "--nologo", "--nodefault",
               "--nofirststartwizard", *args]
        env = dict(os.environ)
        if "FONTCONFIG_FILE" not in env:
            (Path(prof) / "fonts.conf").write_text(FONTS_CONF, encoding="utf-8")
            env["FONTCONFIG_FILE"] = str(Path(prof) / "fonts.conf")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True, env=env)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice -> oosplash -> soffice.bin
            proc.communicate()
            raise LibreOfficeError(f"soffice timed out after {timeout}s: {args[:3]}...") from None
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _convert(paths: list[Path], outdir: Path, fmt: str, timeout: float, recalc: bool = True) -> list[Path]:
    paths = [Path(p).resolve() for p in paths]
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise ValueError("input files must have distinct stems (outputs are named <stem>.<ext>)")
    if any(p.parent == outdir for p in paths) and fmt.split(":")[0] == "xlsx":
        raise ValueError("outdir must differ from input dir (LO would overwrite the input)")
    ext = fmt.split(":")[0]
    outs = [outdir / f"{s}.{ext}" for s in stems]
    for o in outs:
        o.unlink(missing_ok=True)  # so existence proves success
    res = _run_soffice(["--convert-to", fmt, "--outdir", str(outdir), *map(str, paths)], timeout, recalc)
    missing = [o for o in outs if not o.exists()]
    if missing:  # soffice exits 0 even when a file fails to load
        raise LibreOfficeError(f"conversion failed for {missing}: rc={res.returncode} "
                               f"stdout={res.stdout!r} stderr={res.stderr!r}")
    return outs


def recalc_xlsx(paths: list[Path], outdir: Path, timeout: float | None = None) -> list[Path]:
    """Load each xlsx in LO with forced full recalculation, save to outdir/<stem>.xlsx.

    One soffice process for the whole batch (startup ~1 s, then ~0.1 s/small file).
    """
    if not paths:
        return []
    timeout = timeout or 30 + 5 * len(paths)
    return _convert(list(paths), outdir, "xlsx:Calc MS Excel 2007 XML", timeout)


def resave_xlsx(paths: list[Path], outdir: Path, timeout: float | None = None) -> list[Path]:
    """Open each xlsx in LO and save it to outdir/<stem>.xlsx as an office suite writes it, keeping
    the cached values (no recalculation: JX_ functions and LAMBDA would become #NAME? in LO)."""
    if not paths:
        return []
    return _convert(list(paths), outdir, "xlsx:Calc MS Excel 2007 XML", timeout or 30 + 5 * len(paths), False)


def render_pdf(xlsx: Path, pdf: Path, timeout: float = 60) -> Path:
    """Recalculate + export every printable sheet to PDF honouring the page setup."""
    xlsx, pdf = Path(xlsx).resolve(), Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="lo_pdf_") as tmp:
        src = Path(tmp) / "in" / (pdf.stem + ".xlsx")
        src.parent.mkdir()
        shutil.copyfile(xlsx, src)
        (out,) = _convert([src], Path(tmp) / "out", "pdf:calc_pdf_Export", timeout)
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(out, pdf)
    return pdf


def render_png(xlsx: Path, png: Path, dpi: int = 110, page: int = 1,
               timeout: float = 60) -> Path:
    """Render one page (default: first) of the workbook's print output to PNG
    via LO -> PDF -> pdftoppm (poppler-utils)."""
    png = Path(png).resolve()
    with tempfile.TemporaryDirectory(prefix="lo_png_") as tmp:
        pdf = render_pdf(xlsx, Path(tmp) / "render.pdf", timeout)
        png.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(_pdftoppm(pdf, Path(tmp) / "page", dpi, page, timeout=timeout), png)
    return png


def available() -> bool:
    """Is LibreOffice (soffice) on PATH?"""
    return shutil.which("soffice") is not None


def render_pngs(xlsxs: list[Path], outdir: Path, dpi: int = 110, timeout: float | None = None,
                text_px: float = 0, crop: bool = False) -> list[Path]:
    """First page of each workbook as ``outdir/<stem>.png``, in one soffice call.

    ``text_px``: a page whose words would come out less than this many pixels tall at ``dpi`` (a
    wide sheet shrunk to fit the paper) is rendered at the resolution that makes them that tall.
    ``crop``: only what the page prints, with a small margin, instead of the whole sheet of paper.
    """
    xlsxs = [Path(p) for p in xlsxs]
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo_pngs_") as tmp:
        pdfs = _convert(xlsxs, Path(tmp), "pdf:calc_pdf_Export", timeout or 30 + 10 * len(xlsxs))
        outs = []
        for pdf in pdfs:
            height = _word_height(pdf) if text_px else None
            # capped: a stray speck read as tiny text must not ask pdftoppm for a gigapixel page
            page_dpi = min(600, max(dpi, round(text_px * 72 / height))) if height else dpi
            area = _printed_area(pdf, page_dpi, Path(tmp) / "ink") if crop else None
            out = outdir / f"{pdf.stem}.png"
            shutil.move(_pdftoppm(pdf, Path(tmp) / pdf.stem, page_dpi, area=area), out)
            outs.append(out)
    return outs


def _pdftoppm(pdf: Path, prefix: Path, dpi: int, page: int = 1, fmt: str = "png",
              area: tuple[int, int, int, int] | None = None, timeout: float = 60) -> Path:
    """One page of ``pdf`` as ``<prefix>.<fmt>`` (png, or pgm: grey), ``area`` (x, y, w, h) of it only."""
    crop = [] if area is None else [a for flag, v in zip(("-x", "-y", "-W", "-H"), area, strict=True)
                                    for a in (flag, str(v))]
    kind = ["-png"] if fmt == "png" else ["-gray"]
    subprocess.run(["pdftoppm", *kind, "-r", str(dpi), "-f", str(page), "-l", str(page), *crop, "-singlefile",
                    str(pdf), str(prefix)], check=True, timeout=timeout, capture_output=True)
    return Path(f"{prefix}.{fmt}")


def _word_height(pdf: Path) -> float | None:
    """The median height, in points, of the words on the first page (None: no text)."""
    import re
    import statistics

    run = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                         check=True, timeout=60, capture_output=True, text=True)
    boxes = re.findall(r'<word[^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)"', run.stdout)
    return statistics.median(float(b) - float(a) for a, b in boxes) if boxes else None


def _printed_area(pdf: Path, dpi: int, prefix: Path) -> tuple[int, int, int, int] | None:
    """(x, y, w, h) in pixels at ``dpi`` of all that is not white on the first page, with a margin of
    about 3 mm; None for a blank page."""
    import re

    pgm = _pdftoppm(pdf, prefix, dpi, fmt="pgm").read_bytes()
    head = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", pgm)  # binary 8-bit grey: one byte a pixel
    if head is None:
        raise RuntimeError(f"pdftoppm -gray: unexpected output for {pdf}")
    w, h = int(head[1]), int(head[2])
    pixels, white = pgm[head.end():], b"\xff" * w
    rows = [pixels[i * w:(i + 1) * w] for i in range(h)]
    inked = [i for i, row in enumerate(rows) if row != white]
    if not inked:
        return None
    left = min(w - len(rows[i].lstrip(b"\xff")) for i in inked)
    right = max(len(rows[i].rstrip(b"\xff")) for i in inked)
    margin = round(dpi / 8)
    x, y = max(0, left - margin), max(0, inked[0] - margin)
    return x, y, min(w, right + margin) - x, min(h, inked[-1] + 1 + margin) - y
