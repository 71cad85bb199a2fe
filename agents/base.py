"""A Mesa agent whose state lives at one index of the model's arrays."""

import mesa


class ArrayAgent(mesa.Agent):
    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index
