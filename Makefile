# mqtt-conn-truth: the two quick-start commands are `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# Release builds of the shipped artifacts live apart from the debug/test build so
# that `make test` never rebuilds the plugin with other flags and vice versa.
RELEASE_SCRATCH := .build-release
PLUGIN_SCRATCH := .build-plugin

.PHONY: all deps build build-conn build-ingester build-load run test unit-test bench clean \
	install install-files uninstall

# `make install` (README "Install on a broker host"). DESTDIR stages a tree (packaging, tests);
# configuration goes under SYSCONFDIR (/etc), not PREFIX, because the unit and mosquitto look there.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
PLUGINDIR ?= $(LIBDIR)/mosquitto
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share/mqtt-conn-truth
DOCDIR ?= $(PREFIX)/share/doc/mqtt-conn-truth
SYSCONFDIR ?= /etc
# systemd reads /usr/local/lib/systemd/system (administrator's units) and /usr/lib/systemd/system.
SYSTEMDUNITDIR ?= $(LIBDIR)/systemd/system
DOCS := README.md docs/architecture.md docs/events.md docs/sys-ingester.md docs/metrics.md docs/performance.md docs/dashboard.md mosquitto.conf.example
SUBSTITUTE = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@PLUGINDIR@|$(PLUGINDIR)|g' \
	-e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

all: build-conn build-ingester

deps:
	@bash scripts/bootstrap.sh

# The plugin: Swift standard library linked in statically (-static-stdlib), so the
# shared object needs nothing Swift-specific on the broker's host; and no $ORIGIN
# RUNPATH (nothing is loaded from beside it; ld.so's expansion of it is what valgrind
# reported as invalid reads at every dlopen).
build-conn: deps
	@$(SWIFT) build -c release --scratch-path $(PLUGIN_SCRATCH) --product conn-plugin -Xswiftc -static-stdlib --disable-local-rpath
	@mkdir -p plugins
	@install -m 0755 $(PLUGIN_SCRATCH)/release/libconn-plugin.so plugins/conn-plugin
	@install -m 0644 include/conn-plugin.h plugins/conn-plugin.h
	@echo "built plugins/conn-plugin and plugins/conn-plugin.h"

# The programs link the Swift runtime and Foundation in statically (--static-swift-stdlib), so an
# installed bin/sys-ingester runs on a host without a Swift toolchain; mqtt-load shares the scratch
# directory and so gets the same flags (different flags would rebuild everything on every switch).
build-ingester: deps
	@$(SWIFT) build -c release --scratch-path $(RELEASE_SCRATCH) --product sys-ingester --static-swift-stdlib
	@mkdir -p bin
	@install -m 0755 $(RELEASE_SCRATCH)/release/sys-ingester bin/sys-ingester
	@echo "built bin/sys-ingester"

# The benchmarks' tools: mqtt-load (the load) and conn-sql (pgbench scripts of the plugin's statements).
build-load: deps
	@$(SWIFT) build -c release --scratch-path $(RELEASE_SCRATCH) --product mqtt-load --static-swift-stdlib
	@$(SWIFT) build -c release --scratch-path $(RELEASE_SCRATCH) --product conn-sql --static-swift-stdlib
	@mkdir -p bin
	@install -m 0755 $(RELEASE_SCRATCH)/release/mqtt-load bin/mqtt-load
	@install -m 0755 $(RELEASE_SCRATCH)/release/conn-sql bin/conn-sql

build: build-conn build-ingester build-load

run: build
	@bash scripts/run.sh

test: build
	@bash scripts/test.sh

bench: build
	@bash scripts/bench.sh

install: build-conn build-ingester
	@$(MAKE) --no-print-directory install-files

# Copies what build-conn and build-ingester made; builds nothing (the integration test calls it).
install-files:
	@test -f plugins/conn-plugin && test -f bin/sys-ingester \
		|| { echo "make install-files: run make build-conn build-ingester first" >&2; exit 1; }
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(DATADIR)/schema $(DESTDIR)$(DATADIR)/scripts $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(SYSCONFDIR)/mosquitto/conf.d $(DESTDIR)$(SYSCONFDIR)/sys-ingester
	install -m 0755 bin/sys-ingester $(DESTDIR)$(BINDIR)/sys-ingester
	install -m 0755 plugins/conn-plugin $(DESTDIR)$(PLUGINDIR)/conn-plugin.so
	install -m 0644 plugins/conn-plugin.h $(DESTDIR)$(INCLUDEDIR)/conn-plugin.h
	install -m 0644 schema/*.sql $(DESTDIR)$(DATADIR)/schema/
	install -m 0755 scripts/partition-conn-events.sh $(DESTDIR)$(DATADIR)/scripts/partition-conn-events.sh
	install -m 0644 scripts/partition-conn-events.sql $(DESTDIR)$(DATADIR)/scripts/partition-conn-events.sql
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(SUBSTITUTE) packaging/sys-ingester@.service.in > $(DESTDIR)$(SYSTEMDUNITDIR)/sys-ingester@.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/sys-ingester@.service
	$(SUBSTITUTE) packaging/conn-plugin.conf.in > $(DESTDIR)$(SYSCONFDIR)/mosquitto/conf.d/conn-plugin.conf.example
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/mosquitto/conf.d/conn-plugin.conf.example
	@# example.yaml is a configuration sys-ingester@example would read: never overwrite it.
	test -e $(DESTDIR)$(SYSCONFDIR)/sys-ingester/example.yaml \
		|| install -m 0644 sys-ingester.example.yaml $(DESTDIR)$(SYSCONFDIR)/sys-ingester/example.yaml

# Removes what install-files put there; example.yaml only while unchanged, and no configuration
# of yours (conf.d/*.conf, sys-ingester/*.yaml, *.env).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sys-ingester $(DESTDIR)$(PLUGINDIR)/conn-plugin.so \
		$(DESTDIR)$(INCLUDEDIR)/conn-plugin.h $(DESTDIR)$(SYSTEMDUNITDIR)/sys-ingester@.service \
		$(DESTDIR)$(SYSCONFDIR)/mosquitto/conf.d/conn-plugin.conf.example
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	cmp -s sys-ingester.example.yaml $(DESTDIR)$(SYSCONFDIR)/sys-ingester/example.yaml \
		&& rm -f $(DESTDIR)$(SYSCONFDIR)/sys-ingester/example.yaml || true
	rmdir --ignore-fail-on-non-empty $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(SYSCONFDIR)/sys-ingester 2>/dev/null || true

clean:
	rm -rf .build $(RELEASE_SCRATCH) $(PLUGIN_SCRATCH) plugins bin .run .test-tmp .bench-tmp
