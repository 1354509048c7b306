"""One module per simulated portal: its SPEC (names, cookies, banner wording) and its routes."""

from types import ModuleType

from . import atlas, mobilites, ocapiat, opcoep

MODULES: dict[str, ModuleType] = {
    "atlas": atlas,
    "ocapiat": ocapiat,
    "opcoep": opcoep,
    "mobilites": mobilites,
}
