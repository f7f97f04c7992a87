"""Security scan: checkov over every synthesized stack and over the pipeline's plan on the emulator.

Two views of the same infrastructure, because each sees what the other cannot:

- ``terraform_json`` on ``cdktf.out/stacks/<stack>``: the code as written,
  every stack, no AWS needed. CDKTF renders IAM policies and container
  definitions as JSON strings with unresolved references, which checkov
  cannot read there (it reports UNKNOWN).
- ``terraform_plan`` on the plan of ``pipeline`` against the local emulator,
  made *after* applying it: then every ARN is known and checkov evaluates the
  real policies and task definition. (A plan of resources not yet created
  leaves those attributes unknown, and checkov silently passes or skips them.)

A finding is a FAILED or UNKNOWN result. checkov's JSON report leaves
UNKNOWN results out, so checkov runs with ``LOG_LEVEL=DEBUG`` and they are
read from its log (:func:`parse_unknown_results`). Every finding must match
an entry of the one allowlist, ``checkov-allowlist.toml`` at the repository
root (check id, resource, result, reason); an entry no finding matches is
stale and fails the scan too.

Command line (``make scan``)::

    python -m firelens_harness.security_scan

It synthesizes into a temporary directory, scans, deploys ``state`` and
``pipeline`` to a private emulator on a free 127.0.0.1 port, scans the plan,
stops the emulator and prints the figures; the exit code is 1 when
anything is unexplained. ``make scan`` then runs the bad-input catalogues
(``tests/catalogues``), which the suite runs too.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from firelens_app.config import PipelineConfig
from firelens_app.paths import PROJECT_ROOT
from firelens_cdktf.errors import ScanError
from firelens_local import terraform_rc
from firelens_local.apply import apply_stacks
from firelens_local.emulator import Emulator
from firelens_local.synth import synth_app
from firelens_local.terraform import terraform

#: The one allowlist of accepted findings.
ALLOWLIST_PATH = PROJECT_ROOT / "checkov-allowlist.toml"
#: checkov from the project's virtualenv (a pinned dev dependency).
CHECKOV = Path(sys.executable).parent / "checkov"
#: Stacks deployed to the emulator before the pipeline's plan is scanned, in order.
DEPLOYED_STACKS = ("state", "pipeline")
#: checkov's own environment: no calls to the Prisma Cloud API for its
#: guideline mapping (offline, and faster), DEBUG log for the UNKNOWN results.
CHECKOV_ENV = {"BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "DEBUG"}


class Framework(StrEnum):
    """The checkov frameworks the scan runs."""

    TERRAFORM_JSON = "terraform_json"
    TERRAFORM_PLAN = "terraform_plan"


class Result(StrEnum):
    """Results that need an explanation."""

    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Finding:
    """A check that did not pass on one resource.

    ``resource`` is ``<type>.<name>`` (``data.<type>.<name>`` for data
    sources), the same in both frameworks.
    """

    framework: Framework
    target: str
    check_id: str
    check_name: str
    resource: str
    result: Result

    def __str__(self) -> str:
        return f"{self.framework} {self.target}: {self.result} {self.check_id} {self.resource} ({self.check_name})"


@dataclass(frozen=True)
class ScanReport:
    """checkov's figures for one target, and its findings."""

    framework: Framework
    target: str
    passed: int
    failed: int
    skipped: int
    parsing_errors: int
    findings: tuple[Finding, ...]
    checkov_version: str = ""

    @property
    def unknown(self) -> int:
        """UNKNOWN results (not in checkov's own figures)."""
        return sum(1 for f in self.findings if f.result is Result.UNKNOWN)


@dataclass(frozen=True)
class AllowEntry:
    """One accepted finding (or class of findings) and why.

    Args:
        check: checkov check id, e.g. ``CKV_AWS_158``.
        resources: ``<type>.<name>`` addresses; ``fnmatch`` patterns allowed
            (``aws_cloudwatch_log_group.*``) when the reason holds for every match.
        result: ``FAILED`` or ``UNKNOWN``.
        reason: Why the project accepts it.
        frameworks: Where it applies. Default: both.
    """

    check: str
    resources: tuple[str, ...]
    result: Result
    reason: str
    frameworks: tuple[Framework, ...] = (Framework.TERRAFORM_JSON, Framework.TERRAFORM_PLAN)

    def matches(self, finding: Finding) -> bool:
        """Whether this entry explains ``finding``."""
        return (
            finding.check_id == self.check
            and finding.result is self.result
            and finding.framework in self.frameworks
            and any(fnmatch.fnmatchcase(finding.resource, pattern) for pattern in self.resources)
        )


