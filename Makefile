# ifacefix: every target CI needs. `make test` is what .ci/run runs.
GO       ?= go
# Fuzz budgets as execution counts (about 20 s each on 2 idle cores): a -fuzztime duration races
# Go 1.26's fuzz coordinator at its deadline, which fails a target with a bare "context deadline
# exceeded" and no crasher on a loaded machine (go.dev/issue/75804, fixed in Go 1.27).
FUZZ_RT  ?= 400000x
FUZZ_FIX ?= 200000x
BIN      := bin
# The version every build stamps in (--version): git describe, see packaging/version.sh.
# Outside a git checkout, give it: make VERSION=1.2.0.
VERSION  := $(shell packaging/version.sh 2>/dev/null)
# The man page's and the Debian changelog's date: the commit's.
DATE     := $(shell git log -1 --format=%cs 2>/dev/null || date -u +%F)
# urfave_cli_no_docs drops urfave/cli's markdown/man generator (blackfriday), which costs start-up
# time in every run (0.4-0.9 ms; packaging/README.md). The man page does not need it.
GOFLAGS_BUILD ?= -trimpath -tags urfave_cli_no_docs
LDFLAGS  := -X main.version=$(VERSION)
GOBUILD   = CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -ldflags '$(LDFLAGS) $(LDFLAGS_EXTRA)'
# The generator of the man page and the completions: cmd/ifacefix built with the tag ifacefix_gendoc,
# for this machine whatever GOARCH the binaries are for.
GENDOC    = GOOS= GOARCH= $(GO) run -trimpath -tags 'urfave_cli_no_docs ifacefix_gendoc' -ldflags '$(LDFLAGS)' ./cmd/ifacefix
# Never build an artefact that does not know its version.
CHECK_VERSION = @test -n '$(VERSION)' || { echo 'make: no version: not a git checkout? Use make VERSION=...' >&2; exit 1; }

# make install: DESTDIR for staging, PREFIX for the tree (bash-completion and zsh look in
# PREFIX/share for /usr/local; Debian's zsh wants /usr/share/zsh/vendor-completions for /usr).
PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
# make deb: the package's Maintainer (a placeholder until the project has one).
DEB_MAINTAINER ?= ifacefix maintainers <maintainers@ifacefix.invalid>

.PHONY: build ansible collection man completion install deb test lint unit fuzz-short fuzz fuzz-diff diff-short e2e bench stress example clean

build:
	$(CHECK_VERSION)
	$(GOBUILD) -o $(BIN)/ifacefix ./cmd/ifacefix
	$(GOBUILD) -o $(BIN)/ifacefix-ansible ./cmd/ifacefix-ansible

# The Ansible module, compiled into the collection once per architecture (ansible/README.md): the
# action plugin runs the build for each host's uname -m.
COLLECTION     := ansible/ansible_collections/ifacefix/ifacefix
ANSIBLE_ARCHES := amd64 arm64
ANSIBLE_BUILDS ?= $(COLLECTION)/plugins/modules/__builds__
ansible: LDFLAGS_EXTRA += -s -w
ansible:
	$(CHECK_VERSION)
	rm -f $(COLLECTION)/plugins/modules/ifacefix  # the single-architecture module of older builds
	for arch in $(ANSIBLE_ARCHES); do \
	  GOOS=linux GOARCH=$$arch $(GOBUILD) -o $(ANSIBLE_BUILDS)/ifacefix_linux_$$arch ./cmd/ifacefix-ansible || exit 1; \
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

# ifacefix(8) and the completions, generated from the command-line definition (cmd/ifacefix/docs.go).
man:
	$(CHECK_VERSION)
	@mkdir -p $(BIN)
	$(GENDOC) -date $(DATE) -man $(BIN)/ifacefix.8

completion:
	$(CHECK_VERSION)
	@mkdir -p $(BIN)/completion
	$(GENDOC) -bash $(BIN)/completion/ifacefix -zsh $(BIN)/completion/_ifacefix

