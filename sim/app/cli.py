"""`funnelsim app [PRESET | SWEEP_OR_FIT_FOLDER] [--port N] [--host H] [--days N] [--replications N] [KEY=VALUE...]`:
start the what-if web app on a local port (Solara server)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sim.config import ConfigError

USAGE = (
    "funnelsim app [PRESET | SWEEP_OR_FIT_FOLDER] [--port N] [--host H] [--days N] [--replications N] [KEY=VALUE...]"
)
DEFAULT_PORT = 8765
DEFAULT_DAYS = 365  # a one-year horizon keeps a lever change on the default market well inside 3 s


def _whole(flag: str, text: str, lo: int, hi: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        raise ConfigError(f"funnelsim app {flag} {text!r} is not allowed; give a whole number in [{lo}, {hi}]")
    return value


def parse(argv: list[str]) -> tuple[dict, str, int]:
    """The app's settings (as the page reads them), the host and the port; bad arguments raise ConfigError."""
    from sim.app.browse import kind_of
    from sim.app.scenario import start
    from sim.loading import SCENARIO_DIR, scenario_names

    opts: dict = {"days": DEFAULT_DAYS, "replications": 1, "overrides": {}}
    host, port, target = "127.0.0.1", DEFAULT_PORT, None
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("--port", "--host", "--days", "--replications"):
            if not args:
                raise ConfigError(f"funnelsim app {arg} needs a value; usage: {USAGE}")
            val = args.pop(0)
            if arg == "--port":
                port = _whole(arg, val, 0, 65535)
            elif arg == "--host":
                host = val
            elif arg == "--days":
                opts["days"] = _whole(arg, val, 1, 36500)
            else:
                opts["replications"] = _whole(arg, val, 1, 20)
        elif arg.startswith("-"):
            raise ConfigError(f"funnelsim app: unknown option {arg!r}; usage: {USAGE}")
        elif "=" in arg:
            key, _, val = arg.partition("=")
            if key in ("scenarios", "scenario"):
                raise ConfigError("funnelsim app: give the preset as the first argument, not scenarios=")
            opts["overrides"][key] = val
        elif target is None:
            target = arg
        else:
            raise ConfigError(f"funnelsim app: unexpected argument {arg!r}; usage: {USAGE}")
    if target is not None:
        path = Path(target)
        if path.is_dir():
            if kind_of(path) is None:
                raise ConfigError(
                    f"{path} is not a finished sweep or fit folder (sweep.json and scenarios.parquet, or fit.json)"
                )
            opts["folder"] = str(path.resolve())
            return opts, host, port
        name = path.stem if path.suffix == ".yaml" and path.resolve().parent == SCENARIO_DIR.resolve() else target
        if name not in scenario_names():
            raise ConfigError(
                f"funnelsim app {target!r}: not a preset ({', '.join(scenario_names())}; a fitted baseline is "
                "saved as one) nor a sweep or fit folder"
            )
        opts["preset"] = name
    # the whole config checked now, so bad overrides stop here with exit code 2
    start(opts.get("preset", "default"), {"sim.days": str(opts["days"]), **opts["overrides"]})
    return opts, host, port


def main(argv: list[str]) -> int:
    opts, host, port = parse(argv)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # a local app reports nothing
    try:
        from solara.__main__ import cli
    except ImportError as err:
        raise ConfigError(f"funnelsim app needs Solara: pip install -e '.[app]' ({err})") from None
    os.environ["FUNNELSIM_APP"] = json.dumps(opts)
    print(f"funnelsim app on http://{host}:{port} (Ctrl-C stops it)", flush=True)
    args = [
        "run",
        "sim.app.page",
        "--host",
        host,
        "--port",
        str(port),
        "--no-open",
        "--production",
        "--no-check-version",
    ]
    cli.main(args=args, prog_name="funnelsim app", standalone_mode=False)
    return 0
