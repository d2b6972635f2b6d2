from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

from gateway.workflows.recovery import dead_local_executors, pid_alive

HOST = "him-app-01"


def _alive_only(*pids: int) -> Callable[[int], bool]:
    return lambda pid: pid in pids


class TestDeadLocalExecutors:
    def test_names_executors_of_this_host_whose_process_is_gone(self) -> None:
        dead = dead_local_executors(
            [f"{HOST}-101", f"{HOST}-202"],
            host=HOST,
            own_id=f"{HOST}-303",
            alive=_alive_only(202),
        )
        assert dead == [f"{HOST}-101"]

    def test_never_names_itself_even_if_its_pid_looks_dead(self) -> None:
        dead = dead_local_executors(
            [f"{HOST}-303"], host=HOST, own_id=f"{HOST}-303", alive=_alive_only()
        )
        assert dead == []

    def test_leaves_other_hosts_and_explicit_ids_alone(self) -> None:
        dead = dead_local_executors(
            ["other-host-101", "worker-a", "local", f"{HOST}-x1", f"{HOST}101"],
            host=HOST,
            own_id=f"{HOST}-303",
            alive=_alive_only(),
        )
        assert dead == []

    def test_parses_host_names_that_contain_dashes(self) -> None:
        dead = dead_local_executors(
            ["him-app-01-7"], host="him-app-01", own_id="him-app-01-8", alive=_alive_only()
        )
        assert dead == ["him-app-01-7"]


class TestPidAlive:
    def test_this_process_is_alive(self) -> None:
        assert pid_alive(os.getpid())

    def test_a_reaped_child_is_not(self) -> None:
        child = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert not pid_alive(int(child.stdout))
