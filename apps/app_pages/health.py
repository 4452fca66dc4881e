"""Data health: the quality gate's results as published with the marts, from ``marts.quality_results`` (one row per
check x scope per run) and ``marts.publish_info``.

Shows the latest run's checks (passed, warnings, blocking failures) and when the data was published, the latest
result of every check, the checks per partition day in the sidebar's range, the freshness of each source, the rows
held in quarantine (``marts.quarantine``) and the failed checks per run. The sidebar's providers leave out the raw landings of the other providers' sources (a raw
asset is ``'<source>/<endpoint>'``); marts and sources that are not a provider are always shown.

Assets, checks, observed values, samples, descriptions and run ids come from the data: dataframe cells, ``st.text``
and chart text only, never captions, alerts, metrics or labels.
"""

from datetime import timedelta

import pandas as pd
import streamlit as st

from apps.lib import charts, formatting, queries, widgets
from apps.lib.formatting import NO_VALUE, format_count

OUTCOME_WORDS = {"blocking": "Blocking failure", "warning": "Warning", "passed": "Passed"}
EMPTY_STATE = (
    "No quality results in the serving copy yet. Once the pipeline has run with the quality gate (`finops run`, "
    "or `finops demo`), this page shows each run's checks of the raw landings, the dbt models' tests and the marts: "
    "which passed, which warned and which blocked publishing, per check and per partition day, the freshness of each "
    "source and the failed checks of the last runs."
)


def _scope(start: object, end: object) -> str:
    """A partition range (``end`` exclusive) as ``2025-02-10`` or ``2025-02-08 to 2025-02-10``; ``whole table``."""
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return "whole table"
    last = end - timedelta(days=1)
    return f"{start:%Y-%m-%d}" if last <= start else f"{start:%Y-%m-%d} to {last:%Y-%m-%d}"


def _outcomes(values: pd.Series) -> list[str]:
    return [OUTCOME_WORDS.get(v, NO_VALUE) for v in values]


def _counts(values: pd.Series) -> list[str]:
    return [NO_VALUE if v is None or pd.isna(v) else format_count(v) for v in values]


def _severity(values: pd.Series) -> list[str]:
    return ["blocking" if v == "error" else v for v in values]


filters = widgets.published_or_stop("Data health")
start, end = filters.start, filters.end
last_day = end - timedelta(days=1)
all_providers = queries.provider_options()
hidden = tuple(sorted(set(all_providers) - set(filters.providers)))
provider_scope = formatting.format_provider_scope(filters.providers, all_providers)
st.caption(
    "The quality checks of the pipeline's runs on the raw landings, the dbt models (dbt's own tests of staging, "
    "intermediate and marts) and the marts: the latest run, the latest result of each check, the checks per "
    f"partition day on UTC days {start} to {last_day}, freshness per source and the failed checks per run; raw "
    f"landings of {provider_scope} (models, marts, and sources that are not a provider, always)."
)
widgets.filter_note(
    filters, team="quality checks are per source and asset", model="quality checks are per source and asset"
)

if not queries.quality_results_published() or queries.quality_runs(()).empty:
    st.info(EMPTY_STATE, icon=":material/info:")
    st.stop()
runs = queries.quality_runs(hidden)
if runs.empty:
    st.info("No checks of the chosen providers' sources: pick other providers in the sidebar.", icon=":material/info:")
    st.stop()

# --- the latest run --------------------------------------------------------------------------
st.subheader("Latest run")
latest = runs.iloc[0]
published = queries.publish_info() or {}
col_passed, col_warnings, col_blocking, col_published = st.columns([2, 2, 2, 3])
col_passed.metric("Checks passed", format_count(latest["passed"]), border=True)
col_warnings.metric(
    "Warnings", format_count(latest["warnings"]), help="Failed checks that do not stop publishing.", border=True
)
col_blocking.metric(
    "Blocking failures",
    format_count(latest["blocking"]),
    help="Failed checks of severity error: they stop publishing, and the serving copy stays as it was.",
    border=True,
)
col_published.metric(
    "Published (UTC)",
    formatting.format_when(published.get("published_at")),
    help="When the serving copy this page reads was published.",
    border=True,
)
st.caption(
    f"A check is one rule on one asset, counted once per run by its worst scope (partition). The latest run ran "
    f"{format_count(latest['checks'])} checks from {formatting.format_when(latest['first_checked_at'])} to "
    f"{formatting.format_when(latest['last_checked_at'])} UTC."
)
st.text(f"Latest run: {latest['run_id']}\nPublished run: {published.get('run_id') or NO_VALUE}")
if int(latest["blocking"]):
    st.error(
        f"{format_count(latest['blocking'])} blocking failure{'s' if latest['blocking'] != 1 else ''} in the latest "
        "run: blocking checks stop publishing. The failed checks are listed first below.",
        icon=":material/block:",
    )
elif int(latest["warnings"]):
    st.warning(
        f"{format_count(latest['warnings'])} warning{'s' if latest['warnings'] != 1 else ''} in the latest run: "
        "warnings do not stop publishing. The failed checks are listed first below.",
        icon=":material/warning:",
    )

