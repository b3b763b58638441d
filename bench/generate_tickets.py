"""Write N realistic, valid ticket files into <root>/planning/tickets/ (for benchmarks).

python bench/generate_tickets.py /tmp/bench-tree --count 10000
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

STATUSES = ["open", "in_progress", "blocked", "review", "done", "cancelled"]
STATUS_WEIGHTS = [30, 15, 5, 10, 35, 5]
PRIORITIES = ["critical", "high", "medium", "low"]
PRIORITY_WEIGHTS = [5, 20, 50, 25]
AREAS = ["backend", "frontend", "ops", "docs", "data", "security"]
PEOPLE = ["dana", "sam", "lee", "kim", "alex", "robin", None]
WORDS = [
    "index",
    "watcher",
    "port",
    "scan",
    "deploy",
    "cache",
    "registry",
    "backup",
    "restore",
    "metrics",
    "page",
    "table",
    "status",
    "filter",
    "token",
    "audit",
    "stream",
    "health",
    "ready",
    "timeout",
    "retry",
    "queue",
    "worker",
    "thread",
]


def ticket_text(number: int, rng: random.Random) -> str:
    created = date(2025, 1, 1) + timedelta(days=rng.randrange(240))
    status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
    assignee = rng.choice(PEOPLE)
    lines = [
        "---",
        f"id: BENCH-{number}",
        f"title: {' '.join(rng.sample(WORDS, 5)).capitalize()}",
        f"status: {status}",
        f"priority: {rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0]}",
        *([f"assignee: {assignee}"] if assignee else []),
        f"tags: [{', '.join(rng.sample(WORDS, 2))}]",
        f"created: {created.isoformat()}",
        f"updated: {(created + timedelta(days=rng.randrange(30))).isoformat()}T10:00:00Z",
        "---",
        "",
        *(" ".join(rng.choices(WORDS, k=12)) + "." for _ in range(rng.randrange(2, 8))),
        "",
    ]
    return "\n".join(lines)


def generate(root: Path, count: int, seed: int = 42) -> list[Path]:
    """Create `count` tickets spread over area sub-folders; returns their paths."""
    rng = random.Random(seed)
    tickets = root / "planning" / "tickets"
    paths = []
    for number in range(1, count + 1):
        path = tickets / AREAS[number % len(AREAS)] / f"BENCH-{number}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ticket_text(number, rng), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="tickets root to create (holds planning/)")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    generate(args.root, args.count, args.seed)
    print(f"wrote {args.count} tickets under {args.root / 'planning' / 'tickets'}")


if __name__ == "__main__":
    main()
