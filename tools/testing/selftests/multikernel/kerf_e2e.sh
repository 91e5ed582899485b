#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kerf against the real kernel: init (from files and from this machine,
# devices included), create, update, show (text, JSON and YAML), rollback
# with a refusal explained, delete in the right order, and the exit codes. The
# state is machine-wide and transaction ids keep counting across tests, so
# this takes the ids from the kernel's answers.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/kerf_out.$$
ERR=/tmp/kerf_err.$$


# kernfs files stat as empty: look at the content.
has_baseline() { [ -n "$(od -A n -N 4 -t x1 "$MK_MNT/device_tree")" ]; }

# Apply an overlay with mk_write; print the transaction id the kernel gave.
apply() { "$D/mk_write" "$1" "$MK_MNT/overlays/new" | sed -n 's/^tx //p'; }

# Roll back what earlier tests left, newest first.
clean_slate() {
	local tx

	for tx in $(ls "$MK_MNT/overlays" | sed -n 's/^tx_//p' | sort -rn); do
		rmdir "$MK_MNT/overlays/tx_$tx" || return 1
	done
}

no_baseline() {
	kerf show && want_rc 0 && out_has "no baseline yet"
}

init_from_machine() {
	kerf init --cpus=1-3 --report && want_rc 0 &&
		out_has "^CPUs:    4 in all; host 0; pool 1-3 (3, 75%)" &&
		out_has "^Memory:  .* pool 256 MiB at 0x28000000" || return 1
	kerf init --cpus=1-3 --memory=64M --apply && want_rc 0 &&
		grep -q '^pool cpus: 1-3$' "$MK_MNT/summary" &&
		grep -q '^pool memory: 0x28000000-0x2c000000$' "$MK_MNT/summary" || return 1
	kerf init --cpus=1-3 --memory=64M@0x10000000
	want_rc 2 && err_has "not in the multikernel_pool= reserve 0x28000000-0x38000000" ||
		return 1
	kerf init --cpus=0-3 --apply
	want_rc 1 && err_has "CPU 0 is the boot CPU"
}

init_refused_by_machine() {
	kerf init --input="$D/baseline-32cpu-16g.dtb" --apply
	want_rc 1 && err_has "^ERROR: baseline: pool CPUs 4-31 are not present" &&
		err_has "ERROR: eth0: no PCI device 0000:01:00.0 on this machine" &&
		err_has "refused by the kernel (EINVAL)" || return 1
	# The VM's NVMe controller has 2 VFs, not 4; the line is in the source.
	kerf init --input="$D/baseline-nvme-4vfs.dtb" --apply
	want_rc 1 && err_has "sriov-vfs is 4 but 0000:00:03.0 supports 2 VFs \\[machine-devices\\]"
}

# The VM's NVMe controller, with its 2 SR-IOV VFs, probed from sysfs.
init_with_devices() {
	kerf init --cpus=1-3 --devices=nvme0=0000:00:03.0,00:02.0 --apply --report &&
		want_rc 0 &&
		out_has "^  nvme0 (storage@0): 2 VFs, host-reserved none, available 0-1" &&
		out_has "^  pci_0000_00_02_0 (ethernet@1): assigned whole" || return 1
	kerf create a --cpus=1 --memory=16M --devices=nvme0:vf1,pci_0000_00_02_0 &&
		want_rc 0 &&
		want_devices a "nvme0:vf1 pci_0000_00_02_0" || return 1
	kerf create b --cpus=2 --memory=16M --devices=nvme0:vf2
	want_rc 1 && err_has "device-part-range" || return 1
	kerf delete a && want_rc 0 || return 1
	kerf init --cpus=1-3 --devices=nosuch
	want_rc 1 && err_has "'nosuch' is no PCI device" || return 1
	kerf init --cpus=1-3 --devices=nvme0=00:03.0,nvme1=00:03.0
	want_rc 2 && err_has "listed twice"
}

init_dry_run() {
	kerf init --input="$D/baseline-qemu.dtb" && want_rc 0 && out_has "not written"
}

