"""Marketing operations: scores leads and hands MQLs to sales by the handoff policy."""

import mesa

from sim.pure import pure


class Marketer(mesa.Agent):
    def hand_off(self):
        """Route today's MQLs to reps and lay out the reps' queues (the same functions the fast driver compiles)."""
        from sim.kernels import handoff_phase

        m = self.model
        pure(handoff_phase)(m.state, m.params, m.day)
