#!/bin/sh
# SPDX-License-Identifier: ISC
# Installs the Debian packages that simmer needs, in groups:
#   build  compiling simmerd and simmer
#   test   running the test suite (cmocka, Python reference tools, a real
#          notification server under Xvfb, systemd tools)
#   bench  the comparison servers and timers used by `make bench`
#   cov    the coverage report of `make coverage`
#   fuzz   libFuzzer with clang for `make fuzz`
#   tools  valgrind for `make check-tools`
#   pkg    building and checking the Debian package (`make deb`, `make test-pkg`)
# As root it runs apt-get; otherwise it prints the one apt-get line to run.
# SIMMER_DEPS_EXTRA names more packages to require (the tests use it).
set -eu

build="build-essential pkg-config libuv1-dev libsqlite3-dev libmsgpack-dev
libjansson-dev libcsv-dev libinih-dev libnotify-dev libsystemd-dev"
test="libcmocka-dev python3 python3-msgpack python3-scipy python3-numpy python3-statsmodels sqlite3
xvfb dbus dbus-daemon dunst libnotify-bin util-linux systemd x11-apps fonts-dejavu-core
strace zsh fish chromium python3-pil python3-pynvim cppcheck"
bench="redis-server redis-tools hyperfine"
cov="gcovr"
fuzz="clang libclang-rt-dev"
tools="valgrind"
pkg="dpkg-dev debhelper lintian"

want=""
for group in "$@"; do
	case "$group" in
	build) want="$want $build" ;;
	test) want="$want $test" ;;
	bench) want="$want $bench" ;;
	cov) want="$want $cov" ;;
	fuzz) want="$want $fuzz" ;;
	tools) want="$want $tools" ;;
	pkg) want="$want $pkg" ;;
	*) echo "deps.sh: unknown group '$group' (build, test, bench, cov, fuzz, tools, pkg)" >&2; exit 64 ;;
	esac
done

want="$want ${SIMMER_DEPS_EXTRA:-}"
missing=""
for pkg in $want; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "simmer needs these Debian packages; run:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 69
fi

echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends $missing >&2
