"""``preview --summary --prices FILE``: a region's prices from a file of the user's, checked field by field."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES
from firelens_cdktf.cli import main
from firelens_cdktf.cost.prices import PRICES, load_prices
from firelens_cdktf.errors import PricesFileError

COMPILED = FIXTURES / "compiled" / "extra.conf"
RAILS = (FIXTURES / "records" / "rails_app_stdout.log").read_text()
EU_WEST_1 = {
    "region": "eu-west-1",
    "cloudwatch_standard_ingest": 0.57,
    "cloudwatch_ia_ingest": 0.285,
    "cloudwatch_storage": 0.03,
    "firehose_ingest": 0.031,
    "s3_storage": 0.023,
    "s3_put_per_1000": 0.005,
    "athena_per_tb": 5,
}


def summary(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    argv = ["preview", "--config", str(COMPILED), "--container", "rails-app", "--summary", *args]
    code = main(argv, stdin=io.StringIO(RAILS), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _write(tmp_path: Path, prices: dict[str, Any], name: str = "prices.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(prices))
    return str(path)


def test_the_estimate_uses_the_prices_of_the_file(tmp_path: Path) -> None:
    code, out, _ = summary("--gb-per-month", "1000", "--prices", _write(tmp_path, EU_WEST_1))
    assert code == 0
    assert "a month in eu-west-1," in out and f"prices: {tmp_path}/prices.json, yours" in out
    assert "    CloudWatch Logs (Standard): ingestion: 1,000.00 GB x $0.57 = $570.00" in out.splitlines()


def test_a_toml_prices_file_is_read_alike(tmp_path: Path) -> None:
    toml = "\n".join(f"{k} = {json.dumps(v)}" for k, v in EU_WEST_1.items())
    (tmp_path / "prices.toml").write_text(toml)
    from_toml, from_json = load_prices(str(tmp_path / "prices.toml")), load_prices(_write(tmp_path, EU_WEST_1))
    assert [(n, p.usd) for n, p in from_toml.all()] == [(n, p.usd) for n, p in from_json.all()]
    assert from_toml.region == "eu-west-1"


def test_a_file_price_is_in_the_unit_of_the_built_in_ones(tmp_path: Path) -> None:
    loaded = load_prices(_write(tmp_path, EU_WEST_1))
    assert [p.unit for _, p in loaded.all()] == [p.unit for _, p in PRICES["us-east-1"].all()]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            {"firehose_ingest": "0.031"},
            "firehose_ingest='0.031' is not valid; allowed: a number of USD per GB ingested",
        ),
        ({"s3_storage": -1}, "s3_storage=-1 is not valid; allowed: a finite number of USD per GB-month, 0 or more"),
        ({"athena_per_tb": True}, "athena_per_tb=True is not valid"),
        ({"cloudwatch_standrd_ingest": 0.5}, "Fix: did you mean cloudwatch_standard_ingest?"),
        ({"region": "Europe"}, "region='Europe' is not valid; allowed: an AWS region code such as eu-west-1"),
    ],
)
def test_fails_when_a_field_of_the_prices_file_is_wrong(tmp_path: Path, change: dict[str, Any], says: str) -> None:
    with pytest.raises(PricesFileError) as error:
        load_prices(_write(tmp_path, {**EU_WEST_1, **change}))
    assert says in str(error.value)


def test_fails_when_the_prices_file_lacks_a_field_naming_it_with_its_unit(tmp_path: Path) -> None:
    prices = {k: v for k, v in EU_WEST_1.items() if k != "s3_put_per_1000"}
    code, _, err = summary("--prices", _write(tmp_path, prices))
    assert code == 2 and "Fix: add s3_put_per_1000 (USD per 1,000 PUT requests)" in err


def test_fails_when_the_prices_file_is_not_json(tmp_path: Path) -> None:
    (tmp_path / "prices.json").write_text("region: eu-west-1")
    code, _, err = summary("--prices", str(tmp_path / "prices.json"))
    assert code == 2 and "(file)='not JSON" in err and '{"region": "eu-west-1", "cloudwatch_standard_ingest"' in err


def test_fails_when_region_contradicts_the_prices_file(tmp_path: Path) -> None:
    code, _, err = summary("--region", "us-east-1", "--prices", _write(tmp_path, EU_WEST_1))
    assert code == 2 and "--region='us-east-1' is not valid" in err and "eu-west-1" in err


def test_fails_when_prices_are_given_without_summary(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["preview", "--config", str(COMPILED), "--prices", _write(tmp_path, EU_WEST_1)]
    assert main(argv, stdin=io.StringIO(""), stdout=out, stderr=err) == 2
    assert "only with --summary" in err.getvalue()


def test_a_region_without_prices_points_to_a_prices_file_not_into_the_package() -> None:
    _, out, _ = summary("--region", "eu-west-1")
    hint = out.splitlines()[-1]
    assert hint.startswith("Cost estimate: no built-in prices for region 'eu-west-1'")
    assert "pass --prices FILE" in hint and '{"region": "eu-west-1", "cloudwatch_standard_ingest": ' in hint
    assert "prices.py" not in out and "RegionPrices entry" not in out


def test_a_misspelled_region_gets_did_you_mean() -> None:
    _, out, _ = summary("--region", "ap-northeast1")
    assert "did you mean --region ap-northeast-1?" in out.splitlines()[-1]


def test_fails_when_the_volume_variable_is_not_a_number_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIRELENS_LOG_GB_PER_MONTH", "lots")
    code, _, err = summary()
    assert code == 2
    assert err.startswith("error: $FIRELENS_LOG_GB_PER_MONTH: 'lots' is not a positive")
    assert "Fix: set FIRELENS_LOG_GB_PER_MONTH" in err
