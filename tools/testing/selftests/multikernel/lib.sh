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
