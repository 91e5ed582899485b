#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The shape of the runtime, checked in the tree: the filesystem is the
# top layer and nothing calls up into it; the pool state is not the
# filesystem's; one file writes the run state; the shared set (model/ and
# the KMP ring) includes nothing of the kernel-only code; no APIC or
# INIT/SIPI code, and no __weak arch default, outside arch/; the test
# hooks build only with their option; and every document a header or
# source file points to exists. One "ok - " or "not ok - " line per check.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cd "$REPO" || exit 1
MK=kernel/multikernel
failed=0

# check DESC OFFENDERS: ok when OFFENDERS is empty.
check()
{
	if [ -z "$2" ]; then
		echo "ok - $1"
	else
		echo "not ok - $1"
		echo "$2" | sed 's/^/#   /'
		failed=1
	fi
}

# Our C files, less the KUnit suites, which may poke at anything.
srcs=$(find $MK -name '*.c' | grep -v '_kunit\.c$' | sort)

fs_funcs=$(sed -n 's/^[a-z][a-z_ ]*[ *]\([a-z_][a-z0-9_]*\)(.*/\1/p' $MK/fs.c |
	   sort -u)
static_fs=$(sed -n 's/^static [a-z_ ]*[ *]\([a-z_][a-z0-9_]*\)(.*/\1/p' $MK/fs.c |
	    sort -u)
up=""
for f in $(comm -23 <(echo "$fs_funcs") <(echo "$static_fs")); do
	up+=$(grep -l -w -- "$f" $srcs | grep -v "^$MK/fs.c$" | sed "s/\$/: $f/")
done
check "no file below fs.c calls a function defined in fs.c" "$up"

check "the pool state (baseline, transactions, their lock) is state.c's, not fs.c's" \
	"$(grep -n -E 'mk_state_lock|mk_baseline\b|mk_effective\b|mk_tx_(compute|rebuild)\(' $MK/fs.c)"

# The shared set builds in user space: it may include its own headers and
# <linux/...> ones that tools/include also has, never kernel-only code.
shared=$(ls $MK/model/*.[ch] $MK/kmp/kmp_ring.[ch] | grep -v '_kunit\.c$')
check "the shared set (model/, kmp/kmp_ring.[ch]) includes only itself" \
	"$(grep -n -E '#include "' $shared |
	   grep -v -E '#include "(\.\./model/)?(model|policy|port|rules|ctrl)\.h"|#include "(kmp_ring|mk_user)\.h"')"

check "the run state is assigned in one file (instance.c)" \
	"$(grep -l -E -- '(->|\.)state = MK_RUN_|(->|\.)state = to\b' $srcs |
	   grep -v "^$MK/instance.c$")"

check "no APIC or INIT/SIPI code in $MK/" \
	"$(grep -n -i -E 'apic->|apic_write|apic_icr|APIC_DM_|sipi|wakeup_secondary|send_IPI' $srcs)"

check "no __weak arch defaults in .c files" \
	"$(grep -rn -w '__weak' --include='*.c' kernel arch net drivers)"

hooks=$(grep -n -E 'kmp_exercise\.o|kmp_hostile\.o|instance_debugfs\.o' $MK/Makefile $MK/*/Makefile |
	grep -v 'CONFIG_MULTIKERNEL_TEST_HOOKS')
for knob in multikernel_spin_irqs_off multikernel_stall_ms multikernel_hostile_s \
	    vsock_forge_cid stop_ignored_cpu tsc_off_cpu; do
	f=$(grep -rl "\"$knob\"" kernel arch net)
	# A file that only the test option builds may name its knobs freely.
	grep -q -E "^obj-\\\$\(CONFIG_MULTIKERNEL_TEST_HOOKS\).*\<$(basename "$f" .c)\.o" \
		"$(dirname "$f")/Makefile" 2>/dev/null && continue
	awk -v k="\"$knob\"" '/^#ifdef CONFIG_MULTIKERNEL_TEST_HOOKS/ { on = 1 }
		/^#endif/ { on = 0 }
		/IS_ENABLED\(CONFIG_MULTIKERNEL_TEST_HOOKS\)/ { near = NR }
		index($0, k) && !on && NR - near > 2 { bad = 1 }
		END { exit bad }' $f || hooks+="$f: $knob"$'\n'
done
check "the test hooks build only with CONFIG_MULTIKERNEL_TEST_HOOKS" "$hooks"

missing=""
for doc in $(grep -h -o -E 'Documentation/[A-Za-z0-9_/.-]+\.rst' \
		include/linux/multikernel*.h include/uapi/linux/multikernel*.h \
		$(find $MK -name '*.[ch]') arch/x86/kernel/multikernel*.[ch] | sort -u); do
	[ -f "$doc" ] || [ -f "$SRC/$doc" ] || missing+="$doc"$'\n'
done
check "every document the code points to exists" "$missing"
exit $failed
