"""Street addresses in free text, found from their end (assistant/privacy/free_text_pii.py masks them).

An address ends in a number with 号, 弄, 栋, 单元, 室, 门, 排 or 组 after a road (路, 街, 大道…), an estate
(any word before a numbered building: 阳光小区3栋, 碧桂园18栋) or a village (石岭村五组, 大坪村下屋组12号,
巴平村巴平屯, or a village right after its town: 依汶镇后峪子村), with whatever tail follows the number
(103号之二, 9号甲, 三楼东户, 七零二, 112号2-301), or an estate's building-unit-flat with dashes
(长江花苑南区16-2-301). The span runs back over the words that name the road, estate, town or village
and stops at a division cpca knows (天河区), which stays readable, or at a word that is not part of a place
(住, 在, 我们, 的); between a subdistrict or town and the road every word is part of the name, whatever
jieba tags it (留下街道, 观音桥街道建新北路), and so is a town's name right after its county (六都寨镇).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.privacy.free_text_pii import Token

_CJK = re.compile(r"[\u4e00-\u9fff]")
_HAN = r"\u4e00-\u9fff"
_NUM = r"(?:\d+|[零〇一二三四五六七八九十百两]+)"
# 门 and 排 number the doors and rows of a Beijing-style estate or courtyard (4号楼3门201, 3号院2排5号).
_UNIT = r"(?:号楼|号院|号|栋|幢|座|单元|楼|层|室|房|户|组|弄|院|门|排)"
# A flat number at an address's end (302); not a count or an amount (405元, 12个).
_FLAT = r"\d{2,5}(?![\d年月日元块个人次岁天斤米平万千亿％%])"
# A flat number read out digit by digit (七零二, 一零一), or a building, unit and flat with dashes (2-301,
# 16-2-301): the end of an address, never left readable after the rest is masked.
_FLAT_CN = r"[零〇一二三四五六七八九]{3,4}(?![年月日元块个人次岁天斤米平万千亿])"
_DASHED = r"\d{1,3}-\d{1,5}(?:-\d{1,5})?(?![\d-])(?:室|房)?"
# A flat after a floor that says which side (三楼东户).
_SIDE = r"[东西南北中]户"
# After a house number: more numbered units, a building's name with its units, a bare flat number (302).
_MORE = rf"(?:(?:[A-Za-z]|{_NUM}){_UNIT}|院|{_SIDE}|{_DASHED}|{_FLAT}|{_FLAT_CN})*"
_BUILDING = rf"(?:[{_HAN}]{{2,8}}?(?:广场|大厦|中心|大楼|公寓|花园|宿舍|家属院|小区)(?:[A-Za-z]|{_NUM})?{_UNIT}?(?:\d{{1,5}}(?:室|房)?)?)?"
# Where an address ends: a road, estate or village part followed by a number. Group `head` is the word
# that names the road/estate/village; the span is extended backwards from it.
_ADDRESS_END = re.compile(
    rf"(?P<head>(?:大道|大街|胡同|街|路|巷|里|道|(?<=[一二三四五六七八九十])条)[东西南北中]?(?:{_NUM}段|[{_HAN}])?区?)(?=[甲乙丙丁]?{_NUM})"
    # 103号之二, 9号甲, 9号之一3楼: what follows the house number is part of it
    rf"[甲乙丙丁]?{_NUM}(?:之{_NUM})?(?:号院|号楼|号|弄)(?:之{_NUM}|[甲乙丙丁](?![方级类等]))?(?:附{_NUM}号)?"
    rf"{_MORE}{_BUILDING}{_MORE}"
    rf"|(?P<estate>[{_HAN}])(?=(?:[A-Za-z]|{_NUM})(?:号楼|栋|幢|座|单元))"
    rf"(?:[A-Za-z]|{_NUM})(?:号楼|栋|幢|座|单元)(?:(?:[A-Za-z]|{_NUM})(?:单元|楼|层|室|房|号|户|门)|{_SIDE})*"
    rf"(?:{_DASHED}|{_FLAT}|{_FLAT_CN})?"
    # an estate's building, unit and flat written with dashes (长江花苑南区16-2-301)
    rf"|(?P<dashed>[苑园区城庄府居湾郡邸里寓舍阁庭轩坊院])(?=\d{{1,3}}-\d{{1,3}}-\d{{2,5}}(?![\d-]))\d{{1,3}}-\d{{1,3}}-\d{{2,5}}(?:室|房)?"
    # a village's group or hamlet, with or without a house number (石岭村五组, 大坪村下屋组12号,
    # 巴平村巴平屯, 岸兜村152号), and a village named after its town with nothing more (依汶镇后峪子村)
    rf"|(?P<village>村)(?:{_NUM}(?:组|队|社)|(?![民小委干里])[{_HAN}]{{1,3}}?(?:组|队|屯|社(?={_NUM}号))(?![织长员成合建伍]))?(?:{_NUM}号)?"
)
# A village with nothing after it is an address only when its town is named just before it
# (依汶镇后峪子村) and it is no common word (城镇农村).
_TOWN_BEFORE_VILLAGE = re.compile(rf"(?:镇|乡)[{_HAN}]{{2,5}}村$")
# Words that end the walk back from a road or estate to where its name begins: verbs, prepositions,
# pronouns, particles, punctuation (住, 在, 我们, 的). A two-character verb just before the road may be
# its name (解放北路, 振兴路) unless it says where (位于, 住在, 搬到).
_NOT_PLACE_FLAGS = frozenset({"v", "vd", "vi", "p", "r", "rr", "rz", "c", "d", "uj", "ul", "uz", "ud", "ug", "uv",
                              "y", "e", "o", "x", "w", "zg", "k", "tg"})
_WHERE_VERB_END = frozenset("在到于住是映")
_PRONOUN = re.compile(r"[我你您他她它咱]")
_TOWN = re.compile(r"(?:镇|乡|街道|街道办|开发区)$")
_DIVISION_END = re.compile(r"(?:省|市|自治州|州|盟|地区|县|旗|区)$")
_ZONE = re.compile(r"(?:经济技术开发区|高新技术产业开发区|高新区|工业园区|新区)$")
@lru_cache(maxsize=1)
def _divisions() -> frozenset[str]:
    """Names of China's provinces, cities and counties (cpca's national division codes)."""
    from intents.addresses import _cpca

    return frozenset(a.name for a in _cpca().ad_2_addr_dict.values() if a.rank <= 2)


def _is_division(word: str) -> bool:
    """A division whose name stays readable: one cpca knows (天河区; not 东区 of 牡丹小区东区), a development
    zone, or a word of three characters or more ending like one."""
    if word.endswith("小区") or (len(word) < 3 and word.endswith("区")):
        return False
    return word in _divisions() or bool(_ZONE.search(word)) or (len(word) >= 3 and bool(_DIVISION_END.search(word)))


def _in_road_name(t: Token, after: Token, next_to_road: bool) -> bool:
    """A verb-like word that is still part of a road's name: a two-character verb right before the road
    (解放北路, 振兴路) unless it says where (位于, 住在, 搬到), or single characters jieba could not join
    into a word (保/俶/路, a rare name)."""
    if next_to_road and t.flag == "v" and len(t.word) == 2:
        return t.word[-1] not in _WHERE_VERB_END
    return len(t.word) == 1 == len(after.word) and t.flag in ("v", "zg", "vg", "ng") and t.word not in _WHERE_VERB_END


# Words that end the walk back even where the road's name is known to go on: pronouns, prepositions,
# particles, conjunctions, punctuation.
_HARD_STOP_FLAGS = frozenset({"p", "r", "rr", "rz", "c", "uj", "ul", "uz", "ud", "ug", "uv", "y", "e", "o", "x", "w"})
_TOWN_WORD = re.compile(r"^(?:街道|街道办|镇|乡)$")


def _could_be_in_name(t: Token) -> bool:
    """A word that may be part of a place's name when the name is known to go on around it."""
    return (t.flag not in _HARD_STOP_FLAGS and all(_CJK.match(c) for c in t.word)
            and t.word[-1] not in _WHERE_VERB_END and not _PRONOUN.search(t.word))


