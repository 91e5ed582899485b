# SPDX-License-Identifier: GPL-2.0
#
# Settings shared by the harness scripts. Sourced, never run.
#
# Everything built lives under MK_CACHE, outside the repository, so that a
# fresh clone reuses the unpacked source, the build trees and ccache.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MK_CACHE=${MK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/multikernel}
MK_TARBALL=${MK_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
MK_JOBS=${MK_JOBS:-$(nproc)}

SRC=$MK_CACHE/linux
BUILD_X86=$MK_CACHE/build-x86_64
BUILD_UML=$MK_CACHE/build-um
BZIMAGE=$BUILD_X86/arch/x86/boot/bzImage
# A lean kernel for instances (kernel/configs/multikernel_instance.config).
BUILD_INST=$MK_CACHE/build-x86_64-instance
BZIMAGE_INST=$BUILD_INST/arch/x86/boot/bzImage

# The guest's multikernel memory pool; samples/multikernel/baseline-qemu.dts
# describes the same range.
MK_GUEST_APPEND=${MK_GUEST_APPEND-multikernel_pool=256M@0x28000000}
# The test VM's hardware: a q35 machine (PCIe, so that SR-IOV shows) with
# an e1000e NIC at 00:02.0 and an NVMe controller with 2 SR-IOV VFs at
# 00:03.0, which kerf init --devices describes; and two NUMA nodes, each a
# socket of one core with two threads (CPUs 0-1 and 2-3, qemu-run's
# MK_GUEST_SMP). Node 0 has the first 832 MiB of the 1 GiB, so that the
# pool at 0x30000000 lies half on each node.
MK_GUEST_SMP=${MK_GUEST_SMP-4,sockets=2,cores=1,threads=2}
MK_GUEST_MACHINE=${MK_GUEST_MACHINE-"-M q35 -cpu qemu64,vendor=GenuineIntel -device nvme-subsys,id=mksubsys
-device nvme,serial=mk0,subsys=mksubsys,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=4
-object memory-backend-ram,id=mkmem0,size=832M -object memory-backend-ram,id=mkmem1,size=192M
-numa node,nodeid=0,cpus=0-1,memdev=mkmem0 -numa node,nodeid=1,cpus=2-3,memdev=mkmem1"}

# Directories of the repository that are files of the patched kernel tree.
OVERLAY_DIRS=(kernel include Documentation tools samples arch drivers net)

export CCACHE_DIR=${CCACHE_DIR:-$MK_CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}

mk_log()
{
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

mk_die()
{
	mk_log "$@"
	exit 1
}

# Time a step and say so, because kernel builds are long and silent.
mk_step()
{
	local what=$1 start rc
	shift
	mk_log "$what ..."
	start=$SECONDS
	"$@" && rc=0 || rc=$?
	if [ "$rc" -eq 0 ]; then
		mk_log "$what: done in $((SECONDS - start))s"
	else
		mk_log "$what: FAILED (exit $rc) after $((SECONDS - start))s"
	fi
	return "$rc"
}

# Run a kernel make, keeping the full output in a log and showing warnings,
# errors, lines about multikernel files and a progress count. On failure the
# end of the log is shown.
mk_make()
{
	local log=$1 rc
	shift
	mkdir -p "$(dirname "$log")"
	set +e
	"$@" 2>&1 | tee "$log" | awk '
		/warning:|error:|Error [0-9]|kernel\/multikernel\/|linux\/multikernel\.h/ { print; fflush(); next }
		/^  [A-Z]+/ { if (++n % 250 == 0) { printf "  ... %d build steps\n", n; fflush() } }'
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" -ne 0 ]; then
		mk_log "make failed; last lines of $log:"
		tail -n 40 "$log" >&2
	fi
	return "$rc"
}

# Install the multikernel kselftests (scripts, the static helper and the
# compiled samples) with the kernel's selftest Makefile; print the path.
# mk_test_key PATH NAME: a self-signed RSA key for signing, as PATH.key
# and PATH.crt, with the extensions the kernel's X.509 parser wants.
mk_test_key()
{
	local conf

	conf=$(mktemp)
	printf '%s\n' '[ req ]' 'distinguished_name = dn' 'prompt = no' \
		'x509_extensions = ext' '[ dn ]' "CN = $2" '[ ext ]' \
		'basicConstraints = critical,CA:FALSE' 'keyUsage = digitalSignature' \
		'subjectKeyIdentifier = hash' 'authorityKeyIdentifier = keyid' > "$conf"
	openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 36500 \
		-config "$conf" -keyout "$1.key" -out "$1.crt" 2>/dev/null
	rm -f "$conf"
}

# mk_sign_instances DIR: the lean kernel signed with the guest build's test
# key (.signed), the same changed after signing (.changed), and signed with
# a key the guest does not trust (.untrusted), for signed.sh.
mk_sign_instances()
{
	local tool=$MK_CACHE/tools/sign-file key=$BUILD_X86/certs/mk-test
	local other=$MK_CACHE/keys/mk-other img=$1/bzImage-instance

	mkdir -p "$MK_CACHE/tools" "$MK_CACHE/keys"
	[ "$tool" -nt "$SRC/scripts/sign-file.c" ] ||
		gcc -O2 -o "$tool" "$SRC/scripts/sign-file.c" -I"$SRC/scripts" -lcrypto \
			2>/dev/null || mk_die "cannot build scripts/sign-file"
	[ -f "$other.crt" ] || mk_test_key "$other" "multikernel untrusted key"
	"$tool" sha256 "$key.key" "$key.crt" "$img" "$img.signed"
	"$tool" sha256 "$other.key" "$other.crt" "$img" "$img.untrusted"
	cp "$img.signed" "$img.changed"
	python3 -c 'import sys
f = open(sys.argv[1], "r+b")
f.seek(65536)
b = f.read(1)
f.seek(65536)
f.write(bytes([b[0] ^ 0xff]))' "$img.changed"
}

mk_install_kselftests()
{
	local inst=$MK_CACHE/kselftest

	rm -rf "$inst"
	"$REPO/harness/bpf.sh" >&2
	make -s -C "$SRC/tools/testing/selftests" TARGETS=multikernel \
		LIBBPF_DIR="$MK_CACHE/bpf" KSFT_INSTALL_PATH="$inst" install >/dev/null
	# policy.sh loads the BPF policies with kerf and with bpftool.
	mkdir -p "$inst/multikernel/bpf"
	cp "$MK_CACHE"/bpf/policies/*.bpf.o "$MK_CACHE/bpf/bpftool" "$inst/multikernel/bpf/"
	# spawn_load.sh loads the guest's own kernel into an instance, and
	# spawn_exec.sh the lean one as well.
	cp "$BZIMAGE" "$inst/multikernel/bzImage"
	[ ! -f "$BZIMAGE_INST" ] || cp "$BZIMAGE_INST" "$inst/multikernel/bzImage-instance"
	if [ -f "$BZIMAGE_INST" ] && [ -f "$BUILD_X86/certs/mk-test.key" ]; then
		mk_sign_instances "$inst/multikernel" >&2
	fi
	# kmorphd.sh checks the daemon's metrics with promtool, which needs
	# the C library the guest lacks: its own copy, run by its loader.
	if command -v promtool > /dev/null; then
		mkdir -p "$inst/multikernel/promtool"
		cp "$(command -v promtool)" $(ldd "$(command -v promtool)" |
			grep -o '/[^ ]*\.so[^ ]*') "$inst/multikernel/promtool/"
	fi
	echo "$inst"
}
