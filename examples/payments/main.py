"""The payments team's CDKTF app on firelens-cdktf, installed from its wheel.

Two services on one cluster, one shared audit archive and one set of log groups:

- ``payments-api``: behind an application load balancer's target group, a
  ``web`` container (its database URL a Secrets Manager secret, a health
  check, port 8080 reached by the load balancer only) and a non-essential
  ``metrics`` container (port 9090, opened to nobody);
- ``payments-worker``: one worker container, no port.

Their routes: errors (``level: error``) are copied to ``/payments/errors``,
kept 90 days; audit records (``audit: true``) move to the archive, S3 through
Firehose, with the container they came from; everything else goes to
``/payments/app``. The archive is shared: each service writes its own stream,
under its own ``service=<name>/`` partition, and each service's team gets a
table, saved queries and a reader policy over that partition only.

Run with ``npx cdktf synth`` (or ``python main.py``). The images are referenced
by tags in the team's own ECR repositories; the log router's is the content
hash of its build context, which ``firelens-cdktf build-context`` writes.
"""

import firelens_cdktf

firelens_cdktf.use_fast_provider_imports()  # before anything imports the provider bindings

from cdktf import App, LocalBackend, TerraformOutput, TerraformStack  # noqa: E402
from cdktf_cdktf_provider_aws.glue_catalog_database import GlueCatalogDatabase  # noqa: E402
from cdktf_cdktf_provider_aws.lb import Lb  # noqa: E402
from cdktf_cdktf_provider_aws.lb_listener import LbListener, LbListenerDefaultAction  # noqa: E402
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup, LbTargetGroupHealthCheck  # noqa: E402
from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret  # noqa: E402
from cdktf_cdktf_provider_aws.security_group import (  # noqa: E402
    SecurityGroup,
    SecurityGroupEgress,
    SecurityGroupIngress,
)

from constructs import Construct  # noqa: E402
from firelens_cdktf import (  # noqa: E402
    AppContainer,
    AppLogRouting,
    CloudWatchLogs,
    ContainerRepository,
    FirehoseStream,
    LogArchive,
    LogRouter,
    LogRouting,
    NetworkPlacement,
    PublicNetwork,
    Route,
    aws_provider,
    compile_routing,
)
from firelens_cdktf.archive import (  # noqa: E402
    BIGINT,
    STRING,
    Column,
    SavedQuery,
    quote_identifier,
    service_stream_name,
)
from firelens_cdktf.constructs import (  # noqa: E402
    ArchiveQueries,
    FirelensFargateService,
    FirelensTaskDefinition,
    HealthCheck,
    LoadBalancerTarget,
    PortMapping,
    RouteLogGroups,
    Secret,
    content_tag,
    log_router_context,
)

REGION = "ap-northeast-1"
APP_LOGS = CloudWatchLogs("/payments/app", retention_days=30)
ERRORS = Route(
    "errors",
    field="level",
    pattern="^error$",
    destination=CloudWatchLogs("/payments/errors", retention_days=90),
    keep_original=True,
)
AUDIT_ARCHIVE = "payments-audit"
SERVICES = ("payments-api", "payments-worker")
AUDIT_COLUMNS = (
    Column("timestamp", STRING),
    Column("message", STRING),
    Column("amount_cents", BIGINT),
    Column("container_name", STRING),
    Column("ecs_task_arn", STRING),
)


def audit_queries(table: str) -> tuple[SavedQuery, ...]:
    """A team's saved query over its own audit table: records per container on one UTC day."""
    return (
        SavedQuery(
            "per_container",
            f"{table}: audit records per container",
            "Audit records per container on one UTC day (parameters: year, month, day).",
            f"SELECT container_name, count(*) AS records, sum(amount_cents) AS amount_cents\n"
            f"FROM {quote_identifier(table)}\n"
            'WHERE "year" = ? AND "month" = ? AND "day" = ? AND message IS NOT NULL\n'
            "GROUP BY 1\nORDER BY 1",
        ),
    )


def routing_for(service: str, *containers: str) -> LogRouting:
    """Each container's logs: errors copied, audit records archived in the service's own partition (with their
    container's name), the rest to the app group."""
    audit = Route(
        "audit",
        field="audit",
        pattern="^true$",
        destination=FirehoseStream(service_stream_name(AUDIT_ARCHIVE, service)),
    )
    return LogRouting(
        region=REGION,
        apps=tuple(
            AppLogRouting(name, default=APP_LOGS, routes=(ERRORS, audit), keep_metadata=True) for name in containers
        ),
    )


