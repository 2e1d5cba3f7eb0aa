"""Summary of a py-spy profile written by `bench/reminders.py --profile` (py-spy's raw, collapsed format).

    .venv/bin/python bench/reminders_profile.py bench/results/reminders-<stamp>-<pool>.pyspy.txt [--top N]

Prints, as shares of the samples taken in the worker's processes (py-spy leaves out idle
samples: threads waiting in a system call):

- inclusive: the functions found anywhere in a sample's stack, each counted once per sample; the
  eventsys functions first, then the rest;
- self: the innermost function of each sample.

Frames are grouped by function and file, without line numbers.
"""

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^():]*?)(?::\d+)?\)$")


def parse(path: Path) -> tuple[int, Counter, Counter]:
    """(samples, inclusive counts, self counts) from py-spy's raw output."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        frames = []
        for raw in stack.split(";"):
            if raw.startswith(("process ", "thread ")):
                continue
            match = FRAME.match(raw)
            frames.append(f"{match['function']} ({match['file']})" if match else raw)
        if not frames:
            continue
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    return total, inclusive, own


def summary(path: Path, top: int = 25) -> str:
    total, inclusive, own = parse(path)
    if not total:
        return f"{path}: no samples"
    lines = [f"{path}: {total} samples (the worker's processes, idle left out)", "",
             "inclusive, eventsys functions:"]
    ours = [(frame, n) for frame, n in inclusive.most_common() if "eventsys/" in frame]
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in ours[:top]]
    lines += ["", "inclusive, other functions:"]
    others = [(frame, n) for frame, n in inclusive.most_common() if "eventsys/" not in frame]
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in others[:top]]
    lines += ["", "self:"]
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(summary(args.profile, args.top))


if __name__ == "__main__":
    main()
