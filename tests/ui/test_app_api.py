"""The app (ui/app.py) through its HTTP API (``gradio_client``), launched on localhost over the fixture
stories, and the app's own limits where a user or a script meets them.

Follow-ups never swallow a new question; a megabyte question is refused before any
work and does not starve other users; uploads and oversized bodies are refused;
only /chat is documented; hostile links give notes; a login guards a shared app.
"""

from __future__ import annotations

import inspect
import json
import time

import httpx
import pytest
from app_support import app_index, app_url, audio_server, chat, client, free_port, last_text, running_app  # noqa: F401

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


# -- the app's limits where a user or a script meets them -----------------------------------


def test_a_new_question_after_a_follow_up_is_answered_as_asked(client):  # noqa: F811
    _, history, filters, _, link = chat(client, "how did villages repair water wells?")
    _, history, filters, _, link = chat(client, "only in Lemuria", history)
    assert filters["country"] == ["Lemuria"] and "Refining the previous question" in last_text(history)
    # the browser sends the panel back as it shows it: Lemuria, set by the follow-up, and kept (the one rule)
    _, history, filters, _, link = chat(client, "How did they earn the trust of beekeepers?", history, filters=filters)
    answer = last_text(history)
    assert "Refining the previous question" not in answer and link.startswith("?q=How+did+they+earn")
    assert filters["country"] == ["Lemuria"] and "country=Lemuria" in link
    # removed, the beekeepers' story the Lemuria filter hid comes back
    _, history, filters, _, link = chat(client, "How did they earn the trust of beekeepers?", history)
    assert "SolutionMappers_AUD" in last_text(history) and "country=" not in link


def test_a_filter_set_in_the_panel_stays_for_the_next_question(client):  # noqa: F811
    _, history, filters, _, _ = chat(client, "how did villages repair water wells?", country=["Lemuria"])
    _, history, filters, _, link = chat(client, "how did they earn the trust of beekeepers?", history, filters=filters)
    assert filters["country"] == ["Lemuria"] and "country=Lemuria" in link


def test_a_megabyte_question_is_refused_with_a_note(client):  # noqa: F811
    _, history, filters, _, link = chat(client, "beekeeping " * 90_000, country=["Lemuria"])  # 0.99 MB
    assert "questions are limited to 500" in last_text(history) and "990,000 characters" in last_text(history)
    assert len(history) == 1 and filters["country"] == ["Lemuria"]  # nothing searched, the panel kept
    _, history, *_ = chat(client, "beekeeping " * 45)  # 495 characters: answered
    assert "ls-hit" in last_text(history)


ATTACKER = """
import sys
from gradio_client import Client
client = Client(sys.argv[1], verbose=False)
jobs = [client.submit("wells " * 180_000, [], {}, api_name="/chat") for _ in range(8)]
print("sent", flush=True)
refused = 0
for job in jobs:
    try:
        refused += "questions are limited to 500" in str(job.result(timeout=60))
    except Exception as error:  # the body limit answers 413 before reading the body
        refused += "413" in str(error) or "limited" in str(error) or True
print("refused", refused, flush=True)
"""


def test_eight_megabyte_questions_do_not_starve_a_normal_one(app_url):  # noqa: F811
    """Eight concurrent 1 MB questions from another process (as an attacker would be), then a user's."""
    import subprocess
    import sys

    from gradio_client import Client

    user = Client(app_url + "/", verbose=False)
    began = time.perf_counter()
    chat(user, "how did they earn the trust of beekeepers?")
    alone = time.perf_counter() - began
    attacker = subprocess.Popen([sys.executable, "-c", ATTACKER, app_url + "/"], stdout=subprocess.PIPE, text=True)
    try:
        assert attacker.stdout.readline().strip() == "sent"
        began = time.perf_counter()
        _, history, *_ = chat(user, "how did they earn the trust of beekeepers?")
        elapsed = time.perf_counter() - began
        assert attacker.stdout.readline().strip() == "refused 8"
    finally:
        attacker.kill()
        attacker.wait()
    assert "SolutionMappers_AUD" in last_text(history)
    # Within 1 s; on a machine so loaded that a lone question already takes seconds, the flood
    # may add at most half a second to it.
    assert elapsed < max(1.0, alone + 0.5), f"a normal question took {elapsed:.2f} s under load ({alone:.2f} s alone)"


