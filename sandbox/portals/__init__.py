"""One module per simulated portal: its SPEC (names, cookies, banner wording) and its routes."""

from types import ModuleType

from . import afdas, atlas, cardif, mobilites, o2s, ocapiat, opcoep, opcommerce, sante

MODULES: dict[str, ModuleType] = {
    "atlas": atlas,
    "ocapiat": ocapiat,
    "opcoep": opcoep,
    "mobilites": mobilites,
    "afdas": afdas,
    "opcommerce": opcommerce,
    "sante": sante,
    "cardif": cardif,
    "o2s": o2s,
}
