"""AWS list prices the cost estimate uses: one dated table, each price with its source.

Checked on :data:`CHECKED` against stored copies of the pages named below.
AWS renders its pricing tables in the browser, so the stored copies of
aws.amazon.com/*/pricing hold the rules (5 KB rounding, what is billed) but
not the numbers; where a number comes from a third-party page that quotes
it, the page is named. A price no source here confirms is marked
``confirmed=False`` and says why: treat those as approximate and check the
AWS page before relying on them. Prices are on-demand, in USD, first tier
(the first 500 TB a month of Firehose, the first 50 TB of S3), without the
free tier.

For a region not in :data:`PRICES`, or prices of your own (a discount, a
newer price list), write them in a file and load it with :func:`load_prices`
(``firelens-cdktf preview --summary --prices FILE``).
"""

from __future__ import annotations

import difflib
import json
import math
import os
import tomllib
from dataclasses import dataclass, fields
from typing import Any

from firelens_cdktf import limits
from firelens_cdktf.errors import PricesFileError

#: When the table was last checked against its sources.
CHECKED = "2026-11-26"
#: Currency of every price.
CURRENCY = "USD"
#: Bytes in the GB that AWS bills by (the S3 FAQ's storage example divides
#: byte-hours by 1,073,741,824 per GB). https://aws.amazon.com/s3/faqs/
BYTES_PER_GB = 1024**3
#: Bytes in the TB Athena bills by: 1,024 of those GB (the same binary units).
BYTES_PER_TB = 1024**4

_CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/"
_FIREHOSE = "https://aws.amazon.com/firehose/pricing/"
_S3 = "https://aws.amazon.com/s3/pricing/"
_ATHENA = "https://aws.amazon.com/athena/pricing/"

#: What each price of a :class:`RegionPrices` is per: the unit its cost line bills.
UNITS: dict[str, str] = {
    "cloudwatch_standard_ingest": "GB ingested",
    "cloudwatch_ia_ingest": "GB ingested",
    "cloudwatch_storage": "GB-month archived",
    "firehose_ingest": "GB ingested (5 KB per record minimum)",
    "s3_storage": "GB-month",
    "s3_put_per_1000": "1,000 PUT requests",
    "athena_per_tb": "TB scanned (per query: rounded up to the MB, 10 MB minimum)",
}


@dataclass(frozen=True)
class Price:
    """One list price.

    Attributes:
        usd: the price in USD per ``unit``.
        unit: what is billed, e.g. ``GB ingested``.
        source: where the number was read.
        confirmed: whether a stored source shows this number for this region.
        note: why it is not confirmed, or how it was derived.
    """

    usd: float
    unit: str
    source: str
    confirmed: bool = True
    note: str = ""


@dataclass(frozen=True)
class RegionPrices:
    """The prices of one region.

    Attributes:
        region: the region code.
        cloudwatch_standard_ingest: CloudWatch Logs ingestion, Standard class, per GB.
        cloudwatch_ia_ingest: CloudWatch Logs ingestion, Infrequent Access class, per GB.
        cloudwatch_storage: CloudWatch Logs archived storage per GB-month
            (compressed, 26 bytes of metadata per event).
        firehose_ingest: Firehose direct-PUT ingestion per GB, each record
            rounded up to 5 KB; the same price with or without Fluent Bit's
            simple_aggregation, which only makes records bigger so that the
            rounding matters less.
        s3_storage: S3 Standard per GB-month.
        s3_put_per_1000: S3 PUT, COPY, POST, LIST requests per 1,000.
        athena_per_tb: Athena SQL queries per TB scanned, each query rounded up to
            the MB with a 10 MB minimum.
    """

    region: str
    cloudwatch_standard_ingest: Price
    cloudwatch_ia_ingest: Price
    cloudwatch_storage: Price
    firehose_ingest: Price
    s3_storage: Price
    s3_put_per_1000: Price
    athena_per_tb: Price

    def all(self) -> tuple[tuple[str, Price], ...]:
        """``(field name, price)`` for every price, in declaration order."""
        return tuple((f.name, getattr(self, f.name)) for f in fields(self) if f.name != "region")


