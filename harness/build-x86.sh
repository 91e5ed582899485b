#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the x86_64 guest kernel: tinyconfig plus multikernel_guest.config;
# with "instance", the lean kernel for instances: tinyconfig plus
# multikernel_instance.config, in a build tree of its own.
# The configuration is regenerated only when the fragment changes; the build
# itself is always incremental.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$REPO/harness/tree.sh"

what=guest
if [ "${1:-}" = instance ]; then
	what=instance
	BUILD_X86=$BUILD_INST
	BZIMAGE=$BZIMAGE_INST
fi
MAKE=(make -C "$SRC" O="$BUILD_X86" ARCH=x86_64 CC="ccache gcc" -j"$MK_JOBS")
FRAG=$SRC/kernel/configs/multikernel_$what.config
mkdir -p "$BUILD_X86"

# Every line of the fragment must survive olddefconfig: a dependency that is
# not met silently drops an option, and a test would then pass for nothing.
check_config()
{
	local line sym bad=0

	while read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF -- "$line" "$BUILD_X86/.config" ||
				{ mk_log "config: wanted $line, got: $(grep "^${line%%=*}=" "$BUILD_X86/.config" || echo unset)"; bad=1; }
			;;
		'# CONFIG_'*' is not set')
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$BUILD_X86/.config" ||
				{ mk_log "config: wanted $sym unset"; bad=1; }
			;;
		esac
	done < "$FRAG"
	return "$bad"
}

# The key the tests sign instance kernels with: made once per build tree,
# and trusted by that build alone (CONFIG_SYSTEM_TRUSTED_KEYS).
if [ "$what" = guest ] && [ ! -f "$BUILD_X86/certs/mk-test.crt" ]; then
	mkdir -p "$BUILD_X86/certs"
	mk_test_key "$BUILD_X86/certs/mk-test" "multikernel test key"
fi

stamp=$(cat "$FRAG" "$SRC/Makefile" | sha256sum)
if [ ! -f "$BUILD_X86/.config" ] || [ "$(cat "$BUILD_X86/.mk-config" 2>/dev/null)" != "$stamp" ]; then
	mk_log "configuring: tinyconfig + multikernel_$what.config"
	"${MAKE[@]}" -s tinyconfig >/dev/null
	"${MAKE[@]}" -s "multikernel_$what.config" >/dev/null
	check_config || mk_die "config fragment not fully applied"
	echo "$stamp" > "$BUILD_X86/.mk-config"
fi

mk_step "building the x86_64 $what bzImage" mk_make "$BUILD_X86/build.log" "${MAKE[@]}" bzImage
ls -l "$BZIMAGE" >&2
