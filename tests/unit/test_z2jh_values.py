"""deploy/kubernetes/values.yaml is a valid Zero to JupyterHub configuration that says what the kit's design says.

No helm and no cluster here: the chart's own schema (`../shared/z2jh/values.schema.yaml`, JSON Schema in YAML)
judges the values file merged over the chart's defaults the way helm merges them, and JupyterHub's own code (the
installed package) judges what the schema lets through unchecked (`hub.config`, `hub.services`, `hub.loadRoles`
are open objects there): trait names, service fields, role scopes and what they expand to."""

from __future__ import annotations

import copy
import importlib
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
import yaml
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[2]
VALUES = ROOT / "deploy" / "kubernetes" / "values.yaml"
Z2JH = ROOT.parent / "shared" / "z2jh"  # beside every clone: /work/<clone>/../shared
QUIZ, DASHBOARD = "hoctap-quiz", "hoctap-dashboard"
CHART_HUB_IMAGE = "quay.io/jupyterhub/k8s-hub"


def _load(path: Path) -> Any:
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: the chart's schema and defaults are expected in ../shared/z2jh beside the clone "
            "(copied from jupyterhub/zero-to-jupyterhub-k8s, see its README); without them nothing can be validated"
        )
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def merged(defaults: Any, override: Any) -> Any:
    """Helm's merge of a values file over the chart's defaults: maps merge key by key, anything else (lists
    included) replaces, and a null in the values file removes the default's key."""
    if not (isinstance(defaults, dict) and isinstance(override, dict)):
        return copy.deepcopy(override)
    out = copy.deepcopy(defaults)
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merged(out.get(key), value)
    return out


@pytest.fixture(scope="module")
def schema() -> dict:
    return _load(Z2JH / "values.schema.yaml")


@pytest.fixture(scope="module")
def validator(schema):
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def config(values) -> dict:
    """What the hub pod would get: the kit's values over the chart's defaults."""
    return merged(_load(Z2JH / "values.yaml"), values)


def errors(validator, config) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    ]


# --- the chart's schema -----------------------------------------------------------------------------------------


def test_the_schema_is_the_charts_draft7_schema(schema, validator):
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert isinstance(validator, jsonschema.Draft7Validator)
    assert schema["additionalProperties"] is False and {"hub", "proxy", "singleuser"} <= set(schema["required"])


def test_the_values_merged_over_the_chart_defaults_validate(validator, config):
    assert errors(validator, config) == []


@pytest.mark.parametrize(
    "path, renamed, value, where",
    [
        (("singleuser", "defaultUrl"), "defaultURL", None, "singleuser"),  # a misspelled key
        (("cull", "timeout"), "timout", None, "cull"),
        (("hub", "concurrentSpawnLimit"), "concurrentSpawnlimit", None, "hub"),
        (("hub", "db", "type"), None, "postgresql", "hub.db.type"),  # a value outside the enum
        (("proxy", "https", "type"), None, "letsencrypt-staging", "proxy.https.type"),
        (("cull", "timeout"), None, "3h", "cull.timeout"),  # a string where a number goes
    ],
)
def test_the_schema_rejects_a_broken_variant(validator, config, path, renamed, value, where):
    """The check can fail: the same file with one key misspelled or one value wrong is refused, where it broke."""
    variant = copy.deepcopy(config)
    parent = variant
    for key in path[:-1]:
        parent = parent[key]
    if renamed:
        parent[renamed] = parent.pop(path[-1])
    else:
        parent[path[-1]] = value
    found = errors(validator, variant)
    assert found, f"the schema accepted a broken {'.'.join(path)}"
    assert all(e.startswith(where) for e in found), found


def test_the_readmes_value_overrides_validate_too(validator, config):
    """The deployer's README offers overrides (```yaml blocks starting `# values.yaml override`): they hold too."""
    readme = (VALUES.parent / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if b.startswith("# values.yaml override")]
    assert blocks, "no override in deploy/kubernetes/README.md"
    for block in blocks:
        assert errors(validator, merged(config, yaml.safe_load(block))) == [], block


# --- the design, in the file ------------------------------------------------------------------------------------


def test_the_hub_runs_the_kits_authenticator_from_the_kits_image(config):
    hub = config["hub"]
    assert hub["config"]["JupyterHub"]["authenticator_class"] == "hoctap.hub.auth.HoctapAuthenticator"
    assert hub["image"]["name"] != CHART_HUB_IMAGE and hub["image"]["name"].endswith("/hoctap-hub")
    assert "CHANGE-ME" in hub["image"]["tag"] and "CHANGE-ME" in config["singleuser"]["image"]["tag"]
    assert set(hub["config"]["HoctapAuthenticator"]) >= {"max_failures", "lockout_seconds"}
    assert "db_url" not in hub["config"]["HoctapAuthenticator"]  # from HOCTAP_DB_URL (a Secret), never from here


