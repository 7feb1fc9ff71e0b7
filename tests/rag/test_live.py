"""The app's live handle on the current build (rag/live.py): a running app picks up a finished
``labstories index`` by itself (issue 9).

The app (in this process, over a :class:`LiveIndex`) is asked questions
through ``gradio_client`` the whole time a second process runs
``labstories index`` on the same data folder with two stories removed and
one changed: no question may fail, and within seconds of the indexer's exit
the removed stories are gone and the changed one answers with its new text —
without a restart.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from app_support import running_app
from cli_support import labstories_command
from conftest import DATA

from labstories.index import Settings, update
from labstories.rag.live import LiveIndex

MINI = DATA / "mini" / "stories"
REMOVED = ("Experimenters_SSD", "Experimenters_LNG")
CHANGED = "Experimenters_ZER"
NEW_TEXT = "\n### [[9:59]] Anything else?\n\nWe founded a quokka cooperative that lends bicycles to midwives.\n"
QUESTIONS = (  # unfiltered, filtered by the panel, filtered by the message's own words
    ("how did villages keep their savings in a wooden box?", {}),
    ("how did they build trust with communities?", {"role": ["Experimenter"]}),
    ("how did experimenters run pilots with small budgets?", {}),
    ("the quokka cooperative lending bicycles to midwives", {}),
)


def ask(client, question: str, filters: dict) -> str:
    _, history, *_ = client.predict(question, [], filters, api_name="/chat")  # filters: {kind: [values]}
    content = history[-1]["content"]
    return "".join(b.get("text", "") for b in content if isinstance(b, dict)) if isinstance(content, list) else content


def test_app_switches_to_a_new_build_between_requests_without_errors(tmp_path, embedder):
    from gradio_client import Client

    corpus = tmp_path / "corpus"
    shutil.copytree(MINI, corpus)
    settings = Settings(data_dir=tmp_path / "data")
    update(corpus, settings, embedder=embedder)
    live = LiveIndex.open(settings, embedder=embedder, interval=0.5).start()
    try:
        with running_app(live) as url:
            client = Client(url + "/", verbose=False)
            before = [ask(client, q, f) for q, f in QUESTIONS]
            assert "?story=Experimenters_SSD" in before[0]  # the story to be removed answers now
            assert "founded a" not in before[3]
            first_build = live.current.version

            for name in REMOVED:
                (corpus / f"{name}.md").unlink()
            changed = corpus / f"{CHANGED}.md"
            changed.write_text(changed.read_text("utf-8") + NEW_TEXT, "utf-8")
            indexer = subprocess.Popen(
                [*labstories_command(), "index", str(corpus), "--data-dir", str(settings.data_dir), "--quiet"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            errors, asked, switched_after = [], 0, None
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                for question, filters in QUESTIONS:
                    asked += 1
                    try:
                        answer = ask(client, question, filters)
                        assert "ls-hit" in answer, f"no passages for {question!r}"
                    except Exception as error:  # every failure counts; the test wants none
                        errors.append(f"{question}: {type(error).__name__}: {error}")
                done = indexer.poll() is not None
                if done and switched_after is None:
                    switched_after = time.monotonic()
                if done and live.current.version != first_build:
                    break
                if done and time.monotonic() - switched_after > 20:
                    break
            output = indexer.communicate()[0]
            assert indexer.returncode == 0, output
            assert not errors, f"{len(errors)} of {asked} questions failed, e.g. {errors[:3]}"
            assert live.current.version != first_build, "the app did not pick up the new build within 20 s"

            after = [ask(client, q, f) for q, f in QUESTIONS]
            for answer in after:
                assert "ls-hit" in answer
                assert not any(f"?story={name}" in answer for name in REMOVED)
            assert "founded a" in after[3] and f"?story={CHANGED}" in after[3]
            opened = client.predict(f"?story={REMOVED[0]}", api_name="/open")
            assert "Digitising the Sanduk" not in str(opened)
    finally:
        live.stop()


def test_a_build_that_cannot_be_opened_leaves_the_current_one_serving(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(MINI, corpus)
    settings = Settings(data_dir=tmp_path / "data")
    update(corpus, settings, embedder=embedder)
    live = LiveIndex.open(settings, embedder=embedder, interval=60)
    serving = live.current
    manifest = Path(settings.data_dir) / "manifest.json"
    manifest.write_text(manifest.read_text("utf-8").replace(serving.version, "20991231T000000000000Z"), "utf-8")

    assert live.refresh() is False and "20991231T000000000000Z" in live.failed
    assert live.current is serving and live.current.search("savings box")

    (corpus / f"{REMOVED[0]}.md").unlink()
    update(corpus, settings, embedder=embedder)
    assert live.refresh() is True and live.failed is None
    assert REMOVED[0] not in live.current.state.stories
    assert serving.search("savings box")  # a search still holding the old index finishes on it


@pytest.mark.parametrize("interval", [0.2])
def test_polling_thread_stops(tmp_path, embedder, interval):
    corpus = tmp_path / "corpus"
    shutil.copytree(MINI, corpus)
    settings = Settings(data_dir=tmp_path / "data")
    update(corpus, settings, embedder=embedder)
    live = LiveIndex.open(settings, embedder=embedder, interval=interval).start()
    live.stop()
    assert live._thread is None
