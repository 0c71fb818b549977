"""Site parsers: one module per official site, the CSS-configured generic extractor for
provincial commerce departments, and a heuristic fallback for any other page."""
from __future__ import annotations

from importlib import import_module

from .base import SiteParser

# parser name -> (module, class); imported on use so one broken parser never stops the others.
NAMED_PARSERS = {
    "govcn": ("govcn", "GovCnParser"),
    "mofcom": ("mofcom", "MofcomParser"),
    "mofcom_law": ("mofcom_law", "MofcomLawParser"),
    "ndrc": ("ndrc", "NdrcParser"),
    "sat": ("sat", "SatParser"),
    "fdi": ("fdi", "FdiPortalParser"),
}


def named_parser(name: str) -> SiteParser:
    if name == "heuristic":
        from .heuristic import HeuristicParser
        return HeuristicParser()
    if name not in NAMED_PARSERS:
        raise KeyError(f"no parser named {name!r}; known: {', '.join(NAMED_PARSERS)}, generic, heuristic")
    module, cls = NAMED_PARSERS[name]
    return getattr(import_module(f"{__name__}.{module}"), cls)()


def parser_for_source(source) -> SiteParser:
    """The parser a sources.yaml entry names (`generic` is built from its selectors)."""
    if source.parser == "generic":
        from .generic import GenericParser
        return GenericParser(source.name, source.hosts, source.issuer, source.selectors)
    parser = named_parser(source.parser)
    if source.issuer:
        # Pages that name no issuer are the source's, as configured.
        parser.default_issuer = source.issuer
    return parser


def parser_for_url(url: str, sources=()) -> SiteParser:
    """The site's parser chosen by the address; a generic source whose hosts match; else the
    heuristic extractor."""
    candidates = [named_parser(name) for name in NAMED_PARSERS]
    candidates += [parser_for_source(s) for s in sources if s.parser == "generic"]
    # The most specific host wins: www.ndrc.gov.cn is NDRC's even if a parser claims gov.cn.
    best, best_len = None, -1
    for parser in candidates:
        length = parser.matched_host_length(url)
        if length > best_len:
            best, best_len = parser, length
    return best if best is not None and best_len > 0 else named_parser("heuristic")
