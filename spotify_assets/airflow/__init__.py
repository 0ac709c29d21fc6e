"""Airflow 3 as a second trigger of the same Dagster materializations (the ``airflow`` extra).

``dags/`` is the DAGS_FOLDER (the ``spotify_assets`` DAG); ``operator`` is its one operator and
``dagster_runs`` the GraphQL side it drives; ``home`` prepares an AIRFLOW_HOME for
``spotify-assets airflow init``. Importing this package imports no Airflow.
"""
