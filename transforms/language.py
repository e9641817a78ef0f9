"""The language a document is written in, as an ISO 639-1 code.

py3langid (langid.py's maintained fork, also trafilatura's language identifier) reads the
body; a page's own declaration (`<html lang>`, `content-language`, `og:locale`) is evidence
too. Templates often declare a site-wide language that a story does not use, so the body
decides when it is long and clear enough, and the declaration when the body is short or the
model is unsure, or when the model gives the declared language a fair chance. Filler text
(lorem ipsum) reads as Latin: that guess never stands on its own (``data/languages.json``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from itertools import islice
from typing import Any

from lxml.html import HtmlElement

# Below this many letters a text is too short for the model alone.
_MIN_LETTERS = 40
# The model's normalized probability from which its first choice is trusted over a page's
# declaration, and the share a declared language needs to be kept anyway.
_CONFIDENT = 0.9
_DECLARED_FAIR = 0.05
_MAX_CHARS = 5000
_CODE = re.compile(r"^\s*([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*\s*$")
_LETTER = re.compile(r"[^\W\d_]")
_DECLARING = ("content-language", "og:locale", "language", "dc.language")


@cache
def _identifier() -> Any:
    """py3langid's identifier, its feature counting done by `transforms.ngram_walk` (the
    same counts, in the same order, without the byte-by-byte Python loop) and its model's
    feature weights held as float32 (28 MB more, shared by the workers forked warm)."""
    import numpy as np
    from py3langid.langid import MODEL_FILE, RAW_FLOOR, LanguageIdentifier

    from transforms.ngram_walk import FeatureWalk

    class Identifier(LanguageIdentifier):
        """`_raw_score` as py3langid's (visit counts, then `_sparse_score`), counted at once."""

        nb_ptc: Any  # the model's feature weights, one row per feature

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            try:
                self.walk: FeatureWalk | None = FeatureWalk(
                    self.tk_nextmove, self._rowbase, self.tk_output
                )
            except ValueError:  # a model of another shape: py3langid's own walk, slower
                self.walk = None
            if self.walk is not None:
                # The float16 rows a text's features gather were widened to float32 by every
                # product (a copy of each row, every call); widened once, the product is the
                # same float32 one, on the same values, bit for bit.
                self.nb_ptc = self.nb_ptc.astype(np.float32)

        def _raw_score(self, text: bytes) -> Any:
            if self.walk is None:
                return super()._raw_score(text)
            found = self.walk.counts(text)
            if found is None:  # featureless input, as py3langid scores it
                fill = 0.0 if self._norm_probs else RAW_FLOOR
                return np.full(len(self.nb_classes), fill, dtype=np.float32)
            features, counts = found
            return np.log1p(counts) @ self.nb_ptc[features] + self.nb_pc

        def best(self, text: str) -> tuple[str, float]:
            """`rank(text)[0]` without ranking every language: the first highest score
            (an aliased label's merged score sits at its first column, its other column
            zeroed), as `rank`'s stable sort puts first among equal scores."""
            scores = self._decide(text)
            i = int(scores.argmax())
            return self.nb_classes[i], float(scores[i])

    return Identifier.from_model_file(MODEL_FILE, norm_probs=True)


@cache
def _placeholder_languages() -> frozenset[str]:
    text = resources.files("transforms").joinpath("data", "languages.json").read_text("utf-8")
    return frozenset(json.loads(text)["placeholder"])


def iso_code(value: str | None) -> str | None:
    """"en-US", "pt_BR", "DE" -> "en", "pt", "de"; None for anything else."""
    m = _CODE.match(value or "")
    return m.group(1).lower() if m else None


def declared_language(tree: HtmlElement) -> str | None:
    """The language a page declares for itself, most specific declaration first."""
    for value in (tree.get("lang"), tree.get("xml:lang")):
        if code := iso_code(value):
            return code
    for meta in tree.iter("meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        content = (meta.get("content") or "").split(",")[0]
        if key in _DECLARING and (code := iso_code(content)):
            return code
    return None


def detect_language(text: str, declared: str | None = None) -> str | None:
    """ISO 639-1 code of `text`, or None when neither the text nor a declaration tells."""
    declared = iso_code(declared)
    sample = text[:_MAX_CHARS]
    if len(list(islice(_LETTER.finditer(sample), _MIN_LETTERS))) < _MIN_LETTERS:  # count to 40
        return declared
    if declared is None:  # only the first language counts: no ranking of the rest
        top, probability = _identifier().best(sample)
        if top in _placeholder_languages():
            return None  # filler text, and nothing declared
        return str(top) if probability >= _CONFIDENT / 2 else None
    ranked = _identifier().rank(sample)
    top, probability = ranked[0]
    if top in _placeholder_languages() and declared != top:
        return declared  # filler text, not the page's language
    if declared == top:
        return declared
    chances = dict(ranked)
    if probability < _CONFIDENT or chances.get(declared, 0.0) >= _DECLARED_FAIR:
        return declared
    return str(top)
