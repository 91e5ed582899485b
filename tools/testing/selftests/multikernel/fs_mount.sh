#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The multikernel filesystem type is registered, its mount point exists, and
# every mount shows the same superblock.

. "$(dirname "$0")/lib.sh"

MK_MAGIC=6d6b6673
ALT=/tmp/multikernel-alt

registered()
{
	grep -q "^nodev[[:space:]]multikernel\$" /proc/filesystems
}

mount_point_is_dir()
{
	[ -d "$MK_MNT" ] && ! grep -q " $MK_MNT " /proc/mounts
}

mounts()
{
	mount -t multikernel none "$MK_MNT" &&
		grep -q "^none $MK_MNT multikernel " /proc/mounts
}

magic_matches()
{
	local t

	t=$(stat -f -c %t "$MK_MNT") || return 1
	[ "$t" = "$MK_MAGIC" ] || { echo "f_type $t, want $MK_MAGIC"; return 1; }
}

second_mount_shares_sb()
{
	local a b

	mkdir -p "$ALT" && mount -t multikernel none "$ALT" || return 1
	a=$(stat -c %d "$MK_MNT")
	b=$(stat -c %d "$ALT")
	[ "$a" = "$b" ] || { echo "st_dev $a vs $b"; return 1; }
}

unmounts()
{
	umount "$ALT" && umount "$MK_MNT" && ! grep -q ' multikernel ' /proc/mounts
}

mk_require_root
ktap_print_header
ktap_set_plan 6
mk_check "filesystem type is registered" registered
mk_check "mount point is an empty sysfs directory" mount_point_is_dir
mk_check "mount -t multikernel succeeds" mounts
mk_check "statfs reports the multikernel magic" magic_matches
mk_check "a second mount shares the superblock" second_mount_shares_sb
mk_check "both mounts unmount" unmounts
ktap_finished
