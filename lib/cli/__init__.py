"""The command line (``python -m lib.cli``) and the owner service that runs it inside the dashboard."""

from lib.cli.commands import main

__all__ = ["main"]
