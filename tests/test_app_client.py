"""The app through its HTTP API (``gradio_client``), launched on localhost over the fixture stories."""

from __future__ import annotations

import inspect

import httpx
import pytest
from app_support import app_index, app_url, audio_server, chat, client, last_text, running_app  # noqa: F401

from labstories.index.vocabulary import FILTER_KINDS, KINDS


def test_chat_with_filters_returns_passages_of_the_expected_story(client):  # noqa: F811
    textbox, history, filters, conversation, link = chat(
        client, "how did they earn the trust of beekeepers?", principles=["Trust"]
    )
    answer = last_text(history)
    assert textbox == "" and filters == {kind: (["Trust"] if kind == "principles" else []) for kind in FILTER_KINDS}
    assert conversation["query"] == "how did they earn the trust of beekeepers?"
    assert "?story=SolutionMappers_AUD&amp;t=132" in answer
    assert "principle <b>Trust</b>" in answer and "ls-hit" in answer
    assert "Explorer_NOA" not in answer  # its passages are not tagged Trust
    assert link == "?q=how+did+they+earn+the+trust+of+beekeepers%3F&principle=Trust"


def test_follow_up_keeps_the_question_and_adds_a_visible_filter(client):  # noqa: F811
    _, history, *_ = chat(client, "how did villages repair water wells?")
    _, history, filters, _, link = chat(client, "only in Lemuria", history)
    answer = last_text(history)
    assert filters["country"] == ["Lemuria"]  # the country dropdown now shows the filter
    assert "Refining the previous question" in answer and "Explorer_NOA" in answer
    assert "SolutionMappers_AUD" not in answer
    assert "country=Lemuria" in link and "q=how+did+villages" in link


def test_more_pages_through_the_retrieved_passages(client):  # noqa: F811
    _, history, *_ = chat(client, "zebra crossings beekeeping wells")
    first = last_text(history)
    assert "Showing 1–5" in first
    history, *_ = client.predict(history, api_name="/more")
    assert "Showing 6–" in last_text(history) or "That was all" in last_text(history)


def test_the_filters_are_one_mapping_checked_as_the_panel_is(client):  # noqa: F811
    """One string for one value, a kind's URL name or alias as key; unknown kinds and values
    dropped with a note; anything but a mapping is no filters, with a note."""
    kinds = {kind.name: kind for kind in KINDS}
    _, history, filters, _, link = chat(
        client,
        "how did they earn the trust of beekeepers?",
        filters={kinds["principles"].param: "trust", "colour": ["red"], "country": ["Atlantis", "Nowhere"]},
    )
    answer = last_text(history)
    assert filters["principles"] == ["Trust"] and filters["country"] == ["Atlantis"]
    assert "Ignored the filter kind “colour”" in answer and "Nowhere" in answer and "ls-hit" in answer
    assert link.endswith("&principle=Trust&country=Atlantis")
    _, history, filters, *_ = client.predict("beekeepers", [], ["Atlantis"], api_name="/chat")
    assert "should be a mapping" in last_text(history) and not any(filters.values())


def test_the_conversation_and_the_filters_may_be_left_out(client):  # noqa: F811
    """gradio_client fills parameters left out with the components' defaults: no filters, and the
    conversation the server keeps for the session."""
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/chat"]
    parameters = {p["parameter_name"]: p for p in api["parameters"]}
    assert list(parameters) == ["message", "history", "filters", "conversation"]
    assert parameters["filters"]["parameter_default"] == {} and parameters["conversation"]["parameter_default"] == {}
    assert len(api["returns"]) == 5  # message box, history, filters, conversation, link
    _, history, filters, conversation, link = client.predict("how did villages repair water wells?", api_name="/chat")
    assert "Explorer_NOA" in last_text(history) and not any(filters.values())
    _, history, filters, *_ = client.predict("only in Lemuria", history, api_name="/chat")
    assert filters["country"] == ["Lemuria"] and "Refining the previous question" in last_text(history)


def test_no_results_names_the_filters_and_suggests(client):  # noqa: F811
    _, history, *_ = chat(client, "beekeeping", country=["Lemuria"], principles=["Trust"])
    answer = last_text(history)
    assert "No passages match" in answer
    assert "Remove" in answer and "Trust" in answer and "Lemuria" in answer


def test_answer_link_route_reruns_the_search(client):  # noqa: F811
    history, filters, conversation, link, story = client.predict(
        "?q=earn+trust+beekeepers&principle=trust&country=Atlantis", api_name="/open"
    )
    assert filters["principles"] == ["Trust"] and filters["country"] == ["Atlantis"]
    assert conversation["query"] == "earn trust beekeepers"
    assert "SolutionMappers_AUD" in last_text(history)
    assert link == "?q=earn+trust+beekeepers&principle=Trust&country=Atlantis"
    assert story == ""


def test_story_route_opens_the_story_at_t(client):  # noqa: F811
    history, filters, conversation, link, story = client.predict("?story=SolutionMappers_AUD&t=140", api_name="/open")
    assert 'class="ls-section ls-current" id="ls-t-132"' in story
    assert "Beekeeping Cooperatives of Atlantis" in story
    assert link == "?story=SolutionMappers_AUD&t=140"


