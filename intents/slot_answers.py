"""Answers picked from what the question offers: yes or no, one of the choices, which materials.

These read words, not formats: the word lists are in intents/data/slot_values.yaml.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from intents.slot_text import Invalid, Value, alternation, clauses, is_question, prepare, slot_words, strip_fillers
from knowledge.models import Choice, Material

_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)} | {"两": 2}
# A choice word right after one of these is being refused ("不要邮寄").
_NEGATED_BEFORE = re.compile(r"(?:不|别|没|不要|不用|不想)\s*$")
_BRACKETED = re.compile(r"（[^）]*）|\([^)]*\)")
# Materials named by their number in the list: 1、2、4 or 一、二、四.
_CN_DIGIT = "[一二三四五六七八九十]"
_POSITIONS = re.compile(rf"(?<!\d)\d{{1,3}}(?!\d)|(?<!{_CN_DIGIT}){_CN_DIGIT}(?!{_CN_DIGIT})")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


# -- yes / no ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _yes_no_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], dict[str, str]]:
    words = slot_words().yes_no
    verdicts = {w: "yes" for w in words["positive"]} | {w: "no" for w in words["negative"]}
    particles = re.escape(slot_words().trailing_particles)
    single = {c: "yes" for c in words["single_positive"]} | {c: "no" for c in words["single_negative"]}
    verdicts |= single
    lead = re.compile(rf"^(?:{alternation(words['lead_ins'])})+")
    opening = re.compile(alternation(set(words["positive"]) | set(words["negative"])))
    # A one-character answer counts only alone or repeated ("对对对"): 有 in 有点问题 is no answer.
    alone = re.compile(rf"^([{''.join(single)}])\1*[{particles}]*$")
    return lead, opening, alone, verdicts


def yes_no_of(text: str) -> str | None:
    """"yes", "no" or None. A refusal anywhere wins ("好的，不用了" is no)."""
    words = slot_words().yes_no
    text = prepare(text).lower()
    if not text or is_question(text):
        return None
    lead, opening, alone, verdicts = _yes_no_patterns()
    verdict = None
    for start, end in clauses(text):
        clause = lead.sub("", text[start:end]) or text[start:end]
        if clause.startswith(words["unsure"]):
            continue
        found = opening.match(clause) or alone.match(clause)
        if found is None:
            continue
        said = verdicts[found.group(1) if found.re is alone else found.group(0)]
        if said == "no":
            return "no"
        verdict = said
    return verdict


def parse_yes_no(text: str) -> Value | None:
    verdict = yes_no_of(text)
    return None if verdict is None else Value(verdict, slot_words().display[verdict])


# -- choices -------------------------------------------------------------------------------------


def _ordinal(text: str) -> int | None:
    """A position said instead of a choice: "2", "二", "第一个", "选2"."""
    cues = alternation(slot_words().ordinal_cues)
    number = r"(\d{1,2}|[一二三四五六七八九十两])"
    alone = re.fullmatch(rf"(?:{cues})?\s*{number}\s*(?:个|项|种|条|号)?", text)
    found = alone or re.search(rf"(?:第\s*{number}\s*(?:个|项|种|条))|(?:选\s*{number})", text)
    if found is None:
        return None
    token = next(g for g in found.groups() if g)
    return int(token) if token.isdigit() else _CN_DIGITS[token]


def _choice_hits(choices: Sequence[Choice], text: str) -> list[int]:
    """Indexes of the choices named in the text, longest words first, refused ones left out."""
    spans: list[tuple[int, int, int]] = []
    labels = [_fold(c.label) for c in choices]
    for index, choice in enumerate(choices):
        terms = {choice.value, choice.label, _BRACKETED.sub("", choice.label), *choice.synonyms}
        # The start of a label no other label starts with: 随母 for 随母落户.
        terms |= {labels[index][:k] for k in range(2, len(labels[index]))
                  if not any(other.startswith(labels[index][:k]) for other in labels if other != labels[index])}
        for term in {_fold(t) for t in terms if t}:
            spans += [(m.start(), m.end(), index) for m in re.finditer(re.escape(term), text)]
    # A word inside a longer word of another choice is part of that word (香港 in 香港和澳门).
    kept = [
        s for s in spans
        if not any(o[0] <= s[0] and s[1] <= o[1] and (o[1] - o[0]) > (s[1] - s[0]) for o in spans)
        and not _NEGATED_BEFORE.search(text[: s[0]])
    ]
    return sorted({index for _, _, index in kept})


def parse_choice(choices: Sequence[Choice], text: str) -> Value | Invalid | None:
    say = slot_words().say
    folded = _fold(prepare(text))
    body = strip_fillers(folded)
    position = _ordinal(body)
    if position is not None:
        if not 1 <= position <= len(choices):
            return Invalid(say("choice", "out_of_range", n=len(choices)))
        choice = choices[position - 1]
        return Value(choice.value, choice.label)
    hits = _choice_hits(choices, folded)
    if len(hits) == 1:
        choice = choices[hits[0]]
        return Value(choice.value, choice.label)
    if len(hits) > 1:
        options = "、".join(f"“{choices[i].label}”" for i in hits)
        return Invalid(say("choice", "ambiguous", options=options))
    return None


# -- materials -----------------------------------------------------------------------------------


def material_short_name(material: Material) -> str:
    return _BRACKETED.sub("", material.name).replace("《", "").replace("》", "").strip()


def _handles(materials: Sequence[Material]) -> dict[str, set[int]]:
    """Words that name a material: each part of its name and the tails of those parts (居民身份证,
    身份证). A word several materials share names the one where it is the main part of the name."""
    ranked: dict[str, dict[int, int]] = {}
    for index, material in enumerate(materials):
        main = material_short_name(material)
        aside = " ".join(a or b for a, b in re.findall(r"（([^）]*)）|\(([^)]*)\)", material.name))
        parts = [(p, 0 if i == 0 else 1) for i, p in enumerate(re.split(r"[及和或、，,；;/]", main))]
        parts += [(p, 2) for p in re.split(r"[及和或、，,；;/\s]", aside.replace("或", " "))]
        for part, rank in parts:
            part = part.strip()
            words = {part} if len(part) >= 2 else set()
            words |= {part[k:] for k in range(len(part) - 2)}
            for word in words:
                best = ranked.setdefault(word, {})
                best[index] = min(rank, best.get(index, rank))
    handles = {}
    for word, by_index in ranked.items():
        top = min(by_index.values())
        handles[word] = {i for i, r in by_index.items() if r == top}
    return handles


def _blank(text: str, pattern: str) -> tuple[str, bool]:
    """The text with every match of the pattern replaced by spaces (positions kept), and whether any."""
    if not pattern:
        return text, False
    found = False

    def blank(match: re.Match[str]) -> str:
        nonlocal found
        found = True
        return " " * len(match.group(0))

    return re.sub(pattern, blank, text), found


def parse_materials(text: str, materials: Sequence[Material]) -> Value | Invalid | None:
    """Which materials the person has: all, none, by number, by name, or all except some."""
    words = slot_words()
    vocab = words.materials
    text = prepare(text)
    if is_question(text):
        return None
    aliases = vocab["aliases"]
    text = re.sub(alternation(aliases), lambda m: aliases[m.group(0)], text)
    text, none_said = _blank(text, alternation(vocab["none"]))
    text, all_said = _blank(text, alternation(vocab["all"]))
    handles = _handles(materials)
    mentions: list[tuple[int, int, set[int]]] = []
    if handles:
        mentions += [(m.start(), m.end(), handles[m.group(0)]) for m in re.finditer(alternation(handles), text)]
    named = list(mentions)
    for m in _POSITIONS.finditer(text):
        if any(s < m.end() and m.start() < e for s, e, _ in named):
            continue  # a digit inside a material's own name ("2寸照片")
        token = m.group(0)
        numbers = [int(token)] if token.isdigit() else [_CN_DIGITS[token]]
        # "124" for a short list is 1, 2 and 4 said without pauses.
        if token.isdigit() and int(token) > len(materials) and all(0 < int(c) <= len(materials) for c in token):
            numbers = [int(c) for c in token]
        if any(not 1 <= n <= len(materials) for n in numbers):
            return Invalid(words.say("materials", "out_of_range", n=len(materials)))
        mentions.append((m.start(), m.end(), {n - 1 for n in numbers}))
    before = re.compile(rf"(?:{alternation(vocab['lacking_before'])})")
    after = re.compile(rf"^\s*[还都也]?(?:{alternation(vocab['lacking_after'])})")
    have: set[int] = set()
    lack: set[int] = set()
    for start, end, indexes in mentions:
        clause_start = max((s for s, _ in clauses(text) if s <= start), default=0)
        lacking = before.search(text[clause_start:start]) or after.match(text[end:])
        (lack if lacking else have).update(indexes)
    everything = set(range(len(materials)))
    if none_said and not have:
        chosen: set[int] = set()
    elif all_said or (lack and not have):
        chosen = everything - lack
    elif have:
        chosen = have - lack
    else:
        return None
    return Value(json.dumps(sorted(chosen)), _materials_display(chosen, materials))


def _materials_display(chosen: set[int], materials: Sequence[Material]) -> str:
    display = slot_words().display
    if len(chosen) == len(materials):
        return display["materials_all"]
    if not chosen:
        return display["materials_none"]
    names = "、".join(material_short_name(materials[i]) for i in sorted(chosen))
    return display["materials_some"].format(names=names)


def named_choice(choices: Sequence[Choice], text: str) -> Choice | None:
    """The one choice a sentence names in passing ("我的社保卡丢了" names 丢了), or None when it names
    none or several. Unlike an answer, a position (第一次) never picks a choice here."""
    hits = _choice_hits(choices, _fold(prepare(text)))
    return choices[hits[0]] if len(hits) == 1 else None
