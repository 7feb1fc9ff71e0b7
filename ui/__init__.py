"""The user interfaces: the ``labstories`` command line and the Gradio chat app."""


def main(argv: list[str] | None = None) -> int:
    """The ``labstories`` command; imported lazily so ``python -m labstories.ui.cli`` does not
    find ``ui.cli`` already imported (runpy's RuntimeWarning on stderr)."""
    from .cli import main as cli_main

    return cli_main(argv)


__all__ = ["main"]
