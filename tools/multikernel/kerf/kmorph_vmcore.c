// SPDX-License-Identifier: GPL-2.0
/*
 * kmorphctl vmcore capture|analyze: copy the vmcore the kernel captured
 * when an instance failed, and say what one holds. The file is read as
 * untrusted: every offset and size is checked against it.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kerf.h"
#include "kmorph.h"

/* Where NT_PRSTATUS keeps the pid and registers on x86_64. */
#define PRS_PID		32
#define PRS_REGS	112
#define PRS_BYTES	336
#define REG_IP		16
#define REG_SP		19
/* The kernel gives an idle CPU's note this pid, plus the CPU's index. */
#define IDLE_PID	0x400001

int do_vmcore_capture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	char path[512], buf[1 << 16];
	const char *v[1], *name;
	int in, out, err;
	long long total = 0;
	ssize_t n = 0;

	err = kmorph_args(argc, argv, opts, v, &name, KMORPH_NAME);
	if (err)
		return err;
	if (!v[0])
		return kerf_usage("--output is needed");
	snprintf(path, sizeof(path), "%s/instances/%s/vmcore", kerf_root, name);
	in = open(path, O_RDONLY);
	if (in < 0) {
		kerf_err("no instance '%s'", name);
		return KERF_INVALID;
	}
	out = open(v[0], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0) {
		kerf_err("%s: %s", v[0], strerror(errno));
		close(in);
		return KERF_FILE;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0 && write(out, buf, n) == n)
		total += n;
	err = n < 0 ? errno : 0;
	close(in);
	if (close(out) && !err)
		err = errno;
	if (err == ENODATA)
		kerf_err("%s has no vmcore: none was captured since it was loaded",
			 name);
	else if (err || n > 0)
		kerf_err("copying %s: %s", path, strerror(err ? err : EIO));
	else
		kerf_accepted("%s: vmcore of %lld bytes in %s", name, total, v[0]);
	if (err || n > 0)
		unlink(v[0]);
	return err || n > 0 ? KERF_INVALID : KERF_OK;
}

static void *map_file(const char *path, size_t *size)
{
	struct stat st;
	void *buf = NULL;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		goto out;
	*size = st.st_size;
	buf = malloc(*size ? *size : 1);
	if (buf && pread(fd, buf, *size, 0) != (ssize_t)*size) {
		free(buf);
		buf = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

/* The VMCOREINFO lines a reader cares about first. */
static void analyze_vmcoreinfo(const char *d, size_t n)
{
	static const char * const keys[] = {
		"OSRELEASE=", "BUILD-ID=", "CRASHTIME=", "KERNELOFFSET=",
		"NUMBER(phys_base)=", NULL,
	};
	const char *const *k;
	const char *at, *end = d + n;
	int len;

	for (k = keys; *k; k++) {
		at = memmem(d, n, *k, strlen(*k));
		/* The note need not end in a newline, nor the file in a NUL. */
		for (len = 0; at && at + len < end && at[len] != '\n'; len++)
			;
		if (at)
			printf("  %.*s\n", len, at);
	}
}

/* Each note: the CPUs' registers, and the VMCOREINFO. */
static int analyze_notes(const unsigned char *p, size_t n)
{
	size_t off = 0, name_b, desc_b;
	const struct elf64_note *nh;
	const char *name;
	const unsigned char *desc;
	unsigned int cpu = 0;
	uint64_t regs[27];
	uint32_t pid;

	while (off + sizeof(*nh) <= n) {
		nh = (const struct elf64_note *)(p + off);
		name_b = (nh->n_namesz + 3) & ~3UL;
		desc_b = (nh->n_descsz + 3) & ~3UL;
		if (name_b > n - off - sizeof(*nh) ||
		    desc_b > n - off - sizeof(*nh) - name_b)
			return -EINVAL;
		name = (const char *)(nh + 1);
		desc = (const unsigned char *)name + name_b;
		if (nh->n_type == NT_PRSTATUS && nh->n_descsz >= PRS_BYTES &&
		    nh->n_namesz == 5 && !memcmp(name, "CORE", 5)) {
			memcpy(&pid, desc + PRS_PID, sizeof(pid));
			memcpy(regs, desc + PRS_REGS, sizeof(regs));
			printf("CPU %u: pid %u%s, ip 0x%llx, sp 0x%llx\n", cpu++, pid,
			       pid >= IDLE_PID ? " (idle)" : "",
			       (unsigned long long)regs[REG_IP],
			       (unsigned long long)regs[REG_SP]);
		} else if (nh->n_namesz == 11 && !memcmp(name, "VMCOREINFO", 11)) {
			printf("VMCOREINFO, %u bytes:\n", nh->n_descsz);
			analyze_vmcoreinfo((const char *)desc, nh->n_descsz);
		}
		off += sizeof(*nh) + name_b + desc_b;
	}
	if (!cpu)
		printf("no CPU registers\n");
	return 0;
}

static int analyze_elf(const unsigned char *f, size_t size)
{
	const struct elf64_hdr *eh = (const struct elf64_hdr *)f;
	const struct elf64_phdr *ph;
	unsigned long long loads = 0, bytes = 0;
	int i;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_CORE ||
	    eh->e_machine != EM_X86_64 || eh->e_phentsize != sizeof(*ph) ||
	    eh->e_phoff > size ||
	    eh->e_phnum > (size - eh->e_phoff) / sizeof(*ph))
		return -EINVAL;
	ph = (const struct elf64_phdr *)(f + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_offset > size || ph[i].p_filesz > size - ph[i].p_offset)
			return -EINVAL;
		if (ph[i].p_type == PT_LOAD) {
			loads++;
			bytes += ph[i].p_filesz;
		} else if (ph[i].p_type == PT_NOTE &&
			   analyze_notes(f + ph[i].p_offset, ph[i].p_filesz)) {
			return -EINVAL;
		}
	}
	printf("%llu PT_LOAD segments, %llu MiB\n", loads, bytes >> 20);
	return 0;
}

static int analyze_gdb(const char *vmlinux, const char *core)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		execlp("gdb", "gdb", "-batch", "-nx", "-ex", "thread apply all bt",
		       vmlinux, core, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		kerf_err("gdb could not be run");
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

int do_vmcore_analyze(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vmlinux", required_argument, NULL, 1 },
		{ NULL, 0, NULL, 0 },
	};
	const char *v[1], *file;
	unsigned char *f;
	size_t size;
	int err;

	err = kmorph_args(argc, argv, opts, v, &file,
			  KMORPH_NAME | KMORPH_NO_MOUNT);
	if (err)
		return err;
	f = map_file(file, &size);
	if (!f) {
		kerf_err("%s: %s", file, strerror(errno));
		return KERF_FILE;
	}
	err = analyze_elf(f, size);
	free(f);
	if (err) {
		kerf_err("%s: not an x86_64 ELF core, or a broken one", file);
		return KERF_FILE;
	}
	if (v[0] && analyze_gdb(v[0], file))
		return KERF_INVALID;
	return KERF_OK;
}
