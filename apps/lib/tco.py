"""API vs self-hosting: the TCO page's calculation, pure and exact (``Decimal``, no Streamlit).

The model, and what it leaves out (the page states the same):

* Self-hosting serves an open model of the chosen size class on rented GPUs, always on. Quality differences
  between that model and the API models used are not modelled: the comparison is of cost only.
* Capacity is sized by output tokens. One serving node (``gpus_per_node`` GPUs) generates
  ``throughput_tokens_per_s`` output tokens per second, as measured under a stated serving stack; the input
  (prefill) load is taken to be in the measurement's proportion to the output. A node is planned to run at
  ``utilisation`` of that at the peak hour, and the peak hour's rate is ``peak_factor`` x the month's average,
  so one node serves ``throughput x 3,600 x hours_per_month x utilisation / peak_factor`` output tokens a month.
* Nodes needed = that month's output tokens / one node's monthly capacity, rounded up, at least one.
* Self-hosting per month = nodes x (GPUs per node x GPU price per GPU-hour x hours per month + monitoring per
  node) + engineering hours x hourly rate. Nothing else (storage, egress, idle standby, reserved pricing).
* The API's cost scales with output tokens at the organisation's own blended rate: its API cost per output
  token (input, cache and output costs together, the token mix kept).
* Break-even: the fewest monthly output tokens at which the API costs at least as much as self-hosting.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

SECONDS_PER_HOUR = Decimal(3600)
HOURS_PER_DAY = Decimal(24)
MILLION = Decimal(1_000_000)
ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class Inputs:
    """Everything the calculation takes; tokens and money per month."""

    monthly_output_tokens: Decimal
    api_monthly_cost_usd: Decimal
    throughput_tokens_per_s: Decimal  # output tokens per second of one node, as measured
    gpus_per_node: int
    gpu_hourly_usd: Decimal  # per GPU
    utilisation: Decimal  # share of the measured throughput run at the peak hour, (0, 1]
    peak_factor: Decimal  # the peak hour's rate / the month's average rate, >= 1
    engineering_hours_per_month: Decimal
    engineering_rate_usd_per_hour: Decimal
    monitoring_usd_per_node_month: Decimal
    hours_per_month: Decimal = Decimal(730)


@dataclass(frozen=True)
class Result:
    node_capacity_tokens: Decimal  # output tokens one node serves a month
    nodes: int
    gpus: int
    gpu_cost_usd: Decimal
    monitoring_usd: Decimal
    engineering_usd: Decimal
    self_host_usd: Decimal
    api_usd: Decimal
    savings_usd: Decimal  # API minus self-hosting: what self-hosting would save (negative: it costs more)
    api_usd_per_1m_output: Decimal | None  # None without output tokens
    self_host_usd_per_1m_output: Decimal | None
    break_even_output_tokens: Decimal | None  # None: never, at these inputs
    break_even_nodes: int | None


def validate(inputs: Inputs) -> list[str]:
    """What is wrong with ``inputs``, one sentence each (fixed text: the page shows them as they are)."""
    problems = []
    if inputs.throughput_tokens_per_s <= 0:
        problems.append("Throughput must be above 0 output tokens per second: enter the measured rate of one node.")
    if inputs.gpus_per_node < 1:
        problems.append("GPUs per node must be at least 1.")
    if not ZERO < inputs.utilisation <= ONE:
        problems.append("Utilisation must be above 0% and at most 100%.")
    if inputs.peak_factor < ONE:
        problems.append("The peak factor must be at least 1 (the peak hour is never below the average).")
    if inputs.hours_per_month <= 0:
        problems.append("Hours per month must be above 0.")
    for value, name in (
        (inputs.gpu_hourly_usd, "The GPU price"),
        (inputs.engineering_hours_per_month, "Engineering hours"),
        (inputs.engineering_rate_usd_per_hour, "The engineering rate"),
        (inputs.monitoring_usd_per_node_month, "Monitoring"),
        (inputs.monthly_output_tokens, "Monthly output tokens"),
        (inputs.api_monthly_cost_usd, "The API cost"),
    ):
        if value < 0:
            problems.append(f"{name} cannot be negative.")
    return problems


def monthly_run_rate(total: Decimal, days: int, hours_per_month: Decimal = Decimal(730)) -> Decimal:
    """``total`` over ``days`` days as a month of ``hours_per_month`` hours: total x hours / (24 x days)."""
    if days <= 0:
        raise ValueError("days must be positive")
    return total * hours_per_month / (HOURS_PER_DAY * days)


def node_capacity_tokens(inputs: Inputs) -> Decimal:
    """Output tokens one node serves a month at the utilisation and peak factor."""
    return (
        inputs.throughput_tokens_per_s
        * SECONDS_PER_HOUR
        * inputs.hours_per_month
        * inputs.utilisation
        / inputs.peak_factor
    )


def node_cost_usd(inputs: Inputs) -> Decimal:
    """One node's month: its GPUs always on, and its monitoring."""
    return inputs.gpus_per_node * inputs.gpu_hourly_usd * inputs.hours_per_month + inputs.monitoring_usd_per_node_month


