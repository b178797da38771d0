"""A parallel split that makes one task per data item (viewflow 2.4's Split ignores
``data_source`` although its docstring promises it)."""

from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import SplitActivation


class DynamicSplitActivation(SplitActivation):
    @Activation.status.super()
    def activate(self):
        for node, cond, data_source in self.flow_task._branches:
            if cond and not cond(self):
                continue
            items = [None] if data_source is None else list(data_source(self))
            self.next_tasks.extend((node, item) for item in items)
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class DynamicSplit(flow.Split):
    """``Next(node, data_source=callable)``: one ``node`` task per item, item in task.data."""

    activation_class = DynamicSplitActivation

    def Next(self, node, case=None, data_source=None):  # noqa: N802 (viewflow's API)
        self._activate_next.append((node, case, data_source))
        return self
