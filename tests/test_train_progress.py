"""Training shows how far it has got, also where stderr is no terminal (`make run` under make, CI logs)."""

from __future__ import annotations

from click.testing import CliRunner

import click

from cli.common import TrainBar


def test_off_a_terminal_training_says_each_tenth_once():
    @click.command()
    def run() -> None:
        bar = TrainBar()
        for done in range(1, 201):
            bar(done, 200)

    lines = CliRunner().invoke(run).output.splitlines()
    assert lines[0].startswith("training the default encoder")
    steps = [line for line in lines if line.startswith("train: ")]
    assert [s.split()[1] for s in steps] == [f"{p}%" for p in range(10, 101, 10)]
    assert steps[-1].startswith("train: 100% (200/200 steps, ")


def test_nothing_is_said_when_nothing_is_trained():
    @click.command()
    def run() -> None:
        TrainBar()

    assert CliRunner().invoke(run).output == ""