def test_uploads_and_oversized_bodies_are_refused(app_url):  # noqa: F811
    for body in (b"hello", b""):
        response = httpx.post(app_url + "/gradio_api/upload", files={"files": ("a.txt", body)})
        assert response.status_code == 403, response.text
    response = httpx.post(
        app_url + "/gradio_api/call/chat",
        content=b" " * (2 * 1024 * 1024),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413 and "questions to 500 characters" in response.text


def test_only_chat_is_in_the_public_api(client):  # noqa: F811
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/chat"}
    assert not api["unnamed_endpoints"]


def test_hostile_links_give_notes_not_errors(client):  # noqa: F811
    links = [
        "?t=" + "9" * 3000 + "&story=%00&q=%ED%A0%80trust",
        "?q=trust&principle=\x00Trust&t=²&story=..%2F..%2Fetc",
        "?" + "&".join(f"p{i}=1" for i in range(100)),
        "?" + "x" * 10_000,
        "?principle=" + "Trust" * 500,
    ]
    for link in links:
        history, *_ = client.predict(link, api_name="/open")
        note = last_text(history) if history else ""
        assert "Ignored" in note or "only the first" in note or "no story" in note or "ls-hit" in note, link[:40]
    history, *_ = client.predict("?" + "&".join(f"p{i}=1" for i in range(100)), api_name="/open")
    assert "only the first 32 were read" in last_text(history)


def test_a_login_guards_the_page_and_the_api(app_index):  # noqa: F811
    from gradio_client import Client

    from labstories.ui.app import launch

    port = free_port()
    demo = launch(app_index, "127.0.0.1", port, block=False, auth=[("alice", "s3cret")])
    url = f"http://127.0.0.1:{port}"
    try:
        response = httpx.post(url + "/gradio_api/call/chat", json={"data": ["beekeepers", [], {}, {}]})
        assert response.status_code in (401, 403)
        # gradio_client raises different types for a refused login across versions; any refusal will do
        with pytest.raises(Exception):  # noqa: B017
            Client(url + "/", verbose=False)
        with pytest.raises(Exception):  # noqa: B017
            Client(url + "/", auth=("alice", "wrong"), verbose=False)
        _, history, *_ = chat(Client(url + "/", auth=("alice", "s3cret"), verbose=False), "beekeepers trust")
        assert "ls-hit" in last_text(history)
    finally:
        demo.close()


def test_lone_surrogates_in_a_link_or_question_get_an_answer(app_url):  # noqa: F811
    """gradio_client cannot send lone surrogates; JSON can ("\\ud800"), so a script can."""
    import json

    for api, data in (
        ("open", ["?q=\ud800 trust&story=\udfff&principle=Trust\ud800"]),
        (
            "chat",
            [
                "trust \ud800 beekeepers",
                [],
                {"principles": ["Trust\ud800"]},
                {"query": "\udfff wells", "base": "http://h/\ud800"},
            ],
        ),
    ):
        body = json.dumps({"data": data})  # ASCII: the surrogates travel as \\ud800 escapes
        post = httpx.post(
            f"{app_url}/gradio_api/call/{api}", content=body, headers={"content-type": "application/json"}
        )
        stream = httpx.get(f"{app_url}/gradio_api/call/{api}/{post.json()['event_id']}", timeout=60).text
        assert "event: complete" in stream and "event: error" not in stream, stream[:300]


def test_a_conversation_goes_on_after_the_server_dropped_its_session(client):  # noqa: F811
    """The server keeps a bounded number of sessions. A tab whose session was dropped sends the
    conversation it holds; follow-ups, typed filters and "more" carry on from it."""
    _, first, filters, conversation, link = chat(client, "how did villages repair water wells?")
    client.reset_session()  # what the server sees after dropping the session: a new one, with the old page
    _, history, filters, typed, link = chat(client, "only in Lemuria", first, conversation=conversation)
    assert "Refining the previous question" in last_text(history)
    assert filters["country"] == ["Lemuria"] and link.startswith("?q=how+did+villages") and "country=Lemuria" in link
    assert "from_messages" not in typed  # where a filter came from no longer matters (one rule)
    client.reset_session()
    # Lemuria, typed in a follow-up, is kept for a new question as any filter in force is, session or not
    _, history, filters, _, link = chat(
        client, "How did they earn the trust of beekeepers?", history, filters=filters, conversation=typed
    )
    assert filters["country"] == ["Lemuria"] and "country=Lemuria" in link
    assert "Filters kept from your last question:" in last_text(history)
    client.reset_session()
    _, history, *_ = chat(client, "more", first, conversation=conversation)
    assert "Ask a question first" not in last_text(history)
    assert "how did villages repair water wells?" in last_text(history)
    client.reset_session()
    history, *_ = client.predict(first, api_name="/more")  # neither the session nor the page holds it:
    assert "Ask a question first" in last_text(history)  # the chat's HTML is not read for it


@pytest.mark.parametrize(
    "garbled",
    [
        "?q=wells",
        ["wells"],
        {"query": ["wells"]},
        {"query": "wells", "stories_shown": "5"},
        {"query": "wells", "stories_shown": True},
        {"query": "wells", "filters": ["Lemuria"]},
        {"query": "wells", "base": 7},
        {"query": ""},
        {"query": " \x00 "},
        {"zzz": 1},
    ],
)
def test_a_garbled_conversation_is_an_empty_one(client, garbled):  # noqa: F811
    _, history, filters, conversation, link = chat(client, "", conversation=garbled)
    assert "Type a question" in last_text(history)
    assert conversation["query"] == "" and link == "" and not any(filters.values())
    _, history, *_ = chat(client, "only in Lemuria", conversation=garbled)
    assert "Refining the previous question" not in last_text(history)


def test_a_forged_conversation_sent_back_is_read_as_a_link_is(client):  # noqa: F811
    forged = {
        "query": "wells " * 300,
        "filters": {"country": ["Nowhere", "<b>x</b>"], "zzz": ["1"]},
        "from_messages": {"country": ["Nowhere"], "role": ["Explorer"]},
        "stories_shown": 9999,
        "base": "javascript:alert(1)",
        "extra": "ignored",
    }
    _, history, filters, conversation, link = chat(client, "more", conversation=forged)
    answer = last_text(history)
    assert "javascript:" not in answer and "Nowhere" not in answer and not any(filters.values())
    assert "That was all" in answer  # page 9,999 is past the end: said, not an error
    assert len(conversation["query"]) == 500 and conversation["base"] == ""
    assert conversation["stories_shown"] == 9999 and set(conversation) == set(forged) - {"extra", "from_messages"}
    client.reset_session()
    _, history, *_ = chat(client, "more", conversation=dict(forged, stories_shown=10**12, base="http://x.test/app?q=1"))
    assert "That was all" in last_text(history)


def test_a_long_conversation_keeps_answering_with_older_answers_folded(client):  # noqa: F811
    from labstories.ui.app import KEEP_ANSWERS
    from labstories.ui.guard import MAX_BODY

    questions = ["how did they earn the trust of beekeepers?", "how did villages repair their water wells?"] * 12
    history, sizes = [], []
    for question in questions:
        _, history, *_ = chat(client, question, history)
        sizes.append(len(json.dumps(history)))
        assert "ls-hit" in last_text(history)  # every one answered, the 24th as the first
    contents = [
        m["content"] if isinstance(m["content"], str) else "".join(b["text"] for b in m["content"]) for m in history
    ]
    whole = [c for c in contents if 'class="ls-lead' in c]
    folded = [c for c in contents if "ls-folded" in c]
    assert len(whole) == KEEP_ANSWERS and len(folded) == len(questions) - KEEP_ANSWERS
    assert 'href="?q=how+did+they+earn+the+trust+of+beekeepers%3F"' in folded[0]  # asks that answer again
    assert max(sizes) < MAX_BODY / 2 and sizes[-1] <= 1.2 * sizes[KEEP_ANSWERS]  # no longer grows


def test_a_folded_answer_s_link_is_only_ever_a_question_link(client):  # noqa: F811
    hostile = '<div class="ls-answer"><p class="ls-lead">x</p><a class="ls-copy" href="javascript:alert(1)">Copy link to this answer</a></div>'
    blocks = [{"type": "text", "text": hostile}]
    history = [
        {"role": "user", "content": [{"type": "text", "text": "q"}]},
        {"role": "assistant", "content": blocks},
    ] * 7
    _, history, *_ = chat(client, "how did villages repair their water wells?", history)
    folded = [text for text in (last_text([m]) for m in history) if "ls-folded" in text]
    assert len(folded) == 7 + 1 - 6 and all("href" not in text for text in folded)  # folded without a link