@dataclass
class Triage:
    """Findings sorted into explained and unexplained, and allowlist entries nothing used."""

    unexplained: list[Finding] = field(default_factory=list)
    allowlisted: list[tuple[Finding, AllowEntry]] = field(default_factory=list)
    stale: list[AllowEntry] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """No unexplained finding and no stale entry."""
        return not self.unexplained and not self.stale


def load_allowlist(path: Path = ALLOWLIST_PATH) -> tuple[AllowEntry, ...]:
    """Read the allowlist; every entry needs a check id, resources, a result and a reason.

    Raises:
        ScanError: the file is malformed or an entry lacks a field.
    """
    data = tomllib.loads(path.read_text())
    entries = []
    for index, raw in enumerate(data.get("allow", [])):
        where = f"{path.name} entry {index + 1} ({raw.get('check', 'no check')})"
        missing = [k for k in ("check", "resources", "result", "reason") if not raw.get(k)]
        if missing:
            raise ScanError(
                f"{where}: missing {', '.join(missing)}; every entry needs check, resources, result and a reason"
            )
        unknown_keys = set(raw) - {"check", "resources", "result", "reason", "frameworks"}
        if unknown_keys:
            raise ScanError(f"{where}: unknown keys {sorted(unknown_keys)}")
        try:
            entries.append(
                AllowEntry(
                    check=raw["check"],
                    resources=tuple(raw["resources"]),
                    result=Result(raw["result"]),
                    reason=" ".join(raw["reason"].split()),
                    frameworks=tuple(Framework(f) for f in raw.get("frameworks", [f.value for f in Framework])),
                )
            )
        except ValueError as exc:
            raise ScanError(f"{where}: {exc}") from None
    return tuple(entries)


def triage(reports: Iterable[ScanReport], allowlist: Sequence[AllowEntry]) -> Triage:
    """Match every finding against the allowlist; entries that match nothing are stale."""
    out = Triage()
    used: set[int] = set()
    for report in reports:
        for finding in report.findings:
            entry = next((e for e in allowlist if e.matches(finding)), None)
            if entry is None:
                out.unexplained.append(finding)
            else:
                out.allowlisted.append((finding, entry))
                used.add(id(entry))
    out.stale = [e for e in allowlist if id(e) not in used]
    return out


# --- running checkov ---------------------------------------------------------------------

#: checkov DEBUG lines: which check runs next, a result of UNKNOWN, and a check that crashed.
_SHOULD_RUN = re.compile(r"should_run_check (\S+): True")
_UNKNOWN_RESULT = re.compile(r'File \S+, (\w+) "([^"]+)" check "(.*)" Result: \{\'result\': <CheckResult\.UNKNOWN')
_CHECK_CRASHED = re.compile(r"Failed to run check (\S+) on \S+?:(\S+)\.(\S+)")


def parse_unknown_results(log: str) -> list[tuple[str, str, str]]:
    """``(check id, resource, check name)`` of every UNKNOWN result in a checkov DEBUG log.

    checkov logs ``should_run_check <id>: True`` right before it runs a check
    and one ``Result`` line per resource; a check that raises is logged as
    ``Failed to run check <id> on <file>:<type>.<name>`` (and counted UNKNOWN).
    Tied to checkov's log wording, which is why checkov is pinned.
    """
    out: list[tuple[str, str, str]] = []
    current = ""
    for line in log.splitlines():
        if match := _SHOULD_RUN.search(line):
            current = match.group(1)
        elif match := _UNKNOWN_RESULT.search(line):
            block, address, name = match.groups()
            out.append((current, f"data.{address}" if block == "data" else address, name))
        elif match := _CHECK_CRASHED.search(line):
            out.append((match.group(1), f"{match.group(2)}.{match.group(3)}", "check crashed"))
    return out


def _resource_types(stack_dir: Path) -> dict[str, str]:
    """Logical name -> ``<type>`` (``data.<type>``) of every block in a synthesized stack."""
    doc = json.loads((stack_dir / "cdk.tf.json").read_text())
    names = {name: type_ for type_, blocks in doc.get("resource", {}).items() for name in blocks}
    names.update({name: f"data.{type_}" for type_, blocks in doc.get("data", {}).items() for name in blocks})
    return names


