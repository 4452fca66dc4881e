"""TCO: the API's monthly cost on the organisation's own token usage against self-hosting an open model on rented
GPUs (GPU price, measured throughput per node, utilisation and peak factor, engineering, monitoring), with the
break-even. The calculation is apps/lib/tco.py.

Reads marts only: ``fct_usage_cost_daily`` (token usage and its list and effective cost over the sidebar's days,
scaled to a month) and ``dim_tco_defaults`` (the defaults, each with its source, from pricing_seeds/tco_defaults.csv).
Every default is an editable input. GPU, offer and model names come from the data: selectbox options and dataframe
cells only, never captions, alerts, metrics or labels.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import streamlit as st

from apps.lib import charts, queries, tco, widgets
from apps.lib.formatting import NO_VALUE, format_compact_count, format_count, format_usd

NO_DEFAULTS_INFO = (
    "The TCO defaults are not in the published data yet: run the pipeline again (`finops run`) to publish "
    "`dim_tco_defaults` from `pricing_seeds/tco_defaults.csv`. This page reads the serving copy only."
)
NO_USAGE_INFO = (
    "No priced output tokens in these dates and providers: self-hosting is sized by output tokens, so there is "
    "nothing to compare. Pick other dates or providers."
)
CAVEATS = (
    "Assumptions: self-hosting serves an open model of the chosen size class; quality differences against the API "
    "models you use are not modelled, so this compares cost only. Capacity is sized by output tokens at the measured "
    "throughput of one node, run at the utilisation at the peak hour (peak = average x the peak factor); the input "
    "(prefill) load is taken to be in the benchmark's proportion. GPUs are rented on demand and always on, at least "
    "one node; storage, egress, standby capacity and reserved or spot prices are not included. The API's cost scales "
    "with output tokens at your own blended rate (input, cache and output costs together)."
)
COST_BASES = {
    "Effective (after contract terms)": "effective_cost_usd",
    "List price": "list_cost_usd",
}
HUNDRED = Decimal(100)


def _tokens(value: Decimal) -> str:
    return format_count(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _token_metric(value: Decimal | None) -> tuple[str, str | None]:
    """A token count for ``st.metric``, compact so it is never truncated (``"4.81 B"``; the label names the unit:
    "4.81 B tokens" was still cut off in a quarter-width card), and its help with the exact number (the table and
    the CSV keep it too)."""
    if value is None:
        return NO_VALUE, None
    return format_compact_count(value), f"Exactly {_tokens(value)} tokens."


def _dec(value: float | int) -> Decimal:
    """A widget's number as the Decimal it shows (``0.6`` -> ``Decimal('0.6')``, not the float's binary value)."""
    return Decimal(str(value))


def _size_key(size: str) -> tuple[float, str]:
    digits = "".join(ch for ch in size if ch.isdigit() or ch == ".")
    try:
        return (float(digits), size)
    except ValueError:
        return (float("inf"), size)


filters = widgets.page_header(
    "TCO: API vs self-hosting",
    "The API's cost of your token usage, as a month, against self-hosting an open model on rented GPUs",
    team="provider usage carries no team",
)
start, end, providers = filters.start, filters.end, filters.providers
last = end - timedelta(days=1)
days = (end - start).days

if not queries.tco_published():
    st.info(NO_DEFAULTS_INFO, icon=":material/info:")
    st.stop()
defaults = queries.tco_defaults()
gpu_prices = defaults[defaults["kind"] == "gpu_price"].reset_index(drop=True)
throughputs = defaults[defaults["kind"] == "throughput"].reset_index(drop=True)
settings = {row.setting: row.default_value for row in defaults[defaults["kind"] == "setting"].itertuples(index=False)}

mix = queries.tco_token_mix(start, end, providers, filters.models)
total = mix[mix["level"] == "total"].iloc[0]
models = mix[mix["level"] == "model"]
unpriced = int(total["unpriced_tokens"])
if unpriced:
    st.warning(
        f"{format_count(unpriced)} tokens of usage in these days have no list price: they are left out of the "
        "token mix and the API cost (not counted as \\$0). The token mix table names their models.",
        icon=":material/price_change:",
    )
if int(total["output_tokens"]) == 0 or gpu_prices.empty or throughputs.empty:
    st.info(NO_USAGE_INFO if int(total["output_tokens"]) == 0 else NO_DEFAULTS_INFO, icon=":material/info:")
    st.stop()

# --- inputs -------------------------------------------------------------------------------------
st.subheader("Self-hosting inputs")
st.caption("Defaults from the published seed (sources below); every input can be changed.")
col_model, col_load, col_people = st.columns(3)

sizes = sorted(throughputs["size_class"].dropna().unique().tolist(), key=_size_key)
size = col_model.selectbox("Open-model size class", sizes, key="tco_size")
offer_ids = gpu_prices["option_id"].tolist()
offer_labels = {
    row.option_id: f"{row.gpu} · {row.offer}" for row in gpu_prices.itertuples(index=False)
}  # data: shown as selectbox options (plain text) only
offer_id = col_model.selectbox("GPU and cloud offer", offer_ids, format_func=offer_labels.get, key="tco_offer")
offer = gpu_prices[gpu_prices["option_id"] == offer_id].iloc[0]
offer_index, size_index = offer_ids.index(offer_id), sizes.index(size)
gpu_price = col_model.number_input(
    "GPU price (USD per GPU-hour)",
    min_value=0.0,
    value=float(offer["default_value"]),
    step=0.01,
    format="%.4f",
    key=f"tco_gpu_price_{offer_index}",
)
measured = throughputs[(throughputs["gpu"] == offer["gpu"]) & (throughputs["size_class"] == size)]
measured_row = measured.iloc[0] if not measured.empty else None
throughput = col_model.number_input(
    "Throughput (output tokens per second per node)",
    min_value=0.0,
    value=None if measured_row is None else float(measured_row["default_value"]),
    step=10.0,
    format="%.2f",
    key=f"tco_throughput_{offer_index}_{size_index}",
    help="Measured output tokens per second of one serving node at full load; the sources table says under which "
    "serving stack.",
)
gpus_per_node = col_model.number_input(
    "GPUs per node",
    min_value=1,
    value=1 if measured_row is None else int(measured_row["gpus_per_node"]),
    step=1,
    key=f"tco_gpus_{offer_index}_{size_index}",
    help="GPUs one serving node needs for a model of this size (the measurement's tensor-parallel size).",
)


def _setting(name: str) -> float | None:
    value = settings.get(name)
    return None if value is None or pd.isna(value) else float(value)


utilisation_default = _setting("utilisation")
utilisation_pct = col_load.number_input(
    "Utilisation at peak (%)",
    min_value=0.0,
    max_value=100.0,
    value=None if utilisation_default is None else utilisation_default * 100,
    step=5.0,
    format="%.1f",
    key="tco_utilisation",
    help="The share of the measured throughput the fleet is planned to run at in the peak hour (headroom for "
    "latency targets and uneven load).",
)
peak_factor = col_load.number_input(
    "Peak factor (peak hour / average)",
    min_value=1.0,
    value=_setting("peak_factor"),
    step=0.5,
    format="%.2f",
    key="tco_peak_factor",
    help="Capacity is sized for the peak hour: the month's average output rate times this.",
)
hours_per_month = col_load.number_input(
    "Hours per month",
    min_value=1.0,
    value=_setting("hours_per_month"),
    step=1.0,
    format="%.0f",
    key="tco_hours_per_month",
    help="GPUs are paid for always on; 730 = 8,760 hours a year / 12. Also the month the run-rate is scaled to.",
)
engineering_hours = col_people.number_input(
    "Engineering hours per month",
    min_value=0.0,
    value=_setting("engineering_hours_per_month"),
    step=5.0,
    format="%.1f",
    key="tco_engineering_hours",
)
engineering_rate = col_people.number_input(
    "Engineering rate (USD per hour)",
    min_value=0.0,
    value=_setting("engineering_rate_usd_per_hour"),
    step=5.0,
    format="%.2f",
    key="tco_engineering_rate",
)
monitoring = col_people.number_input(
    "Monitoring (USD per node per month)",
    min_value=0.0,
    value=_setting("monitoring_usd_per_node_month"),
    step=5.0,
    format="%.2f",
    key="tco_monitoring",
)
basis_label = col_people.radio("API cost", list(COST_BASES), key="tco_cost_basis")
basis = COST_BASES[basis_label]

entered = (
    gpu_price,
    throughput,
    utilisation_pct,
    peak_factor,
    hours_per_month,
    engineering_hours,
    engineering_rate,
    monitoring,
)
if any(value is None for value in entered):
    st.info(
        "Enter every self-hosting input above (the published defaults have none for an empty one, e.g. no "
        "measured throughput for this GPU and size class).",
        icon=":material/edit:",
    )
    st.stop()

hours = _dec(hours_per_month)
monthly_output = tco.monthly_run_rate(Decimal(int(total["output_tokens"])), days, hours)
monthly_input = tco.monthly_run_rate(Decimal(int(total["input_tokens"])), days, hours)
monthly_api = tco.monthly_run_rate(total[basis], days, hours)
inputs = tco.Inputs(
    monthly_output_tokens=monthly_output,
    api_monthly_cost_usd=monthly_api,
    throughput_tokens_per_s=_dec(throughput),
    gpus_per_node=int(gpus_per_node),
    gpu_hourly_usd=_dec(gpu_price),
    utilisation=_dec(utilisation_pct) / HUNDRED,
    peak_factor=_dec(peak_factor),
    engineering_hours_per_month=_dec(engineering_hours),
    engineering_rate_usd_per_hour=_dec(engineering_rate),
    monitoring_usd_per_node_month=_dec(monitoring),
    hours_per_month=hours,
)
problems = tco.validate(inputs)
if problems:
    st.error(" ".join(problems), icon=":material/error:")
    st.stop()
result = tco.calculate(inputs)

# --- the token mix --------------------------------------------------------------------------------
st.subheader("Your token usage, as a month")
col_out, col_in, col_api, col_rate = st.columns(4)
output_text, output_help = _token_metric(monthly_output)
col_out.metric("Output tokens / month", output_text, help=output_help, border=True)
input_text, input_help = _token_metric(monthly_input)
col_in.metric(
    "Input tokens / month", input_text, help=f"Uncached input, cache reads and writes. {input_help}", border=True
)
col_api.metric(f"API cost / month ({basis_label.split(' ')[0].lower()})", format_usd(monthly_api), border=True)
col_rate.metric(
    "API per 1M output tokens",
    format_usd(result.api_usd_per_1m_output),
    help="Your blended rate: the API cost of input, cache and output over the output tokens.",
    border=True,
)
st.caption(
    f"UTC days {start} to {last} ({days} days), scaled to a month of {_tokens(hours)} hours: x {_tokens(hours)} / "
    f"(24 x {days})."
)
st.dataframe(
    {
        "Provider": models["provider"].tolist(),
        "Model": models["model"].tolist(),
        "Input tokens": [format_count(v) for v in models["input_tokens"]],
        "Output tokens": [format_count(v) for v in models["output_tokens"]],
        "List cost": [format_usd(v) for v in models["list_cost_usd"]],
        "Effective cost": [format_usd(v) for v in models["effective_cost_usd"]],
        "Unpriced tokens": [format_count(v) for v in models["unpriced_tokens"]],
    },
    hide_index=True,
    width="stretch",
)

# --- the comparison -------------------------------------------------------------------------------
st.subheader("API vs self-hosting, per month")
col_a, col_s, col_d, col_n = st.columns(4)
col_a.metric("API", format_usd(result.api_usd), border=True)
col_s.metric("Self-hosting", format_usd(result.self_host_usd), border=True)
col_d.metric(
    "Self-hosting saves",
    format_usd(result.savings_usd),
    help="API minus self-hosting; negative: self-hosting costs more.",
    border=True,
)
col_n.metric("Nodes (GPUs)", f"{result.nodes} ({result.gpus})", border=True)
col_be, col_cap, col_unit = st.columns(3)
break_even_text, break_even_help = _token_metric(result.break_even_output_tokens)
col_be.metric(
    "Break-even, output tokens / month",
    break_even_text,
    help="The fewest monthly output tokens at which the API costs at least as much as self-hosting."
    + (f" {break_even_help}" if break_even_help else ""),
    border=True,
)
capacity_text, capacity_help = _token_metric(result.node_capacity_tokens)
col_cap.metric("One node serves, tokens / month", capacity_text, help=capacity_help, border=True)
col_unit.metric("Self-hosting per 1M output tokens", format_usd(result.self_host_usd_per_1m_output), border=True)
if result.break_even_output_tokens is None:
    st.caption(
        "No break-even at these inputs: a full node's output tokens cost less at your API rate than the node "
        "costs, so adding traffic never makes self-hosting cheaper."
    )
else:
    multiple = result.break_even_output_tokens / monthly_output
    st.caption(
        f"Self-hosting breaks even at {_tokens(result.break_even_output_tokens)} output tokens a month on "
        f"{result.break_even_nodes} node(s), {multiple.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} x "
        "today's run-rate."
    )

breakdown = pd.DataFrame(
    {
        "Cost": ["GPUs", "Monitoring", "Engineering", "Self-hosting", "API"],
        "How": [
            f"{result.nodes} node(s) x {inputs.gpus_per_node} GPU(s) x {format_usd(inputs.gpu_hourly_usd, places=4)}"
            f" x {_tokens(hours)} h",
            f"{result.nodes} node(s) x {format_usd(inputs.monitoring_usd_per_node_month)}",
            f"{inputs.engineering_hours_per_month.normalize():f} h x {format_usd(inputs.engineering_rate_usd_per_hour)}",
            "GPUs + monitoring + engineering",
            f"{basis_label.split(' ')[0].lower()} cost over {days} days, as a month",
        ],
        "Per month": [
            format_usd(v)
            for v in (
                result.gpu_cost_usd,
                result.monitoring_usd,
                result.engineering_usd,
                result.self_host_usd,
                result.api_usd,
            )
        ],
    }
)
st.dataframe(breakdown, hide_index=True, width="stretch")

up_to = max(
    monthly_output * 2,
    result.node_capacity_tokens * 2,
    (result.break_even_output_tokens or Decimal(0)) * Decimal("1.25"),
)
points = pd.DataFrame(tco.curve(inputs, up_to), columns=["output_tokens", "api_usd", "self_host_usd"])
st.altair_chart(charts.tco_break_even_chart(points, monthly_output, result.break_even_output_tokens), width="stretch")
st.caption(
    "Cost per month against output tokens per month: the API scales with tokens, self-hosting adds a node "
    "at each step. Dashed rules: today's run-rate and the break-even."
)

download = pd.DataFrame(
    [
        ("days", start.isoformat(), f"to {last.isoformat()}"),
        ("size_class", size, ""),
        ("gpu_offer", offer_id, offer_labels[offer_id]),
        ("throughput_option", "" if measured_row is None else measured_row["option_id"], ""),
        ("monthly_output_tokens", f"{monthly_output}", "tokens"),
        ("monthly_input_tokens", f"{monthly_input}", "tokens"),
        ("api_cost_basis", basis, ""),
        ("api_monthly_cost_usd", f"{monthly_api}", "USD"),
        ("throughput_tokens_per_s", f"{inputs.throughput_tokens_per_s}", "output tokens per second per node"),
        ("gpus_per_node", f"{inputs.gpus_per_node}", "GPUs"),
        ("gpu_hourly_usd", f"{inputs.gpu_hourly_usd}", "USD per GPU-hour"),
        ("utilisation", f"{inputs.utilisation}", "share"),
        ("peak_factor", f"{inputs.peak_factor}", "ratio"),
        ("hours_per_month", f"{inputs.hours_per_month}", "hours"),
        ("engineering_hours_per_month", f"{inputs.engineering_hours_per_month}", "hours"),
        ("engineering_rate_usd_per_hour", f"{inputs.engineering_rate_usd_per_hour}", "USD per hour"),
        ("monitoring_usd_per_node_month", f"{inputs.monitoring_usd_per_node_month}", "USD"),
        ("node_capacity_tokens", f"{result.node_capacity_tokens}", "output tokens per month"),
        ("nodes", f"{result.nodes}", "nodes"),
        ("gpus", f"{result.gpus}", "GPUs"),
        ("gpu_cost_usd", f"{result.gpu_cost_usd}", "USD per month"),
        ("monitoring_usd", f"{result.monitoring_usd}", "USD per month"),
        ("engineering_usd", f"{result.engineering_usd}", "USD per month"),
        ("self_host_usd", f"{result.self_host_usd}", "USD per month"),
        ("api_usd", f"{result.api_usd}", "USD per month"),
        ("savings_usd", f"{result.savings_usd}", "USD per month"),
        (
            "break_even_output_tokens",
            "" if result.break_even_output_tokens is None else f"{result.break_even_output_tokens}",
            "output tokens per month (empty: never)",
        ),
    ],
    columns=["item", "value", "unit"],
)
widgets.download_csv(download, f"tco_{start}_{last}", "tco_download")

# --- sources ------------------------------------------------------------------------------------
st.subheader("Defaults and their sources")
st.dataframe(
    {
        "Kind": defaults["kind"].tolist(),
        "GPU": [NO_VALUE if v is None or pd.isna(v) else v for v in defaults["gpu"]],
        "Offer / size / setting": [
            next((v for v in (o, s, t) if isinstance(v, str)), NO_VALUE)
            for o, s, t in zip(defaults["offer"], defaults["size_class"], defaults["setting"], strict=True)
        ],
        "Default": [f"{v.normalize():f}" for v in defaults["default_value"]],
        "Unit": defaults["unit"].tolist(),
        "Serving stack": [NO_VALUE if v is None or pd.isna(v) else v for v in defaults["serving_stack"]],
        "Source": [NO_VALUE if v is None or pd.isna(v) else v for v in defaults["source_url"]],
        "As of": [f"{v:%Y-%m-%d}" for v in defaults["as_of"]],
        "Confidence": defaults["confidence"].tolist(),
        "Notes": [NO_VALUE if v is None or pd.isna(v) else v for v in defaults["notes"]],
    },
    hide_index=True,
    width="stretch",
)
st.caption(
    "Confidence: A = the publisher's own page read; B = two transcriptions of the page agree; C = one "
    "transcription or a summary, unconfirmed; assumption = no published source: set your own. To change a "
    "default for everyone, edit `pricing_seeds/tco_defaults.csv` and run the pipeline."
)
st.caption(CAVEATS)
