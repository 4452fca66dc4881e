"""apps/lib/tco.py: API vs self-hosting, every expected number worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from apps.lib import tco

D = Decimal

# One 1-GPU node at 100 output tokens/s, $2.00 per GPU-hour, 730 hours, 50% utilisation, peak 2x:
#   capacity 100 x 3,600 x 730 x 0.5 / 2 = 65,700,000 output tokens a month
#   node cost 1 x 2.00 x 730 + 10 monitoring = 1,470.00; engineering 10 h x $50 = 500.00
# The organisation: 730,000 output tokens and $14.60 a month at the API, i.e. $20 per 1M output tokens.
BASE = tco.Inputs(
    monthly_output_tokens=D(730_000),
    api_monthly_cost_usd=D("14.60"),
    throughput_tokens_per_s=D(100),
    gpus_per_node=1,
    gpu_hourly_usd=D("2.00"),
    utilisation=D("0.5"),
    peak_factor=D(2),
    engineering_hours_per_month=D(10),
    engineering_rate_usd_per_hour=D(50),
    monitoring_usd_per_node_month=D(10),
)


def test_one_node_month_and_never_breaking_even() -> None:
    result = tco.calculate(BASE)
    assert result.node_capacity_tokens == D(65_700_000)
    assert (result.nodes, result.gpus) == (1, 1)
    assert result.gpu_cost_usd == D(1460)
    assert result.monitoring_usd == D(10)
    assert result.engineering_usd == D(500)
    assert result.self_host_usd == D(1970)
    assert result.api_usd == D("14.60")
    assert result.savings_usd == D("-1955.40")
    assert result.api_usd_per_1m_output == D(20)
    # 1,970 / 0.73 M = 2,698.630136986...
    assert result.self_host_usd_per_1m_output.quantize(D("0.000001")) == D("2698.630137")
    # a full node's tokens at the API: 65.7 M x $20 / 1M = 1,314 < 1,470 the node costs: never
    assert result.break_even_output_tokens is None
    assert result.break_even_nodes is None


def test_break_even_on_the_first_node() -> None:
    # at 100% utilisation and no peak: capacity 100 x 3,600 x 730 = 262,800,000; a node's tokens cost
    # 5,256 at the API against 1,470: margin 3,786, 500 / 3,786 -> 1 node; (500 + 1,470) / $0.00002 = 98,500,000
    inputs = replace(BASE, utilisation=D(1), peak_factor=D(1))
    result = tco.calculate(inputs)
    assert result.node_capacity_tokens == D(262_800_000)
    assert result.break_even_output_tokens == D(98_500_000)
    assert result.break_even_nodes == 1
    assert tco.self_host_cost_usd(D(98_500_000), inputs) == D(1970)  # the API: 98.5 M x $20 / 1M = 1,970
    assert tco.self_host_cost_usd(D(98_499_999), inputs) > D(98_499_999) * D("0.00002")


def test_break_even_many_nodes_in() -> None:
    # fixed 5,000 (100 h x $50), node 1,000 (1 GPU x $1.00 x 1,000 h, no monitoring), capacity
    # 10 tok/s x 3,600 x 1,000 h = 36,000,000; the API at $40 per 1M output tokens: a node's tokens cost 1,440,
    # margin 440; 5,000 / 440 = 11.36 -> 12 nodes; (5,000 + 12 x 1,000) / 0.00004 = 425,000,000 tokens, on the
    # 12th node's step (396 M, 432 M]
    inputs = tco.Inputs(
        monthly_output_tokens=D(1_000_000),
        api_monthly_cost_usd=D(40),
        throughput_tokens_per_s=D(10),
        gpus_per_node=1,
        gpu_hourly_usd=D(1),
        utilisation=D(1),
        peak_factor=D(1),
        engineering_hours_per_month=D(100),
        engineering_rate_usd_per_hour=D(50),
        monitoring_usd_per_node_month=D(0),
        hours_per_month=D(1000),
    )
    assert tco.break_even(inputs) == (D(425_000_000), 12)
    # just below, on the 11th node's step's end (396 M): the API 15,840 < self-hosting 16,000
    assert tco.self_host_cost_usd(D(396_000_000), inputs) == D(16_000)
    # at 425 M: 12 nodes, 17,000 = the API's 425 x 40
    assert tco.self_host_cost_usd(D(425_000_000), inputs) == D(17_000)


def test_nodes_round_up_and_gpus_per_node_multiply() -> None:
    # capacity 65.7 M; 65.7 M is exactly one node, one token more needs two; 8 GPUs a node
    assert tco.nodes_for(D(65_700_000), D(65_700_000)) == 1
    assert tco.nodes_for(D(65_700_001), D(65_700_000)) == 2
    assert tco.nodes_for(D(0), D(65_700_000)) == 1  # self-hosting always runs one node
    eight = replace(BASE, monthly_output_tokens=D(131_400_001), gpus_per_node=8)
    result = tco.calculate(eight)
    # 3 nodes x 8 GPUs x 2.00 x 730 = 35,040; monitoring 3 x 10 = 30; + 500
    assert (result.nodes, result.gpus) == (3, 24)
    assert result.gpu_cost_usd == D(35_040)
    assert result.self_host_usd == D(35_570)


def test_monthly_run_rate() -> None:
    # 720,000 tokens in 30 days -> x 730 / 720 = 730,000 a month; $14.40 -> $14.60
    assert tco.monthly_run_rate(D(720_000), 30) == D(730_000)
    assert tco.monthly_run_rate(D("14.40"), 30) == D("14.60")
    assert tco.monthly_run_rate(D(24), 1, hours_per_month=D(48)) == D(48)
    with pytest.raises(ValueError):
        tco.monthly_run_rate(D(1), 0)


def test_no_output_tokens_has_no_rate_and_no_break_even() -> None:
    result = tco.calculate(replace(BASE, monthly_output_tokens=D(0), api_monthly_cost_usd=D(5)))
    assert result.api_usd_per_1m_output is None
    assert result.break_even_output_tokens is None
    assert result.nodes == 1


def test_validate_names_each_bad_input() -> None:
    assert tco.validate(BASE) == []
    bad = replace(
        BASE,
        throughput_tokens_per_s=D(0),
        gpus_per_node=0,
        utilisation=D("1.5"),
        peak_factor=D("0.5"),
        gpu_hourly_usd=D(-1),
    )
    assert tco.validate(bad) == [
        "Throughput must be above 0 output tokens per second: enter the measured rate of one node.",
        "GPUs per node must be at least 1.",
        "Utilisation must be above 0% and at most 100%.",
        "The peak factor must be at least 1 (the peak hour is never below the average).",
        "The GPU price cannot be negative.",
    ]
    assert tco.validate(replace(BASE, utilisation=D(0))) == ["Utilisation must be above 0% and at most 100%."]


def test_curve_steps_and_sampling() -> None:
    inputs = replace(BASE, utilisation=D(1), peak_factor=D(1))  # capacity 262.8 M, node 1,470, fixed 500
    points = tco.curve(inputs, D(600_000_000))
    # 3 steps: starts 0, 262.8 M, 525.6 M with 1, 2, 3 nodes; then the end (3 nodes)
    assert points == [
        (D(0), D(0), D(1970)),
        (D(262_800_000), D(5256), D(3440)),
        (D(525_600_000), D(10512), D(4910)),
        (D(600_000_000), D(12000), D(4910)),
    ]
    sampled = tco.curve(inputs, D(600_000_000), max_steps=2)
    # more steps than 2: 0, 300 M (2 nodes) and the end
    assert sampled == [(D(0), D(0), D(1970)), (D(300_000_000), D(6000), D(3440)), (D(600_000_000), D(12000), D(4910))]
