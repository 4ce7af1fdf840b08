# ifacefix: every target CI needs. `make test` is what .ci/run runs.
GO       ?= go
FUZZTIME ?= 20s
BIN      := bin
# urfave_cli_no_docs drops the man-page generator: 2 ms less start-up for every run.
GOFLAGS_BUILD ?= -trimpath -tags urfave_cli_no_docs

.PHONY: build ansible test lint unit fuzz-short fuzz fuzz-diff e2e bench stress example clean

build:
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN)/ifacefix ./cmd/ifacefix
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN)/ifacefix-ansible ./cmd/ifacefix-ansible

# The Ansible module, compiled into the collection (ansible/README.md); GOARCH=arm64 for arm64 targets.
ansible:
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -o ansible/ansible_collections/ifacefix/ifacefix/plugins/modules/ifacefix ./cmd/ifacefix-ansible

# Everything CI runs: lint, all Go tests (oracle, live netns, Ansible and reliability tests skip
# only when their tool or root is missing), then a short run of each fuzz target.
test: lint unit e2e fuzz-short

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# e2e runs on its own, verbosely, so its summary of what was compared shows in CI's log.
unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /e2e)

fuzz-short:
	$(GO) test -run '^$$' -fuzz '^FuzzRoundTrip$$' -fuzztime $(FUZZTIME) ./parser
	$(GO) test -run '^$$' -fuzz '^FuzzFix$$' -fuzztime $(FUZZTIME) ./fixer

fuzz:
	$(MAKE) fuzz-short FUZZTIME=5m

# The differential fuzzer (e2e/differential_test.go), long: DIFF_TREES random trees checked against
# the real ifupdown and a boot-time route model (about 3 hours per 100,000 on 2 cores), DIFF_LIVE of
# them also brought up for real in network namespaces (root) to check the model against the kernel.
# Mismatches are minimized into e2e/testdata/difffuzz/.
DIFF_TREES ?= 100000
DIFF_LIVE  ?= 200
DIFF_SEED  ?= 1
fuzz-diff:
	IFACEFIX_DIFF=1 IFACEFIX_DIFF_TREES=$(DIFF_TREES) IFACEFIX_DIFF_LIVE=$(DIFF_LIVE) IFACEFIX_DIFF_SEED=$(DIFF_SEED) \
		nice $(GO) test -count=1 -timeout 0 -run '^TestDifferential$$' ./e2e

# Only the tests against the real ifupdown (oracle) and the live network-namespace proofs.
e2e:
	$(GO) test -count=1 -v ./e2e/...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./parser ./fixer ./plan ./udiff
	bash bench/compare.sh

stress:
	IFACEFIX_CRASH_TRIALS=1000 $(GO) test -count=1 -run Crash -v ./reliability/

# The newcomer's first command: a dry run on the bundled example tree.
example: build
	$(BIN)/ifacefix --root examples/basic; test $$? -le 1

clean:
	rm -rf $(BIN)
