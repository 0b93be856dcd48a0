"""The compose file's lint (``make lint``): no Docker daemon runs here, so nothing reads compose.yaml until someone
deploys it. This reads it now:

* against the Compose Specification's JSON schema, vendored in ``deploy/compose-spec/`` (never fetched);
* against the rules of our deployment:

  1. every service has a healthcheck, or waits for what it needs through ``depends_on`` conditions;
  2. ``depends_on`` is the long form with a condition (a bare list waits for a container to start, not for it to
     be ready), names services that exist, and has no cycle;
  3. ``service_healthy`` names a service with a healthcheck; ``service_completed_successfully`` a one-shot
     (``restart: "no"``);
  4. images are pinned to a tag (not ``latest``, not untagged), our own build aside;
  5. the app's processes publish no port: the public comes in through nginx;
  6. nginx's template (``deploy/nginx.conf.template``) gets every placeholder it uses, and its upstream lists every
     web process: each ``${CRISISDESK_WEB_n}`` is a web service's ``host:8000``, and every web service is one;
  7. the app believes ``X-Forwarded-For`` from nginx's fixed address and nobody else;
  8. every file mounted from the repository, and the build's Dockerfile, exist;
  9. a service of our image that serves no HTTP (the worker, the migrations) disables the image's HEALTHCHECK,
     which asks for ``/healthz``: otherwise it would be reported unhealthy for ever.

Usage: ``python -m deploy.check_compose [compose.yaml]``: one line a problem, exit status 1 if there is any.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft201909Validator

from deploy.nginx import placeholders

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "compose-spec" / "compose-spec.json"
NGINX_TEMPLATE_IN_CONTAINER = "/etc/nginx/templates/"
WEB_PORT = 8000
WEB_PLACEHOLDER = re.compile(r"^CRISISDESK_WEB_\d+$")

Compose = dict[str, Any]


def load(path: Path) -> Compose:
    """The compose file as compose reads it (YAML anchors and ``<<`` merges resolved)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a mapping")
    return data


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment, from either form (a mapping, or a list of ``NAME=value``)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def _command(service: dict[str, Any]) -> str:
    command = service.get("command")
    return " ".join(command) if isinstance(command, list) else str(command or "")


def app_services(compose: Compose) -> dict[str, dict[str, Any]]:
    """The services that run our image (built from this repository)."""
    return {name: s for name, s in compose.get("services", {}).items() if "build" in s}


def web_services(compose: Compose) -> list[str]:
    """The app services that serve HTTP: the image's own command (``crisisdesk serve``) or an explicit serve."""
    return sorted(name for name, s in app_services(compose).items() if not s.get("command") or "serve" in _command(s))


def nginx_service(compose: Compose) -> tuple[str, dict[str, Any]] | None:
    for name, service in compose.get("services", {}).items():
        if str(service.get("image", "")).split(":")[0].rsplit("/", 1)[-1] == "nginx":
            return name, service
    return None


def _depends_on(service: dict[str, Any]) -> dict[str, Any] | list[str]:
    value: dict[str, Any] | list[str] = service.get("depends_on") or {}
    return value


