"""A second team's CDKTF app built on firelens-cdktf, installed from its wheel.

Two services share one LogArchive (SQL logs to S3 through Firehose), one ECS
cluster, one network and one CloudWatch log group:

- ``shop``: a Rails-style API and an nginx sidecar in one task, each with its
  own routes: the API's SQL logs go to the archive, nginx's 5xx responses to
  their own log group, everything else to the shared group;
- ``reports``: one worker container, no port, all its logs to the shared group.

Run with ``CDKTF_OUTDIR=cdktf.out python main.py`` (or ``npx cdktf synth``).
The images are referenced by content-hash tags in the team's own ECR
repositories; building and pushing them is the team's images stack (see
``firelens_app.stacks.ImagesStack`` for how this project does it).
"""

import firelens_cdktf

firelens_cdktf.use_fast_provider_imports()  # before anything imports the provider bindings

from cdktf import App, LocalBackend, TerraformOutput, TerraformStack  # noqa: E402

from constructs import Construct  # noqa: E402
from firelens_cdktf import (  # noqa: E402
    AppContainer,
    AppLogRouting,
    CloudWatchLogs,
    ContainerImageRef,
    ContainerRepository,
    FirehoseStream,
    FirelensService,
    LogArchive,
    LogRouter,
    LogRouting,
    NetworkPlacement,
    PublicNetwork,
    Route,
    aws_provider,
    compile_routing,
)
from firelens_cdktf.constructs import content_tag, log_router_context  # noqa: E402

REGION = "ap-northeast-1"
SHARED_LOGS = CloudWatchLogs("/second-team/app", retention_days=14)
SQL_ARCHIVE = FirehoseStream("second-team-sql")
NGINX = ContainerImageRef.from_registry("public.ecr.aws/nginx/nginx:1.27-alpine")


class SecondTeamStack(TerraformStack):
    """Both services of the second team, sharing an archive, a cluster, a network and a log group."""

    def __init__(self, scope: Construct, id_: str) -> None:
        super().__init__(scope, id_)
        LocalBackend(self, path="terraform.tfstate")
        # The AWS provider, its version constraint widened from the bindings' exact 5.99.1 to ~> 5.99.
        aws_provider(self, region=REGION)

        archive = LogArchive(
            self,
            "sql-archive",
            stream_name=SQL_ARCHIVE.delivery_stream,
            bucket_name="second-team-sql-archive",
            expiration_days=90,
            force_destroy=True,
        )
        network = PublicNetwork(self, "network", availability_zones=(f"{REGION}a", f"{REGION}c"))
        placement = NetworkPlacement.existing(vpc_id=network.vpc.id, subnet_ids=tuple(network.subnet_ids))
        repositories = {
            name: ContainerRepository(self, f"repository-{name}", name=f"second-team/{name}")
            for name in ("shop-api", "reports-worker", "log-router")
        }

        shop_routing = compile_routing(
            LogRouting(
                region=REGION,
                apps=(
                    AppLogRouting(
                        "shop-api",
                        default=SHARED_LOGS,
                        routes=(Route("sql", field="name", pattern="^ActiveRecord$", destination=SQL_ARCHIVE),),
                    ),
                    AppLogRouting(
                        "nginx",
                        default=SHARED_LOGS,
                        json_key=None,
                        routes=(
                            Route(
                                "errors",
                                field="log",
                                pattern=r"HTTP/[0-9.]+\x22\s5\d\d\s",
                                destination=CloudWatchLogs("/second-team/nginx-errors", retention_days=90),
                            ),
                        ),
                    ),
                ),
            )
        )
        shop = FirelensService(
            self,
            "shop",
            name="shop",
            routing=shop_routing,
            log_archives=(archive,),
            network=placement,
            containers=(
                AppContainer("shop-api", repositories["shop-api"].image("1.4.2"), port=3000),
                AppContainer("nginx", NGINX, port=80),
            ),
            log_router=LogRouter(image=repositories["log-router"].image(content_tag(log_router_context(shop_routing)))),
        )

        reports_routing = compile_routing(
            LogRouting(region=REGION, apps=(AppLogRouting("reports-worker", default=SHARED_LOGS),))
        )
        reports = FirelensService(
            self,
            "reports",
            name="reports",
            routing=reports_routing,
            network=placement,
            cluster=shop.cluster,
            route_log_groups=shop.route_log_groups,
            containers=(AppContainer("reports-worker", repositories["reports-worker"].image("2.0.0")),),
            log_router=LogRouter(
                image=repositories["log-router"].image(content_tag(log_router_context(reports_routing)))
            ),
        )

        TerraformOutput(self, "cluster_name", value=shop.cluster.name)
        TerraformOutput(self, "services", value=[shop.service.name, reports.service.name])
        TerraformOutput(self, "archive_bucket", value=archive.bucket.bucket)


app = App()
SecondTeamStack(app, "second-team")
app.synth()
