#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks on the patchset:
#  - checkpatch.pl --strict on every patch of the generated series;
#  - sparse (C=2) on the multikernel objects of the x86_64 build.
# Prints one "ok"/"not ok" line per check and fails if any check fails.
#
# Ignored checkpatch types, each a false positive for this series:
#  FILE_PATH_CHANGES  the series adds MAINTAINERS in a patch of its own, so
#                     every other patch that adds files is asked about it;
#  EMBEDDED_FILENAME  the hook patch adds 'source "kernel/multikernel/Kconfig"'
#                     to a file named Kconfig, as every Kconfig source line does;
#  MACRO_ARG_REUSE    (--strict only) mk_for_each_bit() is an iterator and
#                     must name its cursor more than once, as for_each_set_bit()
#                     does.
# No "set -e": every check runs and prints its own ok/not ok line, and
# the exit status is decided from all of them at the end.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

failed=0
report()
{
	local ok=$1 what=$2
	if [ "$ok" -eq 0 ]; then
		echo "ok - $what"
	else
		echo "not ok - $what"
		failed=$((failed + 1))
	fi
}

patches=$MK_CACHE/patches
"$REPO/harness/patches.sh" "$patches" >/dev/null || { report 1 "generate the patch series"; exit 1; }

# checkpatch is run from the source tree, which is not a git checkout, so
# it skips its SPDX check; spdxcheck runs on its own below.
cd "$SRC"
# Types ignored in one patch only, each justified:
#  lib: build fdt_overlay.c  CONSIDER_KSTRTO: libfdt needs strtoul()'s end
#                            pointer, which kstrtoul() does not give.
declare -A only_here=([lib-build-fdt_overlay]=CONSIDER_KSTRTO)

for p in "$patches"/*.patch; do
	ignore=FILE_PATH_CHANGES,EMBEDDED_FILENAME,MACRO_ARG_REUSE
	for k in "${!only_here[@]}"; do
		case "$p" in *"$k"*) ignore=$ignore,${only_here[$k]} ;; esac
	done
	out=$("$SRC/scripts/checkpatch.pl" --strict --terse --no-summary --show-types \
		--ignore "$ignore" "$p" 2>&1)
	rc=$?
	[ -n "$out" ] && echo "$out" | sed 's/^/# /'
	report "$rc" "checkpatch --strict ${p##*/}"
done

# spdxcheck reads the license list from a git repository: give it one that
# holds only LICENSES/. Debian's python3 has the modules it needs.
spdx=$MK_CACHE/spdx
if [ ! -d "$spdx/.git" ] || ! diff -r -q "$SRC/LICENSES" "$spdx/LICENSES" >/dev/null; then
	rm -rf "$spdx"
	mkdir -p "$spdx"
	cp -r "$SRC/LICENSES" "$spdx/"
	git -C "$spdx" init -q
	git -C "$spdx" add -A
	git -C "$spdx" -c user.name=harness -c user.email=harness@localhost commit -q -m licenses
fi
mapfile -t ours < <(git -C "$REPO" ls-files -co --exclude-standard -- "${OVERLAY_DIRS[@]}" Kbuild Kconfig harness .ci |
	sed "s#^#$REPO/#" | while read -r f; do [ ! -f "$f" ] || echo "$f"; done)
out=$(cd "$spdx" && /usr/bin/python3 "$SRC/scripts/spdxcheck.py" -v "${ours[@]}" 2>&1)
rc=$?
# -v prints statistics; findings are the lines naming a file.
findings=$(echo "$out" | grep -F "$REPO/")
[ -n "$findings" ] && echo "$findings" | sed 's/^/# /'
[ -z "$findings" ] || rc=1
report "$rc" "spdxcheck on $(echo "$out" | sed -n 's/^Files checked: *\([0-9]*\).*/\1/p') files"

# C=2 checks every source file of the directory whether or not it rebuilds.
log=$BUILD_X86/sparse.log
make -C "$SRC" O="$BUILD_X86" ARCH=x86_64 CC="ccache gcc" -j"$MK_JOBS" \
	C=2 CHECK=sparse kernel/multikernel/ arch/x86/kernel/multikernel_kmp.o \
	> "$log" 2>&1
rc=$?
findings=$(grep -E '(multikernel).*(warning|error):' "$log")
if [ "$rc" -ne 0 ] || [ -n "$findings" ]; then
	{ [ -n "$findings" ] && echo "$findings" || tail -n 20 "$log"; } | sed 's/^/# /'
	report 1 "sparse on kernel/multikernel and the x86 doorbell"
else
	checked=$(grep -c '^  CHECK ' "$log")
	report 0 "sparse on kernel/multikernel and the x86 doorbell ($checked files checked)"
fi

exit $((failed > 0))
