# testclock.mk: `make test-clock`, the whole suite at the hours that break
# date arithmetic.
#
# Each run shifts local time with SIMMER_TEST_CLOCK (see tests/run.py): just
# after midnight, just before it (the run crosses it), and across a change
# to and from summer time. Every clock runs even when one fails; the target
# fails when any did. TEST_CLOCKS picks others, TESTS a part of the suite.

TEST_CLOCKS ?= 00:10 23:59 dst-spring dst-fall

.PHONY: test-clock

test-clock: deps-test
	@$(MAKE) --no-print-directory tests-bin
	@rc=0; for c in $(TEST_CLOCKS); do \
		echo "== SIMMER_TEST_CLOCK=$$c"; \
		SIMMER_TEST_CLOCK=$$c SIMMER_BUILD=$(BUILD) /usr/bin/python3 tests/run.py $(TESTS) || rc=1; \
	done; exit $$rc
