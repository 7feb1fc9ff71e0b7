"""Fixtures for the app tests: a silent WAV on a local server, the fixture stories, the running app.

Imported by the app test modules (``from app_support import …``) rather than
put in conftest.py, so the shared conftest stays as it is. The stories in
tests/data/app are ``.md.in`` templates (the mini corpus must not index them);
here they are copied into a temporary corpus with ``{AUDIO}`` pointing at
the local WAV server, so no test touches the network.
"""

from __future__ import annotations

import io
import re
import socket
import threading
import wave
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from labstories.index import Settings, update
from labstories.rag import StoryIndex

APP_DATA = Path(__file__).resolve().parent / "data" / "app"
AUDIO_SECONDS = 600


def silent_wav(seconds: int = AUDIO_SECONDS, rate: int = 8000) -> bytes:
    """A mono 8-bit silent WAV (4.8 MB for ten minutes): small, seekable, decodable everywhere."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(rate)
        out.writeframes(b"\x80" * (seconds * rate))
    return buffer.getvalue()


class _AudioHandler(BaseHTTPRequestHandler):
    """Serves one WAV at /a.wav with Range support (browsers seek with Range requests)."""

    body = b""

    def do_GET(self):  # noqa: N802
        if self.path.split("?")[0] != "/a.wav":
            self.send_error(404)
            return
        body, start, end = self.body, 0, len(self.body) - 1
        match = re.match(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        if match:
            start = int(match.group(1) or 0)
            end = min(int(match.group(2)) if match.group(2) else end, end)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        try:
            self.wfile.write(body[start : end + 1])
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def audio_server():
    """http://127.0.0.1:PORT/a.wav — ten minutes of silence."""
    handler = type("Handler", (_AudioHandler,), {"body": silent_wav()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/a.wav"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def app_index(tmp_path_factory, audio_server, embedder) -> StoryIndex:
    """The three fixture stories and one element page, indexed once per session."""
    corpus = tmp_path_factory.mktemp("app-corpus")
    for template in APP_DATA.glob("*.md.in"):
        text = template.read_text(encoding="utf-8").replace("{AUDIO}", audio_server)
        (corpus / template.name.removesuffix(".in")).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("app-index"))
    update(corpus, settings, embedder=embedder)
    return StoryIndex.open(settings, embedder=embedder)


@contextmanager
def running_app(index):
    """The app over ``index`` on a free localhost port, closed afterwards."""
    from labstories.ui.app import launch

    port = free_port()
    demo = launch(index, "127.0.0.1", port, block=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        demo.close()


@pytest.fixture(scope="session")
def app_url(app_index):
    """The app over the fixture stories, running on a free localhost port."""
    with running_app(app_index) as url:
        yield url


@pytest.fixture
def client(app_url):
    from gradio_client import Client

    return Client(app_url + "/", verbose=False)


def chat(client, message, history=(), *, filters=None, conversation=None, **by_kind):
    """One message through /chat; returns its outputs ``(message box, history, filters, conversation, link)``.

    ``filters`` is the mapping the endpoint takes (``{kind: [values]}``); keyword
    arguments by kind add to it (``country=["Peru"]``). ``conversation`` is what an
    earlier call returned; without it the endpoint's default is used (the server's
    session carries the conversation)."""
    mapping = {**(filters or {}), **by_kind}
    args = [message, list(history), mapping] + ([conversation] if conversation is not None else [])
    return client.predict(*args, api_name="/chat")


def last_text(history) -> str:
    """The newest message's text (gradio 6 returns content as a list of blocks)."""
    content = history[-1]["content"]
    if isinstance(content, list):
        return "".join(block.get("text", "") for block in content if isinstance(block, dict))
    return content
