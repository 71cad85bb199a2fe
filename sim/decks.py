"""Decks of a run or sweep report: PDF (matplotlib, one landscape page per exhibit) and PowerPoint
(python-pptx, one slide per exhibit).  Both open on the executive summary, and every exhibit sits
under its takeaway title with the money and period footer, as in the HTML report."""

from __future__ import annotations

import io
import os
import textwrap
from pathlib import Path

import numpy as np

from sim.report import ReportContext, _header, _ratio

PAGE = (13.333, 7.5)  # inches: a 16:9 slide


def summary_rows(ctx: ReportContext, limit: int = 12) -> tuple[list[str], list[list[str]]]:
    """The moves table of the executive summary as plain text (header, rows), best first."""
    from sim.takeaways import interval, money

    ex = ctx.summary
    cur = ctx.currency
    head = ["#", "move from today", f"revenue change ({cur})", "95 % interval", "return on cost"]
    rows = [
        [
            str(r["rank"]),
            r["move"],
            money(r["revenue_diff_mean"], cur),
            interval(r, cur).replace("95 % interval ", ""),
            _ratio(r["economics.return_on_cost"]),
        ]
        for _, r in ex.moves.head(limit).iterrows()
    ]
    return head, rows


def _intro(ctx: ReportContext) -> tuple[str, list[str]]:
    """Title and bullet lines of the opening page."""
    title, _ = _header(ctx.res, ctx.currency)
    if ctx.summary is not None:
        return title, list(ctx.summary.takeaways)
    import re

    from sim.report import _run_summary

    return title, [re.sub("<[^>]+>", "", _run_summary(ctx))]


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


def _atomic(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_pdf(ctx: ReportContext, path) -> Path:
    """A PDF deck: the executive summary page, then one page per exhibit under its takeaway title."""
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from sim.plots.style import RC

    buf = io.BytesIO()
    with plt.rc_context(RC), PdfPages(buf, metadata={"Title": _intro(ctx)[0], "CreationDate": None}) as pdf:
        title, lines = _intro(ctx)
        fig = plt.figure(figsize=PAGE)
        fig.text(0.04, 0.93, title, fontsize=22, fontweight="bold", va="top")
        fig.text(0.04, 0.865, f"Money in {ctx.currency}; totals {ctx.period} per run.", fontsize=12, color="0.35")
        y = 0.80
        for i, line in enumerate(lines, 1):
            text = _wrap(line, 125)
            fig.text(0.05, y, f"{i}.  {text}", fontsize=12.5, va="top", linespacing=1.35)
            y -= 0.045 * (text.count("\n") + 1) + 0.025
        if ctx.summary is not None and not ctx.summary.moves.empty:
            head, rows = summary_rows(ctx, limit=10)
            top = y - 0.02
            height = min(top - 0.04, 0.045 * (len(rows) + 1))
            ax = fig.add_axes((0.04, top - height, 0.92, height))
            ax.axis("off")
            tab = ax.table(
                cellText=rows,
                colLabels=head,
                bbox=(0, 0, 1, 1),
                cellLoc="left",
                colLoc="left",
                colWidths=[0.03, 0.53, 0.14, 0.2, 0.1],
            )
            tab.auto_set_font_size(False)
            tab.set_fontsize(9.5)
            for (r, _), cell in tab.get_celld().items():
                cell.set_edgecolor("0.85")
                if r == 0:
                    cell.set_text_props(fontweight="bold")
                    cell.set_facecolor("#f3f5f8")
        pdf.savefig(fig)
        plt.close(fig)
        for f, png in ctx.figures:
            fig = plt.figure(figsize=PAGE)
            fig.text(0.04, 0.95, _wrap(f.headline(), 105), fontsize=15, fontweight="bold", va="top")
            img = mpimg.imread(io.BytesIO(png))
            h, w = img.shape[:2]
            box_w, box_h = 0.92, 0.72
            scale = min(box_w * PAGE[0] / w, box_h * PAGE[1] / h)
            aw, ah = w * scale / PAGE[0], h * scale / PAGE[1]
            ax = fig.add_axes(((1 - aw) / 2, 0.1 + (box_h - ah) / 2, aw, ah))
            ax.imshow(img, interpolation="lanczos")
            ax.axis("off")
            fig.text(0.04, 0.045, _wrap(f.caption, 150), fontsize=10, color="0.3", va="center")
            pdf.savefig(fig)
            plt.close(fig)
    return _atomic(Path(path), buf.getvalue())


def write_pptx(ctx: ReportContext, path) -> Path:
    """A PowerPoint deck: title and takeaways, the moves table, then one slide per exhibit."""
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(PAGE[0]), Inches(PAGE[1])
    blank = prs.slide_layouts[6]

    def textbox(slide, x, y, w, h, text, size, bold=False, grey=False):
        box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
        tf = box.text_frame
        tf.word_wrap = True
        for i, line in enumerate(text if isinstance(text, list) else [text]):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.text = line
            p.font.size = Pt(size)
            p.font.bold = bold
            p.space_after = Pt(8)
            if grey:
                from pptx.dml.color import RGBColor

                p.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        return box

    title, lines = _intro(ctx)
    s = prs.slides.add_slide(blank)
    textbox(s, 0.5, 0.35, 12.3, 0.9, title, 28, bold=True)
    textbox(s, 0.5, 1.15, 12.3, 0.4, f"Money in {ctx.currency}; totals {ctx.period} per run.", 14, grey=True)
    textbox(s, 0.5, 1.8, 12.3, 5.2, [f"{i}. {t}" for i, t in enumerate(lines, 1)], 17)
    if ctx.summary is not None and not ctx.summary.moves.empty:
        head, rows = summary_rows(ctx)
        s = prs.slides.add_slide(blank)
        textbox(s, 0.5, 0.3, 12.3, 0.8, f"Moves against today, ranked by revenue {ctx.period}", 24, bold=True)
        shape = s.shapes.add_table(len(rows) + 1, len(head), Inches(0.5), Inches(1.2), Inches(12.3), Inches(0.4))
        widths = np.array([0.5, 6.0, 2.0, 2.6, 1.2])
        for j, wd in enumerate(widths):
            shape.table.columns[j].width = Inches(float(wd))
        for j, h in enumerate(head):
            shape.table.cell(0, j).text = h
        for i, row in enumerate(rows, 1):
            for j, v in enumerate(row):
                shape.table.cell(i, j).text = v
        for cell in (shape.table.cell(i, j) for i in range(len(rows) + 1) for j in range(len(head))):
            for p in cell.text_frame.paragraphs:
                p.font.size = Pt(12)
    for f, png in ctx.figures:
        s = prs.slides.add_slide(blank)
        textbox(s, 0.5, 0.25, 12.3, 0.9, f.headline(), 22, bold=True)
        pic = s.shapes.add_picture(io.BytesIO(png), Inches(0.5), Inches(1.25))
        scale = min(Inches(12.3) / pic.width, Inches(5.55) / pic.height)
        pic.width, pic.height = Emu(int(pic.width * scale)), Emu(int(pic.height * scale))
        pic.left = Emu(int((prs.slide_width - pic.width) / 2))
        textbox(s, 0.5, 6.9, 12.3, 0.5, f.caption, 11, grey=True)
    buf = io.BytesIO()
    prs.save(buf)
    return _atomic(Path(path), buf.getvalue())
