"""Marketing operations: scores leads and hands MQLs to sales by the handoff policy."""

import mesa

from sim.pure import pure


class Marketer(mesa.Agent):
    def hand_off(self, pure_python: bool):
        """Route today's MQLs to reps and lay out the reps' queues."""
        from sim.kernels import HANDOFF, FastDriver, handoff_phase

        m = self.model
        if pure_python:
            pure(handoff_phase)(m.state, m.params, m.day)
        else:
            FastDriver(1)._piece(HANDOFF, m.state, m.params, m.day)
