"""log-class-lacks-feature: a use of a feature the Infrequent Access class lacks is an error, in any layer."""

from __future__ import annotations

from firelens_cdktf.fluentbit.config import parse_config
from firelens_cdktf.limits import INFREQUENT_ACCESS_LACKS, LogClass
from firelens_cdktf.lint import Severity, lint_config
from firelens_cdktf.lint.log_classes import LogGroupUse, check_log_classes, config_log_group_uses

IA = LogClass.INFREQUENT_ACCESS
CONFIG = """
[OUTPUT]
    Name cloudwatch_logs
    Match web-firelens-*
    region ap-northeast-1
    log_group_name /metrics
    log_stream_prefix fluentbit-
    log_format json/emf
"""


def test_every_feature_the_class_lacks_is_refused_on_an_infrequent_access_group() -> None:
    uses = [LogGroupUse("/audit", feature, f"a {feature}") for feature in INFREQUENT_ACCESS_LACKS]
    findings = check_log_classes({"/audit": IA}, uses)
    assert [(f.severity, f.code) for f in findings] == [(Severity.ERROR, "log-class-lacks-feature")] * len(uses)


def test_the_finding_names_the_group_the_user_the_feature_and_the_fix() -> None:
    (finding,) = check_log_classes({"/audit": IA}, [LogGroupUse("/audit", "metric filter", "metric filter 'x'")])
    assert finding.where == "log group /audit"
    assert "metric filter 'x' needs metric filters" in finding.problem
    assert "CloudWatch_Logs_Log_Classes" in finding.problem
    assert "Standard class" in finding.fix


def test_standard_and_unnamed_groups_take_every_feature() -> None:
    uses = [LogGroupUse(group, "metric filter", "m") for group in ("/std", "/unnamed")]
    assert check_log_classes({"/std": LogClass.STANDARD}, uses) == ()


def test_the_config_says_an_emf_output_needs_embedded_metric_format_of_its_group() -> None:
    (use,) = config_log_group_uses(parse_config(CONFIG))
    assert (use.group, use.feature) == ("/metrics", "embedded metric format")


def test_lint_config_refuses_emf_to_an_infrequent_access_group_only_when_told_its_class() -> None:
    config = parse_config(CONFIG)
    codes = {f.code for f in lint_config(config, containers=["web"], log_classes={"/metrics": "INFREQUENT_ACCESS"})}
    assert "log-class-lacks-feature" in codes
    assert "log-class-lacks-feature" not in {f.code for f in lint_config(config, containers=["web"])}
