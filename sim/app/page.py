"""The Solara page of `funnelsim app`: levers for scenarios A and B, their results side by side, the
paired difference, and a browser for finished sweep and fit folders.

Settings come from the environment that `funnelsim app` sets (FUNNELSIM_APP, a JSON object).
"""

from __future__ import annotations

import html
import json
import os

import solara

from sim.app import figures
from sim.app.browse import open_folder
from sim.app.copy import CopyButton
from sim.app.levers import levers
from sim.app.runner import SideResult, Worker, compare, run_side
from sim.app.scenario import Setup, command_line, config, save_preset, start
from sim.config import ConfigError

SIDES = ("A", "B")
MAX_REPLICATIONS = 20
CELL = "padding:2px 12px;border-bottom:1px solid #eee"
_CACHE: dict[tuple, SideResult] = {}  # finished runs by (overrides, replications), for this process


def options() -> dict:
    return json.loads(os.environ.get("FUNNELSIM_APP", "{}"))


def css_name(text: str) -> str:
    return text.replace(".", "-").replace("_", "-")


def _cached(overrides: list[str], replications: int):
    return _CACHE.get((tuple(overrides), replications))


def _remember(key: tuple, result: SideResult):
    if len(_CACHE) > 64:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = result


@solara.component
def LeverControl(side: str, lever, text: str, error: str, on_text):
    """One lever: a choice list, or a typed number with its unit and allowed range (a message when refused)."""
    cls = [f"fs-{side}-{css_name(lever.key)}"]
    if lever.kind == "choice":
        solara.Select(label=lever.label, values=list(lever.choices), value=text, on_value=on_text, classes=cls)
    else:
        label = f"{lever.label} ({lever.unit})" if lever.unit else lever.label
        solara.InputText(
            label=label, value=text, on_value=on_text, continuous_update=False, error=error or False, classes=cls
        )
        if not error:
            solara.Text(f"allowed: {lever.allowed}", style={"font-size": "0.75em", "color": "#777"})
    if error:
        solara.Text(error, classes=[f"fs-error-{side}-{css_name(lever.key)}"], style={"color": "#b00020"})


def comparison_html(a: SideResult, b: SideResult) -> str:
    """The metric table: A, B, the paired difference B - A and its 95 % interval (with replications)."""
    rows = compare(a, b)
    n = rows[0]["n"]
    head = "".join(f"<th style='{CELL}'>{h}</th>" for h in ("metric", "A", "B", "B − A", "95 % interval"))
    head = f"<tr>{head}</tr>"
    body = []
    for r in rows:
        key = css_name(r["metric"])
        kind = r["kind"]
        ci = (
            f"{figures.value(r['diff_low'], kind, True)} to {figures.value(r['diff_high'], kind, True)}"
            if n > 1
            else "one replication"
        )
        cells = (
            ("val-A", figures.value(r["a"], kind)),
            ("val-B", figures.value(r["b"], kind)),
            ("diff", figures.value(r["diff"], kind, True)),
            ("ci", ci),
        )
        body.append(
            f"<tr><td style='{CELL}'>{html.escape(r['label'])}</td>"
            + "".join(f"<td class='fs-{c}-{key}' style='{CELL};text-align:right'>{t}</td>" for c, t in cells)
            + "</tr>"
        )
    note = f"{n} replication{'s' if n > 1 else ''} per scenario on the same seeds (paired)"
    style = "border-collapse:collapse;font-size:0.9em"
    return (
        f"<table class='fs-compare' style='{style}'>{head}{''.join(body)}</table>"
        f"<div style='font-size:0.8em;color:#666'>{note}</div>"
    )


def economics(result: SideResult) -> str:
    s = result.summary
    rev = result.mean("revenue")
    mkt = sum(x["cost"]["marketing"] for x in result.summaries) / len(result.summaries)
    sales = sum(x["cost"]["sales"] for x in result.summaries) / len(result.summaries)
    return (
        f"revenue {figures.money(rev)} − marketing {figures.money(mkt)} − sales {figures.money(sales)} "
        f"= {figures.money(rev - mkt - sales)} over {s['days']} days; "
        f"{figures.money(rev / s['reps'])} per rep"
    )


