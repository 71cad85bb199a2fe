"""FunnelModel: the Mesa frame around the funnel's state, schedule and data collection."""

from __future__ import annotations

import mesa
import numpy as np

from agents import Account, Contact, Marketer, Rep
from sim.config import ConfigError, FunnelConfig
from sim.config_check import validate
from sim.invariants import check_invariants
from sim.params import make_params
from sim.processes.reach import block_reach, n_blocks, new_scratch
from sim.processes.sales import pooled_day
from sim.pure import pure
from sim.schedule import run_day
from sim.state import DAILY, D, grow_deals, make_room, n_contacts, new_state

_pooled_day = pure(pooled_day)
_block_reach = pure(block_reach)

REPORTED = ("inquiries", "mqls", "sals", "sqls", "won", "revenue", "pipeline", "open_leads")


def _with_overrides(config: FunnelConfig | None, seed, engine, days, kwargs) -> FunnelConfig:
    if config is None:
        from sim.loading import load_config

        config = load_config([f"{k.replace('__', '.')}={v}" for k, v in kwargs.items()])
    elif kwargs:
        raise ConfigError("FunnelModel: pass either a config or keyword levers, not both")
    if seed is not None:
        config.sim.seed = seed
    if engine is not None:
        config.sim.engine = engine
    if days is not None:
        config.sim.days = days
    return validate(config)  # checks the keywords' types and ranges like any other value


def _check_arrival_capacity(P, n_contacts: int) -> None:
    expected = P.leads_per_hour * 24.0 * P.days * float(np.mean(P.weekday)) * float(P.hourly.max() / P.hourly.mean())
    if expected > n_contacts:
        raise ConfigError(
            f"staffing.leads_per_hour={P.leads_per_hour} over {P.days} days needs about {expected:.0f} leads, "
            f"but the market has {n_contacts} contacts; raise market.accounts or lower the rate"
        )


def _check_plugins(cfg: FunnelConfig, S, P) -> None:
    """Plug-in rules in use must compile for this state; otherwise a ConfigError names them."""
    from sim import policies
    from sim.policies.plugins import PluginError, check_compiles

    po = cfg.policy
    chosen = {
        "routing": po.routing,
        "discipline": po.discipline,
        "breach": po.breach_action,
        "rejected": po.handoff.rejected,
        "timing": po.handoff.mode,
    }
    if not any(policies.get(k, v).plugin for k, v in chosen.items()):
        return
    try:
        check_compiles(S, P, chosen)
    except PluginError as err:
        raise ConfigError(str(err)) from None


