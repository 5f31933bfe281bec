# Caucus — the two commands are `make run` and `make test`; the rest are for developers.
# Everything installs what it needs first (scripts/bootstrap), and Rust builds never need a
# database: sqlx reads the committed .sqlx/ query data.

SHELL := /bin/bash
export SQLX_OFFLINE := true
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run test deps ui build fmt lint rust-test bench-smoke ui-test browser-test window-test hub fuzz soak bench bindings sqlx-prepare clean

## Open the app on a local database with the demo coalition.
run: build
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "make run needs a desktop session (no DISPLAY or WAYLAND_DISPLAY is set)"; exit 1; fi
	CAUCUS_DEMO=1 ./target/debug/caucus

## Every check: formatting, lints, Rust tests, UI type check and unit tests, browser tests,
## and the real-window smoke test.
test: deps fmt build lint rust-test bench-smoke ui-test browser-test window-test
	@echo "make test: every check passed"

deps:
	./scripts/bootstrap

ui: deps
	npm run build

# Every target of the workspace, tests included: `cargo test --workspace` resolves features with
# the dev-dependencies, and building with the same resolution here means the tests reuse every
# artifact instead of compiling the dependencies (Tauri, Typst) a second time.
build: ui
	cargo build --workspace --all-targets

fmt:
	cargo fmt --all -- --check

lint: ui
	cargo clippy --workspace --all-targets -- -D warnings

rust-test: ui
	cargo test --workspace

## The benchmarks once at scale 0.01 (debug build), so they cannot rot; figures are not judged.
bench-smoke: build
	./target/debug/caucus-bench --scale 0.01 --sync-scale 0.002 --runs 1 --devices 100 \
	  --loop-seconds 2 --out target/bench-smoke

ui-test:
	npm run typecheck
	npm run test:unit

browser-test: build
	npm run test:browser

window-test: build
	npm run test:window

## A sync hub on loopback, with its database in data/hub/ (HUB_DB=postgres://… for PostgreSQL,
## HUB_BIND=0.0.0.0:7878 to serve a network). Invite a device with
## `./target/debug/caucus-hub invite --db data/hub/hub.db --person <person id>`.
HUB_DB ?= data/hub/hub.db
HUB_BIND ?= 127.0.0.1:7878
hub: deps
	cargo build -p caucus-hub
	mkdir -p data/hub
	./target/debug/caucus-hub serve --db $(HUB_DB) --bind $(HUB_BIND)

## Coverage-guided fuzzing of every decoder of outside data (cargo-fuzz, AddressSanitizer):
## FUZZ_RUNS executions per target (default ten million), FUZZ_SECONDS at most (default 0: no
## limit). Prints executions and crashes per target. Crashes land in fuzz/artifacts/<target>/;
## keep each as a regression in fuzz/regressions/<target>/.
FUZZ_RUNS ?= 10000000
FUZZ_SECONDS ?= 0
FUZZ_TARGETS := sync_payload bundle pairing command_arguments certificate text_edit
fuzz: deps
	./scripts/fuzz $(FUZZ_RUNS) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## Long runs of the reliability tests, printing their counts: 1,000 SIGKILLs of a writing
## process (every acknowledged write must survive), 200 of a hub during uploads, and 1,000
## seeds of the sync simulation (a hub and five devices under partitions, lost replies,
## duplicates, delays and restarts), and the hostile-input sweep with every script at every
## length in every text field.
SOAK_KILLS ?= 1000
SOAK_SEEDS ?= 1000
SOAK_HUB_KILLS ?= 200
soak: deps
	mkdir -p target
	CAUCUS_CRASH_KILLS=$(SOAK_KILLS) cargo test -p caucus-core --test crash -- --nocapture 2>&1 \
	  | tee target/soak.log | grep -E "^CRASH|test result|panicked"
	CAUCUS_HUB_KILLS=$(SOAK_HUB_KILLS) cargo test -p caucus-hub --test hub_crash -- --nocapture 2>&1 \
	  | tee -a target/soak.log | grep -E "^HUB CRASH|test result|panicked"
	CAUCUS_SIM_SEEDS=$(SOAK_SEEDS) cargo test -p caucus-hub --test simulation -- --nocapture 2>&1 \
	  | tee -a target/soak.log | grep -E "^SIMULATION|^seed|test result|panicked"
	CAUCUS_SWEEP_ALL=1 cargo test -p caucus-bridge --test sweep -- --nocapture 2>&1 \
	  | tee -a target/soak.log | grep -E "^SWEEP (commands|FAILURE)|test result|panicked"
	@grep -q "losses: 0 " target/soak.log && grep -q "lost: 0" target/soak.log \
	  && grep -q "failures: 0," target/soak.log && grep -q "^SWEEP .* failures=0 " target/soak.log

## Performance at coalition scale (release build): generates the dataset (BENCH_SCALE, default 1;
## 10 for ten times the coalition, 0.1 for a tenth), measures every figure BENCH_RUNS times,
## prints the table, writes target/bench/summary.json and updates docs/benchmarks.md. The hub
## figures run `caucus-hub serve` processes and a PostgreSQL cluster of their own on loopback;
## 1,000 devices pulling at once need as many sockets, hence the raised file limit. Cold start
## and memory are measured on the release app in the real window under Xvfb.
BENCH_SCALE ?= 1
BENCH_RUNS ?= 3
BENCH_SYNC_SCALE ?= $(BENCH_SCALE)
bench: ui
	cargo build --release -p caucus-bench -p caucus-hub -p caucus-app
	{ ulimit -n 65536 || ulimit -n $$(ulimit -Hn); } 2>/dev/null; ./target/release/caucus-bench --scale $(BENCH_SCALE) --sync-scale $(BENCH_SYNC_SCALE) \
	  --runs $(BENCH_RUNS) --out target/bench --docs docs/benchmarks.md

## Regenerate ui/src/api/bindings.ts after changing a command or a type it uses.
bindings:
	UPDATE_BINDINGS=1 cargo test -p caucus-core --lib bindings

## Refresh .sqlx/ after changing a query (needs sqlx-cli 0.8.6).
sqlx-prepare:
	rm -f target/sqlx-prepare.db
	DATABASE_URL=sqlite://$(CURDIR)/target/sqlx-prepare.db sqlx database create
	DATABASE_URL=sqlite://$(CURDIR)/target/sqlx-prepare.db sqlx migrate run --source crates/caucus-core/migrations
	SQLX_OFFLINE=false DATABASE_URL=sqlite://$(CURDIR)/target/sqlx-prepare.db cargo sqlx prepare --workspace

clean:
	cargo clean
	rm -rf ui/dist test-results
