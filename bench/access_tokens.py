"""Access-token numbers: issue and verify cost per call, valid and refused, and the refusal of an
oversize token (which must not depend on its size: it is refused before parsing).

    .venv/bin/python bench/access_tokens.py [--rounds 20000]

One process, one thread, an in-memory keyring, the key file's stat included (a ``KeyFile``
source in a temporary directory), as the running gateway uses it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from gateway.access_tokens import AccessTokens, KeyFile, Purpose, TokenRejected
from kernel.clock import FixedClock

AUDIENCE = "recipient-1"


def per_call_us(action: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median and p99 of batches of 100 calls, in microseconds per call."""
    samples = []
    for _ in range(max(1, rounds // 100)):
        start = time.perf_counter()
        for _ in range(100):
            action()
        samples.append((time.perf_counter() - start) / 100 * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def refusing(tokens: AccessTokens, token: str) -> Callable[[], object]:
    def attempt() -> object:
        try:
            return tokens.verify(Purpose.DOWNLOAD_LINK, token, audience=AUDIENCE)
        except TokenRejected as error:
            return error

    return attempt


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20_000)
    rounds = parser.parse_args().rounds
    clock = FixedClock(datetime.now(UTC))
    with tempfile.TemporaryDirectory() as tmp:
        keys = KeyFile.open(Path(tmp) / "keys.json", now=clock.now())
        tokens = AccessTokens(keys, clock=clock)
        token = tokens.issue(Purpose.DOWNLOAD_LINK, subject="link-1", audience=AUDIENCE).token
        forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BA")
        cases: dict[str, Callable[[], object]] = {
            "issue": lambda: tokens.issue(
                Purpose.DOWNLOAD_LINK, subject="link-1", audience=AUDIENCE
            ),
            "verify (valid)": lambda: tokens.verify(
                Purpose.DOWNLOAD_LINK, token, audience=AUDIENCE
            ),
            "verify (bad signature)": refusing(tokens, forged),
            "verify (2 KiB + 1 garbage)": refusing(tokens, "x" * 2049),
            "verify (10 MiB garbage)": refusing(tokens, "x" * (10 << 20)),
        }
        print(f"token length: {len(token)} characters")
        for name, action in cases.items():
            median, p99 = per_call_us(action, rounds)
            print(f"{name:28s} median {median:8.1f} us   p99 {p99:8.1f} us")


if __name__ == "__main__":
    main()
