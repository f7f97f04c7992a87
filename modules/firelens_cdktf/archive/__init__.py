"""The archive's table as plain values: column types, partitions, SerDe, saved queries.

:class:`~firelens_cdktf.constructs.ArchiveQueries` turns these into a Glue
table and Athena named queries; a team brings its own columns and queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from firelens_cdktf._lazy import lazy_exports

if TYPE_CHECKING:
    from firelens_cdktf.archive.schema import BIGINT as BIGINT
    from firelens_cdktf.archive.schema import BOOLEAN as BOOLEAN
    from firelens_cdktf.archive.schema import DOUBLE as DOUBLE
    from firelens_cdktf.archive.schema import INT as INT
    from firelens_cdktf.archive.schema import JSON_FORMAT as JSON_FORMAT
    from firelens_cdktf.archive.schema import PARQUET_FORMAT as PARQUET_FORMAT
    from firelens_cdktf.archive.schema import PARTITION_KEYS as PARTITION_KEYS
    from firelens_cdktf.archive.schema import QUERY_PARAMETERS as QUERY_PARAMETERS
    from firelens_cdktf.archive.schema import RECORD_FORMATS as RECORD_FORMATS
    from firelens_cdktf.archive.schema import SERVICE_KEY as SERVICE_KEY
    from firelens_cdktf.archive.schema import STRING as STRING
    from firelens_cdktf.archive.schema import Column as Column
    from firelens_cdktf.archive.schema import HiveType as HiveType
    from firelens_cdktf.archive.schema import MapOf as MapOf
    from firelens_cdktf.archive.schema import Primitive as Primitive
    from firelens_cdktf.archive.schema import SavedQuery as SavedQuery
    from firelens_cdktf.archive.schema import Struct as Struct
    from firelens_cdktf.archive.schema import column_names as column_names
    from firelens_cdktf.archive.schema import glue_name as glue_name
    from firelens_cdktf.archive.schema import injected_service_parameters as injected_service_parameters
    from firelens_cdktf.archive.schema import parse_hive_type as parse_hive_type
    from firelens_cdktf.archive.schema import partition_template as partition_template
    from firelens_cdktf.archive.schema import projection_parameters as projection_parameters
    from firelens_cdktf.archive.schema import quote_identifier as quote_identifier
    from firelens_cdktf.archive.schema import service_error_prefix as service_error_prefix
    from firelens_cdktf.archive.schema import service_prefix as service_prefix
    from firelens_cdktf.archive.schema import service_stream_name as service_stream_name
    from firelens_cdktf.archive.schema import sql_string as sql_string

_EXPORTS = {
    "Column": "firelens_cdktf.archive.schema",
    "Primitive": "firelens_cdktf.archive.schema",
    "MapOf": "firelens_cdktf.archive.schema",
    "Struct": "firelens_cdktf.archive.schema",
    "HiveType": "firelens_cdktf.archive.schema",
    "STRING": "firelens_cdktf.archive.schema",
    "INT": "firelens_cdktf.archive.schema",
    "BIGINT": "firelens_cdktf.archive.schema",
    "DOUBLE": "firelens_cdktf.archive.schema",
    "BOOLEAN": "firelens_cdktf.archive.schema",
    "PARTITION_KEYS": "firelens_cdktf.archive.schema",
    "SavedQuery": "firelens_cdktf.archive.schema",
    "QUERY_PARAMETERS": "firelens_cdktf.archive.schema",
    "parse_hive_type": "firelens_cdktf.archive.schema",
    "partition_template": "firelens_cdktf.archive.schema",
    "projection_parameters": "firelens_cdktf.archive.schema",
    "glue_name": "firelens_cdktf.archive.schema",
    "column_names": "firelens_cdktf.archive.schema",
    "quote_identifier": "firelens_cdktf.archive.schema",
    "sql_string": "firelens_cdktf.archive.schema",
    "RECORD_FORMATS": "firelens_cdktf.archive.schema",
    "PARQUET_FORMAT": "firelens_cdktf.archive.schema",
    "JSON_FORMAT": "firelens_cdktf.archive.schema",
    "injected_service_parameters": "firelens_cdktf.archive.schema",
    "service_error_prefix": "firelens_cdktf.archive.schema",
    "service_stream_name": "firelens_cdktf.archive.schema",
    "service_prefix": "firelens_cdktf.archive.schema",
    "SERVICE_KEY": "firelens_cdktf.archive.schema",
}
__all__ = sorted([*_EXPORTS])
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
