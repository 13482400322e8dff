"""GeoReport v2 output: XML (required by the specification) and JSON that mirrors it, both UTF-8.

The XML of a list is ``<root><item>…</item>…</root>``; nested lists use the singular of their name
(``attributes`` → ``attribute``, ``values`` → ``value``, ``endpoints`` → ``endpoint``, ``formats`` →
``format``). Booleans are ``true``/``false``; a missing value is an empty element.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from django.http import HttpResponse

#: Root and item element of each response, as in the GeoReport v2 examples.
ROOTS = {
    "discovery": ("discovery", None),
    "services": ("services", "service"),
    "service_definition": ("service_definition", None),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}
LIST_ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            sub = ET.SubElement(element, key)
            if isinstance(child, list):
                item_tag = LIST_ITEMS.get(key, "item")
                for item in child:
                    _fill(ET.SubElement(sub, item_tag), item)
            else:
                _fill(sub, child)
    else:
        element.text = _text(value)


def to_xml(kind: str, data) -> bytes:
    root_tag, item_tag = ROOTS[kind]
    root = ET.Element(root_tag)
    if isinstance(data, list):
        for item in data:
            _fill(ET.SubElement(root, item_tag), item)
    else:
        _fill(root, data)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def respond(kind: str, data, fmt: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = to_xml(kind, data)
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["json"]))
    response["Access-Control-Allow-Origin"] = "*"  # public, cookie-less API
    return response


def errors(fmt: str, status: int, *messages: str) -> HttpResponse:
    """The error body of the specification: an array of ``{code, description}``."""
    return respond("errors", [{"code": status, "description": m} for m in messages], fmt, status=status)


def error_response(request, status: int, message: str) -> HttpResponse:
    """A refusal before the Open311 views saw the request (``core.middleware``, ``handler400``): the
    specification's error array, in XML when the path asks for it."""
    return errors("xml" if request.path.endswith(".xml") else "json", status, message)
