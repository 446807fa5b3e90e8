"""Background tasks whose worker died: found, then requeued or marked failed.

django_tasks_db claims a task by setting it RUNNING and only changes that when the task
returns or raises: a worker killed meanwhile (SIGKILL, out of memory, the machine lost)
leaves it RUNNING for ever. `tasks_recover` (the `alveole tasks_recover` command) takes
every task RUNNING for longer than a timeout and either requeues it — when its app said
it is safe to run again, up to `max_attempts` claims — or marks it failed with a French
reason. The app's own records of the job (a PDF "en cours"…) follow through the callback
it registered with `register_recovery`, in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult, get_date_max

from alveole.core.services import audit_record

#: A task RUNNING for longer than this is taken for lost (longer than any task of ours runs).
DEFAULT_TIMEOUT = datetime.timedelta(minutes=60)
#: How many claims (the first run included) a retryable task gets before it is failed.
DEFAULT_MAX_ATTEMPTS = 3
#: The exception class recorded on a task failed by the recovery.
WORKER_LOST = "alveole.core.jobs.WorkerLost"


class WorkerLost(Exception):
    """The worker running a task stopped before the task finished."""


@dataclass(frozen=True)
class Recovery:
    """How a task is recovered: requeued or not, and the app's callback for its own records.

    `on_recover(args, kwargs, requeued)` runs in the recovery's transaction.
    """

    retry: bool
    on_recover: Callable[[list[Any], dict[str, Any], bool], None] | None = None


@dataclass(frozen=True)
class RecoveredTask:
    """One task the recovery found: its id, its path, and whether it was requeued."""

    id: str
    task_path: str
    requeued: bool


_RECOVERIES: dict[str, Recovery] = {}


def register_recovery(
    task: Any,
    *,
    retry: bool,
    on_recover: Callable[[list[Any], dict[str, Any], bool], None] | None = None,
) -> None:
    """Say what to do with `task` when its worker died (call it in the app's tasks.py).

    `retry=True` only for a task whose writes are atomic or idempotent: it may have run
    up to the kill. A task never registered is marked failed, not run again.
    """
    _RECOVERIES[task.module_path] = Recovery(retry=retry, on_recover=on_recover)


def recoveries() -> dict[str, Recovery]:
    """Every registered recovery, by task path."""
    autodiscover_modules("tasks")
    return dict(_RECOVERIES)


def stale_tasks(*, timeout: datetime.timedelta = DEFAULT_TIMEOUT):
    """Tasks claimed by a worker longer ago than `timeout` and still RUNNING."""
    return DBTaskResult.objects.running().filter(started_at__lte=timezone.now() - timeout)


def tasks_recover(
    *,
    timeout: datetime.timedelta = DEFAULT_TIMEOUT,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> list[RecoveredTask]:
    """Requeue or fail every task left RUNNING by a dead worker; returns what was done."""
    known = recoveries()
    done: list[RecoveredTask] = []
    for task_id in stale_tasks(timeout=timeout).values_list("id", flat=True):
        recovered = _recover_one(task_id, timeout=timeout, max_attempts=max_attempts, known=known)
        if recovered is not None:
            done.append(recovered)
    return done


@transaction.atomic
def _recover_one(
    task_id: Any,
    *,
    timeout: datetime.timedelta,
    max_attempts: int,
    known: dict[str, Recovery],
) -> RecoveredTask | None:
    # Locked and checked again: a worker may have finished it, another recovery taken it.
    result = stale_tasks(timeout=timeout).select_for_update(skip_locked=True).filter(pk=task_id)
    task = result.first()
    if task is None:
        return None
    recovery = known.get(task.task_path, Recovery(retry=False))
    requeue = recovery.retry and len(task.worker_ids) < max_attempts
    now = timezone.now()
    if requeue:
        task.status = TaskResultStatus.READY
        task.started_at = None
        # A task queued to run later keeps its date; an immediate one runs now.
        if task.run_after != get_date_max():
            task.run_after = now
        task.save(update_fields=["status", "started_at", "run_after"])
        summary = f"Tâche de fond {task.task_path} reprise après l'arrêt de son worker"
    else:
        task.status = TaskResultStatus.FAILED
        task.finished_at = now
        task.exception_class_path = WORKER_LOST
        task.traceback = _(
            "Le processus de fond qui exécutait cette tâche s'est arrêté avant la fin "
            "(arrêt brutal ou redémarrage de la machine) ; elle n'a pas été relancée."
        )
        task.return_value = None
        task.save(
            update_fields=[
                "status",
                "finished_at",
                "exception_class_path",
                "traceback",
                "return_value",
            ]
        )
        summary = f"Tâche de fond {task.task_path} en échec : son worker s'est arrêté"
    if recovery.on_recover is not None:
        arguments = task.args_kwargs or {}
        recovery.on_recover(arguments.get("args", []), arguments.get("kwargs", {}), requeue)
    audit_record(
        actor=None, action="update", target_type="task", target_id=str(task.pk), summary=summary
    )
    return RecoveredTask(id=str(task.pk), task_path=task.task_path, requeued=requeue)
