"""ASGI middleware in front of Gradio: no uploads, no oversized request bodies.

The app takes no files, yet Gradio serves ``POST /gradio_api/upload`` to
anyone (an unauthenticated way to fill the disk) and parses any request body
whole into memory. This layer answers before Gradio reads a byte: uploads get
403, bodies over :data:`MAX_BODY` get 413 (Content-Length checked before a byte is read). Question text inside an accepted
body is cut later, in the handler (see :mod:`ui.limits`).
"""

from __future__ import annotations

import json

#: A chat request carries the visible conversation back: an answer's HTML is about 10 KB, so the
#: :data:`ui.limits.MAX_HISTORY` messages kept fit in 1 MiB. Larger bodies are refused unread —
#: the cheapest answer to a flood of megabyte questions, which cost the event loop to parse.
MAX_BODY = 1024 * 1024
_UPLOAD_PATHS = ("/gradio_api/upload", "/upload")


class RequestGuard:
    """Pure ASGI middleware (works under FastAPI's ``middleware=[Middleware(RequestGuard)]``)."""

    def __init__(self, app, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if any(path == p or path.startswith(p + "/") or path.startswith(p + "?") for p in _UPLOAD_PATHS):
            return await _refuse(send, 403, "This app accepts no uploads.")
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return await _refuse(
                send, 413, f"Requests are limited to {self.max_body:,} bytes; questions to 500 characters."
            )
        return await self.app(scope, self._counted(receive, send), send)

    def _counted(self, receive, send):
        """Bodies sent without a length (chunked) are counted as they arrive and cut off at the limit."""
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    return {"type": "http.disconnect"}
            return message

        return counted


async def _refuse(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


__all__ = ["MAX_BODY", "RequestGuard"]
