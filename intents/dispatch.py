"""Which department a 12345 call goes to: a linear classifier learnt from the knowledge base and past
work orders.

Every service lends its name, aliases, keywords, summary, utterances and FAQ questions as examples
of its department (`dept`); past work orders, (text, dept) pairs, add theirs and may bring
departments the knowledge base does not name. Bundles span several departments and are left out.
Text is normalised as for routing, then read as TF-IDF over jieba words and character n-grams; a
multinomial logistic regression gives a probability for every department.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from intents.homophones import HomophoneRepair
from intents.lexical import JiebaTokenizer
from intents.normalise import Normaliser
from knowledge.base import KnowledgeBase
from knowledge.models import Service


@dataclass(frozen=True)
class DeptScore:
    dept: str
    confidence: float  # the model's probability that the call belongs to this department


@dataclass(frozen=True)
class DispatchConfig:
    c: float = 20.0  # inverse regularisation of the logistic regression
    char_ngrams: tuple[int, int] = (1, 3)
    # A past work order is a real call, closer to what is classified than a guide's wording.
    past_weight: float = 2.0


def service_examples(service: Service) -> list[str]:
    """The texts of one guide that say what its department handles."""
    return [
        service.name, service.summary, *service.aliases, *service.keywords, *service.utterances,
        *(f.q for f in service.faq),
    ]


def knowledge_examples(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(text, dept) for every service; bundles are left out, as they span departments."""
    return [(text, s.dept) for s in kb.services.values() for text in service_examples(s)]


def _vocabulary(kb: KnowledgeBase) -> list[str]:
    return [w for s in kb.services.values() for w in (s.name, *s.aliases, *s.keywords)]


class DispatchModel:
    def __init__(self, pipeline: Pipeline, normalise: Callable[[str], str]) -> None:
        self._pipeline = pipeline
        self._normalise = normalise

    @classmethod
    def train(
        cls,
        kb: KnowledgeBase,
        past: Sequence[tuple[str, str]] = (),
        normaliser: Callable[[str], str] | None = None,
        config: DispatchConfig = DispatchConfig(),
    ) -> DispatchModel:
        normalise = normaliser or Normaliser(repair=HomophoneRepair.from_kb(kb))
        own = knowledge_examples(kb)
        texts = [normalise(t) for t, _ in own] + [normalise(t) for t, _ in past]
        labels = [d for _, d in own] + [d for _, d in past]
        weights = np.array([1.0] * len(own) + [config.past_weight] * len(past))
        tokenizer = JiebaTokenizer(_vocabulary(kb))
        features = FeatureUnion([
            ("words", TfidfVectorizer(analyzer=tokenizer, sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char", ngram_range=config.char_ngrams, sublinear_tf=True)),
        ])
        classifier = LogisticRegression(C=config.c, solver="sag", max_iter=2000, class_weight="balanced")
        pipeline = Pipeline([("features", features), ("classifier", classifier)])
        pipeline.fit(texts, labels, classifier__sample_weight=weights)
        return cls(pipeline, normalise)

    @property
    def departments(self) -> list[str]:
        return [str(d) for d in self._pipeline.classes_]

    def scores(self, text: str) -> list[DeptScore]:
        """Every department with its probability, most likely first."""
        probabilities = self._pipeline.predict_proba([self._normalise(text)])[0]
        departments = self._pipeline.classes_
        return [DeptScore(str(departments[i]), float(probabilities[i])) for i in np.argsort(-probabilities, kind="stable")]

    def suggest(self, text: str, k: int = 3) -> list[DeptScore]:
        """The k most likely departments for a call, most likely first."""
        return self.scores(text)[:k]


def with_hint(scores: list[DeptScore], dept: str, weight: float) -> list[DeptScore]:
    """The scores moved towards a department another reader names (the router's top service's), by
    `weight` between 0 and 1, most likely first. A department the model does not know is ignored."""
    if weight <= 0 or dept not in {s.dept for s in scores}:
        return list(scores)
    moved = [DeptScore(s.dept, (1 - weight) * s.confidence + (weight if s.dept == dept else 0.0)) for s in scores]
    return sorted(moved, key=lambda s: -s.confidence)
