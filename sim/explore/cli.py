"""`funnelsim explore method=morris|sobol|optimize|robust|discover`: decision analysis over the model.

    funnelsim explore method=METHOD [name=NAME] [SETTING=VALUE ...] [factor=KEY:LOW:HIGH[:log|:int]] ...
                      [KEY=VALUE ...] [dir=results/explore] [launcher=basic|joblib|ray] [workers=N]
                      [address=HOST:PORT] [quiet=true]

conf/explore/METHOD.yaml holds the method's settings and documented defaults: the factors (levers
and uncertainties with their ranges), outcomes, sample sizes, objectives and constraints, policies,
conditions.  SETTING=VALUE replaces one of them (YAML values, e.g. samples=128,
objectives='[{metric: revenue, direction: maximize}]'); factor= adds or replaces one factor;
KEY=VALUE sets a config key for every run (market size, team, days).

Writes <dir>/<name>/: explore.json (settings, seeds, versions, times, summary), tidy Parquet tables,
plots/ (PNG and SVG) and runs/ (the jobs).  Running the same command again resumes it.  Bad settings
stop with exit code 2 before any run.
"""

from __future__ import annotations

import json
import sys

from sim.config import ConfigError


def main(argv: list[str]) -> int:
    from sim.explore.api import execute, prepare
    from sim.explore.spec import METHODS

    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    methods = [a.split("=", 1)[1] for a in argv if a.startswith("method=")]
    try:
        if len(methods) != 1:
            raise ConfigError(f"give method= once: one of {', '.join(METHODS)}")
        spec, run, folder = prepare(methods[0], argv)
    except ConfigError as err:
        print(f"funnelsim explore: config error: {err}", file=sys.stderr)
        return 2
    folder = execute(spec, run, folder)
    meta = json.loads((folder / "explore.json").read_text())
    print(f"explore {spec['method']} {spec['name']}: {meta['seconds']:.0f} s -> {folder}")
    print(json.dumps(meta["summary"], indent=1, default=str)[:3000])
    return 0
