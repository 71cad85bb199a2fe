"""A buying organisation: segment, fit, buying window and open opportunity."""

from agents.base import ArrayAgent
from sim.processes.market import account_day, in_market
from sim.pure import pure
from sim.stages import SEGMENT_NAMES

_account_day = pure(account_day)
_in_market = pure(in_market)


class Account(ArrayAgent):
    @property
    def segment(self) -> str:
        return SEGMENT_NAMES[self.model.state.acc_seg[self.index]]

    @property
    def in_market(self) -> bool:
        return bool(_in_market(self.model.state, self.index))

    def step(self) -> int:
        """Enter or leave the market; returns the change in the number of accounts in market."""
        return _account_day(self.model.state, self.model.params, self.index, self.model.day)
