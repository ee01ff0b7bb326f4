"""Chinese personal names and street addresses in free text (a chat message, a call transcript, a comment).

`find(text)` gives the spans to mask; `mask_names_and_addresses(text)` masks them: a name keeps its
first character (陈晓明 → 陈**), as assistant/privacy/masking.py shows names; an address keeps the divisions down
to the county and loses the street, estate, village and number (越秀区东风中路305号 → 越秀区****).

Names are found three ways, each checked against a list of common surnames and of characters usual in
given names (assistant/data/free_text_pii.yaml): after a cue (我叫, 来电人, 联系人, 跟…说, 我妈…),
before a title (…同志, …医生), and where jieba's dictionary tags a word as a person's name (`nr`) and
does not hold it as a common word (陈述, 黄金周 and 许可证 are tagged `nr` too). Addresses:
assistant/privacy/free_text_addresses.py.

jieba is loaded once, on the first message with Chinese in it (about 1.5 s); a message then costs
about 0.1 ms (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from assistant.privacy.free_text_addresses import find_addresses
from assistant.privacy.name_tagger import person_spans

_DATA = Path(__file__).resolve().parents[1] / "data" / "free_text_pii.yaml"
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A name never contains these: place and organisation endings (高新区, 林业局, 许可证, 黄金周).
_NOT_IN_NAME = re.compile(r"[区市县省局证周路街镇村厅院所处站校司部委会号楼室店厂场馆]")
# A word jieba's dictionary holds this often is a common word, not a citizen's name (陈述 763, 李子 348);
# a word tagged as a name with no cue before it may be more frequent (李娜 438), but not a common word (文明).
_COMMON_WORD_FREQ = 100
_COMMON_NAME_FREQ = 1000
# A name the tagger finds with no cue is left as it is when jieba's dictionary holds the word this often:
# public figures (袁隆平 44), brands (李宁 60), foods and things (杨梅 67, 刘海 65). Citizens' names are
# mostly absent from it or rare (周杰 0, 牛犇 3).
_KNOWN_WORD_FREQ = 20
# How sure the tagger must be of a name whose given-name characters are not all usual ones (一, 然, 凡
# are missing from the list; 卡 of 换张新卡 is no name's).
_SURE_OF_UNUSUAL = 0.75
# A name the tagger is this sure of stands even where jieba cuts a dictionary word across it (感谢谢天同志:
# jieba reads 感/谢谢/天).
_SURE = 0.95
# A word right before these is the name of a place (文明路, 中山路), not of a person.
_PLACE_AFTER = frozenset("路街巷道区市县镇乡村里")
_STRONG_CUES = frozenset({"我叫", "名字是", "名字叫", "名叫", "姓名是", "姓名", "叫做", "来电人", "联系人", "申请人",
                          "投诉人", "反映人", "举报人", "报案人", "当事人", "经办人", "代理人", "收件人", "户主", "本人",
                          "患者家属", "甲方", "乙方", "被投诉人", "被举报人", "监护人", "承租人", "出租人",
                          "我系", "俺叫"})
# Cues that say what someone is called: the word after them is a name even when it is also a word
# (我叫田野, 我叫安然, 来电人自称甘露), if the name ends there (a comma, a space, the end).
_IDENTITY_CUES = frozenset({"我叫", "名字是", "名字叫", "名叫", "姓名是", "姓名", "叫做", "自称", "我系", "俺叫"})
# Before 叫, words that make what follows a person's name (她叫婷婷, 我闺女叫思琪, 我们组长叫华山).
_CALLED = re.compile(r"(?:她|他|我|妈|爸|父亲|母亲|老公|老婆|丈夫|妻子|爱人|老伴|儿子|女儿|孩子|哥|姐|弟|妹|爷爷|奶奶|外公|外婆"
                     r"|姥姥|姥爷|公公|婆婆|岳父|岳母|邻居|闺女|女婿|儿媳|孙子|孙女|组长|队长|师傅|同事|同学|朋友|的)[，,]?$")
# What follows a name and says it is one: 是钭建平打来的, 常宏伟名下的公积金.
_BEFORE_NAME_WORDS = re.compile(r"打来的|打来电话|名下")
# Sounds a speaker makes between words (梓涵嗯那个): a name ends before them.
_FILLERS = frozenset("嗯呃啊哦噢")
# A word for a relative right before a name (她老公刘大勇).
_KIN_BEFORE = re.compile(r"(?:老公|老婆|丈夫|妻子|爱人|老伴|儿子|女儿|哥哥|弟弟|姐姐|妹妹|爸爸|妈妈|父亲|母亲)$")
# Between the names of a list (谢婉婷、梁家豪、宋雨桐).
_LIST_SEP = frozenset("、")
# What follows a name said first in a sentence, in a hotline note or when someone is addressed:
# 雷鸣来电称…, 吕梁是我侄子, 王芳你好. The name may be a word (雷鸣, 吕梁) and needs no cue before it.
_NAME_THEN = re.compile(r"来电|(?:你好|您好)(?=[，,。！!？?\s]|$)|是我(?:的)?(?:爸|妈|父亲|母亲|老公|老婆|丈夫|妻子|爱人|老伴|儿子|女儿|孩子|哥|姐|弟|妹"
                        r"|爷爷|奶奶|外公|外婆|姥姥|姥爷|公公|婆婆|岳父|岳母|邻居|闺女|女婿|儿媳|孙子|孙女|侄子|侄女|外甥"
                        r"|舅舅|叔叔|姑姑|阿姨|表哥|表姐|表弟|表妹|堂哥|堂姐|同事|同学|朋友|房东|租客|领导|徒弟|师傅)")
# A name written in Han characters with a middle dot between its parts (艾力江·买买提, a Uyghur name;
# a transliterated foreign name): a person's name wherever it stands.
_DOTTED_NAME = re.compile(r"[\u4e00-\u9fff]{2,6}[·•‧・][\u4e00-\u9fff]{2,8}")

Kind = Literal["name", "address"]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: Kind
    keep: int = 0  # characters at the start that stay readable (a name's surname character)


@dataclass(frozen=True)
class Token:
    """A word jieba cut, its part of speech (`un`: not in the dictionary) and where it starts."""

    word: str
    flag: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.word)


@dataclass(frozen=True)
class _Words:
    surnames: frozenset[str]
    compound: frozenset[str]
    compound_after_cue: frozenset[str]  # also common words (东方), so names only after a cue
    after_cue: frozenset[str]  # rarer surnames that are everyday characters (原, 曲, 解): names only after a cue
    cues: re.Pattern[str]
    stops: frozenset[str]
    given: frozenset[str]
    titles: re.Pattern[str]
    not_names: frozenset[str]
    place_names: frozenset[str]  # cities whose names begin with a surname character (唐山)
    transliterated: frozenset[str]  # characters of names with no surname (古丽娜尔, 扎西次仁)
    not_name_before: tuple[str, ...]  # 大厦, 银行, 季节: a tagger-only name before them is none


@lru_cache(maxsize=1)
def _words() -> _Words:
    raw = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    cues = sorted(set(raw["name_cues"].split() + raw["name_titles"].split()), key=len, reverse=True)
    return _Words(
        surnames=frozenset(re.sub(r"\s", "", raw["surnames"])),
        compound=frozenset(raw["compound_surnames"].split() + raw["compound_surnames_after_cue"].split()),
        compound_after_cue=frozenset(raw["compound_surnames_after_cue"].split()),
        after_cue=frozenset(re.sub(r"\s", "", raw["surnames_after_cue"])),
        cues=re.compile(rf"(?P<cue>{'|'.join(map(re.escape, cues))})(?:一下)?[：:是为\s]?"),
        stops=frozenset(re.sub(r"\s", "", raw["name_stops"])),
        given=frozenset(re.sub(r"\s", "", raw["given_name_chars"])),
        titles=re.compile("|".join(sorted(raw["name_titles"].split(), key=len, reverse=True))),
        not_names=frozenset(raw["not_names"].split()),
        place_names=frozenset(raw["place_names"].split()),
        transliterated=frozenset(re.sub(r"\s", "", raw["transliterated_name_chars"])),
        not_name_before=tuple(raw["not_name_before"].split()),
    )


@dataclass(frozen=True)
class _Jieba:
    tokenizer: Any
    tags: dict[str, str]  # a dictionary word's part of speech, where it is one of _TAGS_READ
    freq: dict[str, int]  # how often the dictionary saw it


# The parts of speech this module reads (names; verbs, prepositions, particles and the like, which end a
# name or a road's name); every other dictionary word is tagged `n`, which keeps the table small.
_TAGS_READ = ("nr", "v", "p", "u", "y", "c", "d", "r", "x", "w", "o", "e", "k", "z", "tg")


# The first turns of a new worker arrive together, one thread each: lru_cache alone lets every one of them
# build its own segmenter and table (about 85 MB each; 20 threads left a worker 1.1 GB larger for good).
_LOADING = threading.Lock()


def _jieba() -> _Jieba:
    with _LOADING:
        return _load_jieba()


@lru_cache(maxsize=1)
def _load_jieba() -> _Jieba:
    """jieba's word segmenter with its dictionary's counts and the parts of speech this module reads,
    loaded once. Words are cut with jieba's fast segmentation HMM and tagged from the dictionary; a
    word the dictionary does not hold (most citizens' names) is tagged `un`. jieba.posseg's HMM tagger
    would tag it too, but costs about ten times as much (mask_text runs on every turn), and importing
    it loads a second copy of the tag table and its HMM tables (about 100 MiB)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    tags: dict[str, str] = {}
    with tokenizer.get_dict_file() as lines:
        for line in lines:
            word, *_, tag = line.decode("utf-8").split()
            if tag.startswith(_TAGS_READ):
                tags[word] = sys.intern(tag)
    return _Jieba(tokenizer, tags, tokenizer.FREQ)


def _tokens(text: str) -> list[Token]:
    jb = _jieba()
    out, at = [], 0
    for word in jb.tokenizer.cut(text):
        if _CJK.match(word):
            flag = jb.tags.get(word) or ("n" if jb.freq.get(word) else "un")
        else:
            flag = "m" if word.isdigit() else "eng" if word.isascii() and word.isalpha() else "x"
        out.append(Token(word, flag, at))
        at += len(word)
    return out


def _surname_at(text: str, i: int) -> int:
    """Length of the surname that starts at i (2 for 欧阳, 1 for 陈), 0 when none does."""
    words = _words()
    if text[i:i + 2] in words.compound:
        return 2
    return 1 if i < len(text) and text[i] in words.surnames else 0


def _common(word: str, limit: int = _COMMON_WORD_FREQ) -> bool:
    return (_jieba().freq.get(word) or 0) >= limit


def _plausible(text: str, start: int, end: int, limit: int = _COMMON_WORD_FREQ) -> bool:
    word, sur = text[start:end], _surname_at(text, start)
    return (sur > 0 and 1 <= len(word) - sur <= 2 and all(_CJK.match(c) for c in word)
            and not _NOT_IN_NAME.search(word[sur:]) and not _words().titles.search(word[sur:])  # 王师傅 is no name
            and not _common(word, limit) and text[end:end + 1] not in _PLACE_AFTER)


def _name_ends(text: str, start: int, tokens: list[Token]) -> list[int]:
    """Where a name starting at `start` (with its surname) may end, best first: jieba's word when it
    has a name's length (or the surname jieba cut off, with the next word), then up to two characters
    that are not words a name cannot run into (诸葛亮 is a dictionary word, 诸葛亮明 a name)."""
    sur, ends, given = _surname_at(text, start), [], _words().given
    for i, t in enumerate(tokens):
        if t.start == start and sur < len(t.word) <= sur + 2:
            # 欧阳明/辉: jieba leaves the last character of a two-character given name on its own
            if len(t.word) == sur + 1 and i + 1 < len(tokens) and len(tokens[i + 1].word) == 1 \
                    and tokens[i + 1].word in given and tokens[i + 1].word not in _words().stops:
                ends.append(tokens[i + 1].end)
            ends.append(t.end)
        elif t.start == start and len(t.word) == sur and i + 1 < len(tokens):
            nxt = tokens[i + 1]
            if 1 <= len(nxt.word) <= 2 and all(_CJK.match(c) for c in nxt.word) and nxt.flag[0] not in "vpuycdr":
                ends.append(nxt.end)
    end, stops = start + sur, _words().stops
    while end < len(text) and end - start - sur < 2 and _CJK.match(text[end]) and text[end] not in stops:
        end += 1
    return [*ends, end]


def _cued_name_end(text: str, start: int, tokens: list[Token]) -> int | None:
    """Where the name after a cue ends: the first candidate that is no common word, else the first
    whose given-name characters are a name's (齐国 is a word, 齐国华 a name; 韦小宝 is in the dictionary)."""
    ends = _name_ends(text, start, tokens)
    return next((e for e in ends if _plausible(text, start, e)), next((e for e in ends if _famous(text, start, e)), None))


def _cue_names(text: str, tokens: list[Token]) -> list[Span]:
    spans = []
    for m in _words().cues.finditer(text):
        cue, at = m.group("cue"), m.end()
        if cue not in _STRONG_CUES and not _cue_stands_alone(m.start(), m.end("cue"), tokens):
            continue
        if cue.endswith("姓"):
            spans += _surname_then_given(text, at, tokens)
            continue
        called = cue in _IDENTITY_CUES or (cue == "叫" and bool(_CALLED.search(text[:m.start()])))
        if cue in _STRONG_CUES and (found := _transliterated_name(text, at)):
            spans.append(found)
            continue
        if not _surname_at(text, at):
            spans += _rare_or_given_name(text, at, called)
            continue
        end = _cued_name_end(text, at, tokens)
        if end is not None and cue not in _STRONG_CUES and _common(text[at:end], _KNOWN_WORD_FREQ) \
                and not _ends_here(text, end):
            end = None  # 孩子刘海太长: a word jieba knows, running on into the sentence, is no name after a weak cue
        elif end is None or not (_not_a_word(text, at, text[at:end], tokens) if cue in _STRONG_CUES else _tagged_as_name(text[at:end], tokens, at)):
            end = None
        if end is None:
            # after a cue that says who someone is (申请人田野，), the name may be a word
            role = cue in _STRONG_CUES
            end = _said_name_end(text, at, usual_only=cue not in _IDENTITY_CUES and not role) \
                if called or role else None
            if end is not None and role and not called and _common(text[at:end]) \
                    and not _jieba().tags.get(text[at:end], "").startswith("nr"):
                end = None  # 本人申报: a common word that is no name (申请人田野，: jieba knows 田野 as a name too)
            if end is None:
                continue
        spans.append(Span(at, end, "name", keep=1))
    return spans


def _transliterated_name(text: str, at: int) -> Span | None:
    """After a cue that says who someone is, a name with no surname (古丽娜尔, 扎西次仁, 那日苏): three or
    four characters usual in transliterated names that end there."""
    chars = _words().transliterated
    end = at
    while end < len(text) and text[end] in chars and end - at < 5:
        end += 1
    if 3 <= end - at <= 4 and (end >= len(text) or not _CJK.match(text[end])) and not _common(text[at:end]):
        return Span(at, end, "name", keep=1)
    return None


def _ends_here(text: str, i: int) -> bool:
    """Nothing that could still be part of a name follows position i: the end, punctuation, a space, or a
    character that ends a name (的, 是, 住…)."""
    return i >= len(text) or not _CJK.match(text[i]) or text[i] in _words().stops


def _said_name_end(text: str, at: int, usual_only: bool) -> int | None:
    """After a cue that says what someone is called (我叫, 自称; 她叫), the surname and one or two characters
    before a comma, a space or the end are a name (我叫房东来 is no name) even when jieba knows them as a word (我叫万里，). After a plain 叫 the
    given-name characters must be usual ones (我们组长叫华山，; 叫车，is no name), or one of them and the
    name no common word (我儿子叫景浩然，)."""
    sur = _surname_at(text, at)
    for end in (at + sur + 2, at + sur + 1):
        word = text[at + sur:end]
        if len(word) == end - at - sur and all(_CJK.match(c) and c not in _words().stops for c in word) \
                and (end >= len(text) or not _CJK.match(text[end])) and not _NOT_IN_NAME.search(word) \
                and (not usual_only or set(word) <= _words().given
                     or (bool(set(word) & _words().given) and not _common(text[at:end]))):  # 景浩然: 然 is rarer
            return end
    return None


def _rare_or_given_name(text: str, at: int, called: bool) -> list[Span]:
    """After a cue, a name with a rarer surname (户主禤志强, 我弟叫井建军): the surname and one or two usual
    given-name characters that end there (any characters after 我叫, 名叫: 原春花). After 她叫, 我闺女叫, a
    given name alone before a comma, a space or the end (婷婷, 思琪), masked whole."""
    words = _words()
    if at < len(text) and text[at] in words.after_cue:
        for end in (at + 3, at + 2):
            given = text[at + 1:end]
            ends = _ends_here(text, end) or (end == at + 3 and set(given) <= words.given and text[end] not in words.given)
            if end <= len(text) and ends and not _common(text[at:end]) and (set(given) <= words.given or (called and all(
                    _CJK.match(c) and c not in words.stops for c in given) and not _NOT_IN_NAME.search(given))):
                return [Span(at, end, "name", keep=1)]
    end = at + 2
    if called and end <= len(text) and set(text[at:end]) <= words.given \
            and (end == len(text) or not _CJK.match(text[end]) or text[end] in _FILLERS) \
            and not _NOT_IN_NAME.search(text[at:end]):
        return [Span(at, end, "name", keep=0)]
    return []


def _famous(text: str, start: int, end: int) -> bool:
    """A name jieba's dictionary holds as a common word (韦小宝, 李娜): after a cue it is a name when the
    characters after the surname are all usual in given names."""
    sur = _surname_at(text, start)
    return sur > 0 and 1 <= end - start - sur <= 2 and set(text[start + sur:end]) <= _words().given \
        and text[end:end + 1] not in _PLACE_AFTER


def _surname_then_given(text: str, at: int, tokens: list[Token]) -> list[Span]:
    """我姓赵名德胜: the given name after 名 or 叫 is masked whole (the surname alone identifies no one);
    我姓聂，聂海军: the full name said after the surname is a name."""
    sur = _surname_at(text, at)
    if not sur:
        return []
    again = at + sur + 1
    if text[at + sur:again] in ("，", ",", "、", " ") and text[again:again + sur] == text[at:at + sur]:
        end = _cued_name_end(text, again, tokens)
        return [Span(again, end, "name", keep=1)] if end is not None else []
    if text[at + sur:at + sur + 1] not in ("名", "叫"):
        return []
    start = end = at + sur + 1
    if text[start:start + sur] == text[at:at + sur]:  # 我姓包叫包海军: the full name after 叫
        whole = _cued_name_end(text, start, tokens)
        return [Span(start, whole, "name", keep=1)] if whole is not None else []  # 包** (masked already)
    while end < len(text) and end - start < 2 and _CJK.match(text[end]) and text[end] not in _words().stops:
        end += 1
    return [Span(start, end, "name", keep=0)] if end > start else []


def _cue_stands_alone(start: int, end: int, tokens: list[Token]) -> bool:
    """A weak cue (跟, 找, 和, 叫) is one when jieba cuts a word there and the word is not a longer common
    word that begins with it (跟进, 找到, 和平); 姓张 or 跟黎, which jieba glued to the surname, still count."""
    for t in tokens:
        if t.start == start:
            return t.end <= end or not _common(t.word, 50)
        if t.start > start:
            break
    return False


def _not_a_word(text: str, at: int, word: str, tokens: list[Token]) -> bool:
    """After a strong cue (来电人, 本人) the name stands unless jieba reads an ordinary word there: a common
    word that begins with the surname character (本人房产), or the surname character as a function word
    before a common word (申请人向户籍所在地)."""
    sur = _surname_at(text, at)
    usual = set(word[sur:]) <= _words().given
    for i, t in enumerate(tokens):
        if t.start == at:
            if t.flag.startswith("nr"):
                return True
            if usual:
                return True
            if len(t.word) > sur:
                return not _common(t.word)
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            return not (t.flag[0] in "pcdvru" and after is not None and _common(after.word))
        if t.start > at:
            break
    return True


def _tagged_as_name(word: str, tokens: list[Token], at: int) -> bool:
    """After a weak cue (跟, 找, 我妈) jieba must agree. A word tagged nr is a name. A word jieba does
    not know (谭晓燕), the surname jieba cut off (周/海燕), glued to the cue (叫葛/欣怡) or read as a shorter
    word (方子/豪) is one when the characters after the surname are a name's. A longer dictionary word
    that begins with the surname character (施工, 周末, 高龄, 房价) is not."""
    sur = _surname_at(word, 0)
    usual = set(word[sur:]) <= _words().given
    for t in tokens:
        if t.start == at:
            if t.flag.startswith("nr"):
                return True
            return usual and (len(t.word) == sur or len(t.word) < len(word) or not _common(t.word))
        if t.start > at:
            break
    return usual


def _titled_names(text: str, tokens: list[Token]) -> list[Span]:
    """A full name before a title: 郑晓东同志, 张秀芝阿姨 (王师傅 alone is a surname, not a name)."""
    spans = []
    for m in _words().titles.finditer(text):
        for length in (4, 3, 2):
            start = m.start() - length
            sur = _surname_at(text, start) if start >= 0 else 0
            if sur and _plausible(text, start, m.start()) and set(text[start + sur:m.start()]) <= _words().given:
                spans.append(Span(start, m.start(), "name", keep=1))
                break
    return spans


def _tagged_names(text: str, tokens: list[Token]) -> list[Span]:
    """Words jieba tags as a person's name (nr), with a surname from the list and given-name characters
    after it, that are not common words; a surname jieba cut from its given name (马/秀英) is joined back."""
    spans = []
    given = _words().given
    for i, t in enumerate(tokens):
        if not t.flag.startswith("nr"):
            continue
        start = t.start
        if not _surname_at(text, start) or len(t.word) == _surname_at(text, start):
            if not (i and len(t.word) <= 2 and _surname_at(text, tokens[i - 1].start) == len(tokens[i - 1].word)):
                continue
            start = tokens[i - 1].start
        if text[start:start + 2] in _words().compound_after_cue:
            continue
        limit = _KNOWN_WORD_FREQ if t.flag.startswith("nr") and t.start == start else \
            _COMMON_WORD_FREQ if t.end - start == 2 else _COMMON_NAME_FREQ  # 荣耀, 高明: two-character words
        if set(text[start + _surname_at(text, start):t.end]) <= given and _plausible(text, start, t.end, limit):
            spans.append(Span(start, t.end, "name", keep=1))
    for i, t in enumerate(tokens):
        if t.word in _words().compound and t.word not in _words().compound_after_cue:
            end = t.end
            for u in tokens[i + 1:i + 3]:
                if end - t.end + len(u.word) > 2 or not set(u.word) <= given or u.word in _words().stops \
                        or (len(u.word) == 2 and u.flag != "un" and not u.flag.startswith("nr")):
                    break
                end = u.end
            if end > t.end and _plausible(text, t.start, end):
                spans.append(Span(t.start, end, "name", keep=1))
    return spans


def _model_names(text: str, tokens: list[Token]) -> list[Span]:
    """Names the statistical tagger (assistant/privacy/name_tagger.py) reads with no cue (刘洋昨天来过窗口了吗？),
    kept when they begin with a listed surname, have one or two given-name characters, and are not a
    word jieba's dictionary knows (袁隆平, 李宁专卖店, 杨梅, 刘海) or the start of a place's name (文明路)."""
    spans = []
    for found in person_spans(text):
        start, end = found.start, found.end
        if not _surname_at(text, start) and end - start >= 3 and _surname_at(text, start + 1):
            start += 1  # 谢冉小雨: the tagger took the 谢 of 谢谢 along
        sur = _surname_at(text, start)
        stop = next((i for i in range(start + sur, end) if text[i] in _words().stops), end)
        end = stop  # 杨梅和|荔枝, 牛犇来|过: a name does not run into 和, 的, 来
        usual = set(text[start + sur:end]) <= _words().given  # 张新|卡 is no name the tagger is sure of
        if sur and 1 <= end - start - sur <= 2 and (usual or found.confidence >= _SURE_OF_UNUSUAL) \
                and text[start:end] not in _words().not_names and _plausible(text, start, end, _KNOWN_WORD_FREQ) \
                and not _names_a_business(text, end) \
                and _model_name_fits_words(text[start:end], start, end, tokens, found.confidence):
            spans.append(Span(start, end, "name", keep=1))
    return spans


def _names_a_business(text: str, end: int) -> bool:
    """What follows a name the tagger reads with no cue makes it part of a building's, a business's or a
    season's name (金鑫|大厦, 华夏银|行, 杨梅季|节, 江涛|阵阵)."""
    return any(text.startswith(w, end) or text.startswith(w, end - 1) for w in _words().not_name_before)


def _model_name_fits_words(word: str, start: int, end: int, tokens: list[Token], confidence: float) -> bool:
    """A name the tagger reads must not begin or end inside a word of jieba's dictionary (杨梅|采摘园,
    刘海|剪短 and 公积|金继承 cut a word in two), must not be a word jieba's dictionary holds (王老吉, 朱家角, 李宁: a brand, a place, a public
    figure; its `nr` tag is no guide, 谢谢 and 李子 carry it too), and must not begin with a common word
    (谢谢你, 李子坝). A citizen's name that is such a word is still masked after a cue (我叫田野)."""
    freq = _jieba().freq
    if freq.get(word) or word in _words().place_names:  # 唐山那边的社保
        return False
    sur = _surname_at(word, 0)
    if any(t.start == start and len(t.word) == sur and t.flag[0] in "vpd" for t in tokens) and _common(word[sur:]):
        return False  # 管/房子: a verb, then a common word
    words = _words()
    if word[:2] in words.compound and word[:2] not in words.compound_after_cue and set(word[2:]) <= words.given \
            and not any(t.start == start and len(t.word) > 2 and freq.get(t.word) for t in tokens):  # 诸葛亮|广场
        return True  # 欧阳|文静, 诸葛|明亮: a compound surname, then usual given-name characters, even if words
    for t in tokens:
        if (t.start < end < t.end or t.start < start < t.end) and freq.get(t.word) and confidence < _SURE:
            return False  # 朱一凡|家 and 跟黎, which jieba does not know, are no words; 感|谢谢|天 is jieba's error
        if t.start == start and 2 <= len(t.word) < len(word) and _common(t.word):
            return False
    return True


def _whole_name(text: str, span: Span, tokens: list[Token]) -> Span:
    """A name found as a surname and one character is taken with the next character when that one is
    left alone: jieba joined it to the name's second character (邓/浩然) or to nothing (付/月/娥，,
    陈子/墨，), and a name ends after it. Otherwise 邓*然 would leave part of the name readable."""
    sur = _surname_at(text, span.start) or 1
    end = span.end
    if span.keep != 1 or end - span.start - sur != 1 or end >= len(text):
        return span
    c = text[end]
    if not _CJK.match(c) or c in _words().stops or _NOT_IN_NAME.match(c) or _common(text[span.start:end + 1]):
        return span
    tok = next((t for t in tokens if t.start <= end < t.end), None)
    if tok is None:
        return span
    if (span.start < tok.start < end and tok.end == end + 1) or (tok.word == c and _ends_here(text, end + 1)) \
            or (tok.start == span.start and tok.end == end + 1 and tok.flag == "un"):  # 邢翠花, which jieba does not know
        return Span(span.start, end + 1, span.kind, span.keep)
    return span


def _dotted_names(text: str) -> list[Span]:
    """Names with a middle dot (艾力江·买买提), begun after any cue or function word before them (我叫|阿依古丽·…)."""
    spans = []
    for m in _DOTTED_NAME.finditer(text):
        start = m.start()
        for cue in _words().cues.finditer(text, m.start(), m.end()):
            if text[cue.end():cue.end() + 1] and cue.end() < m.end() - 3 and not re.search("[·•‧・]", text[m.start():cue.end()]):
                start = max(start, cue.end())
        while start < m.end() and text[start] in _words().stops:
            start += 1
        dot = next(i for i in range(m.start(), m.end()) if not _CJK.match(text[i]))
        end = next((i for i in range(dot + 3, m.end()) if text[i] in _words().stops), m.end())  # …买买提|来过
        if re.match(r"[\u4e00-\u9fff]{2,6}[·•‧・]", text[start:]):
            spans.append(Span(start, end, "name", keep=1))
    return spans


def _first_word_names(text: str, tokens: list[Token]) -> list[Span]:
    """A word that opens a sentence, begins with a surname and is followed by what follows a name
    (雷鸣来电称, 吕梁是我侄子, 王芳你好) is a name, even a word of the dictionary, when jieba tags it as a
    name or does not know it: 周末来电, 高温来电 and 房东是我朋友 are no names (jieba: time, noun)."""
    spans = []
    for t in tokens:
        if t.start and _CJK.match(text[t.start - 1]):
            continue
        sur = _surname_at(text, t.start)
        given = t.word[sur:]
        if sur and 1 <= len(given) <= 2 and (t.flag.startswith("nr") or t.flag == "un") and all(_CJK.match(c) for c in given) \
                and not _NOT_IN_NAME.search(given) and not _words().titles.search(given) and _NAME_THEN.match(text, t.end):
            spans.append(Span(t.start, t.end, "name", keep=1))
    return spans


def _named_before(text: str, tokens: list[Token]) -> list[Span]:
    """A name right before words that say it is one (是钭建平打来的, 常宏伟名下的): a surname, a rarer one too,
    and two given-name characters, or one; not a common word."""
    spans, words = [], _words()
    for m in _BEFORE_NAME_WORDS.finditer(text):
        for start in (m.start() - 3, m.start() - 2):
            if start < 0 or not (text[start] in words.surnames or text[start] in words.after_cue):
                continue
            if set(text[start + 1:m.start()]) <= words.given and not _common(text[start:m.start()]):
                spans.append(Span(start, m.start(), "name", keep=1))
                break
    return spans


def _candidate(text: str, start: int, length: int) -> bool:
    """A surname and given-name characters of `length` in all at `start`, ending where a name ends."""
    words, end = _words(), start + length
    return (end <= len(text) and (text[start] in words.surnames or text[start] in words.after_cue)
            and all(_CJK.match(c) and c not in words.stops for c in text[start + 1:end])
            and not _NOT_IN_NAME.search(text[start + 1:end]) and not _common(text[start:end])
            and (end == len(text) or not _CJK.match(text[end]) or text[end] in words.stops))


def _related_names(text: str, names: list[Span]) -> list[Span]:
    """More names known from one found: the other names of a list (谢婉婷、梁家豪、宋雨桐), and a name with the
    same surname and the same first given-name character, a sibling's (冉启明…冉启亮)."""
    found = [s for s in names if s.keep == 1 and 3 <= s.end - s.start <= 4]
    spans: list[Span] = []
    todo = list(found)
    seen = {(s.start, s.end) for s in names}
    while todo:
        span = todo.pop()
        length = span.end - span.start
        after = span.end + 1
        if text[span.end:after] in _LIST_SEP:
            for n in (length, 3, 2):
                if _candidate(text, after, n) or (text[after + n:after + n + 1] in _LIST_SEP and _candidate_head(text, after, n)):
                    new = Span(after, after + n, "name", keep=1)
                    if (new.start, new.end) not in seen:
                        seen.add((new.start, new.end))
                        spans.append(new)
                        todo.append(new)
                    break
        if span.start >= 2 and text[span.start - 1] in _LIST_SEP:
            for n in (length, 3, 2):
                start = span.start - 1 - n
                if start >= 0 and (start == 0 or not _CJK.match(text[start - 1]) or text[start - 1] in _LIST_SEP) \
                        and _candidate_head(text, start, n):
                    new = Span(start, start + n, "name", keep=1)
                    if (new.start, new.end) not in seen:
                        seen.add((new.start, new.end))
                        spans.append(new)
                        todo.append(new)
                    break
    for span in found:
        # the same surname after a word for a relative (刘凤琴和她老公刘大勇), or with the same generation
        # character (冉启明…冉启亮)
        length = span.end - span.start
        at = text.find(text[span.start], span.end)
        while at >= 0:
            same = text[at + 1] == text[span.start + 1] if at + 1 < len(text) else False
            kin = bool(_KIN_BEFORE.search(text[:at]))
            if ((same and _candidate(text, at, length)) or (kin and _candidate_head(text, at, length))) \
                    and (at, at + length) not in seen:
                spans.append(Span(at, at + length, "name", keep=1))
            at = text.find(text[span.start], at + 1)
    return spans


def _candidate_head(text: str, start: int, length: int) -> bool:
    """An item of a list, followed by its separator: a surname and any characters (梁家豪: 家 ends a name
    elsewhere)."""
    words, end = _words(), start + length
    return (end <= len(text) and (text[start] in words.surnames or text[start] in words.after_cue)
            and all(_CJK.match(c) for c in text[start + 1:end])
            and not _NOT_IN_NAME.search(text[start + 1:end]) and not _common(text[start:end]))


def find(text: str) -> list[Span]:
    """Names and addresses in `text`, without overlaps (an address wins over a name inside it)."""
    if not _CJK.search(text):
        return []
    tokens = _tokens(text)
    addresses = [Span(start, end, "address") for start, end in find_addresses(text, tokens)]
    names = [_whole_name(text, span, tokens) for span in _cue_names(text, tokens) + _titled_names(text, tokens)
             + _tagged_names(text, tokens) + _model_names(text, tokens) + _first_word_names(text, tokens)]
    names += _dotted_names(text) + _named_before(text, tokens)
    names += _related_names(text, names)
    chosen: list[Span] = []
    for span in sorted(addresses, key=lambda s: (s.start, -s.end)) + sorted(names, key=lambda s: (s.start, -(s.end - s.start))):
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def mask_names_and_addresses(text: str, keep: Collection[str] = ()) -> str:
    """`text` with each name shown as its surname's first character and stars (陈**), each street
    address below the county as ****; nothing inside an occurrence of a `keep` string is masked."""
    kept = [(m.start(), m.end()) for k in keep if k for m in re.finditer(re.escape(k), text)]
    for span in reversed(find(text)):
        if any(span.start < end and start < span.end for start, end in kept):
            continue
        if span.kind == "name":
            shown = text[span.start:span.start + span.keep] + "*" * (span.end - span.start - span.keep)
        else:
            shown = "****"
        text = text[:span.start] + shown + text[span.end:]
    return text