def test_unknown_story_and_parameters_get_a_friendly_message(client):  # noqa: F811
    history, *_, story = client.predict("?story=Nope_XYZ&colour=red&t=-3&principle=Nonsense", api_name="/open")
    note = last_text(history)
    assert "no story “Nope_XYZ”" in note and "colour" in note and "Nonsense" in note and "t=“-3”" in note
    assert story == ""


def test_pages_answer_and_files_stay_private(app_url, app_index):  # noqa: F811
    for path in ("/", "/?q=trust&principle=Trust", "/?story=SolutionMappers_AUD&t=132", "/?story=<script>"):
        response = httpx.get(app_url + path)
        assert response.status_code == 200
        assert "story=<script>" not in response.text  # parameters are not reflected into the page
    story_file = app_index.state.stories["SolutionMappers_AUD"].path
    for path in (
        f"/gradio_api/file={story_file}",
        "/gradio_api/file=/etc/passwd",
        "/file=/etc/passwd",
        "/gradio_api/file=../../../../etc/passwd",
    ):
        response = httpx.get(app_url + path)
        assert response.status_code in (403, 404), path


def test_the_css_and_the_script_are_static_files_the_app_serves(app_url):  # noqa: F811
    """ui/static/app.css is inlined by Gradio; app.js is loaded by a head tag relative to the app's
    root (so it works behind GRADIO_ROOT_PATH) and is the one file of ui/static/ the app serves."""
    import re

    from labstories.ui.assets import SCRIPT, STYLESHEET

    config = httpx.get(app_url + "/config").json()
    assert STYLESHEET.read_text("utf-8") in config["css"]
    src = re.fullmatch(r'<script src="(gradio_api/file=[^"?]+\?v=\w+)"></script>', config["head"]).group(1)
    script = httpx.get(f"{app_url}/{src}")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert script.text == SCRIPT.read_text("utf-8")
    assert httpx.get(f"{app_url}/gradio_api/file={STYLESHEET}").status_code == 403  # only the script is served


def test_concurrent_sessions_get_the_answers_they_get_alone(app_index):  # noqa: F811
    """Several visitors at once (more than the queue runs together) each see their own question's
    passages, as when asked alone: handlers share the index across threads."""
    from concurrent.futures import ThreadPoolExecutor

    from app_support import free_port
    from gradio_client import Client

    from labstories.ui.app import EVENTS_KEPT, SESSIONS, SUMMARY_EVERY, launch

    questions = [
        "how did they earn the trust of beekeepers?",
        "honey prices",
        "migrants and belonging",
        "what did the lab learn?",
        "trust",
        "pilot with the ministry",
    ] * 2
    port = free_port()
    demo = launch(app_index, "127.0.0.1", port, block=False, concurrency=3)
    try:
        assert demo._queue.default_concurrency_limit == 3
        assert demo.state_holder.capacity == SESSIONS  # per-session memory is bounded
        # and so is Gradio's per-event record (a pandas summary of all of it after every event)
        assert demo._queue.ANALYTICS_MAX_EVENTS == EVENTS_KEPT < 10_000
        assert demo._queue.ANAYLTICS_CACHE_FREQUENCY == SUMMARY_EVERY > 1
        queue_source = inspect.getsource(type(demo._queue))  # still the names Gradio reads
        assert "self.ANALYTICS_MAX_EVENTS" in queue_source and "self.ANAYLTICS_CACHE_FREQUENCY" in queue_source
        url = f"http://127.0.0.1:{port}/"
        alone = {q: last_text(chat(Client(url, verbose=False), q)[1]) for q in set(questions)}
        with ThreadPoolExecutor(len(questions)) as pool:
            clients = list(pool.map(lambda _: Client(url, verbose=False), questions))
            together = list(pool.map(lambda pair: last_text(chat(pair[0], pair[1])[1]), zip(clients, questions)))
    finally:
        demo.close()
    assert together == [alone[q] for q in questions]
    assert all("ls-hit" in answer for answer in together[:1])


@pytest.fixture(scope="module")
def corpus_app_url(corpus_index):
    """The app over the full shared corpus (reusing the session's index; never rebuilt here)."""
    with running_app(corpus_index) as url:
        yield url


@pytest.mark.corpus
def test_corpus_chat_with_filters_finds_the_migrants_story(corpus_app_url):
    from gradio_client import Client

    corpus_client = Client(corpus_app_url + "/", verbose=False)
    _, history, filters, _, link = chat(
        corpus_client, "how did labs build belonging with migrants?", continent=["South America"]
    )
    answer = last_text(history)
    assert "?story=SolutionMappers_PER&amp;t=" in answer.split('class="ls-hit"')[1]  # the first passage
    assert "continent <b>South America</b>" in answer
    _, history, filters, _, link = chat(corpus_client, "more from Peru", history)
    assert filters["country"] == ["Peru"] and filters["continent"] == [] and "country=Peru" in link
    assert "Refining the previous question" in last_text(history)
