"""What every site parser offers: read a list page, read an article page."""
from __future__ import annotations

from abc import ABC, abstractmethod
from urllib.parse import urlparse

from ..types import ListPage, ParsedArticle


class SiteParser(ABC):
    #: the parser's name, used in sources.yaml (`parser:`)
    name: str = ""
    #: host names (without port) whose pages this parser reads; `parser_for_url` uses them
    hosts: tuple[str, ...] = ()
    #: who publishes on the site, used when a page names no issuer
    default_issuer: str = ""

    @abstractmethod
    def parse_list(self, html: str, url: str) -> ListPage:
        """Article addresses on a list page and the next list page, if any."""

    @abstractmethod
    def parse_article(self, html: str, url: str) -> ParsedArticle:
        """One article; raises ParseError with a reason when the page is not one."""

    def handles(self, url: str) -> bool:
        return self.matched_host_length(url) > 0

    def matched_host_length(self, url: str) -> int:
        """Length of the longest of `hosts` that the address's host is or ends with; 0 if none."""
        host = (urlparse(url).hostname or "").lower()
        return max((len(h) for h in self.hosts if host == h or host.endswith("." + h)), default=0)
