"""Chinese addresses, read with cpca (province / city / county from the national division codes).

An address is accepted when it names a county-level division (区/县/县级市), or a prefecture city
that has none (东莞, 中山), and says something after it (street, village, house number). The city
may be left out when the county's name is unique in China (越秀区); 朝阳区 needs its city.
"""

from __future__ import annotations

import importlib.resources
import re
import sys
import types
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from intents.slot_text import Invalid, Value, alternation, is_question, prepare, slot_words, strip_fillers

# Words that make a message look like an address even when no division was recognised.
_ADDRESS_WORDS = re.compile(r"[路街道巷弄号村镇乡楼栋室]|小区|大厦|花园|社区")
# Development zones people give as their district (苏州工业园区, 广州开发区): not divisions cpca knows.
_ZONE = re.compile(r"^[\u4e00-\u9fff]{0,8}?(?:经济技术开发区|高新技术产业开发区|开发区|高新区|工业园区|园区|新区)")
# cpca names these in place of a city for municipalities and directly administered counties.
_NOT_A_CITY = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


@lru_cache(maxsize=1)
def _cpca() -> Any:
    """Import cpca. cpca 0.5.5 reads its data with pkg_resources, which setuptools ≥ 81 no longer
    ships; a stand-in with the one function it calls is put in place for the import only."""
    if "pkg_resources" in sys.modules:
        import cpca

        return cpca
    shim = types.ModuleType("pkg_resources")
    shim.resource_stream = lambda package, name: importlib.resources.files(package).joinpath(name).open("rb")  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = shim
    try:
        import cpca
    finally:
        del sys.modules["pkg_resources"]
    return cpca


@lru_cache(maxsize=1)
def _divisions() -> tuple[Counter[str], frozenset[str]]:
    """How many counties carry each name, and the prefecture cities that have no counties."""
    infos = list(_cpca().ad_2_addr_dict.values())
    county_names = Counter(a.name for a in infos if a.rank == 2)
    with_counties = {a.adcode[:4] for a in infos if a.rank == 2}
    bare_cities = frozenset(a.adcode[:4] for a in infos if a.rank == 1 and a.adcode[:4] not in with_counties)
    return county_names, bare_cities


@dataclass(frozen=True)
class Place:
    province: str
    city: str
    county: str
    detail: str  # what follows the county (street, village, house number)
    start: int  # where the first division name begins in the text
    city_said: bool  # the province or city was named, not inferred from the county
    adcode: str

    @property
    def normalised(self) -> str:
        city = "" if self.city in _NOT_A_CITY or self.city == self.province else self.city
        return f"{self.province}{city}{self.county}{self.detail}"


def _missing(value: Any) -> bool:
    return value is None or value != value  # pandas gives NaN for an empty cell


def locate(text: str) -> Place | None:
    """The divisions cpca finds in the text, or None when it finds none."""
    row = _cpca().transform([text], pos_sensitive=True).iloc[0]
    if _missing(row["adcode"]):
        return None
    positions = [int(row[k]) for k in ("省_pos", "市_pos", "区_pos") if int(row[k]) >= 0]
    return Place(
        province="" if _missing(row["省"]) else row["省"],
        city="" if _missing(row["市"]) else row["市"],
        county="" if _missing(row["区"]) else row["区"],
        detail="" if _missing(row["地址"]) else str(row["地址"]).strip(" ，,"),
        start=min(positions) if positions else 0,
        city_said=int(row["省_pos"]) >= 0 or int(row["市_pos"]) >= 0,
        adcode=str(row["adcode"]),
    )


def parse_address(text: str, min_length: int | None) -> Value | Invalid | None:
    words = slot_words()
    text = strip_fillers(prepare(text), particles=False)
    if not text or is_question(text):
        return None
    text = re.sub(rf"^(?:{alternation(words.address_cues)})", "", text).strip(" ：:，,")
    place = locate(text)
    if place is None:
        if _ADDRESS_WORDS.search(text):
            return Invalid(words.say("address", "no_district"))
        return None
    county_names, bare_cities = _divisions()
    in_zone = not place.county and place.city_said and _ZONE.match(place.detail)
    if not place.county and place.adcode[:4] not in bare_cities and not in_zone:
        return Invalid(words.say("address", "no_district"))
    if place.county and not place.city_said and county_names[place.county] > 1:
        return Invalid(words.say("address", "which_city", district=place.county))
    said = re.sub(r"\s+", "", text[place.start:])
    if len(place.detail) < 2 or (min_length is not None and len(said) < min_length):
        return Invalid(words.say("address", "too_short"))
    return Value(place.normalised, place.normalised)
