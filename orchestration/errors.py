"""Errors the CLI turns into one clear sentence and a non-zero exit."""


class FinopsError(Exception):
    """A user-facing failure whose message says what went wrong, where, and how to fix it."""
