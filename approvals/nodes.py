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


class GuardedView(flow.View):
    """A human task reached only through Văn thư's own pages and services.

    viewflow gives every View node its own URLs: index, detail, execute, assign, unassign,
    cancel, undo and revive (VIEWFLOW.md, trap 13). They are a second door that checks
    neither the document's rules nor the flow lock the services take: here a node has none,
    and each step is done by one service (approvals.services) whatever page calls it."""

    index_view_class = None
    detail_view_class = None
    assign_view_class = None
    unassign_view_class = None
    cancel_view_class = None
    undo_view_class = None
    revive_view_class = None

    def __init__(self, **kwargs):
        super().__init__(view=None, **kwargs)

    @property
    def view_path(self):
        return None

    def can_assign(self, user, task):
        """Nobody takes a task by assigning it to themselves: the services assign."""
        return False

    def can_unassign(self, user, task):
        return False