class PaymentsStack(TerraformStack):
    """The API behind a load balancer and the worker, sharing a cluster, an archive and log groups."""

    def __init__(self, scope: Construct, id_: str) -> None:
        super().__init__(scope, id_)
        LocalBackend(self, path="terraform.tfstate")
        aws_provider(self, region=REGION)

        archive = LogArchive(
            self,
            "audit",
            stream_name=AUDIT_ARCHIVE,
            bucket_name="payments-audit-archive",
            services=SERVICES,  # one stream per service, objects under service=<name>/year=.../
            expiration_days=365,
            transition_days=90,  # to S3 Standard-IA, which Athena still reads
            force_destroy=True,
        )
        database = GlueCatalogDatabase(self, "audit-database", name="payments_logs")
        audit_tables = [
            ArchiveQueries(
                self,
                f"audit-queries-{service}",
                archive=archive,
                service=service,  # the team's table, queries and readers cover its own partition only
                database=database,
                workgroup_name=f"{service}-audit",
                results_bucket_name=f"{service}-audit-results",
                first_year=2026,
                columns=AUDIT_COLUMNS,
                queries=audit_queries,
            )
            for service in SERVICES
        ]
        log_groups = RouteLogGroups(self, "log-groups")  # one owner for the groups both services write
        network = PublicNetwork(self, "network", availability_zones=(f"{REGION}a", f"{REGION}c"))
        placement = NetworkPlacement.existing(vpc_id=network.vpc.id, subnet_ids=tuple(network.subnet_ids))
        repositories = {
            name: ContainerRepository(self, f"repository-{name}", name=f"payments/{name}")
            for name in ("api", "metrics", "worker", "log-router")
        }
        database = SecretsmanagerSecret(self, "database-url", name="payments/database-url")

        # The load balancer: HTTP in from anywhere, out to the tasks' web port only.
        alb_group = SecurityGroup(
            self,
            "alb",
            name="payments-alb",
            vpc_id=network.vpc.id,
            ingress=[SecurityGroupIngress(from_port=80, to_port=80, protocol="tcp", cidr_blocks=["0.0.0.0/0"])],
            egress=[SecurityGroupEgress(from_port=8080, to_port=8080, protocol="tcp", cidr_blocks=["10.0.0.0/16"])],
        )
        alb = Lb(
            self,
            "api-lb",
            name="payments-api",
            load_balancer_type="application",
            subnets=list(network.subnet_ids),
            security_groups=[alb_group.id],
        )
        target_group = LbTargetGroup(
            self,
            "api-web",
            name="payments-api-web",
            port=8080,
            protocol="HTTP",
            target_type="ip",
            vpc_id=network.vpc.id,
            health_check=LbTargetGroupHealthCheck(path="/up", matcher="200"),
        )
        LbListener(
            self,
            "api-http",
            load_balancer_arn=alb.arn,
            port=80,
            protocol="HTTP",
            default_action=[LbListenerDefaultAction(type="forward", target_group_arn=target_group.arn)],
        )

        api_routing = compile_routing(routing_for("payments-api", "web", "metrics"))
        api = FirelensTaskDefinition(
            self,
            "payments-api",
            family="payments-api",
            routing=api_routing,
            log_router=LogRouter(
                image=repositories["log-router"].image(content_tag(log_router_context(api_routing))),
                log_mb_per_second=0.2,
            ),
            cpu=512,
            memory_mib=1024,
            log_archives=(archive,),
            log_groups=log_groups,
        )
        api.add_container(
            AppContainer(
                "web",
                repositories["api"].image("3.1.0"),
                command=("bundle", "exec", "puma", "-p", "8080"),
                environment={"RAILS_ENV": "production"},
                secrets={"DATABASE_URL": Secret.from_secrets_manager(database.arn)},
                memory_reservation_mib=256,
                health_check=HealthCheck(command=("CMD-SHELL", "curl -fs http://127.0.0.1:8080/up || exit 1")),
                port_mappings=(PortMapping(8080),),
            )
        )
        api.add_container(
            AppContainer(
                "metrics",
                repositories["metrics"].image("1.0.0"),
                essential=False,
                port_mappings=(PortMapping(9090),),  # no ingress_cidr: nobody outside the task reaches it
            )
        )
        api_service = FirelensFargateService(
            self,
            "payments-api-service",
            task_definition=api,
            name="payments-api",
            cluster_name="payments",
            network=placement,
            load_balancers=(LoadBalancerTarget(target_group.arn, "web", 8080, alb_group.id),),
            health_check_grace_period_seconds=60,
        )

        worker_routing = compile_routing(routing_for("payments-worker", "worker"))
        worker = FirelensTaskDefinition(
            self,
            "payments-worker",
            family="payments-worker",
            routing=worker_routing,
            log_router=LogRouter(
                image=repositories["log-router"].image(content_tag(log_router_context(worker_routing)))
            ),
            log_archives=(archive,),
            log_groups=log_groups,
        )
        worker.add_container(AppContainer("worker", repositories["worker"].image("3.1.0"), command=("bin/jobs",)))
        worker_service = FirelensFargateService(
            self,
            "payments-worker-service",
            task_definition=worker,
            name="payments-worker",
            cluster=api_service.cluster,
            network=placement,
        )

        TerraformOutput(self, "cluster_name", value=api_service.cluster_name)
        TerraformOutput(self, "services", value=[api_service.service.name, worker_service.service.name])
        TerraformOutput(self, "archive_bucket", value=archive.bucket.bucket)
        TerraformOutput(
            self, "audit_tables", value=[f"{database.name}.{queries.table_name}" for queries in audit_tables]
        )
        TerraformOutput(self, "load_balancer", value=alb.dns_name)


app = App()
PaymentsStack(app, "payments")
app.synth()
