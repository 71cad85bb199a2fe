"""What-if plots of funnelsim results.  They draw finished results and never run a simulation.

Every plot function shares one signature::

    plot_x(data, *, metric=..., ax=None, **style) -> (fig, ax)

- ``data``: results from `sim.results_io.load_results` (a run or a sweep folder), or the table
  the plot reads (the tidy per-scenario table, a run's summary dict, its daily table, ...);
- ``metric``: what is drawn (a metric name such as ``"revenue"``, or a tuple of names);
- ``ax``: draw into this Axes (plots with several panels take a sequence of Axes); by default
  a new figure is made;
- ``style``: ``title`` and ``note`` (the line under the title; ``""`` leaves it out),
  ``currency`` (a symbol such as ``"€"``), ``period`` (e.g. ``"over 730 days"``), ``figsize``
  and ``colors``.

One module per family of exhibits (`levers`, `funnel`, `reps`, `response`, `economics`,
`capacity`, `daily`); words and units live in `labels`, palette and layout in `style`, and
`plan` decides which exhibits a folder gets.  Colours are the Okabe-Ito palette (safe for
colour-blind readers) and every series also has its own line style, marker or hatching, so
plots stay readable in greyscale.
"""

from sim.plots.capacity import plot_capacity
from sim.plots.daily import plot_daily, plot_monthly
from sim.plots.economics import pareto_front, plot_frontier
from sim.plots.funnel import plot_funnel_compare, plot_waterfall
from sim.plots.labels import (
    ACTIVITIES,
    ACTIVITY_NAMES,
    DAILY,
    FUNNEL_STAGES,
    LEVERS,
    METRICS,
    SIDE_EXITS,
    STAGE_NAMES,
    DurationLocator,
    axis_label,
    fmt_currency,
    fmt_duration,
    fmt_value,
    lever_label,
    lever_name,
    lever_value,
    metric_info,
    scenario_name,
    set_value_axis,
    value_formatter,
)
from sim.plots.levers import plot_forest, plot_heatmap, plot_whatif
from sim.plots.reps import plot_rep_time
from sim.plots.response import plot_response
from sim.plots.style import OKABE_ITO, RC, PlotError, lever_moves_with
from sim.results_io import ResultsError

PLOTS = {
    "whatif": plot_whatif,
    "heatmap": plot_heatmap,
    "forest": plot_forest,
    "waterfall": plot_waterfall,
    "rep_time": plot_rep_time,
    "response": plot_response,
    "frontier": plot_frontier,
    "daily": plot_daily,
    "funnel_compare": plot_funnel_compare,
    "monthly": plot_monthly,
}

__all__ = [
    "ACTIVITIES",
    "ACTIVITY_NAMES",
    "DAILY",
    "FUNNEL_STAGES",
    "LEVERS",
    "METRICS",
    "OKABE_ITO",
    "PLOTS",
    "RC",
    "SIDE_EXITS",
    "STAGE_NAMES",
    "DurationLocator",
    "PlotError",
    "ResultsError",
    "axis_label",
    "fmt_currency",
    "fmt_duration",
    "fmt_value",
    "lever_label",
    "lever_moves_with",
    "lever_name",
    "lever_value",
    "metric_info",
    "pareto_front",
    "plot_capacity",
    "scenario_name",
    "set_value_axis",
    "value_formatter",
    *(fn.__name__ for fn in PLOTS.values()),
]
