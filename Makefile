# mqtt-conn-truth: the two quick-start commands are `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# Release builds of the shipped artifacts live apart from the debug/test build so
# that `make test` never rebuilds the plugin with other flags and vice versa.
RELEASE_SCRATCH := .build-release
PLUGIN_SCRATCH := .build-plugin

.PHONY: all deps build build-conn build-ingester build-load run test unit-test bench clean

all: build-conn build-ingester

deps:
	@bash scripts/bootstrap.sh

# The plugin: Swift standard library linked in statically (-static-stdlib), so the
# shared object needs nothing Swift-specific on the broker's host.
build-conn: deps
	@$(SWIFT) build -c release --scratch-path $(PLUGIN_SCRATCH) --product conn-plugin -Xswiftc -static-stdlib
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

build-load: deps
	@$(SWIFT) build -c release --scratch-path $(RELEASE_SCRATCH) --product mqtt-load --static-swift-stdlib
	@mkdir -p bin
	@install -m 0755 $(RELEASE_SCRATCH)/release/mqtt-load bin/mqtt-load

build: build-conn build-ingester build-load

run: build
	@bash scripts/run.sh

test: build
	@bash scripts/test.sh

bench: build
	@bash scripts/bench.sh

clean:
	rm -rf .build $(RELEASE_SCRATCH) $(PLUGIN_SCRATCH) plugins bin .run .test-tmp .bench-tmp