def _between_town_and_road(tokens: list[Token], k: int, head: int) -> bool:
    """Token k lies between a subdistrict or town (XX街道, XX镇) and the road: all of it is a name
    (观音桥街道建新北路, 建设路街道猛追湾街), whatever jieba tags its words."""
    j = k - 1
    while j >= 0 and head - tokens[j].start <= 20:
        if _TOWN.search(tokens[j].word):
            return True
        if not _could_be_in_name(tokens[j]):
            return False
        j -= 1
    return False


def _names_a_town_or_follows_a_division(tokens: list[Token], k: int) -> bool:
    """Token k names the town after it (留下街道, 下关镇) or begins the place right after a county (南明区花果园)."""
    t = tokens[k]
    if not _could_be_in_name(t):
        return False
    if k + 1 < len(tokens) and _TOWN_WORD.match(tokens[k + 1].word):
        return True
    return k > 0 and _is_division(tokens[k - 1].word)


def _bare_village(text: str, m: re.Match[str], tokens: list[Token], i: int) -> bool:
    """A village named with no group or number (依汶镇后峪子村) is an address when its town comes right
    before it, nothing runs on after it, and it is no common word (城镇农村)."""
    t = tokens[i]
    return (bool(_TOWN_BEFORE_VILLAGE.search(text[max(0, m.end() - 10):m.end()]))
            and not _CJK.match(text[m.end():m.end() + 1]) and (t.flag == "un" or len(t.word) == 1 or t.end > m.end()))


