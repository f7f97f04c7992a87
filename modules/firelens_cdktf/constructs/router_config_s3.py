"""RouterConfigInS3: the log router's compiled files as S3 objects, for AWS's stock init image (no image build)."""

from __future__ import annotations

import re

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_object import S3Object

from constructs import Construct
from firelens_cdktf.constructs._validation import check_exactly_one, check_pattern, where_of
from firelens_cdktf.constructs.grants import RoleLike, RolePolicy, grant_to
from firelens_cdktf.constructs.init_config import content_key, init_files_tag, init_image_files
from firelens_cdktf.constructs.secure_bucket import SecureBucket, check_bucket_name
from firelens_cdktf.constructs.service_props import RouterConfigObjects
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.iam.policy import Statement, router_config_reads
from firelens_cdktf.routing.compiler import CompiledRouting

#: A key prefix of S3's safe characters, in '/'-separated parts, none empty: the keys stay readable in
#: an ARN and in the log router's environment.
#: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html (safe characters)
_KEY_PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$")
#: Room left in S3's 1,024-byte key for ``/<16 hex>/<file name>``.
_KEY_PREFIX_MAX = 900


class RouterConfigInS3(Construct):
    """The routing's log router files as S3 objects, which AWS's stock init image downloads when the task starts.

    The other way to deliver the config than building an image
    (:func:`~firelens_cdktf.constructs.log_router_context`): pass
    :attr:`objects` to :meth:`LogRouter.from_s3 <firelens_cdktf.constructs.LogRouter.from_s3>`,
    and the task definition names each object in the log router's
    ``aws_fluent_bit_init_s3_<n>`` variables and grants its task role exactly
    ``s3:GetObject`` on them and ``s3:GetBucketLocation`` on the bucket.

    Two objects, ``<key_prefix>/<sha256 of its bytes, 16 hex>/<file name>``:
    ``extra.conf`` (the compiled one, without its ``Parsers_File`` line: the
    init process passes the parsers file with ``-R``) and the parsers file.
    A changed routing gives new keys, hence a new task definition revision;
    the previous objects are deleted once the new ones exist
    (``create_before_destroy``). Tasks read their config when they start.

    Args:
        scope: Parent construct.
        id_: Construct id.
        routing: The compiled routing; the task definition's must be the same.
        key_prefix: Where the objects go in the bucket, e.g. ``payments-api/router``.
        bucket_name: Name of a bucket to create for them (private, encrypted,
            versioned, TLS-only: :class:`SecureBucket`). Give this or ``bucket``.
        bucket: The bucket to put them in instead: an ``aws_s3_bucket`` of the
            stack, or the name of one that exists.
        force_destroy: Let ``destroy`` delete the created bucket with objects
            in it (old versions stay). Default: ``False``.

    Attributes:
        objects: The :class:`RouterConfigObjects` to give ``LogRouter.from_s3``.
        s3_objects: File name -> its ``aws_s3_object``. ``files``: file name -> text.
        bucket: The created bucket, or ``None`` when one was given by name.
        bucket_arn, bucket_id: Those of the bucket used.

    Raises:
        ConfigError: neither or both of ``bucket_name`` and ``bucket``, a bucket
            name S3 refuses, or a key prefix that is not a path of S3's safe characters.

    Example::

        config = RouterConfigInS3(stack, "router-config", routing=compiled,
                                  bucket_name="my-org-payments-router", key_prefix="payments-api")
        FirelensService(stack, "service", ..., routing=compiled, log_router=LogRouter.from_s3(config.objects))
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        routing: CompiledRouting,
        key_prefix: str,
        bucket_name: str | None = None,
        bucket: S3Bucket | str | None = None,
        force_destroy: bool = False,
    ) -> None:
        super().__init__(scope, id_)
        where = where_of(self)
        check_exactly_one(
            where,
            {"bucket_name": bucket_name, "bucket": bucket},
            "pass bucket_name= to create a bucket, or bucket= (an aws_s3_bucket, or a name) to use one",
        )
        check_pattern(
            where,
            "key_prefix",
            key_prefix,
            _KEY_PREFIX,
            "a path such as payments-api/router: letters, digits and !_.*'()- in '/'-separated parts",
            "drop leading, trailing or doubled '/' and other characters",
        )
        if len(key_prefix) > _KEY_PREFIX_MAX:
            raise ConfigError(
                where,
                "key_prefix",
                key_prefix,
                f"at most {_KEY_PREFIX_MAX} characters (S3 keys hold 1,024 bytes)",
                "shorten it",
            )
        if bucket_name is not None:
            check_bucket_name(where, "bucket_name", bucket_name)
        if isinstance(bucket, str):
            check_bucket_name(where, "bucket", bucket)
        self.files = init_image_files(routing)

        self.bucket: S3Bucket | None
        if bucket_name is not None:
            self.bucket = SecureBucket(self, "bucket", bucket_name=bucket_name, force_destroy=force_destroy).bucket
        else:
            self.bucket = bucket if isinstance(bucket, S3Bucket) else None
        if self.bucket is not None:
            self.bucket_arn, self.bucket_id = self.bucket.arn, self.bucket.id
        else:
            assert isinstance(bucket, str)
            partition = DataAwsPartition(self, "partition").partition
            self.bucket_arn, self.bucket_id = f"arn:{partition}:s3:::{bucket}", bucket

        # Ids from the file names: a changed config replaces each object in place (its key changes).
        self.s3_objects: dict[str, S3Object] = {
            name: S3Object(
                self,
                f"object-{name}",
                bucket=self.bucket_id,
                key=content_key(key_prefix, name, text.encode()),
                content=text,
                content_type="text/plain; charset=utf-8",
                # The new objects exist before the task definition that names them, the old ones go after.
                lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            )
            for name, text in sorted(self.files.items())
        }
        # The keys as references: the task definition (and its policy) then waits for the uploads.
        self.objects = RouterConfigObjects(
            bucket_arn=self.bucket_arn,
            keys=tuple(obj.key for obj in self.s3_objects.values()),
            routing_tag=init_files_tag(routing),
        )

    def grant_read(self, grantee: RoleLike | RolePolicy) -> RolePolicy:
        """Let ``grantee`` fetch the objects as the init process does, and nothing else.

        The task definition grants its task role this itself; this is for a role of your own.

        Args:
            grantee: A role (an inline policy ``read-router-config-<id>`` is added
                to it) or a :class:`~firelens_cdktf.constructs.RolePolicy`.

        Returns:
            The policy that holds the grant.
        """
        return grant_to(
            grantee,
            self,
            f"read-{grantee.node.addr[:8]}",
            f"read-router-config-{self.node.id}",
            *self.read_statements(),
        )

    def read_statements(self) -> tuple[Statement, ...]:
        """What :meth:`grant_read` grants, as values."""
        return router_config_reads(self.objects.bucket_arn, self.objects.object_arns)