init_apply() {
	kerf init --input="$D/baseline-qemu.dtb" --apply && want_rc 0 && has_baseline
}

# Not a check of its own: mk_check runs checks in a subshell, and the ids
# must outlive it.
create_instances() {
	WEB_TX=$(apply "$D/qemu-web.dtbo")
	DB_TX=$(apply "$D/qemu-database.dtbo")
	UPD_TX=$(apply "$D/web-update.dtbo")
}

show_state() {
	[ -n "$WEB_TX" ] && [ -n "$DB_TX" ] && [ -n "$UPD_TX" ] ||
		{ echo "applying the overlays failed"; return 1; }
	kerf show && want_rc 0 && out_has "^web-server (id 1): ready" &&
		out_has "^free_cpus *3$" && out_has "^  tx_$UPD_TX  web-server" || return 1
	kerf --json show && want_rc 0 &&
		out_has '"name": "database", "id": 2, "status": "ready", "cpus": "2"' &&
		out_has "\"transactions\": \\[{\"id\": $WEB_TX" || return 1
	kerf show database && want_rc 0 && out_has "^database (id 2)" || return 1
	kerf show nosuch && return 1
	want_rc 1 && err_has "no instance 'nosuch'"
}

rollback_refused_explained() {
	kerf rollback "tx_$WEB_TX"
	want_rc 1 && err_has "^ERROR: " && err_has "overlay-apply" &&
		err_has "tx_$WEB_TX cannot be rolled back" &&
		[ -d "$MK_MNT/overlays/tx_$WEB_TX" ]
}

delete_in_order() {
	kerf delete web-server && want_rc 0 &&
		out_has "^rolled back tx_$UPD_TX$" && out_has "^rolled back tx_$WEB_TX$" &&
		[ ! -e "$MK_MNT/instances/web-server" ] &&
		[ -d "$MK_MNT/instances/database" ]
}

rollback_last() {
	kerf rollback "$DB_TX" && want_rc 0 && [ -z "$(ls "$MK_MNT/instances")" ] ||
		return 1
	kerf rollback tx_99999
	want_rc 1 && err_has "no transaction tx_99999"
}

create_instances_with_kerf() {
	kerf create web --cpus=1 --memory=32M --memory-base=0x30000000 \
		--devices=eth0:vf1 && want_rc 0 && out_has "^created web (tx " &&
		want_cpus web 1 &&
		[ "$(cat "$MK_MNT/instances/web/devices")" = eth0:vf1 ] || return 1
	# NAME after the options; the kernel places CPU and memory.
	kerf create --cpu-count=1 --memory=64M --devices=nvme0:ns2 db && want_rc 0 &&
		want_cpus db 2 && [ "$(cat "$MK_MNT/instances/db/devices")" = nvme0:ns2 ]
}

want_cpus() {
	[ "$(cat "$MK_MNT/instances/$1/cpus")" = "$2" ] ||
		{ echo "$1: CPUs $(cat "$MK_MNT/instances/$1/cpus"), want $2"; return 1; }
}

# want_devices NAME "DEV DEV": the instance's devices file, one per line.
want_devices() {
	local got

	got=$(echo $(cat "$MK_MNT/instances/$1/devices"))
	[ "$got" = "$2" ] || { echo "$1: devices '$got', want '$2'"; return 1; }
}

create_dry_run() {
	local before

	before=$(ls "$MK_MNT/overlays")
	kerf create extra --cpu-count=1 --memory=16M --dry-run && want_rc 0 &&
		out_has "would be created" || return 1
	kerf create bad --cpus=1 --memory=16M --dry-run
	want_rc 1 && err_has "^ERROR: bad: CPUs 1 allocated to both" &&
		err_has "Suggestion: cpus = <3>;" &&
		[ "$(ls "$MK_MNT/overlays")" = "$before" ]
}

# The transaction id in kerf's "created/updated NAME (tx N)".
tx_of() { sed -n 's/.*(tx \([0-9]*\))$/\1/p' "$OUT"; }

