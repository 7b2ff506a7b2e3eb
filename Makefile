# glass5g — top-level entry points for a newcomer on a fresh Debian 12 machine.
#   make deps   install every build and test dependency (apt-get; idempotent)
#   make        build (build/)
#   make test   deps + build + the whole test suite (in CI also the sanitizer build,
#               fuzz smoke runs, format and lint checks)
#   make demo   deps + build + the main job (core + simulated gNB/UEs)
#   make bench  build + run every benchmark under bench/
#   make fuzz   long libFuzzer campaigns (FUZZ_TIME seconds per target, default 300)

BUILD     ?= build
ASAN_BUILD?= build-asan
FUZZ_BUILD?= build-fuzz
JOBS      ?= $(shell nproc)
FUZZ_TIME ?= 300
CI        ?=
CMAKE_FLAGS ?=
ifneq ($(CI),)
  CMAKE_FLAGS += -DWERROR=ON
endif

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

DEPS := build-essential cmake pkg-config git python3 \
  libssl-dev libyaml-dev libsqlite3-dev sqlite3 libusrsctp-dev libsctp-dev libuv1-dev \
  libcmocka-dev libjansson-dev libnghttp2-dev \
  clang libclang-rt-14-dev libfuzzer-14-dev cppcheck clang-tidy clang-format \
  tshark erlang-base erlang-asn1 python3-scapy python3-cryptography \
  iproute2 iputils-ping iperf3 tcpdump user-mode-linux busybox-static

.PHONY: all deps build test test-unit test-asan fuzz-smoke fuzz bench demo lint format \
        format-check gen gen-check clean

all: build

# Installs only when something is missing, so a second run costs a dpkg query.
deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	    | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing:" $$missing; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends \
	    $$missing; \
	else echo "deps: all $(words $(DEPS)) packages present"; fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DSANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)

test-asan: $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

$(FUZZ_BUILD)/CMakeCache.txt:
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DFUZZ=ON -DSANITIZE=address,undefined \
	  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS=-Werror=incompatible-pointer-types

fuzz-build: $(FUZZ_BUILD)/CMakeCache.txt
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

# Each fuzzer over its checked-in corpus plus a few seconds of new inputs (CI smoke test).
fuzz-smoke: fuzz-build
	tools/fuzz.sh $(FUZZ_BUILD) 10

fuzz: fuzz-build
	tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TIME)

# The test suite. In CI (CI=true) it also runs the sanitizer build, fuzz smoke runs and the
# style gates, so `make test` there is the whole gate.
test: deps build gen-check
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
ifneq ($(CI),)
	$(MAKE) format-check lint
	$(MAKE) test-asan
	$(MAKE) fuzz-smoke
endif

bench: build
	@for b in $(BUILD)/bench/bench_*; do [ -x "$$b" ] || continue; \
	  echo "== $$b"; "$$b" || exit 1; done

demo: deps build
	tools/demo.sh $(BUILD)

# Generated code (NGAP from spec/ngap.asn) is reproduced by one command and checked in CI.
gen:
	@if [ -x tools/gen.sh ]; then tools/gen.sh; else echo "gen: nothing to generate"; fi

gen-check:
	@if [ -x tools/gen.sh ]; then tools/gen.sh --check; else echo "gen-check: nothing generated yet"; fi

HANDWRITTEN_C = $(shell git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c' 'fuzz/*.c' \
  | grep -v '/gen/')

format:
	clang-format -i $(HANDWRITTEN_C)

format-check:
	clang-format --dry-run -Werror $(HANDWRITTEN_C)

lint: build
	tools/lint.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
