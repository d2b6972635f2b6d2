"""Sum a py-spy raw profile (``download_bench.py --profile FILE``) by frame.

``python bench/profile_summary.py FILE`` prints each thread's share of the samples and the
frames holding the most samples, inclusive (a frame counts once per stack).
``python bench/profile_summary.py FILE --under FRAME [--depth N]`` prints what runs under
``FRAME`` (its callee chains, ``N`` frames deep), as shares of all samples. With ``--gil`` (as
``download_bench.py`` records) the samples are those of the thread holding the GIL, so a share
is the part of the one Python core that the frame took. The figures in bench/README.md
("``append_many`` 29.2% -> 7.0% of the GIL time") come from this script.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def stacks(path: Path) -> list[tuple[list[str], int]]:
    """(frame names, outermost first; samples) per line of a py-spy raw file."""
    parsed = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            parsed.append(([frame.split(" (")[0] for frame in stack.split(";")], int(count)))
    return parsed


def inclusive(parsed: list[tuple[list[str], int]]) -> tuple[Counter[str], Counter[str], int]:
    """Samples per frame (once per stack), per thread (its outermost frame), and in all."""
    frames: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for names, count in parsed:
        total += count
        threads[names[0]] += count
        for name in set(names):
            frames[name] += count
    return frames, threads, total


def under(parsed: list[tuple[list[str], int]], frame: str, depth: int) -> Counter[str]:
    """Samples per callee chain below the first ``frame`` of each stack."""
    chains: Counter[str] = Counter()
    for names, count in parsed:
        if frame in names:
            start = names.index(frame) + 1
            chains[";".join(names[start : start + depth]) or "<self>"] += count
    return chains


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path)
    parser.add_argument("--under", help="a frame's name, e.g. append_many")
    parser.add_argument("--depth", type=int, default=1)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    parsed = stacks(args.profile)
    frames, threads, total = inclusive(parsed)
    print(f"{total} samples")
    if args.under:
        for chain, count in under(parsed, args.under, args.depth).most_common(args.top):
            print(f"{100 * count / total:5.1f}% {chain}")
        return
    for thread, count in threads.most_common():
        print(f"{100 * count / total:5.1f}% thread {thread}")
    for name, count in frames.most_common(args.top):
        print(f"{100 * count / total:5.1f}% {name}")


if __name__ == "__main__":
    main()