def _bind_sources(service: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(source, target) of each bind mount from a relative path."""
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            parts = volume.split(":")
            if len(parts) >= 2 and parts[0].startswith((".", "/")):
                yield parts[0], parts[1]
        elif isinstance(volume, dict) and volume.get("type") == "bind":
            yield str(volume.get("source", "")), str(volume.get("target", ""))


def schema_problems(compose: Compose) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = Draft201909Validator(schema)
    found = []
    for error in sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        found.append(f"schema: {where}: {error.message}")
    return found


def _cycle(graph: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state and (found := visit(node)):
            return found
    return None


def rule_problems(compose: Compose, root: Path) -> list[str]:
    services: dict[str, dict[str, Any]] = compose.get("services", {})
    found: list[str] = []
    graph: dict[str, list[str]] = {}

    for name, service in services.items():
        healthcheck = service.get("healthcheck") or {}
        has_check = bool(healthcheck.get("test")) and not healthcheck.get("disable")
        depends = _depends_on(service)
        # 1, 2, 3: readiness
        if isinstance(depends, list):
            found.append(f"{name}: depends_on is a bare list; give each a condition (service_healthy, …)")
            graph[name] = list(depends)
            depends = {}
        graph.setdefault(name, list(depends))
        if not has_check and not depends:
            found.append(f"{name}: no healthcheck and no depends_on condition: nothing says when it is ready")
        for target, spec in depends.items():
            condition = (spec or {}).get("condition")
            if target not in services:
                found.append(f"{name}: depends on {target}, which is not a service")
                continue
            if condition is None:
                found.append(f"{name}: depends on {target} without a condition")
            other = services[target]
            other_check = other.get("healthcheck") or {}
            if condition == "service_healthy" and (not other_check.get("test") or other_check.get("disable")):
                found.append(f"{name}: waits for {target} to be healthy, but {target} has no healthcheck")
            if condition == "service_completed_successfully" and str(other.get("restart", "")) != "no":
                found.append(f"{name}: waits for {target} to complete, but {target} is not a one-shot (restart: 'no')")
        # 4: pinned images
        image = str(service.get("image", ""))
        if image and "build" not in service:
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            if not tag or tag == "latest":
                found.append(f"{name}: image {image!r} is not pinned to a version tag")
        # 8: files from the repository
        for source, _target in _bind_sources(service):
            if source.startswith(".") and not (root / source).exists():
                found.append(f"{name}: mounts {source}, which does not exist")
        build = service.get("build")
        if build is not None:
            context = root / (build if isinstance(build, str) else build.get("context", "."))
            dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
            if not (context / dockerfile).is_file():
                found.append(f"{name}: builds from {context / dockerfile}, which does not exist")

    cycle = _cycle(graph)
    if cycle:
        found.append("depends_on has a cycle: " + " → ".join(cycle))

    webs = web_services(compose)
    for name, service in app_services(compose).items():
        # 5: the app publishes nothing itself
        if service.get("ports"):
            found.append(f"{name}: the app publishes a port; the public must come in through nginx")
        # 9: the image's HTTP healthcheck only where HTTP is served
        if name not in webs and not (service.get("healthcheck") or {}).get("disable"):
            found.append(f"{name}: serves no HTTP but keeps the image's /healthz HEALTHCHECK (disable: true)")

    found += _nginx_problems(compose, root)
    return found


def _nginx_problems(compose: Compose, root: Path) -> list[str]:
    webs = web_services(compose)
    nginx = nginx_service(compose)
    if nginx is None:
        return ["no nginx service: the web processes need their balancer"]
    name, service = nginx
    found: list[str] = []
    env = environment(service)
    templates = [root / src for src, target in _bind_sources(service) if target.startswith(NGINX_TEMPLATE_IN_CONTAINER)]
    if not templates:
        found.append(f"{name}: mounts no template under {NGINX_TEMPLATE_IN_CONTAINER}")
    for template in templates:
        if not template.is_file():
            continue  # reported above
        used = placeholders(template.read_text(encoding="utf-8"))
        for missing in sorted(used - set(env)):
            found.append(f"{name}: {template.name} uses ${{{missing}}}, which its environment does not set")
        upstream = {k for k in used if WEB_PLACEHOLDER.match(k)}
        listed = {env[k] for k in upstream if k in env}
        expected = {f"{web}:{WEB_PORT}" for web in webs}
        for web in sorted(expected - listed):
            found.append(f"{name}: the upstream does not list {web} (a web process nginx never sends to)")
        for extra in sorted(listed - expected):
            found.append(f"{name}: the upstream lists {extra}, which is no web service")
    # 7: X-Forwarded-For believed from nginx only
    addresses = {
        str(net.get("ipv4_address"))
        for net in (service.get("networks") or {}).values()
        if isinstance(service.get("networks"), dict) and isinstance(net, dict) and net.get("ipv4_address")
    }
    if not addresses:
        found.append(f"{name}: no fixed ipv4_address, so the app cannot trust nginx's address alone")
    for app_name in webs:
        trusted = environment(app_services(compose)[app_name]).get("CRISISDESK_TRUSTED_PROXIES", "")
        entries = {part.strip() for part in trusted.split(",") if part.strip()}
        if entries != addresses:
            found.append(f"{app_name}: CRISISDESK_TRUSTED_PROXIES is {trusted!r}, not nginx's address "
                         f"{', '.join(sorted(addresses)) or '(none)'}")  # fmt: skip
    return found


def problems(path: Path) -> list[str]:
    compose = load(path)
    return schema_problems(compose) + rule_problems(compose, path.resolve().parent)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path("compose.yaml")
    found = problems(path)
    for problem in found:
        print(f"{path}: {problem}")  # noqa: T201
    if not found:
        print(f"{path}: ok ({len(load(path).get('services', {}))} services)")  # noqa: T201
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
