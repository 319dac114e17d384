"""What the bag-of-words classifiers see: stemmed English words, simplified Chinese characters.

Each token's ``NORM`` is set once per word type (a lexeme attribute, cached by the
vocabulary), so "retain", "retained" and "retaining" share one feature and traditional
characters (須, 應, 資) count as their simplified forms. ``regwatch.TextCatBOW.v1`` is
spaCy's ``TextCatBOW.v3`` reading ``NORM`` instead of ``ORTH``.
"""

from __future__ import annotations

import re
from functools import partial

from spacy.attrs import NORM
from spacy.language import Language
from spacy.ml.extract_ngrams import extract_ngrams
from spacy.strings import hash_string
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import (
    Logistic,
    Model,
    SparseLinear_v2,
    chain,
    resizable,
    softmax_activation,
    with_cpu,
)
from thinc.layers.resizable import resize_linear_weighted

_SUFFIXES = (
    "ational", "ations", "ation", "ments", "ment", "ities", "ity", "ings", "ing", "ions", "ion",
    "ness", "ies", "ied", "ers", "er", "ed", "es", "ly", "al", "s",
)  # fmt: skip
STEM_LENGTH = 6  # longer stems split word families apart more than they disambiguate
# Traditional → simplified for characters common in regulatory text.
_TRADITIONAL = (
    "須须應应當当資资產产虛虚擬拟數数據据個个錄录記记證证監监機机構构戶户賬账帳账號号訊讯電电郵邮網网"
    "絡络險险風风報报審审計计許许銷销廣广務务業业與与於于為为實实範范圍围違违規规禁禁護护"
    "權权義义責责負负關关體体員员會会並并從从發发況况時时間间對对這这該该進进處处理理們们"
    "類类項项動动價价領领導导頭头點点條条還还過过經经濟济貨货幣币錢钱銀银幫帮傳传輸输"
    "額额損损務务險险營营運运單单據据識识別别註注册册冊册確确認认經经紀纪託托買买賣卖"
    "轉转讓让約约統统準准則则規规劃划讀读寫写刪删除除臺台灣湾歐欧聯联國国際际稅税續续"
    "撥拨齊齐評评估估測测試试備备錄录檔档案案隱隐私私儲储存存盤盘碼码號号頁页連连線线"
    "職职紀纪擷撷滲渗盡尽詐诈騙骗鑑鉴察察礙碍團团彙汇匯汇屬属雙双驗验"
)
_SIMPLIFY = {_TRADITIONAL[i]: _TRADITIONAL[i + 1] for i in range(0, len(_TRADITIONAL) - 1, 2)}


def stem_en(word: str) -> str:
    """A crude suffix-stripping stem: enough to share features between word forms."""
    word = word.lower()
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:STEM_LENGTH]


def simplify_zh(text: str) -> str:
    """Traditional characters mapped to simplified ones; Latin text lowercased."""
    return "".join(_SIMPLIFY.get(char, char) for char in text).lower()


def light_tokenizer(nlp: Language) -> Tokenizer:
    """English words split off surrounding punctuation, no exceptions: what a bag of words
    needs, several times cheaper than the full rule set. Saved with the pipeline."""
    return Tokenizer(
        nlp.vocab,
        rules={},
        prefix_search=re.compile(r"""^[\[\("'“‘«]""").search,
        suffix_search=re.compile(r"""[\]\)"'”’».,;:!?%]$""").search,
        infix_finditer=re.compile(r"(?<=\w)[—–/](?=\w)").finditer,
    )


def install_norms(nlp: Language) -> None:
    """Make the vocabulary compute ``NORM`` with the language's stemmer."""
    nlp.vocab.lex_attr_getters[NORM] = simplify_zh if nlp.lang == "zh" else stem_en


