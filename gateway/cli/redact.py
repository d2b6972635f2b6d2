"""``roi redact``: redact one PDF in process; write the output only once it is verified."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path

import click


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=".roi-", suffix=".part", dir=path.parent or Path())
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _detectors(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(d.strip() for d in value.split(",") if d.strip())


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("output_path", metavar="OUTPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--term", "terms", multiple=True, help="A term to redact (repeatable).")
@click.option("--detect", default=None, help="Detectors: ssn,phone,email,mrn,date.")
@click.option("--watermark", default=None, help="Recipient watermark text on every page.")
@click.option("--bates", default=None, help="Bates number prefix (numbers from 1).")
@click.option("--report", "report_path", default=None, type=click.Path(path_type=Path))
def redact(
    *,
    input_path: Path,
    output_path: Path,
    terms: tuple[str, ...],
    detect: str | None,
    watermark: str | None,
    bates: str | None,
    report_path: Path | None,
) -> None:
    """Redact INPUT into OUTPUT; exit 0 only with a verified output."""
    import redaction

    try:
        source = input_path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read input ({exc.strerror})") from exc
    try:
        plan = redaction.Plan(terms=terms, detectors=_detectors(detect))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        result = redaction.redact(source, plan)
        pdf = result.pdf
        if watermark is not None or bates is not None:
            spec = redaction.StampSpec(
                recipient=watermark or "",
                release_id="",
                date=dt.datetime.now(tz=dt.UTC).date(),
                bates_prefix=bates,
            )
            pdf = redaction.stamp(pdf, spec)
            ignore = {i: redaction.stamp_lines(spec, i) for i in range(len(result.report.pages))}
            check = redaction.verify(pdf, list(terms), {}, ignore_text=ignore)
            if not check.ok:
                page, checker = check.first_failure() or (None, "unknown")
                raise redaction.VerificationFailed(page=page, checker=checker)
    except redaction.RedactionError as exc:
        where = f" (page {exc.data['page']})" if exc.data.get("page") is not None else ""
        raise click.ClickException(f"{exc.code}{where}: {exc.message}") from exc
    try:
        _write_atomically(output_path, pdf)
        if report_path is not None:
            report = result.report.to_dict()
            report["output_sha256"] = hashlib.sha256(pdf).hexdigest()
            _write_atomically(report_path, json.dumps(report, indent=2).encode())
    except OSError as exc:
        raise click.ClickException(f"cannot write output ({exc.strerror})") from exc
    click.echo(f"redacted: {sum(result.report.totals().values())} match(es), verified")
