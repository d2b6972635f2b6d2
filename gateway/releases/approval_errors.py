"""Errors of the approval queue; their HTTP statuses are registered in ``gateway/api/queue.py``."""

from __future__ import annotations

from gateway.releases.errors import ReleaseError


class ReleaseNotFound(ReleaseError):
    code = "RELEASE_NOT_FOUND"


class ApprovalRefused(ReleaseError):
    """The release cannot be approved now (``code`` is one of ``approval_codes.REFUSALS``)."""

    code = "APPROVAL_REFUSED"

    def __init__(self, code: str) -> None:
        super().__init__("approval refused")
        self.code = code  # type: ignore[misc]  # per-instance reason code


class ApproverRefused(ApprovalRefused):
    """This caller may not approve it (a preparer, or the first approver again): 403."""


def refusal(code: str) -> ApprovalRefused:
    """The error for a refusal code: the person is refused (403), or the release is not ready
    (409)."""
    personal = {"APPROVER_IS_PREPARER", "SECOND_APPROVER_REQUIRED", "APPROVER_NOT_STAFF"}
    return ApproverRefused(code) if code in personal else ApprovalRefused(code)


class ReasonCodeUnknown(ReleaseError):
    """A deny or hold reason code outside the fixed lists."""

    code = "REASON_CODE_UNKNOWN"


class FollowUpInvalid(ReleaseError):
    """A hold's follow-up date lies in the past or too far ahead."""

    code = "FOLLOW_UP_INVALID"


class AssigneeInvalid(ReleaseError):
    """The assignee is not an active staff member."""

    code = "ASSIGNEE_INVALID"


class CursorInvalid(ReleaseError):
    """A queue cursor that this server did not hand out."""

    code = "CURSOR_INVALID"


class SearchInvalid(ReleaseError):
    """A patient search needs an MRN, or a family name with a date of birth."""

    code = "SEARCH_INVALID"


class RecheckFailed(ReleaseError):
    """A check re-run at approval failed; the release moved on hold or was denied (``findings``
    holds the codes)."""

    code = "RECHECK_FAILED"
