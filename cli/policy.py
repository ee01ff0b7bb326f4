"""`govassist policy …`: search a corpus of policy documents, and learn its weights from known questions."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
import numpy as np

from intents.pretrained import PretrainedUnavailable
from settings import Settings

ExistingFile = click.Path(path_type=Path, exists=True, dir_okay=False)
FOLDS = 5
# Signals left out unless named in --signals. known_prior: learned from NCPQA's training split, its weight
# came out negative (its organisers spread their questions over the documents, so a document already asked
# about is less likely to be asked about again there): a fact of how that set was written, not of people
# asking, so it is measured (--ablation) but not used by default.
NOT_BY_DEFAULT = frozenset({"known_prior"})
# The order `policy train --ablation` adds signals in: what the eval had before issue 18, then each new one.
ABLATION_ORDER = (
    "passage_bm25", "document_bm25", "trained_cosine", "known_bm25", "known_e5", "head_e5", "passage_e5",
    "place", "passage_bigrams", "known_prior",
)


def weights_file(settings: Settings) -> Path:
    """Where `govassist policy train` keeps the learned weights (read by `policy search` and `eval retrieval`)."""
    return settings.data_dir / "policy_search" / "weights.json"


def read_corpus(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as rows:
        return {row["docid"]: row["text"] for row in map(json.loads, rows) if row.get("text")}


def read_known(path: Path):
    from intents.policy_search import KnownQuestion

    if "test" in path.name:
        raise click.ClickException(f"{path.name}: a test split is for measuring, never for training or indexing as known questions")
    with path.open(encoding="utf-8") as rows:
        return [KnownQuestion(row["query"], row["docid"]) for row in map(json.loads, rows)]


def open_search(settings: Settings, corpus: dict[str, str], known: list, pretrained_on: bool = True, weights: dict | None = None):
    """The policy search over corpus with the settings' encoders (progress on stderr while the pretrained
    encoder reads passages it has not read before; its vectors are cached by text)."""
    from cli.common import load_kb
    from intents.lexical import JiebaTokenizer
    from intents.normalise import Normaliser
    from intents.pipeline import load_encoder, load_pretrained
    from intents.policy_search import PolicySearch

    normaliser = Normaliser()
    encoder = load_encoder(settings, load_kb(settings), normaliser)
    try:
        pretrained = load_pretrained(settings) if pretrained_on else None
    except PretrainedUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if pretrained is None:
        click.echo("policy search without the pretrained encoder (off by setting or option)", err=True)

    def progress(done: int, total: int) -> None:
        if done == total or done % 256 == 0:
            click.echo(f"  pretrained encoder: {done}/{total} new passages encoded", err=True)

    start = time.perf_counter()
    search = PolicySearch(
        corpus, normaliser, JiebaTokenizer(), encoder, pretrained, known, weights, settings.vectors_dir, progress,
    )
    click.echo(f"policy search ready in {time.perf_counter() - start:.1f} s: {', '.join(search.signals)}", err=True)
    return search


@click.group("policy")
def policy() -> None:
    """Policy documents: search them, learn the search's weights."""


@policy.command("train")
@click.option("--corpus", "corpus_path", type=ExistingFile, required=True, help="JSONL of {docid, text}.")
@click.option("--known", "known_path", type=ExistingFile, required=True, help="Training questions, JSONL of {query, docid}.")
@click.option("--no-pretrained", is_flag=True, help="Learn without the pretrained encoder's signals.")
@click.option("--signals", default=None, help="Comma-separated signals to learn weights for (the rest weigh 0); default all active.")
@click.option("--ablation", is_flag=True, help="Also report cross-validated recall of each signal alone and of each added in turn.")
@click.pass_obj
def train_policy(settings: Settings, corpus_path: Path, known_path: Path, no_pretrained: bool, signals: str | None,
                 ablation: bool) -> None:
    """Learn the signals' weights from known questions (out of fold), and report cross-validated recall."""
    from intents.policy_ranker import fold_features, fold_of, learn_weights, ranks, save_weights

    known = read_known(known_path)
    search = open_search(settings, read_corpus(corpus_path), known, not no_pretrained)
    active = [s for s in search.signals if (s not in NOT_BY_DEFAULT if signals is None else s in signals.split(","))]
    folds = fold_of(len(search.known), FOLDS)
    features, answers = fold_features(search, search.known, folds, search.known_vectors)  # their vectors, already made

    def cross_validated(chosen: list[str]) -> dict[str, float]:
        cv = np.concatenate([
            ranks(features[folds == f], answers[folds == f], learn_weights(features[folds != f], answers[folds != f], chosen))
            for f in range(FOLDS)
        ])
        return {"recall_at_1": round(float(np.mean(cv <= 1)), 4), "recall_at_10": round(float(np.mean(cv <= 10)), 4)}

    if ablation:
        order = [s for s in ABLATION_ORDER if s in search.signals]
        for title, chosen in [*((f"{s} alone", [s]) for s in order), *((f"+ {s}", order[: i + 1]) for i, s in enumerate(order))]:
            r = cross_validated(chosen)
            click.echo(f"  {title:<24} R@1 {r['recall_at_1']:.3f}  R@10 {r['recall_at_10']:.3f}")
    figures = cross_validated(active)
    weights = learn_weights(features, answers, active)
    save_weights(weights_file(settings), weights, {"known": known_path.name, "folds": FOLDS, "cross_validated": figures})
    click.echo(f"{len(search.known)} known questions, {FOLDS} folds: cross-validated R@1 {figures['recall_at_1']:.3f}"
               f"  R@10 {figures['recall_at_10']:.3f}")
    click.echo("weights: " + "  ".join(f"{k} {v:+.3f}" for k, v in weights.items()))
    click.echo(f"saved to {weights_file(settings)}")


@policy.command("search")
@click.option("--corpus", "corpus_path", type=ExistingFile, required=True, help="JSONL of {docid, text}.")
@click.option("--known", "known_path", type=ExistingFile, default=None, help="Questions known to be answered, JSONL of {query, docid}.")
@click.option("-k", "top", type=int, default=5, show_default=True)
@click.argument("question")
@click.pass_obj
def search_policy(settings: Settings, corpus_path: Path, known_path: Path | None, top: int, question: str) -> None:
    """The documents that best answer QUESTION, best first, each with its opening words."""
    from intents.policy_ranker import load_weights

    path = weights_file(settings)
    weights = load_weights(path) if path.is_file() else None
    corpus = read_corpus(corpus_path)
    search = open_search(settings, corpus, read_known(known_path) if known_path else [], weights=weights)
    for doc_id in search.rank(question, top):
        click.echo(f"{doc_id}  {corpus[doc_id][:60]}")

