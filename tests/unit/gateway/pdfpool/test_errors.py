"""The pool's errors: stable reason codes, their HTTP statuses, and the trip across a pipe."""

from __future__ import annotations

import pickle

import pytest

from gateway.errors import status_for
from gateway.pdfpool import (
    PdfPoolBusy,
    PdfPoolError,
    PdfPoolUnavailable,
    PdfWorkerCrashed,
    PdfWorkFailed,
    PdfWorkTimedOut,
    PdfWorkTooLarge,
)
from gateway.pdfpool.worker import rebuild_domain_error
from kernel.errors import DomainError


class PageRefusal(DomainError):
    code = "PAGE_REFUSED"

    def __init__(self, page: int, *, checker: str) -> None:
        super().__init__("page refused", page=page, checker=checker)
        self.page = page


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (PdfWorkTimedOut(limit_s=10), "PDF_TOO_COMPLEX", 422),
        (PdfWorkTooLarge(cap_mib=256, peak_rss_mib=250), "PDF_TOO_LARGE", 422),
        (PdfWorkerCrashed(profile="check"), "PDF_REJECTED", 422),
        (PdfWorkFailed(error_type="KeyError"), "PDF_WORK_FAILED", 500),
        (PdfPoolBusy(profile="check"), "PDF_POOL_BUSY", 503),
        (PdfPoolUnavailable(profile="check"), "PDF_POOL_UNAVAILABLE", 503),
    ],
)
def test_each_pool_error_has_a_stable_code_and_status(
    error: PdfPoolError, code: str, status: int
) -> None:
    assert isinstance(error, DomainError)
    assert error.code == code
    assert status_for(error) == status


def test_a_domain_error_with_its_own_constructor_is_rebuilt_as_the_same_error() -> None:
    original = PageRefusal(3, checker="pdfium")
    sent = pickle.dumps((type(original), original.args, vars(original)))
    cls, args, state = pickle.loads(sent)  # noqa: S301 - pickled just above
    rebuilt = rebuild_domain_error(cls, args, state)
    assert type(rebuilt) is PageRefusal
    assert rebuilt.args == original.args
    assert rebuilt.data == {"page": 3, "checker": "pdfium"}
    assert rebuilt.page == 3
    assert rebuilt.code == "PAGE_REFUSED"
