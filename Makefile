# Parley — make targets. `make help` lists them.
GO      ?= go
PKGS    ?= ./...
BENCH   ?= .
COUNT   ?= 5

.PHONY: help run build test vet check conversations bench clean

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

clean: ## remove build output
	rm -rf bin