install: build man completion
	install -D -m 0755 $(BIN)/ifacefix $(DESTDIR)$(SBINDIR)/ifacefix
	install -d $(DESTDIR)$(MANDIR)/man8
	gzip -9n <$(BIN)/ifacefix.8 >$(DESTDIR)$(MANDIR)/man8/ifacefix.8.gz
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/ifacefix.8.gz
	install -D -m 0644 $(BIN)/completion/ifacefix $(DESTDIR)$(BASHCOMPDIR)/ifacefix
	install -D -m 0644 $(BIN)/completion/_ifacefix $(DESTDIR)$(ZSHCOMPDIR)/_ifacefix

# The Debian package, bin/ifacefix_VERSION_ARCH.deb, built with dpkg-deb (packaging/mkdeb.sh);
# GOARCH=arm64 make deb for arm64. Checked by packaging/deb_test.go (lintian, dpkg -i).
deb:
	$(CHECK_VERSION)
	rm -rf $(BIN)/deb
	$(MAKE) install VERSION='$(VERSION)' LDFLAGS_EXTRA='-s -w' DESTDIR=$(abspath $(BIN))/deb PREFIX=/usr \
		ZSHCOMPDIR=/usr/share/zsh/vendor-completions
	packaging/mkdeb.sh $(BIN)/deb '$(VERSION)' $$($(GO) env GOARCH) '$(DEB_MAINTAINER)' $(BIN)

# Everything CI runs: lint, all Go tests (oracle, live netns, Ansible and reliability tests skip
# only when their tool or root is missing), then a short run of each fuzz target and of the
# differential fuzzer.
test: lint unit e2e fuzz-short diff-short

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags ifacefix_gendoc ./cmd/ifacefix
	$(GO) mod tidy -diff

# e2e runs on its own, verbosely, so its summary of what was compared shows in CI's log.
unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /e2e)

fuzz-short:
	$(GO) test -run '^$$' -fuzz '^FuzzRoundTrip$$' -fuzztime $(FUZZ_RT) ./parser
	$(GO) test -run '^$$' -fuzz '^FuzzFix$$' -fuzztime $(FUZZ_FIX) ./fixer

fuzz:
	$(MAKE) fuzz-short FUZZ_RT=6000000x FUZZ_FIX=3000000x

# The differential fuzzer (e2e/differential_test.go), long: DIFF_TREES random trees checked against
# the real ifupdown and a boot-time route model (about 70 minutes per 100,000 on 2 cores,
# measured 2026-12-04 in chunks of 10,000 trees, 6.5-7.8 minutes each, 5 of them live), DIFF_LIVE of them also brought up for real in
# network namespaces (root) to check the model against the kernel. Mismatches are minimized into
# e2e/testdata/difffuzz/; -v, so that the summary of what was compared shows.
DIFF_TREES ?= 100000
DIFF_LIVE  ?= 200
DIFF_SEED  ?= 1
fuzz-diff:
	IFACEFIX_DIFF=1 IFACEFIX_DIFF_TREES=$(DIFF_TREES) IFACEFIX_DIFF_LIVE=$(DIFF_LIVE) IFACEFIX_DIFF_SEED=$(DIFF_SEED) \
		nice $(GO) test -count=1 -timeout 0 -v -run '^TestDifferential$$' ./e2e

# A short differential run for make test: about 5 minutes on 2 cores; it skips without ifupdown.
# The same 2,000 trees every run (SHORT_SEED), so that CI is reproducible; fresh trees are
# make fuzz-diff's job (DIFF_SEED=$$(date +%s) for a new sample).
SHORT_SEED ?= 1
diff-short:
	$(MAKE) fuzz-diff DIFF_TREES=2000 DIFF_LIVE=10 DIFF_SEED=$(SHORT_SEED)

# Only the tests against the real ifupdown (oracle) and the live network-namespace proofs (about
# 8 minutes on 2 idle cores: more than go test's default timeout on a loaded machine).
e2e:
	$(GO) test -count=1 -timeout 45m -v ./e2e/...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./parser ./fixer ./internal/plan ./internal/udiff
	bash bench/compare.sh

stress:
	IFACEFIX_CRASH_TRIALS=1000 $(GO) test -count=1 -run Crash -v ./reliability/

# The newcomer's first command: a dry run on the bundled example tree.
example: build
	$(BIN)/ifacefix --root examples/basic; test $$? -le 1

clean:
	rm -rf $(BIN)
