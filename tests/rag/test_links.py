"""Every URL the program emits (rag/links.py): audio at a second, story and answer links, links read
back into filters, and absolute links only against web addresses."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from labstories.rag import Filters, answer_link, audio_at, filters_from_params, story_link
from labstories.rag.links import absolute, base_url


def test_audio_at():
    assert audio_at("https://example.org/a.m4a", 33) == "https://example.org/a.m4a#t=33"
    assert audio_at("https://example.org/a.m4a#t=5", 447.9) == "https://example.org/a.m4a#t=447"
    assert audio_at(None, 3) is None
    assert audio_at("javascript:alert(1)", 3) is None
    assert audio_at("file:///etc/passwd", 3) is None


def test_story_link():
    assert story_link("Experimenters_SSD", 33) == "?story=Experimenters_SSD&t=33"
    assert story_link("Experimenters_SSD", 0) == "?story=Experimenters_SSD&t=0"
    assert story_link("Experimenters_SSD") == "?story=Experimenters_SSD"


def test_answer_link_exact():
    link = answer_link("how did labs build trust?", Filters(principles=["Trust", "Empathy"], country=["Peru"]))
    assert link == "?q=how+did+labs+build+trust%3F&principle=Trust&principle=Empathy&country=Peru"
    assert answer_link("", Filters(role=["Explorer"])) == "?role=Explorer"


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(principles=["Trust", "Recognize local expertise"], tactics=["Desiging the pipelines"]),
        Filters(
            tools=["A_B testing"],
            skills=["Active listening"],
            country=["Côte d'Ivoire"],
            continent=["South America", "Asia"],
            role=["Solutions Mapper"],
        ),
        Filters(tactics=["Q&A sessions = 50% #1"]),
    ],
)
def test_answer_link_round_trips_through_filters_from_params(filters):
    link = answer_link("q & a?", filters)
    params = parse_qs(urlsplit(link).query)
    assert params.pop("q") == ["q & a?"]
    assert filters_from_params(params) == filters


def test_filters_from_params_ignores_unknown_names():
    assert filters_from_params({"principle": ["Trust"], "utm_source": ["x"]}) == Filters(principles=["Trust"])


def test_absolute_links_only_against_web_addresses():
    assert base_url("http://127.0.0.1:7860/?q=x#frag") == "http://127.0.0.1:7860/"
    assert absolute("?story=S&t=3", "https://h.org/labs") == "https://h.org/labs?story=S&t=3"
    assert absolute("?story=S&t=3", "javascript:alert(1)") == "?story=S&t=3"
    assert absolute("?story=S&t=3", "") == "?story=S&t=3"


def test_the_address_a_proxy_forwarded_and_only_a_well_formed_one():
    from labstories.rag.links import export_link, forwarded_base, request_base

    proxy = {"x-forwarded-host": "labs.example.org, inner:8080", "x-forwarded-proto": "https, http"}
    assert forwarded_base(proxy) == "https://labs.example.org/"
    assert forwarded_base(proxy | {"x-forwarded-prefix": "/labstories"}) == "https://labs.example.org/labstories/"
    assert forwarded_base({"x-forwarded-host": "h.org:8443", "x-forwarded-proto": "gopher"}) == "http://h.org:8443/"
    for host in ("evil.test/x", "a@b", "h.org\r\nSet-Cookie: x", "", "h.org:99999999"):
        assert forwarded_base({"x-forwarded-host": host}) == "", host
    assert forwarded_base({"x-forwarded-host": "h.org", "x-forwarded-prefix": "//evil.test"}) == "http://h.org/"
    assert forwarded_base({}) == "" and forwarded_base(None) == ""
    assert request_base({"host": "127.0.0.1:7860"}) == "http://127.0.0.1:7860/"
    assert request_base({"host": "127.0.0.1:7860", **proxy}) == "https://labs.example.org/"
    assert export_link("q & a?", Filters(country=["Peru"])) == "export.csv?q=q+%26+a%3F&country=Peru"