@solara.component
def SidePanel(side: str, setup: Setup, texts: dict, errors: dict, on_text, result: SideResult | None):
    """One scenario's column: its levers, headline figures, economics line, command line and preset saving."""
    preset_name, set_preset_name = solara.use_state("")
    message, set_message = solara.use_state("")
    with solara.Card(title=f"Scenario {side}", subtitle=f"from preset {setup.preset!r}", classes=[f"fs-side-{side}"]):
        with solara.ColumnsResponsive(6, large=4):
            for lv in levers():
                with solara.Column(gap="0px"):
                    LeverControl(
                        side, lv, texts[lv.key], errors.get(lv.key, ""), lambda t, k=lv.key: on_text(side, k, t)
                    )
        if result is not None:
            s = result.summary
            solara.HTML(
                unsafe_innerHTML=(
                    f"<b>first response</b> p50 {figures.minutes(result.mean('response_minutes.p50'))}, "
                    f"p90 {figures.minutes(result.mean('response_minutes.p90'))}; "
                    f"<b>SLA met</b> {figures.value(result.mean('sla_met_share'), 'share')} "
                    f"(target {figures.minutes(s['sla_minutes'])}, {s['sla_clock']} clock)"
                ),
                classes=[f"fs-response-{side}"],
            )
            solara.Text(economics(result), classes=[f"fs-economics-{side}"])
        line = command_line(setup)
        with solara.Row(style={"align-items": "center"}):
            solara.HTML(tag="div", unsafe_innerHTML="command line:", style="font-size:0.8em;margin-top:6px")
            CopyButton.element(text=line, done=False)
        solara.Preformatted(line, class_=f"fs-command-{side}", style_="white-space:pre-wrap")
        with solara.Row():
            solara.InputText("save as preset (name)", value=preset_name, on_value=set_preset_name)

            def save():
                try:
                    path = save_preset(setup, preset_name.strip())
                    set_message(f"saved {path}; run it with funnelsim run scenarios={preset_name.strip()}")
                except (ConfigError, OSError) as err:
                    set_message(str(err))

            solara.Button("save", on_click=save, disabled=not preset_name.strip())
        if message:
            solara.Text(message, classes=[f"fs-save-{side}"])


def _initial(opts: dict):
    run = {"sim.days": str(opts.get("days", 365)), **opts.get("overrides", {})}
    setup = start(opts.get("preset", "default"), run)
    return {side: setup for side in SIDES}


@solara.component
def Figures(a: SideResult, b: SideResult):
    """The four figures, drawn once per pair of results (not on every progress update)."""

    def draw():
        sides = {"A": a.summary, "B": b.summary}
        return (
            figures.waterfall(sides),
            figures.response(sides),
            figures.rep_time(sides),
            figures.over_time({"A": a.daily, "B": b.daily}),
        )

    drawn = solara.use_memo(draw, [id(a), id(b)])
    with solara.ColumnsResponsive(12, large=6):
        for fig in drawn:
            solara.FigureMatplotlib(fig, dependencies=[id(a), id(b)], format="png")


