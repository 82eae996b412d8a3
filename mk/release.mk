# release.mk: what a release is made of.
#
#   make dist       simmer-VERSION.tar.gz from the tracked files (git archive)
#   make distcheck  unpacks that tarball in a temporary folder, builds and runs
#                   the tests there
#   make deb        simmer_VERSION_ARCH.deb from debian/, built with
#                   dpkg-buildpackage -us -uc -b in a copy of the tracked files
#   make lintian    Debian's lintian on that package; fails on errors and warnings
#   make test-pkg   builds, lints, installs, runs and purges the package
#
# VERSION is the one place the version is written: the binaries, NEWS.md,
# debian/changelog and the man pages must agree with it (tests/release/).

DIST      := simmer-$(VERSION)
DIST_TAR  := $(DIST).tar.gz
DIST_OUT  ?= .
DEB_ARCH  := $(shell dpkg --print-architecture 2>/dev/null)
DEB_FILE  := simmer_$(VERSION)_$(DEB_ARCH).deb
# Where `make deb` builds (dpkg-buildpackage writes beside the source tree,
# so the tree is a copy in here) and where it leaves the .deb.
DEB_WORK  ?= $(BUILD)/deb
DEB_OUT   ?= .

.PHONY: dist distcheck deb lintian test-pkg deps-pkg

# A new VERSION must reach every object that prints it.
$(call obj,$(PROTO_SRC) $(ANALYSIS_SRC) $(DAEMON_SRC) $(CLIENT_SRC) daemon/main.c client/main.c): VERSION

dist:
	@git rev-parse --is-inside-work-tree >/dev/null 2>&1 || \
		{ echo "make dist: needs a git checkout (it archives the tracked files)" >&2; exit 69; }
	@git diff --quiet HEAD -- || \
		echo "make dist: uncommitted changes are not in the tarball, which holds HEAD" >&2
	@mkdir -p $(DIST_OUT)
	git archive --format=tar.gz --prefix=$(DIST)/ -o $(DIST_OUT)/$(DIST_TAR) HEAD
	@echo "wrote $(DIST_OUT)/$(DIST_TAR)"

distcheck: dist
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	tar -xzf $(DIST_OUT)/$(DIST_TAR) -C "$$tmp"; \
	echo "distcheck: building and testing in $$tmp/$(DIST)"; \
	$(MAKE) --no-print-directory -C "$$tmp/$(DIST)" -j2 all; \
	$(MAKE) --no-print-directory -C "$$tmp/$(DIST)" test; \
	echo "distcheck: $(DIST_TAR) builds and passes its tests"

deps-pkg:
	@scripts/deps.sh build pkg

# The copy holds the working tree less what .gitignore names (in an unpacked
# tarball, everything but build output), so uncommitted edits are packaged
# but build output is not.
deb: deps-pkg
	rm -rf $(DEB_WORK)
	mkdir -p $(DEB_WORK)/$(DIST)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | tar --null -T - --ignore-failed-read -cf - | \
			tar -xf - -C $(DEB_WORK)/$(DIST); \
	else \
		tar --exclude=./build --exclude=./build-san --exclude='./simmer*.deb' \
			--exclude='./simmer-*.tar.gz' -cf - . | tar -xf - -C $(DEB_WORK)/$(DIST); \
	fi
	cd $(DEB_WORK)/$(DIST) && dpkg-buildpackage -us -uc -b -j2
	mkdir -p $(DEB_OUT)
	cp $(DEB_WORK)/$(DEB_FILE) $(DEB_OUT)/
	@echo "wrote $(DEB_OUT)/$(DEB_FILE); install it with: apt install ./$(DEB_FILE)"

lintian: deb
	lintian --fail-on error,warning --info $(DEB_WORK)/simmer_$(VERSION)_$(DEB_ARCH).changes

test-pkg: deps-test deps-pkg
	@$(MAKE) --no-print-directory tests-bin
	@SIMMER_BUILD=$(BUILD) SIMMER_TEST_PKG=1 SIMMER_TEST_TIMEOUT=1800 /usr/bin/python3 tests/run.py tests/package/
