"""The one type of a transition table: which states may follow each state.

The dialogue's states, an application's and a work order's statuses and a handoff case's states each
have one. The table is the specification: a change it does not list is refused by whoever moves the
state, and a table that names a state without giving it a row is refused when it is built.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import Generic, TypeVar

S = TypeVar("S", bound=Hashable)


class TransitionTable(Mapping[S, frozenset[S]], Generic[S]):
    """state -> the states that may follow it (an end state maps to the empty set)."""

    def __init__(self, rows: Mapping[S, Iterable[S]], states: Iterable[S] | None = None) -> None:
        """`states`: every state there is (an Enum class); each must have a row."""
        self._rows = {state: frozenset(targets) for state, targets in rows.items()}
        named = set(self._rows).union(*self._rows.values())
        if states is not None:
            named |= set(states)
        if missing := [s for s in named if s not in self._rows]:
            raise ValueError(f"transition table without a row for {missing}")

    def __getitem__(self, state: S) -> frozenset[S]:
        return self._rows[state]

    def __iter__(self) -> Iterator[S]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def allows(self, current: S, to: S) -> bool:
        return to in self._rows[current]

    def sources(self, to: S) -> frozenset[S]:
        """The states from which `to` may be reached."""
        return frozenset(s for s, targets in self._rows.items() if to in targets)
