#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages the harness needs. Only missing packages are
# installed, so a warm machine pays one dpkg query.
set -euo pipefail

pkgs=(
	linux-source-6.12 xz-utils
	build-essential flex bison bc libelf-dev libssl-dev openssl lz4 pahole cpio
	ccache sparse python3 python3-ply python3-git python3-docutils python3-yaml perl git patch rsync
	qemu-system-x86 busybox-static
	# gdb reads the instances' vmcores (harness/vmcore-check.sh).
	gdb
	libfdt-dev device-tree-compiler
	clang libclang-rt-14-dev
	# BPF policies: llvm for bpftool's skeletons; static libelf for kerf.
	llvm zlib1g-dev libzstd-dev
	# promtool checks kmorphd's metrics in the guest (kmorphd.sh).
	prometheus
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$' || missing+=("$p")
done

[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: must run as root to install packages" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
