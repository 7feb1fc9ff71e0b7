"""The user interfaces: the ``labstories`` command line and the Gradio chat app."""

from .cli import main

__all__ = ["main"]
