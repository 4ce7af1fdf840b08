# ifacefix: every target CI needs. `make test` is what .ci/run runs.
GO       ?= go
FUZZTIME ?= 20s
BIN      := bin
# urfave_cli_no_docs drops the man-page generator: 2 ms less start-up for every run.
GOFLAGS_BUILD ?= -trimpath -tags urfave_cli_no_docs

.PHONY: build ansible collection test lint unit fuzz-short fuzz e2e bench stress example clean

build:
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN)/ifacefix ./cmd/ifacefix
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN)/ifacefix-ansible ./cmd/ifacefix-ansible

# The Ansible module, compiled into the collection once per architecture (ansible/README.md): the
# action plugin runs the build for each host's uname -m.
COLLECTION     := ansible/ansible_collections/ifacefix/ifacefix
ANSIBLE_ARCHES := amd64 arm64
ansible:
	rm -f $(COLLECTION)/plugins/modules/ifacefix  # the single-architecture module of older builds
	for arch in $(ANSIBLE_ARCHES); do \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build -trimpath -ldflags='-s -w' \
	    -o $(COLLECTION)/plugins/modules/__builds__/ifacefix_linux_$$arch ./cmd/ifacefix-ansible || exit 1; \
	done

# The collection tarball, bin/collection/ifacefix-ifacefix-VERSION.tar.gz, with every build; it
# fails if one is missing from the tarball.
collection: ansible
	rm -rf $(BIN)/collection
	ansible-galaxy collection build --output-path $(BIN)/collection $(COLLECTION)
	@tarball=$$(ls $(BIN)/collection/ifacefix-ifacefix-*.tar.gz) && \
	for arch in $(ANSIBLE_ARCHES); do \
	  tar -tzf $$tarball | grep -qx "plugins/modules/__builds__/ifacefix_linux_$$arch" || \
	    { echo "collection: $$tarball has no plugins/modules/__builds__/ifacefix_linux_$$arch" >&2; rm -f $$tarball; exit 1; }; \
	done && echo "collection: $$tarball (builds: $(ANSIBLE_ARCHES))"

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
