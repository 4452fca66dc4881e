"""Statements read from the published serving copy, shared by the CLI (``finops export``) and the app.

Pure text and standard library only: ``orchestration`` and ``apps`` both import it, neither imports the
other, so the app and the export run the same SQL and write the same bytes.
"""
