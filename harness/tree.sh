#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare the patched kernel tree at $SRC:
#  1. unpack the Debian kernel source (once; again only if the tarball changes);
#  2. apply the patch series, reverting the previously applied one first when
#     the series changed;
#  3. copy in the repository's kernel-tree files that differ from the tree's,
#     and remove the ones the repository no longer has.
# Files that did not change keep their timestamps, so kernel builds that
# follow stay incremental.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

STATE=$MK_CACHE/tree-state

unpack()
{
	local stamp top

	[ -f "$MK_TARBALL" ] || mk_die "no kernel source at $MK_TARBALL; run harness/deps.sh"
	stamp=$(stat -c '%n %s %Y' "$MK_TARBALL")
	if [ -f "$STATE/tarball" ] && [ "$(cat "$STATE/tarball")" = "$stamp" ]; then
		return 0
	fi

	mk_log "unpacking $MK_TARBALL into $SRC"
	rm -rf "$SRC" "$STATE" "$BUILD_X86" "$BUILD_UML" "$MK_CACHE/unpack"
	mkdir -p "$MK_CACHE/unpack" "$STATE/pristine" "$STATE/applied"
	tar -xf "$MK_TARBALL" -C "$MK_CACHE/unpack"
	top=$(find "$MK_CACHE/unpack" -mindepth 1 -maxdepth 1)
	[ "$(echo "$top" | wc -l)" -eq 1 ] || mk_die "unexpected tarball layout"
	mv "$top" "$SRC"
	rmdir "$MK_CACHE/unpack"
	cp "$SRC/Kbuild" "$SRC/Kconfig" "$STATE/pristine/"
	: > "$STATE/overlay.list"
	echo "$stamp" > "$STATE/tarball"
}

# The first patch of the series appends the repository's top-level Kbuild and
# Kconfig (less their comments) to the kernel's own, so that those two files
# are the single place where the patchset hooks into the build.
hook_patch()
{
	local f tmp

	tmp=$(mktemp -d)
	for f in Kbuild Kconfig; do
		{
			cat "$STATE/pristine/$f"
			echo
			grep -v -e '^#' -e '^$' "$REPO/$f"
		} > "$tmp/$f"
		diff -u --label "a/$f" --label "b/$f" "$STATE/pristine/$f" "$tmp/$f" || true
	done
	rm -rf "$tmp"
}

# List the series in order: the hook patch, then patches/series.
write_series()
{
	local dir=$1 n=0 p

	mkdir -p "$dir"
	hook_patch > "$dir/0000-hook.patch"
	[ -f "$REPO/patches/series" ] || return 0
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$REPO/patches/$p" ] || mk_die "patches/series names missing $p"
		n=$((n + 1))
		cp "$REPO/patches/$p" "$dir/$(printf %04d $n)-${p#[0-9][0-9][0-9][0-9]-}"
	done < "$REPO/patches/series"
}

apply_series()
{
	local want p

	want=$(mktemp -d)
	write_series "$want"
	if diff -r -q "$want" "$STATE/applied" >/dev/null 2>&1; then
		rm -rf "$want"
		return 0
	fi

	# Any failure from here leaves the tree unknown: force a fresh unpack.
	rm -f "$STATE/tarball"
	for p in $(find "$STATE/applied" -name '*.patch' | sort -r); do
		mk_log "reverting ${p##*/}"
		patch -R -p1 -s -d "$SRC" --no-backup-if-mismatch < "$p" ||
			mk_die "cannot revert ${p##*/}; the next run unpacks afresh"
	done
	for p in $(find "$want" -name '*.patch' | sort); do
		mk_log "applying ${p##*/}"
		patch -N -p1 -s -d "$SRC" --no-backup-if-mismatch < "$p" ||
			mk_die "${p##*/} does not apply; the next run unpacks afresh"
	done
	rm -rf "$STATE/applied"
	mv "$want" "$STATE/applied"
	stat -c '%n %s %Y' "$MK_TARBALL" > "$STATE/tarball"
}

overlay()
{
	local new f

	new=$(mktemp)
	if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$REPO" ls-files -co --exclude-standard -- "${OVERLAY_DIRS[@]}"
	else
		(cd "$REPO" && find "${OVERLAY_DIRS[@]}" -type f 2>/dev/null)
	fi | sort -u | while read -r f; do
		# Tracked files deleted in the work tree are listed too.
		if [ -f "$REPO/$f" ]; then
			echo "$f"
		fi
	done > "$new"

	while read -r f; do
		if [ -e "$SRC/$f" ] && ! grep -qxF -- "$f" "$STATE/overlay.list"; then
			rm -f "$new"
			mk_die "$f would replace a file of the kernel; change it with a patch in patches/"
		fi
		# Like make: a changed or merely touched file is rebuilt.
		if [ "$REPO/$f" -nt "$SRC/$f" ] || ! cmp -s "$REPO/$f" "$SRC/$f"; then
			mkdir -p "$(dirname "$SRC/$f")"
			cp "$REPO/$f" "$SRC/$f"
		fi
	done < "$new"

	comm -23 "$STATE/overlay.list" "$new" | while read -r f; do
		rm -f "$SRC/$f"
	done
	mv "$new" "$STATE/overlay.list"
}

unpack
apply_series
overlay