update_instances() {
	local tx1 tx2

	# db's CPU was placed for cpu-count = 1; --cpus keeps the count in step.
	kerf update db --cpus=2-3 && want_rc 0 && out_has "^updated db (tx " &&
		want_cpus db 2-3 || return 1
	tx1=$(tx_of)
	# Growing web into db's memory: refused, and nowhere else fits.
	kerf update web --memory=48M
	want_rc 1 && err_has "^ERROR: web: memory 0x32000000-0x33000000 held by both" &&
		err_has "Alternative: no free range of 0x3000000 bytes" &&
		err_has "refused by the kernel (EBUSY)" || return 1
	kerf update web --memory=16M --memory-base=0x36000000 --devices=eth0:vf2 &&
		want_rc 0 &&
		[ "$(cat "$MK_MNT/instances/web/memory")" = "0x36000000 0x1000000" ] &&
		want_devices web eth0:vf2 || return 1
	tx2=$(tx_of)
	kerf update web --cpus=3 --dry-run
	want_rc 1 && err_has "refused offline (EBUSY)" && want_cpus web 1 || return 1
	kerf update nosuch --memory=1M
	want_rc 1 && err_has "no instance 'nosuch'" || return 1
	kerf update web; want_rc 2 || return 1
	kerf update web --cpu-count=2; want_rc 2 || return 1
	kerf create web --cpus=3 --memory=1M
	want_rc 1 && err_has "instance 'web' exists" || return 1
	# Each update is a transaction of its own.
	kerf rollback "$tx2" && want_rc 0 &&
		want_devices web eth0:vf1 && kerf rollback "$tx1" && want_rc 0 && want_cpus db 2
}

structured_output() {
	kerf --json create bad --cpus=1 --memory=16M
	want_rc 1 &&
		out_has '^{"result": "refused", "subject": "bad", "by": "kernel", ' &&
		out_has '"errno": "EBUSY", "findings": \[{"severity": "error", ' &&
		out_has '"rule": "cpu-overlap"' || return 1
	kerf --format=yaml show && want_rc 0 && out_has '^baseline: true$' &&
		out_has '^  - name: "web"$' && out_has '^    devices:$' &&
		out_has '^      - "eth0:vf1"$' || return 1
	kerf --format=yaml show web && want_rc 0 && out_has '^name: "web"$'
}

create_refused_explained() {
	kerf create bad --cpus=1 --memory=16M --devices=eth0:vf1
	want_rc 1 && err_has "^ERROR: bad: CPUs 1 allocated to both" &&
		err_has "Suggestion: cpus = <3>;" && err_has "Suggestion: vf-id = <2>;" &&
		err_has "refused by the kernel (EBUSY)" &&
		[ ! -e "$MK_MNT/instances/bad" ] || return 1
	kerf delete web && kerf delete db && [ -z "$(ls "$MK_MNT/instances")" ]
}

# The finding lines of a write, as mk_write printed its answer.
kernel_findings() { grep -E '^(error|warning): ' "$1"; }

# The finding lines kerf check computed for overlay FILE, from --verbose.
kerf_findings() {
	awk -v m="$2: the findings, as the kernel answers them:" \
		'index($0, m) { on = 1; next } on && /^$/ { on = 0 } on' "$1" |
		grep -E '^(error|warning): '
}

# Compare the two lists of finding lines; say how they differ.
same_findings() {
	cmp -s /tmp/kerf_lines.$$ /tmp/kernel_lines.$$ && return 0
	echo "$1: kerf:"; cat /tmp/kerf_lines.$$
	echo "kernel:"; cat /tmp/kernel_lines.$$
	return 1
}

