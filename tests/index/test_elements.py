"""Element pages (index/elements.py) → glossary entries: fields, the "copy" suffix, base64 images."""

from __future__ import annotations

from pathlib import Path

from conftest import DATA

from labstories.index.elements import element_name, parse_element, strip_images

MINI = DATA / "mini"


ELEMENTS = MINI / "elements"


def element(name: str):
    path = ELEMENTS / f"{name}.md"
    return parse_element(path.read_text("utf-8"), path)


def test_element_page_fields():
    trust = element("Trust")
    assert (trust.name, trust.title, trust.types) == ("Trust", "Trust", ["principles"])
    assert trust.overview == "Trust is a fundamental principle in public and social innovation."
    assert trust.purpose == "To create an atmosphere of respect, authenticity and safety."


def test_element_copy_suffix_is_dropped_and_types_kept():
    adaptability = element("Adaptability copy")
    assert (adaptability.name, adaptability.types) == ("Adaptability", ["principles", "skills"])
    assert element_name(Path("x/Adaptability copy.md")) == "Adaptability"


def test_element_base64_images_are_stripped():
    raw = (ELEMENTS / "GIS systems.md").read_text("utf-8")
    assert "base64," in raw
    gis = element("GIS systems")
    assert (gis.name, gis.title, gis.types) == ("GIS systems", "GIS Systems", ["tools"])
    assert gis.overview == "Geographic information systems map where things happen."
    assert gis.purpose == "Show patterns that tables hide."
    assert "base64" not in strip_images(raw) and "data:" not in strip_images(raw)
