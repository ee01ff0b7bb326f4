"""How often the router's top candidate is right, by its confidence: the evidence behind the labelling
queue's GUESS_FLOOR (assistant/insight/labelling.py; figures quoted in docs/improving.md).

`python -m eval.guess_floor [--data-dir DIR] [FILE…]` (files under eval/data/; default routing_dev.jsonl
and routing_tune.jsonl). DIR holds the trained encoder and index (default: the settings' data dir).
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from eval.dataset import read_routing_file
from settings import REPO_ROOT, Settings

EDGES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0)


def bins(pairs: list[tuple[float, bool]]) -> list[tuple[float, float, int, int]]:
    """(low, high, messages, top candidate right) per confidence bin; the last bin includes 1.0."""
    found = []
    for i, (low, high) in enumerate(itertools.pairwise(EDGES)):
        last = i == len(EDGES) - 2
        inside = [right for confidence, right in pairs if low <= confidence and (confidence < high or last)]
        found.append((low, high, len(inside), sum(inside)))
    return found


def main() -> None:
    from intents.pipeline import build_router
    from knowledge.base import load_knowledge_base

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", default=["routing_dev.jsonl", "routing_tune.jsonl"])
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    router = build_router(settings, load_knowledge_base(settings.kb_dir))
    rows = [row for name in args.files for row in read_routing_file(REPO_ROOT / "eval" / "data" / name)]
    pairs = []
    for row in rows:
        result = router.route(row.query)
        pairs.append((result.confidence, bool(result.candidates) and result.candidates[0].id in row.expected))
    print(f"{len(rows)} messages ({', '.join(args.files)}): top candidate right, by confidence")
    for low, high, n, right in bins(pairs):
        print(f"  {low:.1f}–{high:.1f}: {right:4d} of {n:4d}" + (f"  ({right / n:.0%})" if n else ""))


if __name__ == "__main__":
    main()
