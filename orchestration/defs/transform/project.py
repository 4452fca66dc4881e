from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
if not dbt_project.manifest_path.exists():
    # A fresh clone outside `dagster dev`: build the manifest once so the dbt assets can load.
    dbt_project.preparer.prepare(dbt_project)
