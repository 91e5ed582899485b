#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Write the patchset as a git format-patch series for a stock 6.12 tree:
#   harness/patches.sh [OUTDIR]      (default: $MK_CACHE/patches)
#
# The series is built in a scratch git repository that holds only the files
# it touches, at their stock contents: first patches/series (edits to files
# the kernel already has), then the new core files, then the hook into
# Kbuild/Kconfig, then the rest of the new files grouped by area. Each step builds, so the series bisects.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-$MK_CACHE/patches}
"$REPO/harness/tree.sh"
STATE=$MK_CACHE/tree-state
applied=$STATE/applied

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q
git config user.name "$(git -C "$REPO" config user.name)"
git config user.email "$(git -C "$REPO" config user.email)"

# The stock contents of every file the series patches: the tree's current
# copy with the applied series reverted, newest patch first.
for p in "$applied"/*.patch; do
	sed -n 's#^+++ b/\([^[:space:]]*\).*#\1#p' "$p"
done | sort -u | while read -r f; do
	mkdir -p "$(dirname "$f")"
	cp "$SRC/$f" "$f"
done
for p in $(ls "$applied"/*.patch | sort -r); do
	patch -R -p1 -s --no-backup-if-mismatch < "$p"
done
git add -A
git commit -q -m stock
base=$(git rev-parse HEAD)

# commit_files SUBJECT BODY PATH...: commit the repository's files under PATHs.
commit_files()
{
	local subject=$1 body=$2 f
	shift 2
	git -C "$REPO" ls-files -co --exclude-standard -- "$@" | while read -r f; do
		[ -f "$REPO/$f" ] || continue
		mkdir -p "$(dirname "$f")"
		cp "$REPO/$f" "$f"
		git add -f "$f"
	done
	git diff --cached --quiet && return 0
	git commit -q -s -m "$subject" -m "$body"
}

# Edits to existing kernel files come first: the new code builds on them.
for p in $(ls "$applied"/*.patch | sort | grep -v '/0000-hook.patch$'); do
	git am -q --committer-date-is-author-date "$p"
done

commit_files "dt-bindings: multikernel: add linux,multikernel-host" \
"Describe the device tree through which user space tells the multikernel
filesystem about the machine's resource pool and the kernel instances
that share it." \
	Documentation/devicetree

commit_files "multikernel: add the multikernel filesystem" \
"Multikernel runs several Linux kernel instances side by side on one
machine, each on its own CPUs, memory and devices, without a hypervisor.
Add CONFIG_MULTIKERNEL and the multikernel filesystem type, which user
space mounts at /sys/fs/multikernel to describe the resource pool and the
instances that share it, with the device-tree parser, validator, overlay
application and default placement behind it (plain C over libfdt, shared
with user space), their KUnit suites and a small x86_64 guest
configuration for testing." \
	kernel include ':(exclude)kernel/multikernel/kmp' \
	':(exclude)include/uapi/linux/multikernel_kmp.h' \
	':(exclude)include/linux/multikernel_kmp.h'

commit_files "multikernel: add KMP, the transport between kernel instances" \
"Kernel instances exchange heartbeats, recovery, crash capture and live
upgrade messages. Add the wire format (little-endian, 32-byte header,
CRC-32C), channels of two single-producer, single-consumer rings in
shared memory with a fast path for payloads below 256 bytes and a chunked
bulk path with back-pressure, and a doorbell: the x86 platform IPI, or
smp_call_function_single() elsewhere. The receiver trusts nothing the
peer writes. The ring code is plain C, shared with user space for fuzzing
and benchmarks. Loopback channels, a debugfs exercise and benchmark, and
a KUnit suite come with it. The API for other kernel code is
<linux/multikernel_kmp.h>; an architecture provides the doorbell, which
reaches a CPU by its physical id, through the arch_kmp_*() hook, and x86
implements it in arch/x86/kernel/multikernel_kmp.c." \
	kernel/multikernel/kmp include/uapi/linux/multikernel_kmp.h \
	include/linux/multikernel_kmp.h arch/x86/kernel/multikernel_kmp.c

git apply "$applied"/0000-hook.patch
git add -A
git commit -q -s -m "multikernel: hook into the top-level Kbuild and Kconfig" \
	-m "Build kernel/multikernel/ when CONFIG_MULTIKERNEL is set and offer the
option in the top-level configuration menu."

commit_files "Documentation: multikernel: describe the multikernel filesystem" \
"Describe what the multikernel filesystem is for, how to mount it and how
to run its tests." \
	Documentation


commit_files "selftests/multikernel: add filesystem selftests" \
"Check from user space that the multikernel filesystem type is registered,
that every mount shares one superblock, and drive the interface end to
end: a baseline, overlays applied as transactions, placement, refused
changes that leave the state byte for byte as it was, rollbacks, and
EPERM for non-root writers. Also report the multikernel KUnit suites
that ran at boot." \
	tools/testing/selftests/multikernel

commit_files "tools/multikernel: build the shared code in user space; add kerf" \
"Build the parser, validator, overlay and placement code that the kernel
uses, and the KMP ring, in user space too, through a small header that
maps the kernel primitives they need onto libc, with libFuzzer targets
over the parser and the KMP receiver, and benchmarks of how validation
scales and of the KMP ring against a cache-line ping-pong and memcpy().
Add kerf, the tool that compiles device-tree source with dtc, drives the
multikernel filesystem and explains findings with suggestions." \
	tools/multikernel

commit_files "samples: multikernel: add device-tree samples" \
"Baselines and overlays that show the multikernel device-tree binding." \
	samples

rm -rf "$out"
mkdir -p "$out"
git format-patch -q --zero-commit --no-signature -o "$out" "$base"..HEAD
ls "$out"/*.patch
