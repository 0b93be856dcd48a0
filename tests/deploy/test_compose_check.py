"""The compose file's lint (deploy/check_compose.py, run by ``make lint``): the real compose.yaml passes, and each
rule catches the mistake it is there for."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from deploy.check_compose import load, main, rule_problems, schema_problems, web_services
from deploy.nginx import TEMPLATE, fill, placeholders

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = load(ROOT / "compose.yaml")


def found(compose: dict[str, Any]) -> list[str]:
    return schema_problems(compose) + rule_problems(compose, ROOT)


def changed(edit: Any) -> list[str]:
    compose = copy.deepcopy(COMPOSE)
    edit(compose["services"])
    return found(compose)


def test_the_real_compose_file_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert found(COMPOSE) == []
    assert main([str(ROOT / "compose.yaml")]) == 0
    assert "ok" in capsys.readouterr().out


def test_the_topology_it_describes() -> None:
    services = COMPOSE["services"]
    assert web_services(COMPOSE) == ["web1", "web2", "web3"]
    assert services["worker"]["deploy"]["replicas"] == 2
    assert {"db", "db-replica", "redis", "nginx", "mail", "migrate"} <= set(services)
    env = services["web1"]["environment"]
    assert env["CRISISDESK_DATABASE_READ_URL"].endswith("@db-replica:5432/crisisdesk")
    assert env["CRISISDESK_REDIS_URL"] == "redis://redis:6379/0"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(lambda s: s["redis"].pop("healthcheck"), "web1: waits for redis to be healthy, but redis has no",
                     id="healthy-needs-a-healthcheck"),
        pytest.param(lambda s: s["mail"].pop("healthcheck"), "mail: no healthcheck and no depends_on condition",
                     id="ready-when"),
        pytest.param(lambda s: s["nginx"].update(depends_on=["web1", "web2", "web3"]),
                     "nginx: depends_on is a bare list", id="bare-depends-on"),
        pytest.param(lambda s: s["migrate"].pop("restart"),
                     "waits for migrate to complete, but migrate is not a one-shot", id="one-shot"),
        pytest.param(lambda s: s["redis"].update(image="redis:latest"), "redis: image 'redis:latest' is not pinned",
                     id="latest"),
        pytest.param(lambda s: s["mail"].update(image="axllent/mailpit"), "mail: image 'axllent/mailpit' is not pinned",
                     id="untagged"),
        pytest.param(lambda s: s["web2"].update(ports=["8001:8000"]), "web2: the app publishes a port",
                     id="no-bypass"),
        pytest.param(lambda s: s["nginx"]["environment"].update(CRISISDESK_WEB_3="web1:8000"),
                     "nginx: the upstream does not list web3:8000", id="web-left-out"),
        pytest.param(lambda s: s.update(web4=copy.deepcopy(s["web1"])), "nginx: the upstream does not list web4:8000",
                     id="new-web-not-balanced"),
        pytest.param(lambda s: s["nginx"]["environment"].pop("NGINX_RUN_DIR"),
                     "nginx: nginx.conf.template uses ${NGINX_RUN_DIR}, which its environment does not set",
                     id="template-placeholder"),
        pytest.param(lambda s: s["web1"]["environment"].update(CRISISDESK_TRUSTED_PROXIES="172.30.0.0/24"),
                     "web1: CRISISDESK_TRUSTED_PROXIES is '172.30.0.0/24', not nginx's address 172.30.0.10",
                     id="trust-nginx-only"),
        pytest.param(lambda s: s["db"]["volumes"].append("./deploy/postgres/nothing.sh:/x.sh:ro"),
                     "db: mounts ./deploy/postgres/nothing.sh, which does not exist", id="missing-file"),
        pytest.param(lambda s: s["db"].update(depends_on={"migrate": {"condition": "service_completed_successfully"}}),
                     "depends_on has a cycle", id="cycle"),
        pytest.param(lambda s: s["worker"].pop("healthcheck"), "worker: serves no HTTP but keeps the image's",
                     id="worker-health"),
        pytest.param(lambda s: s["redis"].update(restart_policy="always"), "schema: services/redis:",
                     id="schema"),
    ],
)  # fmt: skip
def test_each_rule_catches_its_mistake(edit: Any, expected: str) -> None:
    problems = changed(edit)
    assert any(expected in p for p in problems), problems


def test_the_nginx_template_is_filled_like_envsubst() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    names = placeholders(text)
    assert {"NGINX_LISTEN", "CRISISDESK_WEB_1", "CRISISDESK_WEB_2", "CRISISDESK_WEB_3"} <= names
    config = fill(text, {name: f"<{name.lower()}>" for name in names})
    assert "server <crisisdesk_web_3> max_fails" in config
    assert "$remote_addr" in config and "${" not in config  # nginx's own variables untouched
    with pytest.raises(KeyError, match="NGINX_LISTEN"):
        fill(text, dict.fromkeys(names - {"NGINX_LISTEN"}, "x"))