def test_the_hub_config_names_only_real_jupyterhub_traits(config):
    from jupyterhub.app import JupyterHub

    unknown = set(config["hub"]["config"]["JupyterHub"]) - set(JupyterHub.class_trait_names(config=True))
    assert not unknown, f"not configurable traits of JupyterHub: {unknown}"


def test_the_configured_authenticator_traits_exist_on_the_class(config):
    module_name, _, class_name = config["hub"]["config"]["JupyterHub"]["authenticator_class"].rpartition(".")
    authenticator = getattr(importlib.import_module(module_name), class_name)
    traits = set(authenticator.class_trait_names(config=True))
    unknown = set(config["hub"]["config"][class_name]) - traits
    assert not unknown, f"{class_name} has no configurable traits {unknown}"
    assert "db_url" in traits  # the trait the Secret's environment variable stands in for


def test_both_services_are_external_with_oauth_and_a_chart_generated_token(config):
    from jupyterhub.services.service import Service

    services = config["hub"]["services"]
    assert set(services) == {QUIZ, DASHBOARD}
    for name, service in services.items():
        # The chart turns this map into JupyterHub's list (name from the key, apiToken → api_token).
        unknown = set(service) - {"apiToken"} - set(Service.class_trait_names())
        assert not unknown, f"{name}: not fields of a JupyterHub service: {unknown}"
        assert re.fullmatch(rf"http://{name}:\d+/?", service["url"]), service["url"]
        assert service["oauth_no_confirm"] is True
        assert "command" not in service  # not a managed process in the hub pod: its own Deployment
        assert not service.get("api_token") and not service.get("apiToken")  # generated into the `hub` Secret


def test_the_extra_config_takes_the_one_machine_hubs_start_page_login_page_and_lab_args(config):
    """hub.extraConfig is Python the schema cannot check: run it on a Config as the chart's hub would."""
    c = Config()
    for name, code in sorted(config["hub"]["extraConfig"].items()):
        exec(compile(code, f"hub.extraConfig.{name}", "exec"), {"c": c})
    assert Path(c.JupyterHub.template_paths[0], "login.html").is_file()
    home = config["singleuser"]["extraEnv"]["HOCTAP_HOME"]
    assert f"--CourseDirectory.root={home}/assessments" in c.KubeSpawner.args
    assert all(isinstance(arg, str) for arg in c.KubeSpawner.args)

    def lands(groups: list[str]) -> str:
        user = SimpleNamespace(name="tn-0001", groups=[SimpleNamespace(name=g) for g in groups])
        return c.JupyterHub.default_url(SimpleNamespace(hub=SimpleNamespace(base_url="/hub/"), current_user=user))

    assert lands(["unit-u01", "role-cb"]).startswith(f"/services/{QUIZ}/")
    assert lands(["instructors"]).startswith(f"/services/{DASHBOARD}/")


