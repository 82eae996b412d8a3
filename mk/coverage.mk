# coverage.mk: `make coverage`, line and branch coverage of the whole suite.
#
# The suite runs against an instrumented build in build-cov/ (COV=1). The
# harness stops every daemon with SIGTERM, so their counts are written at
# exit and included. scripts/coverage.py prints one line per folder.

.PHONY: coverage

coverage:
	@scripts/deps.sh build test cov
	@$(MAKE) --no-print-directory COV=1 tests-bin
	@find build-cov -name '*.gcda' -delete
	-@SIMMER_BUILD=build-cov SIMMER_TEST_TIMEOUT=1200 /usr/bin/python3 tests/run.py $(TESTS)
	@/usr/bin/python3 scripts/coverage.py build-cov
