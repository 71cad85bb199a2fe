"""Marketing operations: scores leads and hands MQLs to sales by the handoff policy."""

import mesa

from sim.processes.arrivals import arrivals_day
from sim.processes.handoff import build_queues, route_new_mqls
from sim.pure import pure

_arrivals = pure(arrivals_day)
_route = pure(route_new_mqls)
_build = pure(build_queues)


class Marketer(mesa.Agent):
    def hand_off(self, pure_python: bool):
        """Route today's MQLs to reps and lay out the reps' queues."""
        m = self.model
        if pure_python:
            _arrivals(m.state, m.params, m.day)
            _route(m.state, m.params, m.day)
            _build(m.state, m.params, m.day)
        else:
            from sim.kernels import handoff_kernel

            handoff_kernel(m.state, m.params, m.day)