# A town or subdistrict's name right after its county (六都寨镇, 林和街道: jieba cuts 都 and 和 off as
# function words), then at most a village's name before where the walk stopped (簕竹镇榄根|村委会).
_TOWN_AFTER_DIVISION = re.compile(rf"[{_HAN}]{{1,5}}?(?:镇|乡|街道)[{_HAN}]{{0,4}}")
_NOT_IN_TOWN = re.compile(r"[的在住是到于我你您他她它咱们]")


def _back_to_division(text: str, tokens: list[Token], k: int, start: int) -> int:
    """Where the address starts when the walk back stopped at token k inside a town's name: right after
    the county before it, when a town or subdistrict is named between the two (隆回县|六都寨镇大水田村…,
    天河区|林和街道…). The town stays part of what is masked, as any town is."""
    for j in range(k, max(-1, k - 8), -1):
        t = tokens[j]
        if _is_division(t.word) and not _TOWN.search(t.word):
            between = text[t.end:start]
            town = _TOWN_AFTER_DIVISION.match(text, t.end)
            if between and town and town.end() >= start and not _NOT_IN_TOWN.search(between):
                return t.end
            return start
    return start


def find_addresses(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """(start, end) of each street address in `text`, from below the county to its last number."""
    spans = []
    for m in _ADDRESS_END.finditer(text):
        kind = next(g for g in ("head", "estate", "dashed", "village") if m.group(g))
        head = m.start(kind)
        i = next((k for k, t in enumerate(tokens) if t.start <= head < t.end), None)
        if i is None:
            continue
        if m.group("estate") and tokens[i].flag in _NOT_PLACE_FLAGS:
            # 绿地新都会12号楼1704: a character jieba reads as a verb ends the estate's name when a
            # building and a flat follow; a verb of two characters (住在3栋) never does
            before = [t for t in tokens[max(0, i - 2):i]]
            if not (len(tokens[i].word) == 1 and _could_be_in_name(tokens[i]) and re.search(r"\d{3,5}[室房]?$", m.group())
                    and any(t.flag not in _NOT_PLACE_FLAGS for t in before)
                    and all(t.flag not in _NOT_PLACE_FLAGS or (len(t.word) == 1 and _could_be_in_name(t)) for t in before)):
                continue
        if m.group("village") and m.end() - m.start() == 1 and not _bare_village(text, m, tokens, i):
            continue
        start = tokens[i].start
        if _is_division(tokens[i].word) and tokens[i].end <= head:
            start = head
        k = i - 1
        while k >= 0 and head - tokens[k].start <= 20:
            t = tokens[k]
            if (_is_division(t.word) and not _TOWN.search(t.word)) or not all(_CJK.match(c) or c.isalnum() for c in t.word):
                break
            if t.flag == "un" and (t.word[-1] in _WHERE_VERB_END or _PRONOUN.search(t.word)):
                break  # 我住, which jieba does not know as a word, is no part of the road's name
            if t.flag in _NOT_PLACE_FLAGS and not _TOWN.search(t.word) \
                    and not _in_road_name(t, tokens[k + 1], k == i - 1) \
                    and not _names_a_town_or_follows_a_division(tokens, k) \
                    and not (_could_be_in_name(t) and _between_town_and_road(tokens, k, head)) \
                    and not (m.group("estate") and len(t.word) == 1 and _could_be_in_name(t) and k >= i - 2
                             and all(len(u.word) == 1 for u in tokens[k:i])):
                break
            start, k = t.start, k - 1
        start = _back_to_division(text, tokens, k, start)
        if start < m.end():
            spans.append((start, m.end()))
    return spans
