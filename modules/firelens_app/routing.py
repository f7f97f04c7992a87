"""The article's routing: what this project's pipeline deploys and ``make run`` routes with."""

from __future__ import annotations

from firelens_cdktf import AppLogRouting, CloudWatchLogs, FirehoseStream, LogRouting, Route


def article_routing() -> LogRouting:
    r"""The article's routing, with its dropped copies sent somewhere real.

    - SQL logs (``name`` is ``ActiveRecord``) move to the Firehose stream
      ``put-s3-sample-metrics-logs`` (cheap storage in S3).
    - Records with a ``payload.label`` are copied, one CloudWatch stream per
      label, to ``/sample-metrics-fluentbit/analysis`` (the article tagged
      them ``logdata.<label>`` and sent them nowhere). Labels must be
      tag-safe, ``\A[A-Za-z0-9_-]+\z`` (``\A``/``\z``, not ``^``/``$``,
      which in Fluent Bit's Ruby regexes match at any line of the value);
      other labelled records only reach the default group. The original
      record is kept.
    - Everything else from ``rails-app`` goes to ``/sample-metrics-fluentbit``
      with streams ``fluentbit-<tag>``, in ap-northeast-1.
    """
    return LogRouting(
        region="ap-northeast-1",
        apps=(
            AppLogRouting(
                container="rails-app",
                default=CloudWatchLogs("/sample-metrics-fluentbit", stream_prefix="fluentbit-", retention_days=30),
                routes=(
                    Route(
                        "sql",
                        field="name",
                        pattern="^(ActiveRecord)$",
                        destination=FirehoseStream("put-s3-sample-metrics-logs"),
                    ),
                    Route(
                        "labelled",
                        field="payload.label",
                        pattern=r"\A[A-Za-z0-9_-]+\z",
                        destination=CloudWatchLogs(
                            "/sample-metrics-fluentbit/analysis", stream_prefix="fluentbit-", retention_days=30
                        ),
                        keep_original=True,
                        tag_suffix_field="payload.label",
                    ),
                ),
            ),
        ),
    )
