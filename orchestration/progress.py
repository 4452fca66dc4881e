"""Progress lines for long steps.

Assets report through ``report(context, message)``: the message goes to Dagster's log (the UI) and to
the plain ``finops`` Python logger, which the CLI prints one line at a time. Under ``dagster dev``
nothing listens to ``finops``, so nothing is printed twice.
"""

import logging

_log = logging.getLogger("finops")


def report(context, message: str) -> None:
    context.log.info(message)
    _log.info(message)
