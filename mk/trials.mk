# trials.mk: `make check-trials`, the simulated experiments at full size.
#
# `make test` runs tests/analysis/test_experiment_sim.py on a sample that is
# enough for every check it makes; this runs it on 200 C diaries a plan and
# 40 independent ones a kind and plan, with the single-cycle plan besides,
# and prints the figures of the README's table of experiments.

.PHONY: check-trials

check-trials: deps-test
	@$(MAKE) --no-print-directory tests-bin
	@SIMMER_TRIALS=full SIMMER_TEST_TIMEOUT=1800 SIMMER_BUILD=$(BUILD) \
		/usr/bin/python3 tests/run.py test_experiment_sim