def _address(resource: str, types: dict[str, str]) -> str:
    """checkov's terraform_json runner names resources ``resource.<name>``; give them their type back."""
    kind, _, name = resource.partition(".")
    if kind in ("resource", "data") and name in types:
        return f"{types[name]}.{name}"
    return resource


def parse_report(
    stdout: str, log: str, framework: Framework, target: str, types: dict[str, str] | None = None
) -> ScanReport:
    """A :class:`ScanReport` from checkov's ``-o json`` output and its DEBUG log."""
    try:
        data: Any = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise ScanError(f"checkov printed no JSON report for {target}: {exc}\n{stdout[-2000:]}") from None
    reports = data if isinstance(data, list) else [data]
    [report] = [r for r in reports if r.get("check_type", framework.value) == framework.value] or [{}]
    summary = report.get("summary", report)
    types = types or {}
    findings = [
        Finding(framework, target, c["check_id"], c["check_name"], _address(c["resource"], types), Result.FAILED)
        for c in report.get("results", {}).get("failed_checks", [])
    ]
    findings += [
        Finding(framework, target, check, name, _address(resource, types), Result.UNKNOWN)
        for check, resource, name in parse_unknown_results(log)
    ]
    return ScanReport(
        framework=framework,
        target=target,
        passed=int(summary.get("passed", 0)),
        failed=int(summary.get("failed", 0)),
        skipped=int(summary.get("skipped", 0)),
        parsing_errors=int(summary.get("parsing_errors", 0)),
        findings=tuple(sorted(findings, key=lambda f: (f.result, f.check_id, f.resource))),
        checkov_version=str(summary.get("checkov_version", "")),
    )


def run_checkov(path: Path, framework: Framework, target: str | None = None) -> ScanReport:
    """Run checkov on a stack directory (``terraform_json``) or a plan JSON file (``terraform_plan``).

    Raises:
        ScanError: checkov crashed, printed no report, or could not parse a file.
    """
    with tempfile.TemporaryDirectory(prefix="checkov-") as tmp:
        scanned = _without_moved_blocks(path, Path(tmp)) if path.is_dir() else path
        return _checkov(scanned, framework, target or path.name, _resource_types(path) if path.is_dir() else None)


def _without_moved_blocks(stack_dir: Path, workdir: Path) -> Path:
    """``stack_dir`` as checkov can read it: its cdk.tf.json without the top-level ``moved`` blocks.

    checkov 3.3's terraform_json parser fails on a top-level ``moved`` list ("this
    method receives only dicts"); ``moved`` declares no resource, so the scan sees
    every resource all the same.
    """
    document = json.loads((stack_dir / "cdk.tf.json").read_text())
    if "moved" not in document:
        return stack_dir
    document.pop("moved")
    copy = workdir / stack_dir.name
    copy.mkdir()
    (copy / "cdk.tf.json").write_text(json.dumps(document))
    return copy


def _checkov(path: Path, framework: Framework, target: str, resource_types: dict[str, str] | None) -> ScanReport:
    args = ["-d", str(path)] if path.is_dir() else ["-f", str(path)]
    result = subprocess.run(
        [str(CHECKOV), *args, "--framework", framework.value, "-o", "json", "--quiet", "--compact", "--skip-download"],
        capture_output=True,
        text=True,
        env={**os.environ, **CHECKOV_ENV},
    )
    if result.returncode not in (0, 1):  # 1 means "some check failed"
        raise ScanError(f"checkov exited {result.returncode} on {path}:\n{result.stderr[-3000:]}")
    report = parse_report(result.stdout, result.stderr, framework, target, resource_types)
    if report.parsing_errors:
        raise ScanError(f"checkov could not parse {report.parsing_errors} file(s) in {path}")
    return report


# --- synth and the emulator --------------------------------------------------------------


def deployed_plan(stacks_dir: Path, workdir: Path, env: dict[str, str], *, progress: TextIO | None = None) -> Path:
    """Apply ``state`` then ``pipeline`` with ``env`` (the emulator's), plan ``pipeline`` again
    and write the plan as JSON; return its path.

    The stacks are copied into ``workdir`` so the synth output stays untouched.
    """
    import boto3  # dev dependency, like the scan itself

    s3 = boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    say = (
        (lambda line: print(f"==> {line} (on the emulator)", file=progress, flush=True))
        if progress
        else (lambda _: None)
    )
    applied = apply_stacks(stacks_dir, DEPLOYED_STACKS, workdir, env, s3=s3, say=say)
    return plan_as_json(applied["pipeline"], env)


