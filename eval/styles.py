"""The answering styles of the simulated citizen (eval/citizen.py), apart so the CLI can list them cheaply."""

from __future__ import annotations

from enum import Enum


class Style(str, Enum):
    """A way of answering the assistant's questions."""

    terse = "terse"  # the bare value
    chatty = "chatty"  # words around the value
    several = "several"  # every answer it can give, in one message, when asked the first question
    up_front = "up-front"  # name, ID number and phone in the first message, with the request
    correction = "correction"  # a wrong but valid value, corrected at the read-back
    question = "question"  # a question about the service once in the middle of the form
    dialect = "dialect"  # Cantonese, Southwest or Northeastern wording
    vague_date = "vague-date"  # 前几天 / 上个月初 / 大概三月份, the exact date when asked again
    chips = "chips"  # taps the offered quick reply whenever one fits
