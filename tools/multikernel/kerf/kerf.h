/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kerf: the user-space tool for the multikernel filesystem. The kernel
 * decides; kerf compiles device-tree source with dtc, talks to
 * /sys/fs/multikernel and explains the kernel's findings.
 */
#ifndef _KERF_H
#define _KERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

/* Exit codes, as documented in kerf(8); only commands return them. */
enum {
	KERF_OK		= 0,
	KERF_INVALID	= 1,	/* validation or runtime failure */
	KERF_USAGE	= 2,
	KERF_FILE	= 3,	/* a file could not be read or compiled */
};

enum kerf_format {
	KERF_TEXT,
	KERF_JSON,
	KERF_YAML,
};

extern enum kerf_format kerf_format;
extern bool kerf_verbose;
extern bool kerf_to_syslog;

/**
 * struct kerf_cmd - one entry of a command table (cmd.c)
 * @name: the word that names it; any unique prefix will do
 * @func: runs it, with argv[0] its name; returns an exit code. With @sub,
 *	  it runs when no subcommand follows, and may be NULL.
 * @args: what follows the name in its synopsis
 * @summary: one line, for the list of commands
 * @help: the rest of its help, or NULL
 * @sub: a table of subcommands, or NULL
 */
struct kerf_cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *args;
	const char *summary;
	const char *help;
	const struct kerf_cmd *sub;
};

extern const char *kerf_prog;	/* "kerf" or "kmorphctl", as invoked */
int kerf_cmd_run(const struct kerf_cmd *cmds, int argc, char **argv);
void kerf_cmd_help(FILE *out, const struct kerf_cmd *c);
int kerf_cmd_help_for(const struct kerf_cmd *cmds, const char *name);
__printf(1, 2) int kerf_usage(const char *fmt, ...);
extern const struct kerf_cmd kerf_policy_cmds[];

/* A blob read from a .dtb/.dtbo, or compiled from .dts/.dtso by dtc. */
struct kerf_blob {
	const char *path;
	void *data;
	size_t size;
	char *source;		/* the DTS text, for line numbers; or NULL */
};

/* util.c */
__printf(1, 2) void kerf_err(const char *fmt, ...);
__printf(1, 2) void kerf_info(const char *fmt, ...);
const char *kerf_first_error(void);
const char *kerf_errno_name(int err);
int kerf_parse_size(const char *s, u64 *out);
int kerf_parse_cpulist(const char *p, struct mk_cpus *cpus);
int kerf_parse_tx(const char *arg);

int kerf_blob_load(const char *path, struct kerf_blob *b);
void kerf_blob_free(struct kerf_blob *b);

/* What the findings of a refused state are about, for explaining them. */
struct kerf_context {
	struct mk_state *st;		/* the state the findings are about */
	const struct mk_instance *orig;	/* its instances, as the input has them */
	const char *fresh;		/* names the checked input added, \n-separated */
	struct kerf_blob *sources;	/* where to look for line numbers */
	int nsources;
};

void kerf_explain(const struct mk_report *rep, struct kerf_context *ctx);
void kerf_explain_text(char *text, const void *blob, size_t size,
		       struct kerf_blob *src, const char *fresh);
void kerf_refused(const char *subject, bool offline, int err, char *text,
		  const void *blob, size_t size, struct kerf_blob *src,
		  const char *fresh);
__printf(1, 2) void kerf_accepted(const char *fmt, ...);
int *kerf_list_txs(int *n);

/* emit.c: the document for --format=json|yaml */
void kerf_emit_begin(void);
void kerf_emit_object(const char *key);
void kerf_emit_array(const char *key);
void kerf_emit_close(void);
void kerf_emit_str(const char *key, const char *v);
void kerf_emit_uint(const char *key, unsigned long long v);
void kerf_emit_bool(const char *key, bool v);
void kerf_emit_failure(int code);

static inline bool kerf_structured(void)
{
	return kerf_format != KERF_TEXT;
}

/* sysfs.c */
extern const char *kerf_root;
int kerf_mount(void);
char *kerf_read(const char *rel, size_t *size);
char *kerf_instance_status(const char *name);
void kerf_instance_times(const char *name, long *hello_ms, long *uptime_s);
int kerf_write(const char *rel, const void *data, size_t size, char **result);
int kerf_state(struct mk_state *st, void **tree);

int do_check(int argc, char **argv);
int do_init(int argc, char **argv);
int do_show(int argc, char **argv);
int do_rollback(int argc, char **argv);
int do_policy(int argc, char **argv);
int do_delete(int argc, char **argv);
int do_create(int argc, char **argv);
int do_update(int argc, char **argv);
int do_load(int argc, char **argv);
int do_unload(int argc, char **argv);
int do_exec(int argc, char **argv);
int do_kill(int argc, char **argv);
int do_console(int argc, char **argv);

/* Console bytes made safe for a terminal (escape.c). */
struct kerf_esc {
	int fd;
	bool cr;			/* a carriage return waits for '\n' */
	unsigned int have;		/* bytes of a UTF-8 sequence so far */
	unsigned char seq[4];
	size_t len;			/* queued in out */
	char out[4096];
};

void kerf_esc_init(struct kerf_esc *e, int fd);
void kerf_esc_write(struct kerf_esc *e, const void *buf, size_t n);
int kerf_esc_flush(struct kerf_esc *e);
int kerf_esc_end(struct kerf_esc *e);
int kerf_probe_cpulist(const char *path, struct mk_cpus *cpus);
int kerf_probe_topology(void *fdt, u32 total);
int kerf_fdt_bits(void *fdt, const char *name, const unsigned long *bits,
		  u32 nbits);
int kerf_fdt_cells(void *fdt, const char *name, const struct mk_cpus *cpus);
int kerf_probe_baseline(const struct mk_cpus *pool, u64 memory,
			u64 memory_base, const char *devices, void **out,
			size_t *size);

/* probe_pci.c: a PCI device of this machine, for a baseline */
struct kerf_pci {
	char label[MK_NAME_MAX + 1];
	char bdf[32];
	u32 vendor, device, class;
	u32 vfs;			/* SR-IOV VFs, or 0 */
	u32 nss;			/* NVMe: the highest namespace id */
	struct mk_parts ns_present;
	struct mk_parts ns_host;	/* mounted or swapped on by the host */
};

int kerf_probe_pci(const char *spec, struct kerf_pci *d);
int kerf_fdt_pci(void *fdt, const struct kerf_pci *d, int index);
void kerf_pci_node(const struct kerf_pci *d, int index, char *buf, size_t size);

#endif /* _KERF_H */
