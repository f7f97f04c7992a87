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

To add a region, add a :class:`RegionPrices` to :data:`PRICES`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

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
            "GB ingested",
            "https://c3x.dev/blog/cloudwatch-logs-cost-optimization (us-east-1, June 2026); "
            "also https://hykell.com/kb/platform-specific-guides/aws-cloudwatch-logs-pricing; AWS: " + _CLOUDWATCH,
        ),
        cloudwatch_ia_ingest=Price(
            0.25,
            "GB ingested",
            "https://c3x.dev/blog/cloudwatch-logs-cost-optimization; AWS states Infrequent "
            "Access ingestion is 50% lower per GB than Standard: " + _CLOUDWATCH,
        ),
        cloudwatch_storage=Price(
            0.03,
            "GB-month archived",
            "https://c3x.dev/blog/cloudwatch-logs-cost-optimization; "
            "https://hykell.com/kb/platform-specific-guides/aws-cloudwatch-logs-pricing; AWS: " + _CLOUDWATCH,
            note="applied to both log classes; one third-party page lists $0.05 for Infrequent Access, which no "
            "other source confirms",
        ),
        firehose_ingest=Price(
            0.029,
            "GB ingested (5 KB per record minimum)",
            "several independent third-party cost notes quote "
            "$0.029 per GB (first 500 TB); the 5 KB (5,120 byte) rounding per record is on " + _FIREHOSE,
        ),
        s3_storage=Price(
            0.023,
            "GB-month",
            "https://devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-breakdown-with-"
            "examples (S3 Standard, first 50 TB); AWS: " + _S3,
        ),
        s3_put_per_1000=Price(
            0.005,
            "1,000 PUT requests",
            "https://devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-"
            "breakdown-with-examples; https://www.cloudkaramchari.com/blog/understanding-per-1000-put-copy-post-or-"
            "list-requests-in-amazon-s3-pricing/; AWS: " + _S3,
        ),
        athena_per_tb=Price(
            5.00,
            "TB scanned (per query: rounded up to the MB, 10 MB minimum)",
            "https://athena.guide/articles/athena-basics-pricing-model/ ($5 per TB scanned, rounded to the MB, 10 MB "
            "minimum); https://rcpedia.stanford.edu/services/athena.html; AWS: " + _ATHENA,
            note="checked 2026-11-30",
        ),
    ),
    "ap-northeast-1": RegionPrices(
        region="ap-northeast-1",
        cloudwatch_standard_ingest=Price(
            0.76,
            "GB ingested",
            "https://awsi.click/en/articles/cloudwatch-logs-cost-structure-surprise/ "
            "($0.76 per GB in ap-northeast-1); AWS: " + _CLOUDWATCH,
        ),
        cloudwatch_ia_ingest=Price(
            0.38,
            "GB ingested",
            _CLOUDWATCH,
            confirmed=False,
            note="derived: AWS states Infrequent Access ingestion is 50% lower per GB than Standard; no stored "
            "source shows the Tokyo number itself",
        ),
        cloudwatch_storage=Price(
            0.033,
            "GB-month archived",
            "https://awsi.click/en/articles/cloudwatch-logs-cost-structure-surprise/ "
            "($0.033 per GB per month); AWS: " + _CLOUDWATCH,
            note="applied to both log classes",
        ),
        firehose_ingest=Price(
            0.036,
            "GB ingested (5 KB per record minimum)",
            _FIREHOSE,
            confirmed=False,
            note="not confirmed: the stored copies of the AWS page (English and Japanese) hold the 5 KB rule but not "
            "the Tokyo price, and no third-party source quoted it; $0.036 is the figure last seen on the AWS page",
        ),
        s3_storage=Price(
            0.025,
            "GB-month",
            "https://abicky.net/2022/02/13/184039 and https://style.potepan.com/articles/12591.html "
            "(S3 Standard, first 50 TB, Tokyo); AWS: " + _S3,
        ),
        s3_put_per_1000=Price(
            0.0047,
            "1,000 PUT requests",
            _S3,
            confirmed=False,
            note="not confirmed: no stored source shows the Tokyo request price; $0.0047 is the figure last seen on "
            "the AWS page",
        ),
        athena_per_tb=Price(
            5.00,
            "TB scanned (per query: rounded up to the MB, 10 MB minimum)",
            "https://aws.amazon.com/jp/athena/pricing/ (stored copy: 5 USD per TB scanned, rounded up to the MB, "
            "10 MB minimum); https://blog.serverworks.co.jp/2023/03/03/100000 (Asia Pacific (Tokyo): 5.00 USD per "
            "TB scanned)",
            note="checked 2026-11-30",
        ),
    ),
}


def prices_for(region: str) -> RegionPrices:
    """The prices of ``region``.

    Raises:
        KeyError: the table has no prices for it (the message lists the regions it has).
    """
    try:
        return PRICES[region]
    except KeyError:
        raise KeyError(
            f"no prices for region {region!r} in firelens_cdktf.cost.prices (it has {', '.join(sorted(PRICES))}); "
            "add a RegionPrices entry with its sources"
        ) from None