PRICES: dict[str, RegionPrices] = {
    "us-east-1": RegionPrices(
        region="us-east-1",
        cloudwatch_standard_ingest=Price(
            0.50,
            UNITS["cloudwatch_standard_ingest"],
            "https://c3x.dev/blog/cloudwatch-logs-cost-optimization (us-east-1, June 2026); "
            "also https://hykell.com/kb/platform-specific-guides/aws-cloudwatch-logs-pricing; AWS: " + _CLOUDWATCH,
        ),
        cloudwatch_ia_ingest=Price(
            0.25,
            UNITS["cloudwatch_ia_ingest"],
            "https://c3x.dev/blog/cloudwatch-logs-cost-optimization; AWS states Infrequent "
            "Access ingestion is 50% lower per GB than Standard: " + _CLOUDWATCH,
        ),
        cloudwatch_storage=Price(
            0.03,
            UNITS["cloudwatch_storage"],
            "https://c3x.dev/blog/cloudwatch-logs-cost-optimization; "
            "https://hykell.com/kb/platform-specific-guides/aws-cloudwatch-logs-pricing; AWS: " + _CLOUDWATCH,
            note="applied to both log classes: AWS's log classes page says they 'differ in ingestion costs only' "
            "(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch_Logs_Log_Classes.html, as quoted "
            "in a stored copy); one third-party page lists $0.05 for Infrequent Access, which that contradicts",
        ),
        firehose_ingest=Price(
            0.029,
            UNITS["firehose_ingest"],
            "several independent third-party cost notes quote "
            "$0.029 per GB (first 500 TB); the 5 KB (5,120 byte) rounding per record is on " + _FIREHOSE,
        ),
        s3_storage=Price(
            0.023,
            UNITS["s3_storage"],
            "https://devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-breakdown-with-"
            "examples (S3 Standard, first 50 TB); AWS: " + _S3,
        ),
        s3_put_per_1000=Price(
            0.005,
            UNITS["s3_put_per_1000"],
            "https://devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-"
            "breakdown-with-examples; https://www.cloudkaramchari.com/blog/understanding-per-1000-put-copy-post-or-"
            "list-requests-in-amazon-s3-pricing/; AWS: " + _S3,
        ),
        athena_per_tb=Price(
            5.00,
            UNITS["athena_per_tb"],
            "https://athena.guide/articles/athena-basics-pricing-model/ ($5 per TB scanned, rounded to the MB, 10 MB "
            "minimum); https://rcpedia.stanford.edu/services/athena.html; AWS: " + _ATHENA,
            note="checked 2026-11-30",
        ),
    ),
    "ap-northeast-1": RegionPrices(
        region="ap-northeast-1",
        cloudwatch_standard_ingest=Price(
            0.76,
            UNITS["cloudwatch_standard_ingest"],
            "https://awsi.click/en/articles/cloudwatch-logs-cost-structure-surprise/ "
            "($0.76 per GB in ap-northeast-1); AWS: " + _CLOUDWATCH,
        ),
        cloudwatch_ia_ingest=Price(
            0.38,
            UNITS["cloudwatch_ia_ingest"],
            _CLOUDWATCH,
            confirmed=False,
            note="derived: AWS states Infrequent Access ingestion is 50% lower per GB than Standard; no stored "
            "source shows the Tokyo number itself",
        ),
        cloudwatch_storage=Price(
            0.033,
            UNITS["cloudwatch_storage"],
            "https://awsi.click/en/articles/cloudwatch-logs-cost-structure-surprise/ "
            "($0.033 per GB per month); AWS: " + _CLOUDWATCH,
            note="applied to both log classes (they 'differ in ingestion costs only', AWS's log classes page)",
        ),
        firehose_ingest=Price(
            0.036,
            UNITS["firehose_ingest"],
            _FIREHOSE,
            confirmed=False,
            note="not confirmed: the stored copies of the AWS page (English and Japanese) hold the 5 KB rule but not "
            "the Tokyo price, and no third-party source quoted it; $0.036 is the figure last seen on the AWS page",
        ),
        s3_storage=Price(
            0.025,
            UNITS["s3_storage"],
            "https://abicky.net/2022/02/13/184039 and https://style.potepan.com/articles/12591.html "
            "(S3 Standard, first 50 TB, Tokyo); AWS: " + _S3,
        ),
        s3_put_per_1000=Price(
            0.0047,
            UNITS["s3_put_per_1000"],
            _S3,
            confirmed=False,
            note="not confirmed: no stored source shows the Tokyo request price; $0.0047 is the figure last seen on "
            "the AWS page",
        ),
        athena_per_tb=Price(
            5.00,
            UNITS["athena_per_tb"],
            "https://aws.amazon.com/jp/athena/pricing/ (stored copy: 5 USD per TB scanned, rounded up to the MB, "
            "10 MB minimum); https://blog.serverworks.co.jp/2023/03/03/100000 (Asia Pacific (Tokyo): 5.00 USD per "
            "TB scanned)",
            note="checked 2026-11-30",
        ),
    ),
}


