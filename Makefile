# The project's commands. `make run` and `make test` are the two that matter;
# each installs what is missing first (idempotent: stamps skip done work).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
PIPENV_VERSION := 2026.10.3
EMULATOR_PORT ?= 4566
export EMULATOR_PORT

TOOLS := .tools
PIPENV := $(TOOLS)/bin/pipenv
VENV_PY := .venv/bin/python
PY_STAMP := .venv/.synced
PKG_STAMP := .venv/.package
NODE_STAMP := node_modules/.installed
TFRC := .terraform.d/cli.tfrc

export PATH := $(CURDIR)/$(TOOLS)/bin:$(PATH)
export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIPENV_NOSPIN := 1
export PIPENV_IGNORE_VIRTUALENVS := 1
# Node 20 is end-of-life: jsii prints a warning box on every run. Silence it
# for major 20 only; every other jsii warning and error still shows.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# The project's own Terraform CLI config (provider mirror when there is one);
# the user's ~/.terraformrc is never read or changed.
export TF_CLI_CONFIG_FILE := $(CURDIR)/$(TFRC)
export CHECKPOINT_DISABLE := 1
# Terraform and its AWS provider are Go programs, and the provider builds its whole schema
# (~1,500 resource types) on every command. A lazier garbage collector (GOGC=400; Go's
# default is 100) costs ~100 MB more per process (314 -> 411 MB peak) and saves ~20% of
# their CPU (see docs/contributing.md, Fast feedback). Yours wins if set.
export GOGC ?= 400
export CDKTF_DISABLE_TELEMETRY := true
export SENTRY_DSN :=

.PHONY: help install run stop destroy test synth diff deploy images bench clean

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(PIPENV):
	@echo "==> installing pipenv $(PIPENV_VERSION) into $(TOOLS)/"
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check pipenv==$(PIPENV_VERSION)

$(PY_STAMP): Pipfile.lock | $(PIPENV)
	@echo "==> installing Python packages from Pipfile.lock into .venv/ (first time: about a minute)"
	@$(PIPENV) sync --dev
	@touch $@