@registry.architectures("regwatch.TextCatBOW.v1")
def build_norm_bow_classifier(
    exclusive_classes: bool,
    ngram_size: int,
    no_output_layer: bool,
    length: int = 2**16,
    nO: int | None = None,  # noqa: N803  (spaCy's dimension name)
    concepts: bool = False,
    concept_weight: float = 1.0,
) -> Model:
    """A sparse linear bag of n-grams over ``NORM`` (spaCy's TextCatBOW.v3 reads ``ORTH``)."""
    length = 2 ** (length - 1).bit_length()
    sparse_linear = SparseLinear_v2(nO=nO, length=length)
    fill_defaults = {"b": 0, "W": 0}
    output_layer = None
    if not no_output_layer:
        fill_defaults["b"] = -5000
        output_layer = softmax_activation() if exclusive_classes else Logistic()
    resizable_layer = resizable(
        sparse_linear, resize_layer=partial(resize_linear_weighted, fill_defaults=fill_defaults)
    )
    if concepts:
        ngrams = extract_ngrams_and_concepts(ngram_size, concept_weight)
    else:
        ngrams = extract_ngrams(ngram_size, attr=NORM)
    model = with_cpu(chain(ngrams, resizable_layer), sparse_linear.ops)
    if output_layer:
        model = chain(model, with_cpu(output_layer, output_layer.ops))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse_linear)
    model.attrs["multi_label"] = not exclusive_classes
    from spacy.ml.models.textcat import resize_and_set_ref

    model.attrs["resize_output"] = partial(resize_and_set_ref, resizable_layer=resizable_layer)
    return model


if not Doc.has_extension("term_hits"):
    Doc.set_extension("term_hits", default=None)  # set by the concept features, reused


def _concept_key(group: tuple[str, str]) -> int:
    return int(hash_string("regwatch.concept:{}:{}".format(*group)))


def extract_ngrams_and_concepts(ngram_size: int, concept_weight: float = 1.0) -> Model:
    """N-gram keys over ``NORM`` plus one key per topic whose keyword terms occur.

    The concept keys pool a topic's many terms into one feature, so evidence learned
    from one term ("KYC") carries over to another ("customer due diligence").
    """
    from obligations.nlp.keywords import term_hits

    ngrams = extract_ngrams(ngram_size, attr=NORM)
    concept_keys = {}

    cache_key = ("regwatch.bow_features", ngram_size, concept_weight)

    def features_of(model: Model, docs: list[Doc], is_train: bool) -> None:
        """Compute and keep on each doc its keys and values: the topic classifiers read
        the same features, so the second one reuses the first one's."""
        (keys, vals, lengths), _ = ngrams(docs, is_train)
        xp = model.ops.xp
        start = 0
        for doc, length in zip(docs, lengths.tolist(), strict=True):
            doc_keys, doc_vals = keys[start : start + length], vals[start : start + length]
            start += length
            hits = doc._.term_hits
            if hits is None:
                hits = doc._.term_hits = term_hits(doc.text)
            extra = [concept_keys.setdefault(g, _concept_key(g)) for g in hits]
            doc.user_data[cache_key] = (
                xp.concatenate([doc_keys, xp.asarray(extra, dtype=doc_keys.dtype)]),
                xp.concatenate([doc_vals, xp.asarray([concept_weight] * len(extra), dtype="f")]),
            )

    def forward(model: Model, docs, is_train: bool):
        missing = [doc for doc in docs if cache_key not in doc.user_data]
        if missing:
            features_of(model, missing, is_train)
        found = [doc.user_data[cache_key] for doc in docs]
        xp = model.ops.xp
        out = (
            xp.concatenate([keys for keys, _ in found]),
            xp.concatenate([vals for _, vals in found]).astype("f"),
            model.ops.asarray([len(keys) for keys, _ in found], dtype="int32"),
        )
        return out, lambda d_scores: []

    return Model("extract_ngrams_and_concepts", forward)


@registry.architectures("regwatch.TextCatBOW.v2")
def build_concept_bow_classifier(
    exclusive_classes: bool,
    ngram_size: int,
    no_output_layer: bool,
    length: int = 2**16,
    nO: int | None = None,  # noqa: N803  (spaCy's dimension name)
    concept_weight: float = 1.0,
) -> Model:
    """Like ``regwatch.TextCatBOW.v1``, plus topic concept features from the topic terms,
    each with the value ``concept_weight`` (a word n-gram counts 1 per occurrence)."""
    return build_norm_bow_classifier(
        exclusive_classes, ngram_size, no_output_layer, length, nO, True, concept_weight
    )


@registry.callbacks("regwatch.install_norms.v1")
def make_install_norms():  # -> Callable[[Language], Language]
    """``[nlp.after_creation]`` callback: stemmed norms from the moment the pipeline exists."""

    def after_creation(nlp: Language) -> Language:
        install_norms(nlp)
        return nlp

    return after_creation