class FunnelModel(mesa.Model):
    """A B2B revenue engine, one step per day.

    Keyword levers use `__` for dots (``marketing__mql_threshold=60``), so the model runs
    under ``mesa.batch_run``.  ``engine="fast"`` steps Numba kernels over the state arrays;
    ``engine="reference"`` steps one Mesa agent per account and contact in pure Python.
    """

    def __init__(self, config: FunnelConfig | None = None, *, seed=None, engine=None, days=None, **levers):
        cfg = _with_overrides(config, seed, engine, days, levers)
        super().__init__(seed=cfg.sim.seed)
        self.config = cfg
        probe = make_params(cfg, 1)
        self.params = make_params(cfg, n_contacts(probe))
        self.state = new_state(self.params)
        _check_plugins(cfg, self.state, self.params)
        if self.params.arrivals:
            _check_arrival_capacity(self.params, self.n_contacts)
        self.day = 0
        self.reference = cfg.sim.engine == "reference"
        self.debug = cfg.sim.debug
        if not self.reference:
            from sim.kernels import FastDriver

            self.driver = FastDriver(cfg.sim.threads, self.n_contacts)
        self.marketer = Marketer(self)
        self.reps = [Rep(self, r) for r in range(self.params.reps)]
        if self.reference:
            self.accounts = [Account(self, a) for a in range(self.params.n_accounts)]
            self.contacts = [Contact(self, c) for c in range(self.state.stage.shape[0])]
            self._reach_scratch = new_scratch(1)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, i=D[name]: float(m.state.daily[m.day - 1, i])) for name in REPORTED}
        )
        self.running = True
        self.touch_log = None  # the touch log (sim/touch_log.py), kept when asked for
        if cfg.output.touches:
            from sim.touch_log import TouchLog

            self.touch_log = TouchLog()

    @property
    def n_contacts(self) -> int:
        return int(self.state.stage.shape[0])

    def step(self):
        """One day: market, marketing, handoff, sales work, opportunities, observation."""
        if self.day >= self.params.days:
            self.running = False
            return
        self.state = grow_deals(self.state)  # room for the deals that could close today
        S, P, d = self.state, self.params, self.day
        if self.reference:
            self._step_reference(S, P, d)
        else:
            self.state = self.driver.step(S, P, d, self._make_room)
        S = self.state
        if self.touch_log is not None:
            self.touch_log.collect(S, P, d)
        if self.debug:
            check_invariants(S, P, d)
        self.day += 1
        self.datacollector.collect(self)
        if self.day >= self.params.days:
            self.running = False

    def _step_reference(self, S, P, d):
        with np.errstate(over="ignore"):
            run_day(self, S, P, d, self._make_room)

    def _make_room(self, S, phase, d):
        """Grow the lead table before a phase that could fill it (the agents read `self.state`)."""
        self.state = make_room(S, phase, d)
        return self.state

    # The reference driver's phases (sim.schedule): one Mesa agent per account, contact and rep.
    def market(self, S, P, d):
        S.n_in_market[0] += sum(account.step() for account in self.accounts)

    def marketing(self, S, P, d):
        inq = mql = 0
        touches = [0, 0, 0, 0]
        hit_c, hit_u, seen = (a[0] for a in self._reach_scratch)
        for b in range(n_blocks(self.n_contacts)):
            for j in range(_block_reach(S, P, b, d, hit_c, hit_u, seen)):
                ch, i, m = self.contacts[hit_c[j]].step(float(hit_u[j]))
                inq += i
                mql += m
                if ch >= 0:
                    touches[ch] += 1
        S.daily[d, D["inquiries"]] += inq
        S.daily[d, D["mqls"]] += mql
        for k in range(4):
            S.daily[d, D["touches_email"] + k] += touches[k]

    def handoff(self, S, P, d):
        self.marketer.hand_off()

    def sales(self, S, P, d):
        if P.shared_queue == 1:
            _pooled_day(S, P, d)  # reps interleave over one shared queue
        else:
            for rep in self.reps:
                rep.work()

    def closing(self, S, P, d):
        from sim.kernels import close_phase

        pure(close_phase)(S, P, d)

    def run(self, progress: bool = False):
        """Step to the configured number of days."""
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=self.params.days - self.day, desc="days", unit="day", leave=False)
        if self._many_days_per_call():
            self._run_fast(bar)
        else:
            while self.day < self.params.days:
                self.step()
                if bar is not None:
                    bar.update()
        if bar is not None:
            bar.close()
        if not self.reference:
            self.driver.close()
        return self

    def _many_days_per_call(self) -> bool:
        """The fast driver runs many days per call when nothing in Python must run between days."""
        return not self.reference and self.touch_log is None and not self.debug

    def _run_fast(self, bar, chunk: int = 0):
        """Days in calls of many days each (`FastDriver.run_days`), growing the deal log between calls as
        `step` does before each day (and the lead table where a day stops for it); the data collector still
        collects every day.  A call runs at most `DAYS_PER_CALL` days (a 50th of the run with a progress
        bar), so a run can be stopped between calls (the app's cancel hook watches `_run_days`)."""
        days = self.params.days
        chunk = chunk or (max(1, days // 50) if bar is not None else DAYS_PER_CALL)
        while self.day < days:
            done = self._run_days(min(self.day + chunk, days))
            if bar is not None:
                bar.update(done)
        self.running = False

    def _run_days(self, end: int) -> int:
        """Days up to `end` in one call of the fast driver (or fewer, where the deal log must grow)."""
        self.state = grow_deals(self.state)  # room for the deals that could close
        self.state, done = self.driver.run_days(self.state, self.params, self.day, end, self._make_room)
        for _ in range(done):
            self.day += 1
            self.steps += 1  # as Mesa's step wrapper counts
            self.datacollector.collect(self)
        return done


# Days per call of the one-thread fast driver: the call's cost (about 20 us) is spread over a month.
DAYS_PER_CALL = 32


__all__ = ["FunnelModel", "DAILY"]
