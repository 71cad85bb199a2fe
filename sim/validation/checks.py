"""The model against theory and evidence: every check `funnelsim validate` runs.

Each check runs the model, measures an emergent quantity the way its reference measures it,
and returns rows: the reference value (a closed form or a published figure, with its source),
the model's value with a 95 % interval, the tolerance and whether it passed.  Intervals over
time series use batch means (30-day batches), since successive leads' waits are correlated.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.validation import queueing as q
from sim.validation.response import ratio_table, study_leads


@dataclass
class Row:
    check: str
    group: str
    reference: float | str  # a value, or a range as text
    source: str
    model: float
    ci_low: float
    ci_high: float
    tolerance: str
    passed: bool | None  # None: shown for information, not judged

    def as_dict(self) -> dict:
        return asdict(self)


def _run(overrides, **kw):
    """One run on one thread (checks run many small runs in sequence)."""
    from sim import load_config, simulate

    return simulate(load_config([*overrides, "sim.threads=1"]), **kw)


def batch_ci(values: np.ndarray, batch: np.ndarray) -> tuple[float, float, float]:
    """Mean of `values` with a 95 % t interval from the means of its batches."""
    df = pd.DataFrame({"v": values, "b": batch})
    means = df.groupby("b")["v"].mean().to_numpy()
    k = means.size
    mean = float(np.mean(values))
    if k < 2:
        return mean, math.nan, math.nan
    half = stats.t.ppf(0.975, k - 1) * means.std(ddof=1) / math.sqrt(k)
    return mean, mean - half, mean + half


def _abs_row(check, group, ref, source, est, tol) -> Row:
    m, lo, hi = est
    return Row(check, group, float(ref), source, m, lo, hi, f"±{tol:g}", bool(abs(m - ref) <= tol))


def _rel_row(check, group, ref, source, est, tol) -> Row:
    m, lo, hi = est
    return Row(check, group, float(ref), source, m, lo, hi, f"±{tol:.0%} relative", bool(abs(m / ref - 1) <= tol))


# A pooled lead queue staffed around the clock, as M/M/c: Poisson arrivals, exponential
# handling, one attempt per lead, no other work, no switching or admin time.
QUEUE = (
    "staffing.mode=arrivals",
    "sales.calendar=always",
    "sales.leads_only=true",
    "sales.handling=exponential",
    "policy.max_attempts=1",
    "sales.conversation_minutes=0",
    "sales.admin_share=0",
    "sales.switch_minutes=0",
    "policy.routing=pooled",
    "sim.days=730",
)
ERLANG = "Erlang C (M/M/c) at the realised arrival rate"


def _queue_waits(lam_per_hour: float, reps: int, service: float, seeds, extra=()):
    """Waits (minutes) and arrival days of the queue's leads, pooled over seeds; and the runs."""
    accounts = int(lam_per_hour * 24 * 730 * 1.3 / 7.2) + 500
    waits, batches, runs = [], [], []
    for i, seed in enumerate(seeds):
        res = _run(
            [
                *QUEUE,
                f"staffing.leads_per_hour={lam_per_hour}",
                f"sales.reps={reps}",
                f"sales.attempt_minutes={service}",
                f"market.accounts={accounts}",
                f"sim.seed={seed}",
                *extra,
            ],
            leads=True,
        )
        leads = res.leads[res.leads["mql_at"].notna()]
        w = (leads["first_touch_at"] - leads["mql_at"]).to_numpy(float)
        day = (leads["mql_at"].to_numpy(float) // 1440).astype(int)
        keep = ~np.isnan(w)
        waits.append(w[keep])
        batches.append(i * 1000 + day[keep] // 30)
        runs.append(res)
    return np.concatenate(waits), np.concatenate(batches), runs


def _arrival_rate(runs) -> float:
    """Realised arrivals per minute over the runs."""
    n = sum(int(r.leads["mql_at"].notna().sum()) for r in runs)
    return n / sum(r.summary["days"] * 1440.0 for r in runs)


def check_mmc(seeds=(1, 2)) -> list[Row]:
    """Waits and rep utilisation of the M/M/c queue against Erlang C."""
    c, service = 6, 60.0
    w, b, runs = _queue_waits(4.0, c, service, seeds, ("sales.handling=exponential",))
    lam = _arrival_rate(runs)
    rows = [
        _abs_row(
            f"mmc_wait_le_{t}min",
            "queueing",
            float(q.mmc_wait_cdf(t, lam, service, c)),
            ERLANG,
            batch_ci((w <= t + 1e-9).astype(float), b),
            0.015,
        )
        for t in (0, 1, 5, 15, 60)
    ]
    rows.append(
        _rel_row("mmc_mean_wait_min", "queueing", q.mmc_mean_wait(lam, service, c), ERLANG, batch_ci(w, b), 0.05)
    )
    busy = np.array([r.summary["rep_time_share"]["lead_followup"] for r in runs])
    rows.append(
        _rel_row(
            "mmc_rep_busy_share",
            "queueing",
            lam * service / c,
            "offered load per rep, lambda E[S] / c",
            (float(busy.mean()), float(busy.min()), float(busy.max())),
            0.01,
        )
    )
    return rows


def check_mdc(seeds=(1, 2)) -> list[Row]:
    """The same queue with fixed handling times against the exact M/D/c solution."""
    c, service = 6, 60.0
    w, b, runs = _queue_waits(4.0, c, service, seeds, ("sales.handling=fixed",))
    lam = _arrival_rate(runs)
    src = "M/D/c, exact (Crommelin 1932 embedded chain) at the realised arrival rate"
    return [
        _abs_row(
            "mdc_wait_probability",
            "queueing",
            q.mdc_wait_probability(lam, service, c),
            src,
            batch_ci((w > 1e-9).astype(float), b),
            0.015,
        ),
        _rel_row("mdc_mean_wait_min", "queueing", q.mdc_mean_wait(lam, service, c), src, batch_ci(w, b), 0.05),
    ]


def check_little_leads(seeds=tuple(range(1, 13))) -> list[Row]:
    """Little's law on leads waiting in a heavily loaded queue: L = lambda W."""
    c, service = 6, 60.0
    w, b, runs = _queue_waits(5.4, c, service, seeds, ("sales.handling=exponential",))
    lam = _arrival_rate(runs) * 1440.0  # per day
    stock = np.concatenate([r.daily["open_leads_end"].to_numpy(float) for r in runs])
    batch = np.concatenate([i * 1000 + np.arange(len(r.daily)) // 30 for i, r in enumerate(runs)])
    return [
        _rel_row(
            "little_open_leads",
            "little",
            lam * float(w.mean()) / 1440.0,
            "Little's law: arrivals a day x mean wait (days)",
            batch_ci(stock, batch),
            0.02,
        )
    ]


def check_little_opportunities(overrides=(), seeds=(1, 2, 3), window=(180, 1100), days=1460) -> list[Row]:
    """Little's law on open opportunities in the steady state: L = lambda W.

    Four simulated years, the first 180 days left out as warm-up.  L is the mean of the
    model's end-of-day count over the window; lambda the opportunities opened in the window a
    day; W the mean days those opportunities stayed open (from the deal log; one still open at
    the end counts up to the end, which the year after the window makes rare).  A long window
    keeps the edge effects (deals open across its ends) well below the tolerance."""
    a, z = window
    stocks, batches, opened, sojourn = [], [], 0, 0.0
    for i, seed in enumerate(seeds):
        res = _run([*overrides, f"sim.days={days}", f"sim.seed={seed}"], keep_model=True)
        daily = res.daily[(res.daily["day"] >= a) & (res.daily["day"] < z)]
        stocks.append(daily["open_opportunities"].to_numpy(float))
        batches.append(i * 1000 + daily["day"].to_numpy() // 30)
        deals = res.deals
        created = deals["created_at"].to_numpy(float)
        cohort = (created >= a * 1440.0) & (created < z * 1440.0)
        S = res.model.state
        still = (S.opp_open == 1) & (S.opp_created >= a * 1440.0) & (S.opp_created < z * 1440.0)
        end = res.summary["days"] * 1440.0
        opened += int(cohort.sum() + still.sum())
        sojourn += float((deals["closed_at"].to_numpy(float)[cohort] - created[cohort]).sum())
        sojourn += float((end - S.opp_created[still]).sum())
    lam = opened / (len(seeds) * (z - a))
    w = sojourn / 1440.0 / max(opened, 1)
    return [
        _rel_row(
            "little_open_opportunities",
            "little",
            lam * w,
            "Little's law: opportunities opened a day x mean days open",
            batch_ci(np.concatenate(stocks), np.concatenate(batches)),
            0.02,
        )
    ]


def active_decay_preset(cfg) -> str | None:
    """The decay preset in conf/decay/ whose curve the config uses, or None for a custom curve."""
    from omegaconf import OmegaConf

    from sim.loading import CONF_DIR

    for path in sorted((CONF_DIR / "decay").glob("*.yaml")):
        preset = OmegaConf.to_container(OmegaConf.load(path))
        if all(
            math.isclose(float(getattr(cfg.decay, k)), float(v)) if k != "kind" else cfg.decay.kind == v
            for k, v in preset.items()
        ):
            return path.stem
    return None


# A preset is judged on the figures it was fitted to: each emergent ratio within this factor.  The two
# MIT-InsideSales figures disagree by a factor of 4.8 in any model where qualifying needs contact, so the
# best curve is about a factor of 2.2 from each; a factor of 3 leaves room for the seeds.
RATIO_FACTOR = 3.0


def check_response(overrides=(), seeds=(1, 2, 3)) -> list[Row]:
    """Lead-response ratios measured as the studies measured them, against the active preset's
    targets (the published figures, or their square roots for the moderate curve)."""
    from sim import load_config
    from sim.validation.decay_fit import preset_targets

    preset = active_decay_preset(load_config(list(overrides)))
    targets = preset_targets(preset) if preset else {}
    rows = []
    for r in ratio_table(study_leads(overrides, seeds)).itertuples():
        target = targets.get(r.ratio)
        if target is None:
            ref, passed, tol = r.figure, None, "not fitted to it: shown for comparison"
        else:
            # The slow bins hold few leads under a steep curve (the interval can span a factor of 5),
            # so a ratio passes when its 95 % interval reaches the band target / f .. target * f.
            ref, tol = target, f"95 % interval within x{RATIO_FACTOR:g} ({preset} preset)"
            lo, hi = r.ci_low, r.ci_high
            passed = bool(lo == lo and hi == hi and lo <= target * RATIO_FACTOR and hi >= target / RATIO_FACTOR)
        source = r.source if target is None or preset != "moderate" else f"half the log-effect of {r.source}"
        rows.append(
            Row(f"response_{r.ratio}", "response", float(ref), source, r.model, r.ci_low, r.ci_high, tol, passed)
        )
    return rows


# Published ranges the default market is calibrated to.
CONVERSION_RANGES = {
    "inquiry_to_mql": (0.10, 0.35),
    "mql_to_sal": (0.40, 0.60),
    "sal_to_sql": (0.50, 0.70),
    "sql_to_won": (0.15, 0.30),
}
INDUSTRY = "industry ranges (Forrester warns there is no universal benchmark)"
DEAL_OUTCOMES = {"won": 0.466, "lost": 0.296, "no_decision": 0.238}


def _seed_ci(values) -> tuple[float, float, float]:
    """Mean over seeds with a 95 % t interval: each seed is a batch of its own."""
    return batch_ci(np.asarray(values, dtype=float), np.arange(len(values)))


def _range_row(check, group, lo, hi, source, est) -> Row:
    m, a, b = est
    return Row(check, group, f"{lo:g}-{hi:g}", source, m, a, b, "inside the range", bool(lo <= m <= hi))


def check_funnel(overrides=(), seeds=(42, 43, 44)) -> list[Row]:
    """The default market's funnel, deal outcomes and rep time against published figures."""
    runs = [_run([*overrides, f"sim.seed={s}"]).summary for s in seeds]
    rows = [
        _range_row(f"conversion_{k}", "funnel", lo, hi, INDUSTRY, _seed_ci([r["conversion"][k] for r in runs]))
        for k, (lo, hi) in CONVERSION_RANGES.items()
    ]
    for k, share in DEAL_OUTCOMES.items():
        est = _seed_ci([r["deal_outcomes"][k] / sum(r["deal_outcomes"].values()) for r in runs])
        rows.append(_abs_row(f"deals_{k}_share", "funnel", share, "CSO Insights 2016", est, 0.05))
    rows.append(
        _abs_row(
            "rep_time_selling",
            "funnel",
            0.41,
            "CSO Insights 2011",
            _seed_ci([r["selling_time_share"] for r in runs]),
            0.06,
        )
    )
    rows.append(
        _abs_row(
            "rep_time_prospecting",
            "funnel",
            0.24,
            "CSO Insights 2011 (lead generation and research)",
            _seed_ci([r["rep_time_share"]["prospecting"] for r in runs]),
            0.06,
        )
    )
    rows.append(
        _range_row(
            "buying_group_size", "funnel", 6, 10, "Gartner", _seed_ci([r["contacts"] / r["accounts"] for r in runs])
        )
    )
    return rows


MARKET_SOURCE = "steady state of the buying windows, r·w/(1 + r·w) per account"
# The closed form leaves out the accounts a closed deal locks out of the market (cool-off, customers)
# and the days an open deal holds a window open: a few per cent on the default market.
LONG_RUN_TOLERANCE = 0.10


def check_market(overrides=(), seeds=(42, 43, 44), long_run=(200, 700)) -> list[Row]:
    """Accounts in market: on day 0 at the steady-state share of the entry rate r and window length w,
    and at the level the run keeps (mean over days 200-700), so no warm-up is needed."""
    a, z = long_run
    day0, expected, var, ratios = [], [], [], []
    for seed in seeds:
        res = _run([*overrides, f"sim.days={max(z, 2)}", f"sim.seed={seed}"], keep_model=True)
        S, P = res.model.state, res.model.params
        r = P.in_market_rate * (0.5 + S.acc_fit)
        w = P.in_market_days[S.acc_seg]
        p = r * w / (1.0 + r * w)
        n = res.daily["in_market"].to_numpy(float)
        day0.append(n[0] / P.n_accounts)
        expected.append(p.mean())
        var.append((p * (1 - p)).sum() / P.n_accounts**2)
        if n.size >= z:
            ratios.append(n[0] / n[a:z].mean())
    ref, m = float(np.mean(expected)), float(np.mean(day0))
    sd = math.sqrt(sum(var)) / len(seeds)  # the mean of independent sums of Bernoulli draws
    rows = [_abs_row("market_in_market_share_day0", "market", ref, MARKET_SOURCE, (m, m - 2 * sd, m + 2 * sd), 4 * sd)]
    if ratios:
        rows.append(
            _rel_row(
                f"market_day0_vs_days_{a}_{z}",
                "market",
                1.0,
                f"in-market count on day 0 / its mean over days {a}-{z} (no warm-up needed)",
                _seed_ci(ratios),
                LONG_RUN_TOLERANCE,
            )
        )
    return rows


REACH_SOURCE = "Bernoulli trial per contact-day (Devroye 1986, geometric skipping)"


def check_reach(q_values=(0.003, 0.09, 0.3), blocks=64, days=200, seed=11) -> list[Row]:
    """The contact phase's search for reached contacts against its law: each contact-day is reached with
    probability q, and a reached contact's draw is uniform below q (mean q / 2)."""
    from sim.processes.reach import BLOCK, census

    n = blocks * BLOCK * days
    rows = []
    for qv in q_values:
        reached, u_sum = census(seed, qv, blocks, days)
        p = reached / n
        half = 1.96 * math.sqrt(p * (1 - p) / n)
        rows.append(
            _rel_row(f"reach_probability_q={qv:g}", "contact reach", qv, REACH_SOURCE, (p, p - half, p + half), 0.01)
        )
        mean_u = u_sum / reached
        half_u = 1.96 * math.sqrt(1 / 12 / reached)
        est = (mean_u, mean_u - half_u, mean_u + half_u)
        rows.append(
            _abs_row(
                f"reach_draw_mean_q={qv:g}", "contact reach", 0.5, "uniform draw below q (in units of q)", est, 0.005
            )
        )
    return rows


def run_all(overrides=(), progress=None) -> list[Row]:
    """Every check.  `overrides` apply to the default-market checks (funnel, lead response,
    Little's law on opportunities); the queue checks run their own fixed queue."""
    plan = [
        ("contact reach against its Bernoulli law", lambda: check_reach()),
        ("accounts in market against the steady state", lambda: check_market(overrides)),
        ("M/M/c queue against Erlang C", lambda: check_mmc()),
        ("M/D/c queue against its exact solution", lambda: check_mdc()),
        ("Little's law on open leads", lambda: check_little_leads()),
        ("Little's law on open opportunities", lambda: check_little_opportunities(overrides)),
        ("lead-response ratios", lambda: check_response(overrides)),
        ("funnel against published figures", lambda: check_funnel(overrides)),
    ]
    rows: list[Row] = []
    for title, fn in plan:
        if progress:
            progress(title)
        rows.extend(fn())
    return rows
