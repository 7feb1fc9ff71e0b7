"""Links ready to share (ui/share.py, rag/links.py), against the real app on localhost: the page's
title and link preview as a bot reads them (plain HTTP, no script), links absolute behind a proxy
that sends X-Forwarded-Host, the answer as CSV under its filters, a login guarding both, and the
tab's title in a real browser."""

from __future__ import annotations

import csv
import html
import io
import re
from urllib.parse import quote, urlencode

import httpx
import pytest
from app_support import app_index, app_url, audio_server, chat, free_port, last_text  # noqa: F401
from browser_support import watched_page

from labstories.ui.export import COLUMNS
from labstories.ui.share import SITE_TITLE

PROXY = {"X-Forwarded-Host": "labs.example.org", "X-Forwarded-Proto": "https"}
BEES = "how did they earn the trust of beekeepers?"


def _meta(page: str, key: str) -> list[str]:
    """The contents of every ``<meta property|name=key>`` tag, unescaped."""
    pattern = rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)" />'
    return [html.unescape(value) for value in re.findall(pattern, page)]


def _title(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<title>(.*?)</title>", page, re.S)]


def test_a_shared_question_link_previews_the_question_and_who_speaks_to_it(app_url):  # noqa: F811
    page = httpx.get(app_url + "/?" + urlencode({"q": BEES, "principle": "Trust"}), timeout=60).text
    assert _meta(page, "og:title") == [BEES] and _meta(page, "twitter:title") == [BEES]
    assert _title(page) == [BEES + " — labstories"]
    [description] = _meta(page, "og:description")
    assert re.match(r"\d+ labs? speaks? to this\. Top: “Beekeeping Cooperatives of Atlantis”", description)
    assert "Filters: principle Trust." in description
    assert "Gradio" not in "".join(_meta(page, "og:title") + _meta(page, "og:description") + _title(page))
    assert "Click to try out the app" not in page and "og:image" not in page  # Gradio's generic tags are gone
    [url] = _meta(page, "og:url")
    assert url == app_url + "/?q=how+did+they+earn+the+trust+of+beekeepers%3F&principle=Trust"


def test_a_shared_story_link_names_the_story_lab_and_country(app_url):  # noqa: F811
    page = httpx.get(app_url + "/?story=SolutionMappers_AUD&t=132", timeout=60).text
    assert _meta(page, "og:title") == ["Beekeeping Cooperatives of Atlantis"]
    assert _title(page) == ["Beekeeping Cooperatives of Atlantis — labstories"]
    [description] = _meta(page, "og:description")
    assert description.startswith("Solutions Mapper, UNDP Accelerator Lab Atlantis · Atlantis, Oceania. ")
    assert "beekeeping cooperatives" in description
    assert _meta(page, "og:url") == [app_url + "/?story=SolutionMappers_AUD&t=132"]


def test_the_preview_escapes_what_the_transcript_says(app_url):  # noqa: F811
    page = httpx.get(app_url + "/?story=Experimenters_XSS", timeout=60).text
    head = page.split("</head>", 1)[0]
    assert "<script>window.__xss" not in head and "<img src=x" not in head and "${window" not in head
    [title] = _meta(page, "og:title")
    assert title.startswith("Zebra crossings <script>")  # the text, as text: escaped in the HTML


def test_the_bare_page_and_unknown_links_get_the_site_preview(app_url):  # noqa: F811
    for link in ("/", "/?story=Nowhere", "/?zzz=1"):
        page = httpx.get(app_url + link, timeout=60).text
        assert _meta(page, "og:title") == [SITE_TITLE] and _title(page) == [SITE_TITLE]
        assert "Ask the interview stories" in _meta(page, "og:description")[0]


def test_behind_a_proxy_no_link_names_the_server_itself(app_url, audio_server):  # noqa: F811
    """X-Forwarded-Host/-Proto: the preview, and the links an API call (no page address) gets back."""
    from gradio_client import Client

    page = httpx.get(app_url + "/?q=trust", headers=PROXY, timeout=60).text
    assert _meta(page, "og:url") == ["https://labs.example.org/?q=trust"]
    _, history, *_ = chat(Client(app_url + "/", headers=PROXY, verbose=False), BEES)
    answer = html.unescape(last_text(history))
    emitted = [u for u in re.findall(r"https?://[^\s\"'<>)\]]+", answer) if not u.startswith(audio_server)]
    assert "https://labs.example.org/?q=how+did+they+earn" in answer  # the Markdown copy's answer link
    assert "https://labs.example.org/?story=SolutionMappers_AUD&t=" in answer  # a citation's link
    assert emitted and all(u.startswith("https://labs.example.org/") for u in emitted), emitted
    assert app_url.split("//")[1] not in answer.replace(audio_server, "")
    # a forged host is no host: links stay relative rather than point anywhere
    _, history, *_ = chat(Client(app_url + "/", headers={"X-Forwarded-Host": "evil.test/x"}, verbose=False), BEES)
    assert "evil.test" not in last_text(history)


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_answer_downloads_as_csv_under_its_filters(app_url):  # noqa: F811
    link = "/export.csv?" + urlencode({"q": "migrants and belonging", "country": "Freedonia"})
    response = httpx.get(app_url + link, headers=PROXY, timeout=60)
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="labstories-migrants-and-belonging.csv"'
    rows = _rows(response)
    assert rows and list(rows[0]) == list(COLUMNS)
    assert {row["country"] for row in rows} == {"Freedonia"}  # the filter applied
    assert all(row["link"].startswith("https://labs.example.org/?story=SolutionMappers_FRE&t=") for row in rows)
    everywhere = _rows(httpx.get(app_url + "/export.csv?q=migrants+and+belonging", timeout=60))
    assert len({row["country"] for row in everywhere}) > 1
    assert httpx.get(app_url + "/export.csv", timeout=60).status_code == 400


def test_the_answer_links_its_csv(app_url):  # noqa: F811
    from gradio_client import Client

    _, history, *_ = chat(Client(app_url + "/", verbose=False), BEES, principles=["Trust"])
    answer = last_text(history)
    assert f'href="export.csv?q={quote(BEES, safe="").replace("%20", "+")}&amp;principle=Trust"' in answer
    assert "Download CSV" in answer


def test_a_login_guards_the_preview_and_the_csv(app_index):  # noqa: F811
    from labstories.ui.app import launch

    port = free_port()
    demo = launch(app_index, "127.0.0.1", port, block=False, auth=[("alice", "s3cret")])
    url = f"http://127.0.0.1:{port}"
    try:
        page = httpx.get(url + "/?story=SolutionMappers_AUD", timeout=60).text
        assert _meta(page, "og:title") == [SITE_TITLE] and "Beekeeping" not in page
        assert httpx.get(url + "/export.csv?q=trust", timeout=60).status_code == 401
        with httpx.Client(base_url=url, timeout=60) as http:
            assert http.post("/login", data={"username": "alice", "password": "s3cret"}).status_code == 200
            assert http.get("/export.csv?q=trust").status_code == 200
            assert _meta(http.get("/?story=SolutionMappers_AUD").text, "og:title") == [
                "Beekeeping Cooperatives of Atlantis"
            ]
    finally:
        demo.close()


@pytest.mark.browser
def test_the_tab_title_follows_the_question_and_the_story(browser, app_url):  # noqa: F811
    with watched_page(browser) as page:
        page.goto(app_url + "/?" + urlencode({"q": BEES}))
        page.wait_for_selector("#ls-chat .ls-hit", timeout=30_000)
        page.wait_for_function(f"document.title === {BEES + ' — labstories'!r}", timeout=10_000)
        page.locator("#ls-chat a.ls-open").first.click()
        page.wait_for_selector("#ls-story h2", timeout=30_000)
        page.wait_for_function("document.title === 'Beekeeping Cooperatives of Atlantis — labstories'", timeout=10_000)
        box = page.locator("#ls-msg textarea")
        page.locator("#ls-back").click()
        page.wait_for_function(f"document.title === {BEES + ' — labstories'!r}", timeout=10_000)
        box.fill("how did villages repair water wells?")
        box.press("Enter")
        page.wait_for_function("document.title === 'how did villages repair water wells? — labstories'", timeout=30_000)
