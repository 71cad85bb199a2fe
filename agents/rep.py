"""A sales rep with business hours, a lead queue, deals and a time ledger."""

from agents.base import ArrayAgent
from sim.processes.sales import rep_day
from sim.pure import pure
from sim.stages import ACTIVITY_NAMES

_rep_day = pure(rep_day)


class Rep(ArrayAgent):
    @property
    def queue_length(self) -> int:
        s = self.model.state
        return int(s.q_ptr[self.index + 1] - s.q_ptr[self.index])

    @property
    def time_use(self) -> dict[str, float]:
        row = self.model.state.ledger[self.index]
        return {name: float(row[k]) for k, name in enumerate(ACTIVITY_NAMES)}

    def work(self):
        """Work the day: due leads first, then deals, prospecting or idle time."""
        _rep_day(self.model.state, self.model.params, self.index, self.model.day)