# --- latest result per check -----------------------------------------------------------------
st.subheader("Latest result per check")
checks = queries.quality_latest(hidden)
st.dataframe(
    pd.DataFrame(
        {
            "Outcome": _outcomes(checks["outcome"]),
            "Layer": checks["layer"],
            "Asset": checks["asset"],
            "Check": checks["check_name"],
            "Severity": _severity(checks["severity"]),
            "Scope": [_scope(a, b) for a, b in zip(checks["partition_start"], checks["partition_end"], strict=True)],
            "Failed scopes": [f"{f} of {n}" for f, n in zip(checks["failed_scopes"], checks["scopes"], strict=True)],
            "Observed": checks["observed_value"],
            "Unexpected rows": _counts(checks["unexpected_count"]),
            "Rows checked": _counts(checks["rows_checked"]),
            "Checked (UTC)": [formatting.format_when(v) for v in checks["checked_at"]],
            "Sample": checks["sample"],
            "Description": checks["description"],
        }
    ),
    hide_index=True,
    width="stretch",
)
st.caption(
    "Each check's newest run, its scopes taken together: blocking failures first, then warnings. Observed and sample "
    "are those of its worst scope."
)
widgets.download_csv(checks.drop(columns="outcome_rank"), "quality_latest", "health_download_latest")

# --- per partition day ------------------------------------------------------------------------
st.subheader("Checks per partition day")
daily = queries.quality_daily(start, end, hidden)
if daily.empty:
    st.caption("No check ran on a partition day in this range.")
else:
    st.altair_chart(charts.quality_day_chart(daily), width="stretch")
    failures = daily[daily["status"] == "failed"]
    if failures.empty:
        st.caption("Every check passed on every partition day in this range.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Partition day": [f"{v:%Y-%m-%d}" for v in failures["partition_start"]],
                    "Outcome": _outcomes(failures["outcome"]),
                    "Layer": failures["layer"],
                    "Asset": failures["asset"],
                    "Check": failures["check_name"],
                    "Observed": failures["observed_value"],
                    "Unexpected rows": _counts(failures["unexpected_count"]),
                    "Sample": failures["sample"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    st.caption(
        "The latest result of each check per partition day (its first day), newest day first; the table lists the "
        "failures. A check of the whole table has no day and is left out here."
    )
    widgets.download_csv(
        daily.drop(columns="outcome_rank"), f"quality_daily_{start}_{last_day}", "health_download_daily"
    )

# --- freshness -------------------------------------------------------------------------------
st.subheader("Freshness per source")
freshness = queries.quality_freshness(hidden)
if freshness.empty:
    st.caption("No freshness check in the serving copy yet.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Source": freshness["asset"],
                "Outcome": _outcomes(freshness["outcome"]),
                "Freshness": freshness["observed_value"],
                "Checked (UTC)": [formatting.format_when(v) for v in freshness["checked_at"]],
                "Description": freshness["description"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    widgets.download_csv(freshness.drop(columns="outcome_rank"), "quality_freshness", "health_download_freshness")

# --- quarantine ------------------------------------------------------------------------------
st.subheader("Quarantined rows")
if not queries.quality_quarantine_published():
    st.caption("No quarantine in the serving copy yet: it is published by runs of this version on.")
else:
    kept = queries.quality_quarantine(start, end, hidden)
    if kept.empty:
        st.caption("No landed row of these UTC days is held in quarantine.")
    else:
        st.metric("Rows in quarantine", format_count(len(kept)), border=True)
        st.dataframe(
            pd.DataFrame(
                {
                    "Day": [f"{v:%Y-%m-%d}" for v in kept["partition_date"]],
                    "Asset": kept["asset"],
                    "Reason": kept["reason"],
                    "Source": kept["source"],
                    "Natural key": kept["natural_key"],
                    "Row as sent": kept["row_json"],
                    "Landed (UTC)": [formatting.format_when(v) for v in kept["landed_at"]],
                    "Run": kept["run_id"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        widgets.download_csv(kept, f"quarantine_{start}_{last_day}", "health_download_quarantine")
    st.caption(
        "Rows a row-level rule (a negative token, request or cost count) kept out of the raw tables and so out of the "
        "marts; the rest of their run published with a warning (quarantined_rows). A row stays here until its days "
        "are landed again."
    )

# --- history ---------------------------------------------------------------------------------
st.subheader("Failed checks per run")
st.altair_chart(charts.quality_history_chart(runs), width="stretch")
st.dataframe(
    pd.DataFrame(
        {
            "Run": runs["run_id"],
            "First checked (UTC)": [formatting.format_when(v) for v in runs["first_checked_at"]],
            "Last checked (UTC)": [formatting.format_when(v) for v in runs["last_checked_at"]],
            "Checks": runs["checks"],
            "Passed": runs["passed"],
            "Warnings": runs["warnings"],
            "Blocking failures": runs["blocking"],
        }
    ),
    hide_index=True,
    width="stretch",
)
widgets.download_csv(runs, "quality_runs", "health_download_runs")
st.caption(f"The newest {queries.QUALITY_HISTORY_RUNS} runs at most, newest first in the table; every date.")
