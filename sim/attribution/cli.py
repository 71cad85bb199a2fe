"""`funnelsim attribution`: each attribution rule's credit per channel against the causal truth.

    funnelsim attribution [variants=default,long_cycles,heavy_prospecting] [replications=5] [workers=2]
                          [lookback_days=180] [out=results/attribution/NAME] [config overrides...]

Every replication runs the market with everything on (touch log kept), with all marketing off,
and with each channel off, at the same seed; writes credits.parquet, outcomes.parquet,
effects.parquet, comparison.parquet and attribution.png into the output folder.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from sim.config import ConfigError, check_name
from sim.settings import whole_number

# Documented market variants (docs/attribution.md): overrides on top of the user's config.
VARIANTS = {
    "default": [],
    "long_cycles": [
        "market.smb.share=0.3",
        "market.mid_market.share=0.3",
        "market.enterprise.share=0.4",
        "market.mid_market.cycle_days=120",
        "market.enterprise.cycle_days=270",
        "market.enterprise.in_market_days=300",
    ],
    "heavy_prospecting": ["sales.max_prospecting_share=0.6", "sales.meetings_per_prospecting_hour=0.05"],
}
SETTINGS = ("variants", "replications", "workers", "lookback_days", "out", "root_seed")


def parse(argv: list[str]) -> tuple[dict, list[str]]:
    opts = {"variants": ["default"], "replications": 5, "workers": 2, "lookback_days": 180.0, "root_seed": 7}
    opts["out"] = None
    overrides = []
    for a in argv:
        key, _, v = a.partition("=")
        if key not in SETTINGS:
            overrides.append(a)
            continue
        if key == "variants":
            names = [x for x in v.split(",") if x]
            bad = [x for x in names if x not in VARIANTS]
            if not names or bad:
                raise ConfigError(f"variants={v!r}: choose from {', '.join(VARIANTS)} (comma separated)")
            opts["variants"] = names
        elif key == "replications":
            opts["replications"] = whole_number(key, v, 2, 1000)
        elif key == "workers":
            opts["workers"] = whole_number(key, v, 1, 256)
        elif key == "root_seed":
            opts["root_seed"] = whole_number(key, v, 0, 2**62)
        elif key == "lookback_days":
            try:
                opts["lookback_days"] = float(v)
            except ValueError:
                opts["lookback_days"] = -1.0
            if not 0 <= opts["lookback_days"] <= 3650:
                raise ConfigError(f"lookback_days={v!r} is not allowed; allowed: a number of days in [0, 3650]")
        elif key == "out":
            opts["out"] = Path(v)
    return opts, overrides


def main(argv: list[str]) -> int:
    from joblib import Parallel, delayed

    from sim.attribution.truth import comparison, effects, one_replication
    from sim.loading import load_config
    from sim.output import check_parent

    opts, overrides = parse(argv)
    for name in opts["variants"]:  # every config is checked before anything runs
        load_config([*overrides, *VARIANTS[name]])
    out = opts["out"] or Path("results/attribution") / "-".join(opts["variants"])
    check_name("out", out.name)
    check_parent("out", out.parent)
    if out.exists():
        raise ConfigError(f"out={str(out)!r} already exists; give a new folder")
    start = time.time()
    jobs = [
        (v, r, [*overrides, *VARIANTS[v]], opts["root_seed"] + r)
        for v in opts["variants"]
        for r in range(opts["replications"])
    ]
    results = Parallel(n_jobs=opts["workers"])(
        delayed(one_replication)(ov, seed, opts["lookback_days"]) for _, _, ov, seed in jobs
    )
    credits, outcomes = [], []
    for (v, r, _, seed), (cr, oc) in zip(jobs, results, strict=True):
        credits.append(cr.assign(variant=v, replication=r, seed=seed))
        outcomes.append(oc.assign(variant=v, replication=r, seed=seed))
    credits, outcomes = pd.concat(credits, ignore_index=True), pd.concat(outcomes, ignore_index=True)
    eff = effects(outcomes)
    comp = comparison(credits, eff)
    out.mkdir(parents=True)
    for name, df in (("credits", credits), ("outcomes", outcomes), ("effects", eff), ("comparison", comp)):
        df.to_parquet(out / f"{name}.parquet", index=False)
    from sim.attribution.plot import plot_attribution

    fig = plot_attribution(comp)
    fig.savefig(out / "attribution.png", dpi=130, bbox_inches="tight")
    print(f"attribution: {len(jobs)} replications x 7 runs in {time.time() - start:.0f} s -> {out}")
    print(_table(comp))
    return 0


def _table(comp: pd.DataFrame) -> str:
    """Revenue credited per channel by each method (millions; causal with its 95 % interval)."""
    lines = []
    for v, g in comp.groupby("variant", sort=False):
        wide = g.pivot_table(index="channel", columns="method", values="mean", sort=False) / 1e6
        lines.append(f"variant {v} (revenue credited, millions):")
        lines.append(wide.round(2).to_string())
        c = g[g.method == "causal"].set_index("channel")
        lines.append(
            "  causal 95 % intervals: "
            + "; ".join(f"{ch} {r.ci_low / 1e6:.2f} to {r.ci_high / 1e6:.2f}" for ch, r in c.iterrows())
        )
    return "\n".join(lines)
