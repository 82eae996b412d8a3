# fuzz.mk: the fuzz harnesses of tests/fuzz/, two ways.
#
#   make fuzz                 builds build-fuzz/ with clang (FUZZ=1) and runs
#                             each harness for FUZZ_SECONDS (default 60) on its
#                             committed corpus, printing executions per harness
#   make fuzz FUZZ_SECONDS=300 FUZZ_ONLY="rpc spool"
#
# Every harness tests/fuzz/fuzz_NAME.c is also linked with tests/fuzz/replay.c
# into $(BUILD)/fuzz/replay_NAME by the ordinary compiler: tests/fuzz/
# test_replay.py (in `make test`) feeds it tests/fuzz/corpus/NAME/, where
# every crash the fuzzer found stays as a regression input.

FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
REPLAY_BIN   := $(patsubst %,$(BUILD)/fuzz/replay_%,$(FUZZ_NAMES))
FUZZ_BIN     := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_NAMES))
FUZZ_SECONDS ?= 60
FUZZ_ONLY    ?= $(FUZZ_NAMES)

.PHONY: fuzz fuzz-bin deps-fuzz

$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(ALL_LIBS) $(PKG_LIBS) $(LIBS_NOPC)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(ALL_LIBS) $(PKG_LIBS) $(LIBS_NOPC)

tests-bin: $(REPLAY_BIN)

fuzz-bin: $(FUZZ_BIN)

deps-fuzz:
	@scripts/deps.sh build fuzz

fuzz: deps-fuzz
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-bin
	@FUZZ_SECONDS=$(FUZZ_SECONDS) /usr/bin/python3 scripts/fuzz.py build-fuzz $(FUZZ_ONLY)
