#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a UML kernel with the multikernel KUnit suites and run them with the
# kernel's own kunit.py. kunit.py configures and runs; the build in between
# is ours only so that a long build shows progress. Extra arguments go to
# "kunit.py exec" (for example --raw_output).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$REPO/harness/tree.sh"
cd "$SRC"
kunit=(python3 tools/testing/kunit/kunit.py)
common=(--build_dir="$BUILD_UML" --make_options="CC=ccache gcc")

mk_step "configuring UML KUnit kernel" \
	"${kunit[@]}" config --kunitconfig=kernel/multikernel "${common[@]}" >/dev/null
mk_step "building UML KUnit kernel" mk_make "$BUILD_UML/build.log" \
	make -C "$SRC" ARCH=um O="$BUILD_UML" CC="ccache gcc" -j"$MK_JOBS" all
exec "${kunit[@]}" exec "${common[@]}" "$@"
