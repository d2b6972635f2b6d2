"""Errors of the PDF worker pool. Their HTTP statuses live in ``gateway/errors.py``.

Why these statuses:

- A task that runs past its time limit (``PDF_TOO_COMPLEX``) or past its memory cap
  (``PDF_TOO_LARGE``) is refused with 422: the limits are sized for honest documents, so the
  document is what exceeds them (a decompression bomb, a pathological structure). Retrying the
  same file cannot succeed, so it is not a 503.
- A worker that dies during a task (``PDF_REJECTED``, 422) almost always died on the document
  (a parser crash on crafted input). A 503 would invite the client to retry, and each retry would
  kill another worker: the refusal is final for this file. The exit status is logged, never sent.
- An unexpected exception inside a task (``PDF_WORK_FAILED``, 500) is a defect in our code: the
  engine translates every expected failure into a ``DomainError``, which passes through unchanged.
- A pool with no free worker within the queue deadline (``PDF_POOL_BUSY``) or not running
  (``PDF_POOL_UNAVAILABLE``) is a 503: the same request can succeed a little later.

Data carries limits and counts only (``limit_s``, ``cap_mib``, ``peak_rss_mib``), never content.
"""

from __future__ import annotations

from kernel.errors import DomainError


class PdfPoolError(DomainError):
    code = "PDF_POOL_ERROR"


class PdfWorkTimedOut(PdfPoolError):
    """The task ran past its wall-time limit; its worker was killed and replaced."""

    code = "PDF_TOO_COMPLEX"


class PdfWorkTooLarge(PdfPoolError):
    """The task needed more memory than its profile's cap; its worker was replaced."""

    code = "PDF_TOO_LARGE"


class PdfWorkerCrashed(PdfPoolError):
    """The worker process died during the task (signal, abort, CPU limit); it was replaced."""

    code = "PDF_REJECTED"


class PdfWorkFailed(PdfPoolError):
    """The task raised an exception that is not a ``DomainError``: a defect, logged by type."""

    code = "PDF_WORK_FAILED"


class PdfPoolBusy(PdfPoolError):
    """No worker became free within the queue deadline."""

    code = "PDF_POOL_BUSY"


class PdfPoolUnavailable(PdfPoolError):
    """The pool is not running (not started, closed, or its workers could not start)."""

    code = "PDF_POOL_UNAVAILABLE"
