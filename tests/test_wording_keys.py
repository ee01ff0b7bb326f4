"""Every message key the code asks for is worded in a data file, and every key a data file words is
asked for somewhere.

Read statically: the code is parsed, never run. A key is asked for by a call that names it as a string
literal (`t.say("consent")`, `refuse(404, "handoff_taken")`, `VoiceInputError("audio_empty")`); a key is
used when it appears as a string literal in the modules that read its file. The few keys built while
the code runs are listed below, each with the reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Asker:
    """Calls that ask a wording for a key: to a function or method of this `name`, the key being the
    string literal at `arg` (and, for a file of topics, the topic at `arg - 1`)."""
    name: str
    arg: int = 0


@dataclass(frozen=True)
class Wording:
    file: str  # relative to the repository root
    section: tuple[str, ...]  # where the keys sit inside the file (empty: at the top)
    readers: tuple[str, ...]  # the modules (or folders) that word from it
    askers: tuple[Asker, ...]
    topics: bool = False  # keys are topic -> key (intents' slot messages)
    built: dict[str, str] = field(default_factory=dict)  # keys (or a prefix ending in "_") made at run time -> why

    def keys(self) -> set[str]:
        data: Any = _yaml(self.file)
        for part in self.section:
            data = data[part]
        if self.topics:
            return {f"{topic}.{key}" for topic, keys in data.items() for key in keys}
        return set(data)

    def modules(self) -> list[Path]:
        return [p for r in self.readers for p in ([ROOT / r] if r.endswith(".py") else sorted((ROOT / r).rglob("*.py")))]


# The assistant's own `say` in the copilot's modules words from copilot.yaml, not messages.yaml.
COPILOT_SCRIPT = ("assistant/copilot/script.py", "assistant/copilot/summary.py")

WORDINGS = {
    "assistant messages": Wording(
        "assistant/data/messages.yaml", (), ("assistant", "web", "voice"),
        (Asker("say"), Asker("Said")),
        built={
            **{f"chat_{kind}{where}": "chat_{kind}(_in_form): the kind of small talk (intents/data/smalltalk.yaml)"
               for kind in ("greeting", "thanks", "identity") for where in ("", "_in_form")},
            "foreign_": "foreign_{language}: the language the message was written in (intents' language check)",
            **{f"handoff_{outcome}": "handoff_{outcome}: how an agent ended a 转人工"
               for outcome in ("returned", "workorder", "on_behalf")},
        }),
    "copilot script": Wording("assistant/data/copilot.yaml", ("script",), ("assistant/copilot/script.py",), (Asker("say"),),
                              built={f"ask_{point}": "ask_{point}: the first point of the call still missing"
                                     for point in ("name", "phone", "what", "when", "where")}),
    "copilot summary": Wording("assistant/data/copilot.yaml", ("summary",), ("assistant/copilot/summary.py",), (Asker("say"),),
                               built={k: "the summary's parts, named by the point they word (a loop over the points)"
                                      for k in ("what", "where", "when", "content", "want", "joiner", "end")}),
    "copilot dispatch": Wording("assistant/data/copilot.yaml", ("dispatch", "reasons"), ("assistant", "web"), (Asker("reasons"),)),
    "slot values": Wording("intents/data/slot_values.yaml", ("messages",), ("intents",), (Asker("say", 1),), topics=True,
                           built={f"{t}.{k}": "number and money share one check, the topic passed in"
                                  for t in ("number", "money") for k in ("range", "below", "above")}),
    "voice errors": Wording("voice/data/messages.yaml", (), ("voice", "web"),
                            tuple(Asker(n) for n in ("VoiceError", "VoiceInputError", "VoiceUnavailable", "SpeechUnavailable"))),
    "endpoint refusals": Wording("web/data/refusals.yaml", (), ("web",), (Asker("refuse", 1), Asker("refused_error"))),
    "request refusals": Wording("web/data/request_errors.yaml", (), ("web",), (Asker("refusal"),)),
    "request refusal reasons": Wording(
        "web/data/request_errors.yaml", ("invalid_request_because",), ("web",), (),
        built={"missing": "pydantic's error type", "extra_forbidden": "pydantic's error type",
               "string_too_long": "pydantic's error type", "string_too_short": "pydantic's error type",
               "string_pattern_mismatch": "pydantic's error type",
               "blank": "the error type of web.models' blank-text check (a PydanticCustomError)"}),
    "admin refusals": Wording("web/data/admin_errors.yaml", (), ("web/admin_kb_api.py", "knowledge", "assistant"),
                              (Asker("EditRefused"), Asker("refused"))),
    "case lookup": Wording("web/data/case_lookup.yaml", (), ("web",), ()),
    "staff sign-in": Wording("web/data/staff_login.yaml", (), ("assistant/staff/accounts.py", "web"), (Asker("LoginRefused"),)),
    "knowledge-base edits": Wording("assistant/data/kb_edits.yaml", (), ("assistant/insight/kb_edits.py",), (),
                                    built={k: "an edit's action or kind, by its value (test_kb_edit_wording_...)"
                                           for k in ("add", "remove", "alias", "utterance", "faq", "out_of_scope")}),
    "command line": Wording("cli/data/wording.yaml", (), ("cli",), (Asker("say"), Asker("cli_wording"))),
    "analytics refusals": Wording("web/data/analytics.yaml", ("errors",), ("assistant/insight/analytics_models.py", "web"),
                                  (Asker("BadRange"),)),
}


@cache
def _yaml(file: str) -> Any:
    return yaml.safe_load((ROOT / file).read_text(encoding="utf-8"))


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _literals(path: Path) -> set[str]:
    return {n.value for n in ast.walk(_tree(path)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _callee(call: ast.Call) -> str | None:
    """The name called: `say` in say(…) and t.say(…); `cli_wording` in cli_wording()(…)."""
    f = call.func
    if isinstance(f, ast.Call):
        return _callee(f)
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _asked(wording: Wording, path: Path) -> Iterator[tuple[str, int]]:
    """(key, line) of every call in `path` that asks `wording` for a literal key."""
    if wording.file != "assistant/data/copilot.yaml" and str(path.relative_to(ROOT)) in COPILOT_SCRIPT:
        return  # their `say` is the copilot's
    for call in (n for n in ast.walk(_tree(path)) if isinstance(n, ast.Call)):
        for asker in wording.askers:
            if _callee(call) != asker.name or len(call.args) <= asker.arg:
                continue
            key = _literal(call.args[asker.arg])
            if wording.topics:
                topic = _literal(call.args[asker.arg - 1])
                if key is not None and topic is not None:
                    yield f"{topic}.{key}", call.lineno
            elif key is not None:
                yield key, call.lineno


def _is_built(wording: Wording, key: str) -> bool:
    return key in wording.built or any(p.endswith("_") and key.startswith(p) for p in wording.built)


@pytest.mark.parametrize("name", WORDINGS)
def test_every_key_the_code_asks_for_is_worded(name: str) -> None:
    wording = WORDINGS[name]
    keys = wording.keys()
    missing = [f"{p.relative_to(ROOT)}:{line} {key}" for p in wording.modules() for key, line in _asked(wording, p)
               if key not in keys]
    assert not missing, f"asked of {wording.file} but not worded there: {missing}"


@pytest.mark.parametrize("name", WORDINGS)
def test_every_worded_key_is_used(name: str) -> None:
    wording = WORDINGS[name]
    literals = set().union(*(_literals(p) for p in wording.modules()))
    if wording.topics:
        unused = [k for k in wording.keys() if k.split(".", 1)[1] not in literals and not _is_built(wording, k)]
    else:
        unused = [k for k in wording.keys() if k not in literals and not _is_built(wording, k)]
    assert not unused, f"worded in {wording.file} but used by no code: {sorted(unused)}"


def test_built_keys_are_worded() -> None:
    """A key listed as built at run time is in its file, so the list cannot outlive the wording."""
    stale = [(name, key) for name, w in WORDINGS.items() for key in w.built
             if not (key in w.keys() or (key.endswith("_") and any(k.startswith(key) for k in w.keys())))]
    assert not stale


def test_kb_edit_wording_has_every_action_and_kind_of_an_edit() -> None:
    from knowledge.overlay import EditAction, EditKind

    assert WORDINGS["knowledge-base edits"].keys() == {a.value for a in EditAction} | {k.value for k in EditKind}


def test_elder_forms_shorten_existing_messages() -> None:
    """Every 长辈模式 short form replaces a message that exists."""
    assert set(_yaml("assistant/data/messages_elder.yaml")) <= WORDINGS["assistant messages"].keys()


def test_a_code_reads_the_same_wherever_it_is_refused() -> None:
    """One refusal code, one wording, unless the key names the place (`code.place`) on purpose."""
    refusals = _yaml("web/data/refusals.yaml")
    by_message: dict[str, list[str]] = {}
    for key, message in refusals.items():
        by_message.setdefault(message, []).append(key)
    assert all(len(keys) == 1 for keys in by_message.values())
    assert refusals["session_not_found"] == "这次对话已经结束或不存在，请重新开始。"
