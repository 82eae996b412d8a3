# simmer: build, run, test and bench.
#
#   make            build build/simmerd and build/simmer
#   make run        install missing Debian packages, build, run simmerd in the foreground
#   make test       install missing test packages, build, run every test
#   make test SAN=1 the same suite under AddressSanitizer and UndefinedBehaviorSanitizer
#   make bench      print performance figures
#   make demo       a throwaway simmerd with a generated six-month diary: a tour
#   make check-layers  fail on a circle among daemon/'s files or a use that
#                   crosses a room boundary of shared/DESIGN.md (run by make test)
#   make fuzz       run each libFuzzer harness of tests/fuzz/ for FUZZ_SECONDS (60)
#   make check-tools   the suite under ASan/UBSan, then under valgrind memcheck
#   make coverage   run the suite on an instrumented build; line and branch coverage per folder
#   make test-clock the suite at 00:10, at 23:59 and across summer-time changes
#   make check-trials  the simulated experiments on 200 and 40 diaries a plan, with the figures
#
# Sources are found by folder: every .c file in proto/, common/, daemon/,
# daemon/analysis/ and client/ belongs to that room's static library, except
# the two main.c files. common/ holds what both binaries resolve on disk the
# same way (paths and the runtime folder check); proto/ stays free of I/O.
# Every tests/unit/test_*.c becomes one cmocka binary linked against all rooms.

CC      ?= cc
STD     := -std=c17 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
OPT     ?= -O2 -g

# Every library comes through pkg-config, except libcsv, whose Debian package
# ships no .pc file.
# The client links only what it uses, so that a quick entry starts fast.
DAEMON_PKGS := libuv sqlite3 msgpack inih libnotify libsystemd
CLIENT_PKGS := msgpack jansson
PKGS        := $(sort $(DAEMON_PKGS) $(CLIENT_PKGS))
TEST_PKGS   := cmocka
LIBS_NOPC   := -lcsv -lm -lpthread

ifeq ($(SAN),1)
BUILD   := build-san
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN   := -fsanitize=address,undefined
# Leaks inside third-party libraries, each explained in the file.
export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
else ifeq ($(FUZZ),1)
# libFuzzer's build (mk/fuzz.mk): clang, every room instrumented for
# coverage, with ASan and UBSan; only the harnesses link libFuzzer itself.
BUILD   := build-fuzz
CC      := clang
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
LDSAN   := -fsanitize=address,undefined
else ifeq ($(COV),1)
BUILD   := build-cov
OPT     := -O1 -g --coverage
LDSAN   := --coverage
else
BUILD   ?= build
LDSAN   :=
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
DAEMON_LIBS := $(shell pkg-config --libs $(DAEMON_PKGS) 2>/dev/null) -lm -lpthread
CLIENT_LIBS := $(shell pkg-config --libs $(CLIENT_PKGS) 2>/dev/null) -lcsv -lm
TEST_CFLAGS := $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CFLAGS  += $(STD) $(WARN) $(OPT) -I. -MMD -MP -DSIMMER_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
LDFLAGS += $(LDSAN)

PROTO_SRC    := $(wildcard proto/*.c)
COMMON_SRC   := $(wildcard common/*.c)
ANALYSIS_SRC := $(wildcard daemon/analysis/*.c)
DAEMON_SRC   := $(filter-out daemon/main.c,$(wildcard daemon/*.c))
CLIENT_SRC   := $(filter-out client/main.c,$(wildcard client/*.c))
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
BENCH_SRC    := $(wildcard bench/bench_*.c)
TOOL_SRC     := $(wildcard tests/tools/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBPROTO    := $(BUILD)/libproto.a
LIBCOMMON   := $(BUILD)/libcommon.a
LIBANALYSIS := $(BUILD)/libanalysis.a
LIBDAEMON   := $(BUILD)/libdaemon.a
LIBCLIENT   := $(BUILD)/libclient.a
ALL_LIBS    := $(LIBDAEMON) $(LIBCLIENT) $(LIBANALYSIS) $(LIBCOMMON) $(LIBPROTO)

UNIT_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
TOOL_BIN  := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))

.PHONY: all run test bench demo deps deps-test deps-bench clean install uninstall tests-bin check-layers

all: $(BUILD)/simmerd $(BUILD)/simmer

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIBPROTO): $(call obj,$(PROTO_SRC))
$(LIBCOMMON): $(call obj,$(COMMON_SRC))
$(LIBANALYSIS): $(call obj,$(ANALYSIS_SRC))
$(LIBDAEMON): $(call obj,$(DAEMON_SRC))
$(LIBCLIENT): $(call obj,$(CLIENT_SRC))
$(ALL_LIBS):
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/simmerd: $(call obj,daemon/main.c) $(LIBDAEMON) $(LIBANALYSIS) $(LIBCOMMON) $(LIBPROTO)
	$(CC) $(LDFLAGS) -o $@ $^ $(DAEMON_LIBS)

$(BUILD)/simmer: $(call obj,client/main.c) $(LIBCLIENT) $(LIBCOMMON) $(LIBPROTO)
	$(CC) $(LDFLAGS) -o $@ $^ $(CLIENT_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $(LDFLAGS) -o $@ $< $(ALL_LIBS) $(PKG_LIBS) $(TEST_LIBS) $(LIBS_NOPC)

$(BUILD)/bench/%: bench/%.c $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(ALL_LIBS) $(PKG_LIBS) $(LIBS_NOPC)

$(BUILD)/tools/%: tests/tools/%.c $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(ALL_LIBS) $(PKG_LIBS) $(LIBS_NOPC)

tests-bin: all $(UNIT_BIN) $(TOOL_BIN)

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh build test

deps-bench:
	@scripts/deps.sh build test bench

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/simmerd $(ARGS)

check-layers: all
	@/usr/bin/python3 scripts/check-layers.py $(BUILD)

test: deps-test
	@$(MAKE) --no-print-directory tests-bin
	@/usr/bin/python3 scripts/check-layers.py $(BUILD)
	@SIMMER_BUILD=$(BUILD) /usr/bin/python3 tests/run.py $(TESTS)

bench: deps-bench
	@$(MAKE) --no-print-directory all $(BENCH_BIN) $(TOOL_BIN)
	@SIMMER_BUILD=$(BUILD) bash bench/run.sh

demo: deps
	@$(MAKE) --no-print-directory -s all $(TOOL_BIN) >/dev/null
	@SIMMER_BUILD=$(BUILD) sh scripts/demo.sh

clean:
	rm -rf build build-san build-cov build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
-include mk/*.mk
