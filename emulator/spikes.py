"""Injected spend spikes: one model's usage at one provider multiplied on one UTC day (issue 10 item 9).

A spec is a comma-separated list of ``DAY:PROVIDER:MODEL:FACTOR`` items, e.g. ``2025-06-18:openai:gpt-4o:8``:
on 2025-06-18 every OpenAI stream calling ``gpt-4o`` (the model as called, or its resolved model id) calls
8 times as much. The spike is applied to the stream's token volume (:meth:`SimulatedOrg.active_streams`),
before any vendor shape is made, so the usage API, the costs API, the request logs and the ground truth
all see it alike and reconciliation still matches. MODEL may itself contain ``:`` (fine-tunes): DAY and
PROVIDER are the first two fields and FACTOR the last. Unlike the organisation's own monthly x4 spike of
a random account, an injected spike has a known day and driver, so a test can ask the warehouse for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FORMAT = "DAY:PROVIDER:MODEL:FACTOR, e.g. 2025-06-18:openai:gpt-4o:8"


@dataclass(frozen=True)
class Spike:
    day: date
    provider: str
    model: str  # as called (model_raw) or the resolved model id
    factor: float

    def describe(self) -> str:
        return f"{self.day}:{self.provider}:{self.model}:{self.factor:g}"


def _fail(item: str, why: str) -> ValueError:
    return ValueError(f"Invalid spike {item!r}: {why} (expected {FORMAT}).")


def parse_spike(item: str) -> Spike:
    parts = [p.strip() for p in item.strip().split(":")]
    if len(parts) < 4:
        raise _fail(item, "it needs four fields")
    day_text, provider, model, factor_text = parts[0], parts[1], ":".join(parts[2:-1]), parts[-1]
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise _fail(item, f"{day_text!r} is not a date like 2025-06-18") from None
    if not provider or not model:
        raise _fail(item, "the provider and the model must not be empty")
    try:
        factor = float(factor_text)
    except ValueError:
        raise _fail(item, "the factor must be a number") from None
    if not 0 < factor <= 100:
        raise _fail(item, "the factor must be above 0 and at most 100")
    return Spike(day, provider, model, factor)


def parse_spikes(spec: "str | Spike | tuple[Spike, ...] | list[Spike] | None") -> tuple[Spike, ...]:
    """A spec string, one :class:`Spike` or several, as a tuple of spikes (None or '' = none)."""
    if spec is None:
        return ()
    if isinstance(spec, Spike):
        return (spec,)
    if isinstance(spec, str):
        return tuple(parse_spike(item) for item in spec.split(",") if item.strip())
    return tuple(spec)


def spike_factor(spikes: tuple[Spike, ...], provider: str, day: date, model_raw: str, model_id: str | None) -> float:
    """The product of the factors of the spikes that hit this provider, day and model."""
    factor = 1.0
    for s in spikes:
        if s.day == day and s.provider == provider and s.model in (model_raw, model_id):
            factor *= s.factor
    return factor
