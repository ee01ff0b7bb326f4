"""Train the embedded default encoder from the knowledge base itself.

Pairs come from the knowledge base only: how people ask (utterances, aliases, FAQ questions) paired
with what they ask for (the service's card), utterances paired with each other, and policy sections
paired with their own headings and sentences (an inverse-cloze task). A contrastive loss with
in-batch negatives (as sentence-transformers' MultipleNegativesRankingLoss) pulls each pair together.
Training is seeded and single-process, so the same knowledge base gives the same model.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from intents.ngrams import build_vocab
from knowledge.base import KnowledgeBase
from knowledge.models import Bundle, Service

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TrainConfig:
    embedding_dim: int = 256
    ngram_sizes: tuple[int, ...] = (1, 2, 3)
    num_buckets: int = 20_000
    epochs: int = 20
    batch_size: int = 96
    learning_rate: float = 0.005
    scale: float = 20.0
    seed: int = 13


@dataclass(frozen=True)
class Pair:
    anchor: str
    positive: str
    group: str  # pairs of one group are never in-batch negatives of each other


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[。；;！？!?\n]", text) if len(s) >= 8]


def training_pairs(kb: KnowledgeBase, normalise: Callable[[str], str], out_of_scope: list[str]) -> list[Pair]:
    # Out-of-scope examples pull together, away from every service: a place for "none" to be near.
    pairs: list[Pair] = [Pair(a, b, "none") for a, b in zip(out_of_scope, out_of_scope[1:] + out_of_scope[:1])]
    guides: list[Service | Bundle] = [*kb.services.values(), *kb.bundles.values()]
    for item in guides:
        card = f"{item.name}；{'；'.join(item.aliases)}；{item.summary}"
        asks = [*item.utterances, *item.aliases, item.name, *(f.q for f in item.faq)]
        pairs += [Pair(a, card, item.id) for a in asks]
        utterances = list(item.utterances)
        pairs += [Pair(a, b, item.id) for a, b in zip(utterances, utterances[1:] + utterances[:1])]
        pairs += [Pair(f.q, f"{f.q} {f.a}", item.id) for f in item.faq]
    for policy in kb.policies.values():
        for section in policy.sections:
            group = f"{policy.id}#{section.id}"
            body = f"{policy.title} {section.heading} {section.text}"
            pairs.append(Pair(f"{policy.title} {section.heading}", body, group))
            pairs += [Pair(s, body, group) for s in _sentences(section.text)[:4]]
    return [Pair(normalise(p.anchor), normalise(p.positive), p.group) for p in pairs if p.anchor and p.positive]


def _batches(pairs: list[Pair], size: int, rng: random.Random) -> list[list[Pair]]:
    """Shuffle, then fill batches without repeating a group (no false negatives in a batch)."""
    pending = pairs[:]
    rng.shuffle(pending)
    batches: list[list[Pair]] = []
    while pending:
        batch: list[Pair] = []
        groups: set[str] = set()
        rest: list[Pair] = []
        for pair in pending:
            if len(batch) < size and pair.group not in groups:
                batch.append(pair)
                groups.add(pair.group)
            else:
                rest.append(pair)
        batches.append(batch)
        pending = rest
    return batches


def train_encoder(
    pairs: list[Pair], vocab_texts: list[str], output: Path, config: TrainConfig = TrainConfig(), progress: Progress | None = None
) -> Path:
    import torch
    import torch.nn.functional as F
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules import Normalize

    from intents.ngram_embedding import NgramEmbedding  # torch: only when training, never when serving

    random.seed(config.seed)
    torch.manual_seed(config.seed)
    # Tiny embedding-bag steps: one thread is faster than two fighting over them, and reproducible.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    rng = random.Random(config.seed)

    module = NgramEmbedding(
        build_vocab(vocab_texts, config.ngram_sizes),
        embedding_dim=config.embedding_dim,
        ngram_sizes=config.ngram_sizes,
        num_buckets=config.num_buckets,
    )
    nn_init = torch.Generator().manual_seed(config.seed)
    with torch.no_grad():
        module.embedding.weight.normal_(0.0, 0.1, generator=nn_init)
    # Each batch touches a few thousand of the ~100k n-gram rows: sparse gradients update only those.
    module.embedding.sparse = True
    optimizer = torch.optim.SparseAdam(list(module.parameters()), lr=config.learning_rate)

    def embed(texts: list[str]) -> torch.Tensor:
        return F.normalize(module(module.preprocess(texts))["sentence_embedding"], dim=-1)

    plan = [_batches(pairs, config.batch_size, rng) for _ in range(config.epochs)]
    total = sum(len(b) for b in plan)
    done = 0
    module.train()
    for epoch_batches in plan:
        for batch in epoch_batches:
            anchors = embed([p.anchor for p in batch])
            positives = embed([p.positive for p in batch])
            logits = anchors @ positives.T * config.scale
            labels = torch.arange(len(batch))
            loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            done += 1
            if progress:
                progress(done, total)
    module.eval()
    module.embedding.sparse = False
    torch.set_num_threads(threads)
    model = SentenceTransformer(modules=[module, Normalize()], device="cpu")
    output.mkdir(parents=True, exist_ok=True)
    model.save(str(output))
    (output / "govassist_train.json").write_text(
        json.dumps({"config": asdict(config), "pairs": len(pairs)}, ensure_ascii=False), encoding="utf-8"
    )
    return output
