"""A bare viewflow flow with the shape of the document flow, for the lifecycle benchmark:
start → view → view → split into one view per item → join → end.

It uses viewflow's own Process and Task models (no migration) and the document flow's lock;
nothing of Văn thư (no documents, permissions, trail or notifications).

viewflow stores a flow as ``<app label>/<path in the app>`` and resolves it through the
installed app whose package contains the flow's module. The benchmark adds no app and no file
to the project's apps: this module is registered in ``sys.modules`` as
``approvals.benchmark_bareflow`` for the benchmark's process only, and ``delete_runs()``
removes the bare flow's rows after measuring, so no server ever meets them.
"""

from __future__ import annotations

import sys

from django.contrib.auth.models import User
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from approvals.nodes import DynamicSplit

OPEN = (STATUS.NEW, STATUS.ASSIGNED)
ALIAS = "approvals.benchmark_bareflow"
sys.modules.setdefault(ALIAS, sys.modules[__name__])


# The split that makes one task per item is the project's (viewflow 2.4's Split ignores
# ``data_source``): the one piece both flows need to have the same shape.
ItemSplit = DynamicSplit


def _no_view(request, **kwargs):  # the tasks are done from code, never through a page
    raise NotImplementedError


def _owner(activation) -> User:
    data = activation.task.data or {}
    return User.objects.get(pk=data.get("owner") or activation.process.data["owner"])


class BareFlow(flow.Flow):
    __module__ = ALIAS  # see the module's docstring
    process_class = Process
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    start = flow.StartHandle(this.start_process).Next(this.first)
    first = flow.View(_no_view).Assign(_owner).Next(this.second)
    second = flow.View(_no_view).Assign(_owner).Next(this.split)
    split = ItemSplit().Next(this.branch, data_source=this.branches)
    branch = flow.View(_no_view).Assign(_owner).Next(this.join)
    join = flow.Join().Next(this.end)
    end = flow.End()

    def start_process(self, activation, owner: int, branch_owners: list[int]):
        activation.process.data = {"owner": owner, "branches": branch_owners}
        return activation.process

    def branches(self, activation):
        return [{"owner": pk} for pk in activation.process.data["branches"]]


def _complete(process: Process, node, **filters) -> None:
    task = Task.objects.filter(process=process, flow_task=node, status__in=OPEN, **filters)
    task = task.order_by("-pk").first()
    with task.activation() as activation:
        activation.start(None)
        activation.execute()


def run_once(*, owner: User, branch_owners: list[User]) -> Process:
    """One whole run, every task done by its owner from code."""
    process = BareFlow.start.run(owner=owner.pk, branch_owners=[u.pk for u in branch_owners])
    _complete(process, BareFlow.first)
    _complete(process, BareFlow.second)
    for user in branch_owners:
        _complete(process, BareFlow.branch, owner=user)
    process.refresh_from_db()
    if process.status != STATUS.DONE:
        raise RuntimeError(f"bare flow ended as {process.status}")
    return process


def delete_runs() -> int:
    """Remove every process of the bare flow (and, by cascade, its tasks)."""
    deleted, _ = Process.objects.filter(flow_class=BareFlow).delete()
    return deleted