def test_an_instructors_first_start_copies_the_kit_whole_and_later_starts_keep_their_copy(config, tmp_path):
    """The postStart hook, run by sh on a stand-in of the image's /srv/hoctap and the volume's /home/jovyan."""
    script = config["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert script[:2] == ["sh", "-c"]
    image, volume = tmp_path / "srv" / "hoctap", tmp_path / "home"
    (image / "assessments").mkdir(parents=True)
    (image / "assessments" / "spec.txt").write_text("v1", encoding="utf-8")
    (volume / ".hoctap-new" / "half").mkdir(parents=True)  # left by a start that died mid-copy
    hook = script[2].replace("/home/jovyan", str(volume)).replace("/srv/hoctap", str(image))
    assert script[2].count("/home/jovyan") == hook.count(str(volume))
    subprocess.run(["sh", "-c", hook], check=True)
    copy_ = volume / "hoctap"
    assert (copy_ / "assessments" / "spec.txt").read_text(encoding="utf-8") == "v1"
    assert not (volume / ".hoctap-new").exists() and not (copy_ / "half").exists()
    (copy_ / "assessments" / "spec.txt").write_text("instructor's", encoding="utf-8")
    subprocess.run(["sh", "-c", hook], check=True)
    assert (copy_ / "assessments" / "spec.txt").read_text(encoding="utf-8") == "instructor's"


def _expanded(config: dict, role_names: list[str], username: str) -> frozenset[str]:
    """What a user holding these roles may do, expanded by JupyterHub's own scope code."""
    from jupyterhub import orm, roles, scopes

    for name in role_names:
        roles._validate_role_name(name)
    loaded = config["hub"]["loadRoles"]
    raw = set().union(*(loaded[name]["scopes"] for name in role_names))
    scopes._check_scopes_exist(raw, who_for=f"roles {role_names}")
    return scopes.expand_scopes(raw, owner=orm.User(name=username))


def test_a_learner_reaches_the_quiz_service_and_nothing_else(config):
    user_role = config["hub"]["loadRoles"]["user"]
    assert "self" not in user_role["scopes"] and not any(s.startswith("servers") for s in user_role["scopes"])
    assert _expanded(config, ["user"], "tn-0001") == {f"access:services!service={QUIZ}"}


def test_instructors_get_their_lab_the_quiz_and_the_dashboard(config):
    instructor = config["hub"]["loadRoles"]["instructor"]
    assert instructor["groups"] == ["instructors"]
    may = _expanded(config, ["user", "instructor"], "gv-01")
    assert {
        "servers!user=gv-01",
        "access:servers!user=gv-01",
        f"access:services!service={QUIZ}",
        f"access:services!service={DASHBOARD}",
    } <= may
    assert not any(s.startswith(("servers", "access:servers")) and not s.endswith("!user=gv-01") for s in may)
    assert f"access:services!service={DASHBOARD}" not in _expanded(config, ["user"], "tn-0001")


def test_instructors_servers_and_the_hub_share_the_gradebook_from_a_secret(config):
    for where in (config["hub"]["extraEnv"], config["singleuser"]["extraEnv"]):
        assert where["HOCTAP_DB_URL"]["valueFrom"]["secretKeyRef"]["key"]
    assert config["hub"]["db"]["type"] == "postgres" and config["hub"]["db"]["url"].startswith("postgresql")
    assert config["hub"]["extraEnv"]["PGPASSWORD"]["valueFrom"]["secretKeyRef"]
    singleuser = config["singleuser"]
    assert singleuser["cmd"] == "jupyterhub-singleuser" and singleuser["defaultUrl"] == "/lab"
    assert singleuser["storage"]["type"] == "dynamic"


def test_culling_https_and_scheduling_are_set(config):
    assert config["cull"]["enabled"] is True and config["cull"]["timeout"] >= 2 * 3600  # an exam session
    assert config["proxy"]["https"]["enabled"] is True and config["proxy"]["https"]["type"] == "letsencrypt"
    assert "userScheduler" in config["scheduling"] and config["hub"]["concurrentSpawnLimit"] < 64


# --- no secret in the file --------------------------------------------------------------------------------------

SECRET_KEY = re.compile(r"pass|pwd|token|secret|cookie|^key$|^cert$|^crt$", re.IGNORECASE)
SECRET_ENV = re.compile(r"PASS|PWD|TOKEN|SECRET|KEY|_URL$", re.IGNORECASE)
URL_WITH_PASSWORD = re.compile(r"://[^/@:\s]+:[^/@\s]+@")
ENV_MAPS = ("extraEnv",)


def _walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, (*path, str(i)))


def plain_secrets(values: dict) -> list[str]:
    """Every place where a password, token, key or credentials-bearing URL is written out in clear."""
    found = []
    for path, node in _walk(values):
        where = ".".join(path)
        if "valueFrom" in path:  # a reference to a Secret (its name and key), not a secret
            continue
        if isinstance(node, str) and URL_WITH_PASSWORD.search(node):
            found.append(f"{where}: a URL with a password")
        if len(path) >= 2 and path[-2] in ENV_MAPS and SECRET_ENV.search(path[-1]):
            source = node.get("valueFrom", {}) if isinstance(node, dict) else {}
            if not source.get("secretKeyRef"):
                found.append(f"{where}: an environment variable that is a secret, not from a Secret")
        elif path and SECRET_KEY.search(path[-1]) and not isinstance(node, dict | list) and node not in (None, ""):
            found.append(f"{where}: a literal secret")
    return found


def test_no_password_or_token_is_written_in_the_file(values):
    assert plain_secrets(values) == []


@pytest.mark.parametrize(
    "leak",
    [
        {"hub": {"db": {"url": "postgresql+psycopg2://jupyterhub:hunter2@db:5432/jupyterhub"}}},
        {"hub": {"db": {"password": "hunter2"}}},
        {"hub": {"services": {QUIZ: {"api_token": "0123abcd"}}}},
        {"hub": {"extraEnv": {"HOCTAP_DB_URL": "postgresql://hoctap@db/hoctap"}}},
        {"singleuser": {"extraEnv": {"PGPASSWORD": {"value": "hunter2"}}}},
        {"proxy": {"https": {"type": "manual", "manual": {"key": "-----BEGIN RSA PRIVATE KEY-----"}}}},
        {"proxy": {"secretToken": "0123abcd"}},
    ],
)
def test_the_secret_check_catches_a_leak(values, leak):
    """The check can fail: each way of writing a secret in clear is caught."""
    assert plain_secrets(merged(values, leak))
