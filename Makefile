# Parley — make targets. `make help` lists them.
GO      ?= go
PKGS    ?= ./...
BENCH   ?= .
COUNT   ?= 5

.PHONY: help run build test vet check conversations bench fuzz clean bench-nlu bench-peers

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

run: ## chat with the bot in the terminal on the embedded demo configuration
	$(GO) run ./cmd/parley shell

build: ## build bin/parley
	$(GO) build -o bin/parley ./cmd/parley

test: ## run every test with the race detector (Redis tests use 127.0.0.1:6379)
	$(GO) test -race -count=1 $(PKGS)

vet: ## go vet and gofmt
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

conversations: ## replay testdata/conversations with the parley binary
	$(GO) run ./cmd/parley test testdata/conversations

check: vet test conversations ## everything CI runs

bench: ## benchmarks: NLU parse, turns over memory and Redis, mixed load
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(COUNT) ./nlu ./dialog/... ./bot

FUZZTIME ?= 60s

fuzz: ## run every native fuzz test for FUZZTIME each (default 60s); crashers land in testdata/fuzz
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

clean: ## remove build output
	rm -rf bin

# Public NLU datasets ({snips,clinc150,banking77}/{train,test}.jsonl), read in
# place; NLU_SETS picks some of them; NLP.js is installed into PEERS_DIR.
DATASETS  ?= $(abspath $(CURDIR)/../shared/datasets)
NLU_SETS  ?=
PEERS_DIR ?= $(or $(TMPDIR),/tmp)/parley-peers
NODE      ?= node
NPM       ?= npm

bench-nlu: ## Parley's intent, out-of-scope and slot scores on the public datasets
	@GO='$(GO)' DATASETS='$(DATASETS)' NLU_SETS='$(NLU_SETS)' sh bench/peers/run.sh nlu

bench-peers: ## Parley next to NLP.js on the same splits (installs NLP.js into PEERS_DIR)
	@GO='$(GO)' NODE='$(NODE)' NPM='$(NPM)' DATASETS='$(DATASETS)' NLU_SETS='$(NLU_SETS)' PEERS_DIR='$(PEERS_DIR)' sh bench/peers/run.sh peers
