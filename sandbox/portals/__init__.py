"""One module per simulated portal: its SPEC (names, cookies, banner wording) and its routes."""

from types import ModuleType

from . import (
    afdas,
    atlas,
    cardif,
    constructys,
    mobilites,
    o2s,
    ocapiat,
    opco2i,
    opcoep,
    opcommerce,
    sante,
)

MODULES: dict[str, ModuleType] = {
    "atlas": atlas,
    "ocapiat": ocapiat,
    "opcoep": opcoep,
    "mobilites": mobilites,
    "afdas": afdas,
    "opcommerce": opcommerce,
    "sante": sante,
    "cardif": cardif,
    "opco2i": opco2i,
    "constructys": constructys,
    "o2s": o2s,
}
