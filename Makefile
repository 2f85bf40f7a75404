# crmi — the two commands a new machine needs are `make demo` and `make test`.
SHELL := /bin/bash
MAKEFLAGS += --no-print-directory
JOBS ?= $(shell nproc)
BUILD_RELEASE := build/release
BUILD_SANITIZE := build/sanitize
BUILD_FUZZ := build/fuzz
CMAKE_FLAGS ?=

.PHONY: all bootstrap build configure test fuzz-smoke demo bench check-sanitize fuzz format clean

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD_RELEASE)/CMakeCache.txt:
	@cmake -S . -B $(BUILD_RELEASE) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

configure: bootstrap $(BUILD_RELEASE)/CMakeCache.txt

# Release binary at build/release/crmi.
build: configure
	@cmake --build $(BUILD_RELEASE) -j $(JOBS) --target crmi

# Unit tests, fuzz-corpus replay and end-to-end tests against the real binary, then a brief
# libFuzzer run of the parsers of credentials and policies.
test: configure
	@cmake --build $(BUILD_RELEASE) -j $(JOBS)
	@cd $(BUILD_RELEASE) && ctest --output-on-failure
	@$(MAKE) fuzz-smoke

# The JWT/JWKS and policy parsers under libFuzzer (clang, ASan+UBSan) for FUZZ_SMOKE_SECONDS
# each, starting from the committed seed corpus; findings fail the build.
FUZZ_SMOKE_SECONDS ?= 10
fuzz-smoke:
	@scripts/bootstrap --fuzz
	@CXX=clang++ cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRMI_FUZZ=ON \
	  -DCRMI_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_jwt fuzz_policy
	@for name in jwt policy; do \
	  work=$$(mktemp -d); \
	  UBSAN_OPTIONS=suppressions=tests/fuzz/ubsan.supp:print_stacktrace=1 \
	  $(BUILD_FUZZ)/tests/fuzz/fuzz_$$name -max_total_time=$(FUZZ_SMOKE_SECONDS) -max_len=16384 \
	    -artifact_prefix=$(BUILD_FUZZ)/ $$work tests/fuzz/corpus/$$name 2>$(BUILD_FUZZ)/fuzz_$$name.log; \
	  rc=$$?; rm -rf $$work; \
	  if [ $$rc -ne 0 ]; then tail -40 $(BUILD_FUZZ)/fuzz_$$name.log; exit 1; fi; \
	  echo "fuzz $$name: $$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' $(BUILD_FUZZ)/fuzz_$$name.log)"; \
	done

# Builds, loads the generated demo data set once, serves it on 127.0.0.1:8080.
demo: build
	@scripts/demo

bench: bootstrap
	@scripts/bootstrap --bench
	@cmake -S . -B $(BUILD_RELEASE) -DCMAKE_BUILD_TYPE=Release -DCRMI_BUILD_BENCH=ON >/dev/null
	@cmake --build $(BUILD_RELEASE) -j $(JOBS)
	@bench/run_all

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
check-sanitize: bootstrap
	@cmake -S . -B $(BUILD_SANITIZE) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRMI_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD_SANITIZE) -j $(JOBS)
	@cd $(BUILD_SANITIZE) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure

# libFuzzer targets (clang), each run for FUZZ_SECONDS from the seed corpus.
FUZZ_SECONDS ?= 60
fuzz: bootstrap
	@scripts/bootstrap --fuzz
	@CXX=clang++ cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRMI_FUZZ=ON \
	  -DCRMI_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_record fuzz_http_target fuzz_csv fuzz_scalars \
	  fuzz_jwt fuzz_policy fuzz_search fuzz_snapshot fuzz_privacy fuzz_llm fuzz_signals
	@for t in $(BUILD_FUZZ)/tests/fuzz/fuzz_*; do \
	  name=$${t##*/fuzz_}; mkdir -p $(BUILD_FUZZ)/corpus/$$name; \
	  echo "== $$name ($(FUZZ_SECONDS) s)"; \
	  UBSAN_OPTIONS=suppressions=tests/fuzz/ubsan.supp:print_stacktrace=1 \
	  $$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 $(BUILD_FUZZ)/corpus/$$name \
	    tests/fuzz/corpus/$$name || exit 1; \
	done

format:
	@find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build
