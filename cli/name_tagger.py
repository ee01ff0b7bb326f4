"""`govassist train-name-tagger`: train the character CRF that finds personal names in free text
(assistant/privacy/name_tagger.py) from a corpus labelled one character a line (`字 B-PER`, BMES or BIO over
PER/LOC/ORG, a blank line between sentences), such as the MSRA NER training split."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import yaml

from assistant.privacy.name_tagger import MODEL, features, known_lists, spans_of

TEMPLATES = Path(__file__).resolve().parents[1] / "assistant" / "data" / "name_tagger_training.yaml"


def read_corpus(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(sentence, BMES labels) for each sentence of a one-character-a-line corpus; BIO is turned into BMES."""
    chars: list[str] = []
    labels: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) >= 2:
                chars.append(parts[0])
                labels.append(parts[-1])
                continue
            if chars:
                yield "".join(chars), _bmes(labels)
            chars, labels = [], []
    if chars:
        yield "".join(chars), _bmes(labels)


def _bmes(labels: list[str]) -> list[str]:
    if any(label[:2] in ("E-", "M-", "S-") for label in labels):
        return labels  # already BMES
    out = []
    for i, label in enumerate(labels):
        tag, _, kind = label.partition("-")
        if tag in ("I", "B") and kind:
            nxt = labels[i + 1] if i + 1 < len(labels) else "O"
            continues = nxt == f"I-{kind}"
            tag = ("B" if continues else "S") if tag == "B" else ("M" if continues else "E")
        out.append(f"{tag}-{kind}" if kind else "O")
    return out


class NameMaker:
    """Random personal names from the surname list and the given-name characters (rare surnames as often
    as common ones), and ordinary words that begin with a surname character, from jieba's dictionary."""

    def __init__(self, seed: int) -> None:
        lists = known_lists()
        self.rng = random.Random(seed)
        self.surnames = sorted(lists.surnames)
        self.compound = sorted(lists.compound)
        self.given = sorted(lists.given)
        self._words: list[str] | None = None

    def name(self) -> str:
        surname = self.rng.choice(self.compound if self.rng.random() < 0.1 else self.surnames)
        return surname + "".join(self.rng.choice(self.given) for _ in range(self.rng.choice((1, 2, 2))))

    def word(self) -> str:
        if self._words is None:
            import jieba

            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            surnames = set(self.surnames)
            with tokenizer.get_dict_file() as lines:
                rows = [line.decode("utf-8").split() for line in lines]
            self._words = sorted(w for w, freq, tag in rows if 2 <= len(w) <= 3 and w[0] in surnames
                                 and not tag.startswith("nr") and int(freq) >= 300)
        return self.rng.choice(self._words)


def _labelled(template: str, fill: dict[str, Callable[[], str]]) -> tuple[str, list[str]]:
    text, labels, i = "", [], 0
    while i < len(template):
        slot = template[i:i + 3]
        if slot in ("{N}", "{W}"):
            value = fill[slot]()
            text += value
            labels += ["O"] * len(value) if slot == "{W}" else \
                ["B-PER", *["M-PER"] * (len(value) - 2), "E-PER"]
            i += 3
        else:
            text += template[i]
            labels.append("O")
            i += 1
    return text, labels


def synthetic(count: int, seed: int = 19) -> Iterator[tuple[str, list[str]]]:
    """`count` sentences from the templates of name_tagger_training.yaml, with their BMES labels."""
    raw = yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))
    maker = NameMaker(seed)
    fill = {"{N}": maker.name, "{W}": maker.word}
    templates = raw["with_name"] + raw["without_name"]
    for _ in range(count):
        yield _labelled(maker.rng.choice(templates), fill)


def respelt(text: str, labels: list[str], maker: NameMaker) -> tuple[str, list[str]]:
    """The sentence with each personal name that begins with a listed surname replaced by a random one."""
    out_text, out_labels, at = "", [], 0
    for start, end in spans_of(labels):
        if not 2 <= end - start <= 4 or text[start] not in maker.surnames:
            continue
        name = maker.name()
        out_text += text[at:start] + name
        out_labels += [*labels[at:start], "B-PER", *(["M-PER"] * (len(name) - 2)), "E-PER"]
        at = end
    return out_text + text[at:], out_labels + labels[at:]


def _xy(text: str, labels: list[str]) -> tuple[list[list[str]], list[str]]:
    return features(text), labels


@click.command("train-name-tagger")
@click.option("--corpus", "corpora", type=click.Path(exists=True, dir_okay=False, path_type=Path), multiple=True,
              help="A labelled corpus, one character and its label a line (may be repeated). The shipped weights "
              "use none: the template sentences alone (see docs/BENCHMARKS.md on the licence of public corpora).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=MODEL, show_default=True)
@click.option("--synthetic", "synthetic_count", default=20000, show_default=True,
              help="Also this many sentences made from assistant/data/name_tagger_training.yaml.")
@click.option("--respell", default=0.5, show_default=True,
              help="Share of corpus sentences also added with their names replaced by random names.")
@click.option("--iterations", default=60, show_default=True)
@click.option("--c1", default=0.5, show_default=True, help="L1 weight: higher keeps fewer features (a smaller file).")
@click.option("--c2", default=0.01, show_default=True)
@click.option("--verbose", is_flag=True, help="Print crfsuite's progress, one block an iteration.")
def train_name_tagger(corpora: tuple[Path, ...], out: Path, synthetic_count: int, respell: float, iterations: int,
                      c1: float, c2: float, verbose: bool) -> None:
    """Train the name tagger's CRF weights (assistant/data/name_tagger.crfsuite)."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=verbose)
    sentences = 0
    maker = NameMaker(seed=7)
    for corpus in corpora:
        for text, labels in read_corpus(corpus):
            trainer.append(features(text), labels)
            sentences += 1
            if "B-PER" in labels and maker.rng.random() < respell:
                trainer.append(*_xy(*respelt(text, labels, maker)))
                sentences += 1
    for text, labels in synthetic(synthetic_count):
        trainer.append(*_xy(text, labels))
        sentences += 1
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": iterations, "feature.minfreq": 2,
                        "feature.possible_transitions": True})
    start = time.perf_counter()
    trainer.train(str(out))
    click.echo(f"{sentences} sentences, {time.perf_counter() - start:.0f} s: {out} "
               f"({out.stat().st_size / 2**20:.1f} MiB)")
