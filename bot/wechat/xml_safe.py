"""Parse WeChat's XML with defusedxml: no DTD, no entities, no external references.

WeChat messages are a flat `<xml>` element with one child per field, so the parser returns a
dict of field name -> text. Anything else (a DOCTYPE, an entity declaration, malformed XML, a
different root, an oversized body) raises `XmlRejected`.
"""
from __future__ import annotations

import re
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_XML_BYTES = 64 * 1024

# XML 1.0 forbids these characters; WeChat text from users or from Rasa must not carry them.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class XmlRejected(ValueError):
    """The body is not a safe, well-formed WeChat XML document."""


def parse_xml_fields(data: bytes | str, max_bytes: int = MAX_XML_BYTES) -> dict[str, str]:
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data or not data.strip():
        raise XmlRejected("empty body")
    if len(data) > max_bytes:
        raise XmlRejected("body too large")
    # defusedxml rejects these too; refusing up front keeps the parser away from them entirely.
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise XmlRejected("DOCTYPE and entity declarations are not allowed")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise XmlRejected(type(exc).__name__) from None
    if root.tag != "xml":
        raise XmlRejected("root element is not <xml>")
    fields: dict[str, str] = {}
    for child in root:
        if isinstance(child.tag, str) and child.tag not in fields:
            fields[child.tag] = child.text or ""
    return fields


def strip_invalid_xml_chars(text: str) -> str:
    return _INVALID_XML_CHARS.sub("", text)


def cdata(text: str) -> str:
    """Wrap text in CDATA; a `]]>` inside is split across two sections."""
    text = strip_invalid_xml_chars(str(text))
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
