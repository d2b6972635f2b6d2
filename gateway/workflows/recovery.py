"""Resume the workflows of gateway processes on this host that died.

DBOS 3.4.0 (without its commercial Conductor) recovers at launch only the pending workflows of
its *own* executor id. Ours are per process (``<host>-<pid>``), so a restarted process has a new id
and would leave the dead one's work pending forever. The sweep finds pending workflows whose
executor is a process of this host that no longer exists, and hands them to DBOS's recovery,
which re-enqueues them; recovery is idempotent (a row is re-enqueued only while it is still
pending under the dead executor id), so two processes sweeping at once do no harm.

Processes on other hosts cannot be checked this way: a multi-host deployment runs with explicit,
stable executor ids (``ROI_WORKFLOW__EXECUTOR_ID``) so each restarted process recovers its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from dbos import DBOS


def pid_alive(pid: int) -> bool:
    """True if a process with this id exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it is just not ours to signal
    return True


def dead_local_executors(
    executor_ids: Iterable[str],
    *,
    host: str,
    own_id: str,
    alive: Callable[[int], bool] = pid_alive,
) -> list[str]:
    """The ids among ``executor_ids`` that name a ``<host>-<pid>`` process that is gone."""
    dead: set[str] = set()
    for candidate in executor_ids:
        prefix, _, pid = candidate.rpartition("-")
        if candidate == own_id or prefix != host or not pid.isdigit():
            continue
        if not alive(int(pid)):
            dead.add(candidate)
    return sorted(dead)


def pending_executor_ids(app_version: str) -> set[str]:
    """Executors that hold pending workflows of this application version (sync DBOS call)."""
    pending = DBOS.list_workflows(
        status="PENDING", app_version=app_version, load_input=False, load_output=False
    )
    return {status.executor_id for status in pending if status.executor_id}


def recover_dead_local_executors(*, host: str, own_id: str, app_version: str) -> list[str]:
    """Re-enqueue the pending workflows of dead local executors; return their workflow ids.

    Sync: call it from a thread when an event loop runs.
    """
    dead = dead_local_executors(pending_executor_ids(app_version), host=host, own_id=own_id)
    if not dead:
        return []
    # DBOS 3.4.0 exposes executor-scoped recovery only as this internal classmethod (the public
    # resume_workflow re-runs a workflow whatever executor holds it, which could run it twice).
    handles = DBOS._recover_pending_workflows(dead)
    return [handle.get_workflow_id() for handle in handles]
