"""The app's own limits where a user or a script meets them: the HTTP API of the running app.

Follow-ups never swallow a new question; a megabyte question is refused before any
work and does not starve other users; uploads and oversized bodies are refused;
only /chat is documented; hostile links give notes; a login guards a shared app.
"""

from __future__ import annotations

import time

import httpx
import pytest
from app_support import app_index, app_url, audio_server, chat, client, free_port, last_text, running_app  # noqa: F401

from labstories.ui.access import AccessError, credentials


def test_a_new_question_after_a_follow_up_is_answered_as_asked(client):  # noqa: F811
    _, history, filters, _, link = chat(client, "how did villages repair water wells?")
    _, history, filters, _, link = chat(client, "only in Lemuria", history)
    assert filters["country"] == ["Lemuria"] and "Refining the previous question" in last_text(history)
    # the browser sends the panel back as it shows it: Lemuria, set by the follow-up
    _, history, filters, _, link = chat(client, "How did they earn the trust of beekeepers?", history, filters=filters)
    answer = last_text(history)
    assert "Refining the previous question" not in answer
    assert filters["country"] == [] and "country=" not in link and link.startswith("?q=How+did+they+earn")
    assert "SolutionMappers_AUD" in answer  # the beekeepers' story, which a Lemuria filter would hide


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


def test_credentials_from_flags_and_file(tmp_path):
    path = tmp_path / "users"
    path.write_text("# team\nalice:s3cret\n\nbob: with:colon \n", "utf-8")
    assert credentials(("carol:pw",), path) == [("carol", "pw"), ("alice", "s3cret"), ("bob", " with:colon")]
    for bad in (("nocolon",), (":pw",), ("user:",)):
        with pytest.raises(AccessError):
            credentials(bad)
    with pytest.raises(AccessError, match="cannot read"):
        credentials((), tmp_path / "missing")
    (tmp_path / "empty").write_text("# nobody\n", "utf-8")
    with pytest.raises(AccessError, match="no user:password"):
        credentials((), tmp_path / "empty")


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
    assert typed["from_messages"] == {"country": ["Lemuria"]}
    client.reset_session()
    # Lemuria came from a typed follow-up: it must not leak into a new question, session or not
    _, history, filters, _, link = chat(
        client, "How did they earn the trust of beekeepers?", history, filters=filters, conversation=typed
    )
    assert filters["country"] == [] and "country=" not in link
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
    assert len(conversation["query"]) == 500 and conversation["base"] == "" and conversation["from_messages"] == {}
    assert conversation["stories_shown"] == 9999 and set(conversation) == set(forged) - {"extra"}
    client.reset_session()
    _, history, *_ = chat(client, "more", conversation=dict(forged, stories_shown=10**12, base="http://x.test/app?q=1"))
    assert "That was all" in last_text(history)
