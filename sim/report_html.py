"""HTML building blocks of the report: its style sheet, escaping, tables and figures embedded as base64 PNG."""

from __future__ import annotations

import base64
import html
import io

import pandas as pd

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 0 auto;
       max-width: 1100px; padding: 24px 32px 64px; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: 4px;
     margin-top: 2.2em; } h3 { margin-top: 1.6em; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0 1.4em; font-size: 0.88em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right; vertical-align: top; }
th { background: #f3f5f8; text-align: center; } td.l, th.l { text-align: left; }
td { white-space: nowrap; } td.l { white-space: normal; }
tr.base td { background: #fff4e5; font-weight: 600; }
figure { margin: 1.2em 0 2em; page-break-inside: avoid; } figure img { max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.92em; margin-top: 0.3em; }
.kv td { text-align: left; } .kv td:first-child { color: #555; padding-right: 24px; }
pre { background: #f6f8fa; padding: 10px; overflow-x: auto; font-size: 0.85em; }
.up { color: #0072B2; } .down { color: #D55E00; } .note { color: #555; font-size: 0.9em; }
nav ol { columns: 2; } .lead { font-size: 1.08em; } ol.takeaways li { margin: 0.35em 0; font-size: 1.05em; }
figure h3 { margin: 0 0 0.4em; font-size: 1.08em; }
@media print { body { max-width: none; } h2 { page-break-before: auto; } }
"""


def esc(x) -> str:
    """Text made safe for HTML."""
    return html.escape(str(x))


def png_bytes(fig, dpi: int = 144) -> bytes:
    """A figure as PNG bytes, cropped to what is drawn (the footer under the axes included)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.12)
    return buf.getvalue()


def img(png: bytes, dpi: int = 144) -> str:
    """A PNG as a base64 <img>, shown at its natural size on any screen."""
    import struct

    width = int(round(struct.unpack(">I", png[16:20])[0] * 96 / dpi))
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" width="{width}" alt="">'


def html_table(df: pd.DataFrame, table_id: str, left: int = 1, base_rows: list[bool] | None = None) -> str:
    """An HTML table; the first `left` columns are left-aligned, baseline rows highlighted."""
    head = "".join(f'<th class="l">{esc(c)}</th>' if i < left else f"<th>{esc(c)}</th>" for i, c in enumerate(df))
    rows = []
    for r, (_, row) in enumerate(df.iterrows()):
        cells = "".join(f'<td class="l">{esc(v)}</td>' if i < left else f"<td>{esc(v)}</td>" for i, v in enumerate(row))
        cls = ' class="base"' if base_rows and base_rows[r] else ""
        rows.append(f"<tr{cls}>{cells}</tr>")
    return f'<table id="table-{table_id}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def kv_table(pairs: list[tuple[str, str]], table_id: str) -> str:
    """A two-column key-value table."""
    body = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in pairs)
    return f'<table class="kv" id="table-{table_id}"><tbody>{body}</tbody></table>'
