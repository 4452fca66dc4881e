import dagster as dg

from connectors.registry import SOURCES
from orchestration.defs.ingest.factory import build_api_asset, build_file_asset, build_file_sensor


@dg.definitions
def defs() -> dg.Definitions:
    assets, sensors, jobs = [], [], []
    file_sources = [source for source in SOURCES if not source.is_api]
    for source in SOURCES:
        build = build_api_asset if source.is_api else build_file_asset
        assets.extend(build(source, feed) for feed in source.feeds)
    if file_sources:
        # New files are landed, then everything downstream of them is rebuilt, checked and published.
        keys = [dg.AssetKey([t.source, t.endpoint]) for s in file_sources for t in s.tables]
        job = dg.define_asset_job(
            "file_drops_job",
            selection=dg.AssetSelection.assets(*keys).downstream(),
            description="Land new or changed files of the file-drop sources, then build, check and publish.",
        )
        jobs.append(job)
        sensors.extend(build_file_sensor(source, job) for source in file_sources)
    return dg.Definitions(assets=assets, sensors=sensors, jobs=jobs)
