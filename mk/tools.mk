# tools.mk: `make check-tools`, the suite under the memory tools.
#
#   make check-tools   1. `make test SAN=1`: the whole suite built with
#                         AddressSanitizer and UndefinedBehaviorSanitizer
#                      2. the unit tests, and every simmerd the integration
#                         tests of VALGRIND_TESTS start, under valgrind
#                         memcheck with --leak-check=full; any error or leak
#                         makes that test fail (--error-exitcode)
#
# cppcheck is not here: it runs in `make test` (tests/static/).
# tests/valgrind.supp holds the suppressions, each for a third-party
# library and explained there.

VALGRIND_CMD := valgrind -q --tool=memcheck --leak-check=full \
	--show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible \
	--error-exitcode=99 --suppressions=$(CURDIR)/tests/valgrind.supp
# Substrings of test paths (tests/run.py): the unit binaries and the
# integration tests that start simmerd the most ways.
VALGRIND_TESTS ?= tests/test_ test_replay test_core test_hostile.py test_reliability test_faults test_transfer test_cli test_notify

.PHONY: check-tools deps-tools

deps-tools:
	@scripts/deps.sh build test tools

check-tools: deps-tools
	@$(MAKE) --no-print-directory test SAN=1
	@$(MAKE) --no-print-directory tests-bin
	@SIMMER_BUILD=$(BUILD) SIMMER_VALGRIND="$(VALGRIND_CMD)" SIMMER_TEST_TIMEOUT=1800 \
		/usr/bin/python3 tests/run.py $(VALGRIND_TESTS)
