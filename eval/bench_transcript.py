"""What the transcript kept for a reloaded page costs a turn: the CPU time to write a conversation's
state and read it back (to_document, JSON, from_document, the engine's deep copy) with no transcript and
with a full one (TRANSCRIPT_KEPT lines of `--chars` characters), and the stored document's size.
`python -m eval.bench_transcript [--chars N] [--rounds N]`; quoted in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import time

from assistant.dialogue.session import TRANSCRIPT_KEPT, Line, SessionState
from assistant.privacy.crypto import FieldCipher

CIPHER = FieldCipher([bytes(range(32))])


def cycle(state: SessionState) -> int:
    """One turn's storage work on `state`; the size of the stored document in bytes."""
    document = json.dumps(state.to_document(CIPHER.encrypt), ensure_ascii=False)
    SessionState.from_document(json.loads(document), CIPHER.decrypt).model_copy(deep=True)
    return len(document.encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chars", type=int, default=150, help="characters a line (default 150)")
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    text = ("社保卡怎么补办" * args.chars)[: args.chars]
    full = [Line(role="assistant" if i % 2 else "user", text=text, chips=["同意"]) for i in range(TRANSCRIPT_KEPT)]
    for label, lines in (("no transcript", []), (f"{TRANSCRIPT_KEPT} lines of {args.chars} characters", full)):
        state = SessionState(transcript=lines)
        started = time.process_time()
        for _ in range(args.rounds):
            size = cycle(state)
        print(f"{label}: {(time.process_time() - started) / args.rounds * 1000:.2f} ms CPU a turn, document {size:,} bytes")


if __name__ == "__main__":
    main()
