"""A buyer: one member of an account's buying group, moving through the funnel."""

from agents.base import ArrayAgent
from sim.processes.marketing import contact_day
from sim.pure import pure
from sim.stages import ROLE_NAMES, STAGE_NAMES

_contact_day = pure(contact_day)


class Contact(ArrayAgent):
    @property
    def stage(self) -> str:
        return STAGE_NAMES[self.model.state.stage[self.index]]

    @property
    def role(self) -> str:
        return ROLE_NAMES[self.model.state.c_role[self.index]]

    @property
    def engagement(self) -> float:
        return float(self.model.state.eng[self.index])

    def step(self, u: float):
        """Meet the day's campaigns (reached with draw `u`), respond or not, and become an MQL when the score allows."""
        return _contact_day(self.model.state, self.model.params, self.index, self.model.day, u)