def plan_as_json(stack_dir: Path, env: dict[str, str]) -> Path:
    """``terraform plan -out`` then ``show -json`` in an applied stack's directory; the JSON file written."""
    terraform(stack_dir, "plan", "-input=false", "-out=plan.tfplan", env=env)
    plan = stack_dir / "plan.json"
    plan.write_text(terraform(stack_dir, "show", "-json", "plan.tfplan", env=env).stdout)
    return plan


# --- command line -------------------------------------------------------------------------


def _figures(reports: Sequence[ScanReport], result: Triage) -> list[str]:
    explained = {id(f) for f, _ in result.allowlisted}
    lines = []
    for framework in Framework:
        selected = [r for r in reports if r.framework is framework]
        for r in selected:
            failed_ok = sum(1 for f in r.findings if f.result is Result.FAILED and id(f) in explained)
            unknown_ok = sum(1 for f in r.findings if f.result is Result.UNKNOWN and id(f) in explained)
            lines.append(
                f"  {framework:<15} {r.target:<9} passed {r.passed:>3}  failed {r.failed:>3} "
                f"({failed_ok} allowlisted)  skipped {r.skipped}  unknown {r.unknown:>3} "
                f"({unknown_ok} allowlisted)"
            )
        lines.append(
            f"  {framework:<15} {'total':<9} passed {sum(r.passed for r in selected):>3}  "
            f"failed {sum(r.failed for r in selected):>3}  skipped {sum(r.skipped for r in selected)}  "
            f"unknown {sum(r.unknown for r in selected):>3}"
        )
    return lines


def main(stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """Run the whole scan and print the figures (progress on ``stderr``); 0 when everything is explained."""
    if not Path(os.environ.get("TF_CLI_CONFIG_FILE", "")).is_file():
        # `make scan` points it at the project's CLI config (provider mirror); run directly, write that config.
        rc = PROJECT_ROOT / ".terraform.d" / "cli.tfrc"
        terraform_rc.main([str(rc)])
        os.environ["TF_CLI_CONFIG_FILE"] = str(rc)
    allowlist = load_allowlist()
    with tempfile.TemporaryDirectory(prefix="firelens-scan-") as tmp:
        print("==> synth", file=stderr, flush=True)
        stacks_dir = synth_app(Path(tmp) / "cdktf.out", app_dir=PROJECT_ROOT) / "stacks"
        reports = []
        for stack in sorted(p.name for p in stacks_dir.iterdir() if p.is_dir()):
            print(f"==> checkov terraform_json {stack}", file=stderr, flush=True)
            reports.append(run_checkov(stacks_dir / stack, Framework.TERRAFORM_JSON))
        # A private emulator on a free port: everything deployed to it vanishes when it stops.
        with Emulator() as emulator:
            print(f"==> emulator on {emulator.endpoint}", file=stderr, flush=True)
            plan = deployed_plan(
                stacks_dir, Path(tmp) / "deploy", emulator.env(PipelineConfig.from_env().region), progress=stderr
            )
            print("==> checkov terraform_plan pipeline", file=stderr, flush=True)
            reports.append(run_checkov(plan, Framework.TERRAFORM_PLAN, target="pipeline"))
    result = triage(reports, allowlist)

    version = next((r.checkov_version for r in reports if r.checkov_version), "?")
    print(f"checkov {version}: findings must match {ALLOWLIST_PATH.name} ({len(allowlist)} entries)", file=stdout)
    for line in _figures(reports, result):
        print(line, file=stdout)
    print(
        f"  {len(result.allowlisted)} findings allowlisted, {len(result.unexplained)} unexplained, "
        f"{len(result.stale)} stale allowlist entries",
        file=stdout,
    )
    for finding in result.unexplained:
        print(f"  UNEXPLAINED {finding}", file=stdout)
    for entry in result.stale:
        print(f"  STALE {entry.check} {', '.join(entry.resources)} ({entry.result}): matches no finding", file=stdout)
    return 0 if result.clean else 1


if __name__ == "__main__":
    sys.exit(main())