# The project's own package, editable: main.py, the tests and the console
# script (.venv/bin/firelens-cdktf) import firelens_cdktf from modules/. The app
# (firelens_app) and the harness (firelens_harness) are not in the wheel; a .pth
# file puts modules/ on the venv's path so they import too.
$(PKG_STAMP): pyproject.toml $(PY_STAMP)
	@echo "==> installing the firelens-cdktf package (editable) and its console script into .venv/"
	@$(VENV_PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@echo "$(CURDIR)/modules" > "$$($(VENV_PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/firelens-checkout.pth"
	@touch $@

$(NODE_STAMP): package-lock.json
	@echo "==> installing the cdktf CLI from package-lock.json into node_modules/"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(TFRC): FORCE
	@PYTHONPATH=modules $(PYTHON) -m firelens_local.terraform_rc $@

FORCE:

# One line on stderr when the Node that runs the cdktf CLI is end-of-life
# (20 and older: https://github.com/nodejs/Release); it still works, so carry on.
.PHONY: node-check
node-check:
	@major=$$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'); \
	if [ -n "$$major" ] && [ "$$major" -le 20 ]; then \
	  echo "make: Node $$(node --version) is end-of-life; the cdktf CLI still runs on it here, but install Node 22 LTS (what CI uses)." >&2; \
	fi

install: node-check $(PY_STAMP) $(PKG_STAMP) $(NODE_STAMP) $(TFRC) ## install everything the project needs (idempotent)

run: install ## deploy to the local emulator, run the sample app, route, deliver, check, report cost
	@$(VENV_PY) -m firelens_harness.run deploy

.PHONY: query
query: install ## the archive's saved Athena queries, run with DuckDB over what `make run` delivered (QUERY_ARGS="--day YYYY-MM-DD")
	@$(VENV_PY) -m firelens_harness.query_cli $(QUERY_ARGS)

stop: ## stop the local AWS emulator on EMULATOR_PORT (default 4566)
	@PYTHONPATH=modules $(PYTHON) -m firelens_local.emulator stop

destroy: install ## destroy what `make run` deployed to the emulator
	@$(VENV_PY) -m firelens_harness.run destroy

.PHONY: lint
lint: install ## ruff (lint and format check) and mypy --strict on the library and firelens_local
	@$(VENV_PY) -m ruff check .
	@$(VENV_PY) -m ruff format --check .
	@$(VENV_PY) -m mypy

# Three workers on two cores: emulator tests spend most of their time waiting (the provider's
# lifecycle wait), and a third worker fills that time; the CPU-bound pure tier keeps pytest.ini's two.
test: lint ## make lint, then the whole test suite (three workers; `pytest -m "not emulator"` is the pure tier alone)
	@$(VENV_PY) -m pytest -n 3

synth: install ## synthesize every stack into cdktf.out/
	@npx --no-install cdktf synth

diff: install ## show what `cdktf deploy` would change (uses your AWS credentials)
	@npx --no-install cdktf diff

.PHONY: unlock
unlock: install ## clear the state locks an interrupted run left on the emulator (EMULATOR_PORT)
	@$(VENV_PY) -m firelens_harness.state_cli unlock

.PHONY: plan
plan: install ## plan state and pipeline on the emulator and review the plans, as CI does
	@$(VENV_PY) -m firelens_harness.plan $(REVIEW_ARGS)

deploy: install ## deploy state and pipeline to the AWS account of your credentials
	@$(VENV_PY) -m firelens_harness.state_cli bootstrap
	@npx --no-install cdktf deploy state
	@npx --no-install cdktf deploy pipeline --ignore-missing-stack-dependencies

images: install ## build and push the images (needs a Docker engine), after `make deploy`
	@docker info >/dev/null 2>&1 || { echo "make images: no Docker engine answers here ('docker info' failed). The images stack builds with the docker provider, which needs one: run it on a machine with Docker running. Nothing was changed." >&2; exit 1; }
	@npx --no-install cdktf deploy images --ignore-missing-stack-dependencies

.PHONY: scan
scan: install ## security scan (checkov: stacks + pipeline plan) and the bad-input catalogues
	@$(VENV_PY) -m firelens_harness.security_scan
	@$(VENV_PY) -m pytest -q -n 0 -p no:cacheprovider tests/catalogues

bench: install ## synth medians and ratio, the preview's throughput and memory, cdktf synth end to end, make run's phases
	@$(VENV_PY) -m benchmarks.synth
	@echo
	@$(VENV_PY) -m benchmarks.preview
	@echo
	@$(VENV_PY) -m benchmarks.run_phases

# The real Fluent Bit for ROUTER=fluent-bit make run and the fluentbit test tier. No registry carries a
# binary; it builds from a fetched fluent/fluent-bit source with the workplace's build tool (the recipe
# stays outside this repository). FLUENT_BIT=/path/to/fluent-bit uses one you already have.
FLUENT_BIT_TAG := v4.2.2
BUILD_FLUENT_BIT ?= $(abspath ../shared/tools/build-fluent-bit)
.PHONY: fluent-bit
fluent-bit: ## build Fluent Bit v4.2.2 into .tools/fluent-bit/ from SRC=<a fluent/fluent-bit git directory> (10-30 min)
	@[ -n "$(SRC)" ] || { echo "make fluent-bit: give SRC=<a git directory of fluent/fluent-bit with tag $(FLUENT_BIT_TAG)>, e.g. make fluent-bit SRC=../fluent-bit/.git" >&2; exit 2; }
	@[ -x "$(BUILD_FLUENT_BIT)" ] || { echo "make fluent-bit: no build tool at $(BUILD_FLUENT_BIT); set BUILD_FLUENT_BIT=<it>, or build $(FLUENT_BIT_TAG) your way and pass FLUENT_BIT=/path/to/fluent-bit" >&2; exit 2; }
	@"$(BUILD_FLUENT_BIT)" "$(SRC)" "$(CURDIR)/$(TOOLS)/fluent-bit" "$(FLUENT_BIT_TAG)"
	@mkdir -p $(TOOLS)/fluent-bit/bin && ln -sf ../build/bin/fluent-bit $(TOOLS)/fluent-bit/bin/fluent-bit
	@echo "make fluent-bit: $(TOOLS)/fluent-bit/bin/fluent-bit ($$($(TOOLS)/fluent-bit/bin/fluent-bit --version | head -1))"

.PHONY: bench-archive
bench-archive: install ## the archive as GZIP JSON or Parquet on the same records: bytes stored and read, monthly cost
	@$(VENV_PY) -m benchmarks.archive_formats

.PHONY: bench-preview
bench-preview: install ## the preview's throughput vs a bare json.loads loop, side by side, and its peak memory
	@$(VENV_PY) -m benchmarks.preview

# The real Fluent Bit (FLUENT_BIT=/path/to/fluent-bit, else what `make fluent-bit` built), as root: the
# router runs in private mount and network namespaces; all traffic stays on loopback.
.PHONY: yardstick
yardstick: install ## lint and preview every Fluent Bit config of AWS's FireLens examples: EXAMPLES=<a checkout of aws-samples/amazon-ecs-firelens-examples>
	@[ -n "$(EXAMPLES)" ] || { echo "make yardstick: give EXAMPLES=<a checkout of aws-samples/amazon-ecs-firelens-examples>" >&2; exit 2; }
	@$(VENV_PY) -m firelens_harness.yardstick "$(EXAMPLES)" $(if $(IMAGE_ROOT),--image-root "$(IMAGE_ROOT)")

.PHONY: constraints
constraints: install ## write constraints.txt, the known-good versions a team installs the wheel with (from Pipfile.lock)
	@$(VENV_PY) -m firelens_harness.constraints

.PHONY: bench-router
bench-router: install ## the real router's CPU/GB and peak RSS, shipped vs article config (outputs null); 60 s at 1 MB/s end to end (~6 min)
	@$(VENV_PY) -m benchmarks.router $(BENCH_ARGS)

.PHONY: faults
faults: install ## the real router under outages (30 s, 90 s, 3 min), throttling, a stop after a burst, a burst: lost/duplicated (~11 min)
	@$(VENV_PY) -m firelens_harness.faults $(FAULTS_ARGS)

clean: ## remove generated files (not the installed tools, never Terraform state: it lives in the state bucket)
	rm -rf cdktf.out cdktf.out.emulator .pytest_cache
