"""Errors of the durable-workflow runtime."""

from __future__ import annotations

from typing import ClassVar

from kernel.errors import DomainError


class WorkflowError(DomainError):
    """Base of the workflow runtime's errors."""

    code: ClassVar[str] = "WORKFLOW_ERROR"


class WorkflowRuntimeAlreadyStarted(WorkflowError):
    """DBOS is one instance per process: stop it before starting it again."""

    code: ClassVar[str] = "WORKFLOW_RUNTIME_ALREADY_STARTED"


class WorkflowRuntimeNotStarted(WorkflowError):
    """A call needed the running workflow runtime, and none is running in this process."""

    code: ClassVar[str] = "WORKFLOW_RUNTIME_NOT_STARTED"