# The same samples through kerf check and through the kernel agree, line
# for line.
kerf_agrees_with_kernel() {
	local w db c conflict=$D/qemu-conflict.dtbo

	kerf -v check "$D/baseline-qemu.dtb" "$D/qemu-web.dtbo" \
		"$D/qemu-database.dtbo" "$conflict"
	want_rc 1 && err_has "refused (EBUSY)" || return 1
	kerf_findings "$ERR" "$conflict" > /tmp/kerf_lines.$$

	w=$(apply "$D/qemu-web.dtbo")
	db=$(apply "$D/qemu-database.dtbo")
	"$D/mk_write" "$conflict" "$MK_MNT/overlays/new" > "$OUT"
	c=$(sed -n 's/^write: //p' "$OUT")
	kernel_findings "$OUT" > /tmp/kernel_lines.$$
	rmdir "$MK_MNT/overlays/tx_$db" "$MK_MNT/overlays/tx_$w" || return 1
	[ "$c" = EBUSY ] || { echo "kernel: $c"; return 1; }
	[ -s /tmp/kernel_lines.$$ ] && same_findings "${conflict##*/}" || return 1
	rm -f /tmp/kerf_lines.$$ /tmp/kernel_lines.$$
	# And both accept the overlays that fit.
	kerf check "$D/baseline-qemu.dtb" "$D/qemu-web.dtbo" "$D/qemu-database.dtbo" &&
		want_rc 0
}

# Each random overlay, on the bare baseline: kerf check and the kernel give
# the same finding lines, in the same order.
kerf_agrees_line_for_line() {
	local f base=$D/baseline-qemu.dtb n=0 tx

	clean_slate && "$D/mk_write" "$base" "$MK_MNT/device_tree" >/dev/null ||
		return 1
	for f in "$D"/overlap-*.dtbo; do
		kerf -v check "$base" "$f"
		kerf_findings "$ERR" "$f" > /tmp/kerf_lines.$$
		"$D/mk_write" "$f" "$MK_MNT/overlays/new" > "$OUT"
		kernel_findings "$OUT" > /tmp/kernel_lines.$$
		tx=$(sed -n 's/^tx //p' "$OUT")
		[ -z "$tx" ] || rmdir "$MK_MNT/overlays/tx_$tx" || return 1
		same_findings "${f##*/}" || return 1
		[ -s /tmp/kernel_lines.$$ ] && n=$((n + 1))
	done
	rm -f /tmp/kerf_lines.$$ /tmp/kernel_lines.$$
	# Most of them must break a rule, or this proves little.
	[ "$n" -ge 20 ] || { echo "only $n overlays had findings"; return 1; }
}

usage_errors() {
	kerf rollback; want_rc 2 || return 1
	kerf frobnicate; want_rc 2 || return 1
	kerf init; want_rc 2 || return 1
	kerf init --input=/nonexistent; want_rc 3
}

mk_require_root
ktap_print_header
ktap_set_plan 18
mount -t multikernel none "$MK_MNT" 2>/dev/null
clean_slate || ktap_exit_fail_msg "cannot roll back what earlier tests left"
if has_baseline; then
	ktap_test_skip "show before any baseline (an earlier test set one)"
else
	mk_check "show before any baseline" no_baseline
fi
mk_check "init --cpus builds the baseline from this machine" init_from_machine
mk_check "init --apply of a baseline this machine cannot back: exit 1" init_refused_by_machine
mk_check "init --devices describes the VM's NVMe VFs" init_with_devices
mk_check "init without --apply writes nothing" init_dry_run
mk_check "init --apply writes the baseline" init_apply
create_instances
mk_check "show: text, JSON and one instance" show_state
mk_check "a refused rollback is explained" rollback_refused_explained
mk_check "delete rolls back newest first" delete_in_order
mk_check "rollback by number; an unknown one fails" rollback_last
mk_check "create: explicit, and placed by the kernel" create_instances_with_kerf
mk_check "create --dry-run writes nothing; a conflict is explained" create_dry_run
mk_check "update: CPUs, memory, devices; refusals; rollback" update_instances
mk_check "JSON and YAML output" structured_output
mk_check "a refused create is explained with suggestions" create_refused_explained
mk_check "kerf check and the kernel agree on the samples" kerf_agrees_with_kernel
mk_check "kerf check and the kernel agree, line for line, on 24 random overlays" \
	kerf_agrees_line_for_line
mk_check "usage and file errors exit 2 and 3" usage_errors
rm -f "$OUT" "$ERR"
umount "$MK_MNT" 2>/dev/null
ktap_finished
