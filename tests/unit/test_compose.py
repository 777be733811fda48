"""docker-compose.yaml, checked without a Docker engine: the topology, commands and health checks it promises."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MARQUEZ = {"marquez", "marquez-db", "marquez-web"}
AIRFLOW = {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker"}


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yaml").read_text())


def test_services_and_commands():
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "airflow-init", *AIRFLOW, *MARQUEZ}
    commands = {name: services[name]["command"] for name in AIRFLOW}
    assert commands == {
        "airflow-apiserver": "api-server",
        "airflow-scheduler": "scheduler",
        "airflow-dag-processor": "dag-processor",
        "airflow-triggerer": "triggerer",
        "airflow-worker": "celery worker --concurrency 4",
    }
    assert services["airflow-worker"]["deploy"]["replicas"] == 2
    assert services["airflow-apiserver"]["ports"] == ["127.0.0.1:8080:8080"]  # never on every interface
    init = services["airflow-init"]["command"][1]
    assert "airflow db migrate" in init and "airflow pools set kopdes_heavy" in init


def test_every_long_running_service_has_a_health_check_and_waits_for_its_dependencies():
    services = _compose()["services"]
    for name, service in services.items():
        if name == "airflow-init":
            continue
        assert service["healthcheck"]["test"], name
        if name in AIRFLOW:
            depends = service["depends_on"]
            assert depends["postgres"]["condition"] == "service_healthy", name
            assert depends["redis"]["condition"] == "service_healthy", name
            assert depends["airflow-init"]["condition"] == "service_completed_successfully", name


def test_one_image_from_the_official_airflow_with_our_lock():
    services = _compose()["services"]
    assert {services[name]["build"] for name in AIRFLOW | {"airflow-init"}} == {"."}
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM apache/airflow:3.3.2-python3.11" in dockerfile
    assert "pip install --no-cache-dir -r /opt/kopdes/requirements.txt" in dockerfile


def test_celery_postgres_redis_and_a_shared_jwt_secret():
    env = _compose()["services"]["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://airflow-apiserver:8080/")
    secret = env["AIRFLOW__API_AUTH__JWT_SECRET"].split(":-", 1)[1].rstrip("}")
    assert len(secret) >= 64
    assert env["KOPDES_EVENTS"] == "redis" and env["AIRFLOW_CONN_REDIS_DEFAULT"].startswith("redis://")
    worker_env = _compose()["services"]["airflow-worker"]["environment"]
    assert worker_env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]


def test_workers_preload_the_heavy_libraries_once():
    """The Celery workers' config adds the preload to Airflow's defaults; `make up`'s forkserver list is the same."""
    from include.kopdes_hub.adapter import workers

    env = _compose()["services"]["airflow-worker"]["environment"]
    module, _, name = env["AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS"].rpartition(".")
    config = getattr(importlib.import_module(module), name)
    assert config["imports"] == workers.PRELOAD and "broker_url" in config  # Airflow's defaults kept
    makefile = (ROOT / "Makefile").read_text()
    exported = re.search(r"^export AIRFLOW__CORE__MP_FORKSERVER_PRELOAD \?= (.+)$", makefile, re.M)
    assert exported and exported.group(1).split(",") == list(workers.PRELOAD)
    for module_name in workers.PRELOAD:  # each one importable, or a worker would fail at start
        assert importlib.util.find_spec(module_name) is not None, module_name


def test_marquez_is_an_optional_profile_and_every_airflow_service_reports_lineage():
    services = _compose()["services"]
    assert all(services[name]["profiles"] == ["marquez"] for name in MARQUEZ)
    assert not any("profiles" in services[name] for name in set(services) - MARQUEZ), "the default stack needs none"
    assert services["marquez"]["environment"]["POSTGRES_HOST"] == "marquez-db"
    assert services["marquez-web"]["ports"] == ["127.0.0.1:3000:3000"]
    from openlineage.client.transport.file import FileConfig
    from openlineage.client.transport.http import HttpConfig

    from include.kopdes_hub.adapter import lineage

    env = services["airflow-worker"]["environment"]
    assert env["AIRFLOW__OPENLINEAGE__EXTRACTORS"] == lineage.EXTRACTOR_PATH
    # one transport line serves both: the variable picks the type, each transport reads its own keys from it
    line = env["AIRFLOW__OPENLINEAGE__TRANSPORT"]
    unset = r"\$\{[A-Z_]+:-([^}]*)\}"  # compose's ${VAR:-default}, the variable unset
    defaults = re.sub(unset, r"\1", line)
    chosen_http = json.loads(re.sub(unset, r"\1", line.replace("${KOPDES_LINEAGE_TRANSPORT:-file}", "http")))
    assert json.loads(defaults)["type"] == "file"
    assert FileConfig.from_dict(json.loads(defaults)).log_file_path == "/opt/kopdes/data/lineage/events"
    assert chosen_http["type"] == "http"
    http = HttpConfig.from_dict(chosen_http)
    assert (http.url, http.endpoint) == ("http://marquez:5000", "api/v1/lineage")
    assert "5000:5000" in " ".join(services["marquez"]["ports"]), "the URL's port is the one Marquez serves"
    assert "mkdir -p /opt/kopdes/data/lineage" in services["airflow-init"]["command"][1]
