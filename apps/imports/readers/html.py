"""HTML e-mail bodies: refused when they carry active content (scripts other than
JSON-LD data, event handlers, ``javascript:`` links), else read for schema.org markup and,
failing that, for labelled text."""
from __future__ import annotations

import re

import extruct
import lxml.html
from django.utils.translation import gettext as _
from lxml import etree

from . import schema_org
from .found import Reading, Unreadable
from .places import Context
from .text import read_text

DATA_SCRIPT = "application/ld+json"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_URL_NOISE = re.compile(r"[\s\x00-\x1f]")
BLOCKS = ("br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "td", "th", "dt", "dd", "table")


def _document(markup: str):
    try:
        return lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        raise Unreadable(_("The HTML of this file cannot be read."), code="import.malformed") from None


def refuse_active_content(doc) -> None:
    for element in doc.iter(etree.Element):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag.lower() in ("script", "iframe", "object", "embed") and not (
                tag.lower() == "script" and (element.get("type") or "").strip().lower() == DATA_SCRIPT):
            raise Unreadable(_("This file contains scripts or embedded content; we do not read such files. "
                               "Forward or save the confirmation as a plain e-mail or PDF."),
                             code="import.active_content")
        for name, value in element.attrib.items():
            url = _URL_NOISE.sub("", value).lower()  # browsers drop tabs and newlines inside a URL
            if name.lower().startswith("on") or url.startswith(("javascript:", "vbscript:", "data:text/html")):
                raise Unreadable(_("This file contains scripts; we do not read such files."),
                                 code="import.active_content")


def read_html(markup: str, ctx: Context, reading: Reading) -> None:
    markup = _CONTROL.sub("", markup)  # lxml refuses them in text it is given back
    doc = _document(markup)
    refuse_active_content(doc)
    data = extruct.extract(markup, syntaxes=["json-ld", "microdata"], uniform=True, errors="ignore")
    nodes = schema_org.reservations([data.get("json-ld", []), data.get("microdata", [])])
    for node in nodes:
        found, missing = schema_org.found_from(node, ctx)
        if found is not None:
            reading.items.append(found)
        else:
            reading.unreadable.append(missing)
    if not nodes:
        for bad in doc.xpath("//script|//style"):
            bad.drop_tree()
        for element in doc.iter(*BLOCKS):  # one line per block, a cell's label and value apart
            element.tail = ("\t" if element.tag in ("td", "th", "dt") else "\n") + (element.tail or "")
        read_text("\n".join(line.strip() for line in doc.text_content().splitlines()), ctx, reading)