@solara.component
def LiveView(opts: dict):
    initial = solara.use_memo(lambda: _initial(opts), [])
    setups, set_setups = solara.use_state(initial)
    texts, set_texts = solara.use_state({s: dict(initial[s].levers) for s in SIDES})
    errors, set_errors = solara.use_state({s: {} for s in SIDES})
    # set from the worker thread: reactive values, so each update re-renders the page on its own
    results = solara.use_reactive({s: None for s in SIDES})
    status = solara.use_reactive("")
    failure = solara.use_reactive("")
    reps_text, set_reps_text = solara.use_state(str(opts.get("replications", 1)))
    reps_error, set_reps_error = solara.use_state("")
    replications, set_replications = solara.use_state(int(opts.get("replications", 1)))
    worker = solara.use_memo(Worker, [])

    def submit(new_setups: dict, reps: int):
        plan = {s: (new_setups[s].overrides(), reps) for s in SIDES}
        failure.value = ""
        status.value = "running"

        def work(check):
            out = {}
            for side, (overrides, n) in plan.items():
                hit = _cached(overrides, n)
                if hit is None:
                    hit = run_side(
                        overrides,
                        n,
                        check,
                        lambda k, total, side=side: total > 1 and status.set(f"running {side}: {k}/{total}"),
                    )
                    _remember((tuple(overrides), n), hit)
                out[side] = hit
            return out

        def done(out):
            status.value = ""
            results.value = out

        def error(err):
            failure.value = str(err)
            status.value = ""

        worker.submit(work, done, error)

    solara.use_effect(lambda: submit(setups, replications), [])

    def on_text(side: str, key: str, text):
        lv = next(x for x in levers() if x.key == key)
        set_texts({**texts, side: {**texts[side], key: text}})
        try:
            value = lv.check(text)
            new = setups[side].with_lever(key, value)
            config(new.overrides())  # rules across keys (e.g. an SDR tier needs SDRs)
        except ConfigError as err:
            set_errors({**errors, side: {**errors[side], key: str(err)}})
            return
        # a refused value elsewhere on this side goes back to the value in use, as its message goes
        reverted = {k: new.levers[k] for k in errors[side] if k != key}
        set_texts({**texts, side: {**texts[side], key: text, **reverted}})
        set_errors({**errors, side: {}})
        new_setups = {**setups, side: new}
        set_setups(new_setups)
        submit(new_setups, replications)

    def on_reps(text):
        set_reps_text(text)
        try:
            n = int(str(text).strip())
            if not 1 <= n <= MAX_REPLICATIONS:
                raise ValueError
        except ValueError:
            set_reps_error(f"replications={text!r} is not allowed; allowed: a whole number in [1, {MAX_REPLICATIONS}]")
            return
        set_reps_error("")
        set_replications(n)
        submit(setups, n)

    with solara.Row(style={"align-items": "center"}):
        solara.Text(f"horizon {setups['A'].run.get('sim.days')} days, fast driver", style={"margin-right": "2em"})
        with solara.Column(gap="0px"):
            solara.InputText(
                "replications (paired seeds)",
                value=reps_text,
                on_value=on_reps,
                continuous_update=False,
                error=reps_error or False,
                classes=["fs-replications"],
            )
            if reps_error:
                solara.Text(reps_error, classes=["fs-error-replications"], style={"color": "#b00020"})
    # the same elements on every render (hidden when idle), so the panels and figures below keep their place
    # and are not drawn anew when a run starts or ends
    with solara.Column(gap="0px"):
        solara.ProgressLinear(bool(status.value), classes=["fs-progress"] if status.value else [])
        solara.Text(status.value, classes=["fs-status"])
        solara.Text(failure.value, classes=["fs-failure"] if failure.value else [], style={"color": "#b00020"})
    with solara.Columns([1, 1]):
        for side in SIDES:
            SidePanel(side, setups[side], texts[side], errors[side], on_text, results.value[side])
    if results.value["A"] is not None and results.value["B"] is not None:
        a, b = results.value["A"], results.value["B"]
        solara.HTML(unsafe_innerHTML=comparison_html(a, b), classes=["fs-comparison"])
        Figures(a, b)


def _number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


@solara.component
def FolderView(path: str):
    """A finished sweep or fit folder: its table and plots, nothing re-run."""
    try:
        folder = open_folder(path)
    except (ConfigError, OSError, ValueError) as err:
        solara.Error(str(err), classes=["fs-failure"])
        return
    solara.HTML(tag="h3", unsafe_innerHTML=html.escape(folder.title))
    solara.Text(str(folder.path))
    table = folder.table.to_html(index=False, float_format=_number, classes="fs-folder-table", border=0)
    solara.HTML(unsafe_innerHTML=table, style="font-size:0.85em;overflow-x:auto")
    if folder.preset:
        solara.Text(f"fitted preset: open it live with  funnelsim app {folder.preset}")
    plots = [p.name for p in folder.plots]
    chosen, set_chosen = solara.use_state(plots[0] if plots else None)
    if plots:
        solara.Select(label="plot", values=plots, value=chosen, on_value=set_chosen, classes=["fs-plot-choice"])
        image = next(p for p in folder.plots if p.name == chosen)
        solara.Image(str(image), width="900px")
    else:
        solara.Text("this folder has no plots (funnelsim plot DIR writes them)")


@solara.component
def Page():
    opts = options()
    solara.Title("funnelsim what-if")
    with solara.Column(style={"padding": "12px"}):
        solara.HTML(tag="h2", unsafe_innerHTML="funnelsim what-if")
        if opts.get("folder"):
            FolderView(opts["folder"])
        else:
            LiveView(opts)