def fixed_cost_usd(inputs: Inputs) -> Decimal:
    """What self-hosting costs a month whatever the load: the engineering time."""
    return inputs.engineering_hours_per_month * inputs.engineering_rate_usd_per_hour


def nodes_for(output_tokens: Decimal, capacity: Decimal) -> int:
    """Nodes needed for ``output_tokens`` a month: rounded up, at least one."""
    return max(1, int((output_tokens / capacity).to_integral_value(rounding=ROUND_CEILING)))


def self_host_cost_usd(output_tokens: Decimal, inputs: Inputs) -> Decimal:
    """Self-hosting's month at ``output_tokens`` output tokens."""
    return fixed_cost_usd(inputs) + nodes_for(output_tokens, node_capacity_tokens(inputs)) * node_cost_usd(inputs)


def api_rate_usd_per_token(inputs: Inputs) -> Decimal | None:
    """The API's blended cost per output token (``None`` without output tokens)."""
    if inputs.monthly_output_tokens <= 0:
        return None
    return inputs.api_monthly_cost_usd / inputs.monthly_output_tokens


def break_even(inputs: Inputs) -> tuple[Decimal, int] | None:
    """The fewest monthly output tokens at which the API costs at least as much as self-hosting, and the nodes
    self-hosting needs there; ``None`` when it never does.

    With n nodes self-hosting costs F + n x C (F fixed, C per node) for up to n x K tokens (K one node's capacity),
    and the API r x t. The API first reaches self-hosting on the n-node step where r x n x K >= F + n x C, i.e.
    n >= F / (r x K - C); below that step it is cheaper all along. When r x K <= C, a node's worth of tokens costs
    less at the API than the node: never.
    """
    rate = api_rate_usd_per_token(inputs)
    if rate is None or rate <= 0:
        return None
    capacity, per_node, fixed = node_capacity_tokens(inputs), node_cost_usd(inputs), fixed_cost_usd(inputs)
    margin = rate * capacity - per_node
    if margin <= 0:
        return None
    nodes = max(1, int((fixed / margin).to_integral_value(rounding=ROUND_CEILING)))
    return (fixed + nodes * per_node) / rate, nodes


def calculate(inputs: Inputs) -> Result:
    """The month compared at the organisation's own run-rate. ``inputs`` must pass ``validate``."""
    capacity = node_capacity_tokens(inputs)
    nodes = nodes_for(inputs.monthly_output_tokens, capacity)
    gpu_cost = nodes * inputs.gpus_per_node * inputs.gpu_hourly_usd * inputs.hours_per_month
    monitoring = nodes * inputs.monitoring_usd_per_node_month
    engineering = fixed_cost_usd(inputs)
    self_host = gpu_cost + monitoring + engineering
    millions = inputs.monthly_output_tokens / MILLION
    even = break_even(inputs)
    return Result(
        node_capacity_tokens=capacity,
        nodes=nodes,
        gpus=nodes * inputs.gpus_per_node,
        gpu_cost_usd=gpu_cost,
        monitoring_usd=monitoring,
        engineering_usd=engineering,
        self_host_usd=self_host,
        api_usd=inputs.api_monthly_cost_usd,
        savings_usd=inputs.api_monthly_cost_usd - self_host,
        api_usd_per_1m_output=inputs.api_monthly_cost_usd / millions if millions > 0 else None,
        self_host_usd_per_1m_output=self_host / millions if millions > 0 else None,
        break_even_output_tokens=None if even is None else even[0],
        break_even_nodes=None if even is None else even[1],
    )


def curve(inputs: Inputs, up_to_tokens: Decimal, max_steps: int = 200) -> list[tuple[Decimal, Decimal, Decimal]]:
    """Points ``(output tokens, API cost, self-hosting cost)`` a month from 0 to ``up_to_tokens``, for the
    break-even chart: one at the start of each node step (self-hosting's cost from there on, for a step-after
    line) and one at the end, or ``max_steps + 1`` evenly spaced points when there are more steps than that."""
    rate = api_rate_usd_per_token(inputs) or ZERO
    capacity, per_node, fixed = node_capacity_tokens(inputs), node_cost_usd(inputs), fixed_cost_usd(inputs)
    steps = nodes_for(up_to_tokens, capacity)
    if steps <= max_steps:
        # just past n x capacity self-hosting needs n + 1 nodes (at 0, the one node it always runs)
        points = [(capacity * n, rate * capacity * n, fixed + (n + 1) * per_node) for n in range(steps)]
    else:
        points = [
            (tokens, rate * tokens, self_host_cost_usd(tokens, inputs))
            for tokens in (up_to_tokens * i / max_steps for i in range(max_steps))
        ]
    return [*points, (up_to_tokens, rate * up_to_tokens, self_host_cost_usd(up_to_tokens, inputs))]