#: Firehose record format conversion (JSON to Parquet or ORC), per GB ingested in 5 KB increments per record,
#: by region. Apart from :class:`RegionPrices` so that a prices file of yours needs no new field.
FORMAT_CONVERSION: dict[str, Price] = {
    region: Price(
        0.018,
        "GB converted (5 KB per record minimum)",
        _FIREHOSE,
        confirmed=False,
        note="not confirmed: the stored copy of the AWS page (German) states the rule (per GB ingested, 5 KB "
        "increments) but not the number; $0.018 is the us-east-1 figure last seen on the AWS page"
        + ("" if region == "us-east-1" else ", used here for want of this region's"),
    )
    for region in PRICES
}


def prices_for(region: str) -> RegionPrices:
    """The prices of ``region``.

    Raises:
        KeyError: the table has no prices for it (the message lists the regions
            it has, and how to give prices of your own).
    """
    try:
        return PRICES[region]
    except KeyError:
        raise KeyError(
            f"no prices for region {region!r} in firelens_cdktf.cost.prices (it has {', '.join(sorted(PRICES))}); "
            "give that region's list prices in a JSON or TOML file and load it with load_prices(FILE) "
            f"(fields: region, {', '.join(UNITS)}; each a number of USD)"
        ) from None


def prices_file_example(region: str) -> str:
    """A prices file for ``region`` as one line of JSON, with us-east-1's figures as placeholders.

    Example:
        >>> prices_file_example("eu-west-1")[:60]
        '{"region": "eu-west-1", "cloudwatch_standard_ingest": 0.5, "'
    """
    sample = PRICES["us-east-1"]
    return json.dumps({"region": region, **{name: price.usd for name, price in sample.all()}})


def load_prices(path: str) -> RegionPrices:
    """One region's prices from a file of your own: JSON, or TOML when the name ends in ``.toml``.

    The file holds ``region`` and every price field of :class:`RegionPrices`,
    each a number of USD per its unit (:data:`UNITS`), first tier, on demand::

        region = "eu-west-1"
        cloudwatch_standard_ingest = 0.57   # USD per GB ingested
        cloudwatch_ia_ingest = 0.285
        cloudwatch_storage = 0.03           # USD per GB-month archived
        firehose_ingest = 0.031             # USD per GB ingested (5 KB per record minimum)
        s3_storage = 0.023                  # USD per GB-month
        s3_put_per_1000 = 0.005             # USD per 1,000 PUT requests
        athena_per_tb = 5.0                 # USD per TB scanned

    Each price keeps the file as its source.

    Raises:
        PricesFileError: the file is not JSON (or TOML), or a field is missing,
            unknown, or not a number of 0 or more; the message names the field.
        OSError: the file cannot be read.
    """
    with open(path, "rb") as handle:
        data = handle.read()
    toml = path.endswith(".toml")
    try:
        document: Any = tomllib.loads(data.decode("utf-8")) if toml else json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        kind = "TOML" if toml else "JSON"
        raise PricesFileError(
            path,
            "(file)",
            f"not {kind}: {exc}",
            "a JSON object (or, for a file named *.toml, TOML) with region and the price fields",
            f"write it like {prices_file_example('eu-west-1')}",
        ) from None
    if not isinstance(document, dict):
        raise PricesFileError(
            path,
            "(file)",
            type(document).__name__,
            "an object of region and price fields",
            f"write it like {prices_file_example('eu-west-1')}",
        )
    names = [f.name for f in fields(RegionPrices)]
    for key in document:
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            raise PricesFileError(
                path,
                key,
                document[key],
                f"only the fields {', '.join(names)}",
                f"did you mean {close[0]}?" if close else "remove it",
            )
    missing = [name for name in names if name not in document]
    if missing:
        raise PricesFileError(
            path,
            missing[0],
            None,
            f"every field: {', '.join(names)}",
            "add " + "; ".join(f"{m} (USD per {UNITS[m]})" if m in UNITS else f"{m} (e.g. eu-west-1)" for m in missing),
        )
    region = document["region"]
    if not isinstance(region, str) or not limits.REGION_NAME.match(region):
        raise PricesFileError(
            path, "region", region, "an AWS region code such as eu-west-1", "write the region the prices are for"
        )
    prices: dict[str, Price] = {}
    for name, unit in UNITS.items():
        value = document[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PricesFileError(
                path,
                name,
                value,
                f"a number of USD per {unit}",
                f"write the price as a bare number, e.g. {name} = {getattr(PRICES['us-east-1'], name).usd}",
            )
        if not math.isfinite(value) or value < 0:
            raise PricesFileError(
                path, name, value, f"a finite number of USD per {unit}, 0 or more", "write the region's list price"
            )
        prices[name] = Price(float(value), unit, f"{os.path.abspath(path)} (your prices file)", note="from a file")
    return RegionPrices(region=region, **prices)
