"""A buyer: one member of an account's buying group, moving through the funnel."""

import mesa

from sim.processes.marketing import contact_day
from sim.pure import pure
from sim.stages import ROLE_NAMES, STAGE_NAMES

_contact_day = pure(contact_day)


class Contact(mesa.Agent):
    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def stage(self) -> str:
        return STAGE_NAMES[self.model.state.stage[self.index]]

    @property
    def role(self) -> str:
        return ROLE_NAMES[self.model.state.c_role[self.index]]

    @property
    def engagement(self) -> float:
        return float(self.model.state.eng[self.index])

    def step(self):
        """Meet the day's campaigns, respond or not, and become an MQL when the score allows."""
        return _contact_day(self.model.state, self.model.params, self.index, self.model.day)
