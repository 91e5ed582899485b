# SPDX-License-Identifier: GPL-2.0
#
# Shared by the multikernel selftests: KTAP output from the kselftest
# helpers and the checks every test needs first.

. "$(dirname "$0")/../kselftest/ktap_helpers.sh"

MK_MNT=/sys/fs/multikernel

# Run a check quietly; print its output only when it fails.
mk_check()
{
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_test_pass "$desc"
	else
		[ -n "$out" ] && echo "$out" | sed 's/^/# /'
		ktap_test_fail "$desc"
	fi
}

mk_require_root()
{
	[ "$(id -u)" -eq 0 ] || { ktap_skip_all "must run as root"; exit "$KSFT_SKIP"; }
}

# For the tests that drive kerf, which set D (where kerf is), OUT and ERR:
# kerf ARGS... (or kmorphctl ARGS...) runs it, keeping stdout, stderr and
# the exit code ($rc) for want_rc, out_has and err_has to look at.
kerf() { "$D/kerf" "$@" > "$OUT" 2> "$ERR"; rc=$?; return $rc; }
kmorphctl() { "$D/kmorphctl" "$@" > "$OUT" 2> "$ERR"; rc=$?; return $rc; }
want_rc() { [ "$rc" -eq "$1" ] || { echo "exit $rc, want $1"; cat "$OUT" "$ERR"; return 1; }; }
out_has() { grep -q -- "$1" "$OUT" || { echo "stdout lacks '$1':"; cat "$OUT"; return 1; }; }
err_has() { grep -q -- "$1" "$ERR" || { echo "stderr lacks '$1':"; cat "$ERR"; return 1; }; }
