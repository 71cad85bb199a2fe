"""The report section of an explore folder: what was explored, the main tables and every plot, embedded."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd

from sim.explore.spec import factor_list

HEADLINES = {
    "morris": "Which factors move the outcomes (Morris screening: mu* ranks them, sigma flags interactions)",
    "sobol": "Which factors drive the outcomes (Sobol indices: S1 alone, ST with interactions)",
    "optimize": "Best policies found by the optimiser, confirmed with fresh replications",
    "robust": "Which policy holds up over the sampled futures (regret and satisficing)",
    "discover": "Under which conditions the policy fails (PRIM box)",
}
TABLES = {
    "morris": [("indices", "Morris measures per outcome and factor")],
    "sobol": [("indices", "Sobol indices per outcome and factor")],
    "optimize": [("confirmed", "Confirmed policies"), ("trials", "Every trial (Pareto front marked)")],
    "robust": [("robustness", "Policies ranked by worst-case regret")],
    "discover": [("box_limits", "Box limits"), ("peeling", "Peeling trajectory")],
}


def is_explore(folder) -> bool:
    return (Path(folder) / "explore.json").is_file()


def _esc(x) -> str:
    return html.escape(str(x))


def _table(df: pd.DataFrame, rows: int = 40) -> str:
    def cell(v):
        if v is None or (isinstance(v, float) and v != v):
            return ""
        if isinstance(v, float):
            return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
        return _esc(v)

    head = "".join(f"<th>{_esc(c)}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in df.head(rows).itertuples(False)
    )
    more = f"<p class='note'>{len(df) - rows} more rows in the Parquet file.</p>" if len(df) > rows else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def findings(meta: dict) -> str:
    """One or two sentences from explore.json's summary: what a reader should take away."""
    s, method = meta["summary"], meta["method"]
    if method in ("morris", "sobol"):
        return "Top factors: " + "; ".join(f"{o}: {', '.join(r[:3])}" for o, r in s["ranking"].items()) + "."
    if method == "optimize":
        return f"{s['trials']} trials, {s['feasible']} meet the constraints, {s['pareto']} on the Pareto front."
    if method == "robust":
        r = s["ranking"]
        by_p90 = min(r, key=lambda x: x["regret_p90"])["policy"]
        return f"Smallest worst-case regret: {r[0]['policy']}; smallest 90th-percentile regret: {by_p90}."
    c, box = s["condition"], s.get("box")
    text = (
        f"Condition {c['metric']} {c['op']} {c['value']:,.4g}: {s['failing_share']:.0%} of {s['futures']} futures fail."
    )
    if box:
        text += (
            f" Box (step {box['step']}): {box['restricted']} factors restricted, coverage {box['coverage']:.0%}, "
            f"density {box['density']:.0%}."
        )
    return text


def explore_section(folder) -> str:
    """HTML of an explore folder's section: headline, settings, seeds and versions, tables and plots."""
    folder = Path(folder)
    meta = json.loads((folder / "explore.json").read_text())
    method = meta["method"]
    spec = meta["spec"]
    parts = [
        f'<section id="explore"><h2>Explore: {_esc(method)} ({_esc(meta["name"])})</h2>',
        f"<p>{_esc(HEADLINES.get(method, ''))}.</p>",
        f"<p><b>{_esc(findings(meta))}</b></p>",
        "<table><tbody>",
        *(
            f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>"
            for k, v in [
                ("base config", " ".join(spec["base"])),
                ("factors", "; ".join(f"{f.key}: {f.describe()}" for f in factor_list(spec))),
                ("outcomes", ", ".join(spec["outcomes"])),
                ("root seed", meta["root_seed"]),
                ("replication seeds", ", ".join(map(str, meta["replication_seeds"]))),
                ("versions", ", ".join(f"{k} {v}" for k, v in meta["versions"].items() if v)),
                ("launcher", f"{meta['launcher']} (workers {meta['workers']})"),
                ("time (last invocation)", f"{meta['seconds']:.0f} s, {meta['started']} to {meta['ended']}"),
            ]
        ),
        "</tbody></table>",
    ]
    for name, heading in TABLES.get(method, []):
        path = folder / f"{name}.parquet"
        if path.is_file():
            parts += [f"<h3>{_esc(heading)} ({_esc(path.name)})</h3>", _table(pd.read_parquet(path))]
    for png in sorted((folder / "plots").glob("*.png")):
        data = base64.b64encode(png.read_bytes()).decode()
        parts.append(
            f'<figure><img alt="{_esc(png.stem)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{_esc(png.stem)}</figcaption></figure>"
        )
    parts.append(f"<h3>Settings (spec.json)</h3><pre>{_esc(json.dumps(spec, indent=1))}</pre></section>")
    return "\n".join(parts)


def explore_page(folder, css: str = "") -> str:
    """A whole self-contained HTML page around the explore section."""
    title = f"funnelsim explore: {Path(folder).name}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>'
        f"<style>{css}</style></head><body><h1>{_esc(title)}</h1>{explore_section(folder)}</body></html>"
    )
