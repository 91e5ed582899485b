/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Starting kernels in instances: what the filesystem asks of it, and what
 * the spawn_*.c files share.
 */
#ifndef _MULTIKERNEL_SPAWN_H
#define _MULTIKERNEL_SPAWN_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "health.h"
#include "model.h"

/* A load: the instance, its memory, and the files to read by descriptor. */
struct mk_load_req {
	const char *name;
	u64 mem_base;
	u64 mem_bytes;
	int kernel_fd;
	int initrd_fd;		/* or -1 */
	const char *cmdline;
};

/* An exec: the instance as the state has it now. */
struct mk_exec_req {
	const char *name;
	u32 id;
	u64 mem_base;
	u64 mem_bytes;
	unsigned int cpus[MK_BOOT_MAX_CPUS];	/* host CPU numbers */
	unsigned int ncpus;
};

/*
 * Where an instance is in its life: loaded (or stopped, or failed, which
 * may start again), starting, running (or unresponsive, missing its
 * heartbeats), stopping. A failed instance holds its resources until its
 * recovery takes them back (MK_RUN_FAILED_HELD).
 */
enum mk_run_state {
	MK_RUN_LOADED,
	MK_RUN_STARTING,
	MK_RUN_RUNNING,
	MK_RUN_UNRESPONSIVE,
	MK_RUN_STOPPING,
	MK_RUN_STOPPED,
	MK_RUN_FAILED_HELD,
	MK_RUN_FAILED,
};

#define MK_REASON_MAX	128

/* The host's side of a running instance's console: what it has said. */
struct mk_console {
	char *buf;		/* MK_CONS_LOG_BYTES, a ring */
	u64 head;		/* bytes ever logged */
	u32 tail;		/* the instance's output ring, read this far */
};

#define MK_CONS_LOG_BYTES	(128 * 1024)

/* What is loaded for an instance, and how it runs. mk_load_lock guards. */
struct mk_loaded {
	struct list_head list;
	char name[MK_NAME_MAX + 1];
	void *kernel;
	size_t kernel_size;
	void *initrd;		/* or NULL */
	size_t initrd_size;
	char *cmdline;
	struct mk_image_plan plan;

	enum mk_run_state state;
	char reason[MK_REASON_MAX];	/* why it stopped or failed */
	struct mk_exec_req run;		/* what it runs on, once started */
	struct mk_boot_layout lay;
	u64 window;
	u64 exec_ns;			/* ktime_get_ns() at exec */
	u64 hello_ns;			/* ... and at HELLO */
	u64 online_mask;		/* bit i: run.cpus[i] was online */
	void *mem;			/* the instance's memory, mapped */
	struct kmp_channel *kmp;	/* to the instance, while it runs */
	bool hello;			/* its KMP HELLO came */
	u32 hello_version;		/* with this boot protocol version */
	struct delayed_work monitor;
	struct mk_console cons;
	struct mk_health health;
	struct mk_vmcore *vmcore;	/* its last capture, or NULL */
};

extern struct mutex mk_load_lock;

struct mk_loaded *mk_loaded_find(const char *name);
bool mk_run_active(enum mk_run_state st);
bool mk_run_live(enum mk_run_state st);
bool mk_loaded_busy(const struct mk_loaded *ld);

int mk_spawn_load(const struct mk_load_req *req, struct mk_report *rep);
int mk_spawn_unload(const char *name);
struct seq_file;

bool mk_spawn_show(const char *name, struct seq_file *sf);
void mk_spawn_status(const char *name, struct seq_file *sf);
void mk_spawn_times(const char *name, struct seq_file *sf);
bool mk_spawn_busy(const char *name);
bool mk_spawn_range_busy(u64 base, u64 bytes);

struct mk_loaded *mk_spawn_exec_claim(const struct mk_exec_req *req,
				      struct mk_report *rep);
int mk_spawn_exec(struct mk_loaded *ld, struct mk_report *rep);
int mk_spawn_kill(const char *name, bool force);
int mk_spawn_echo(const char *name, const void *buf, u32 len, u64 *ns);
void mk_spawn_notify_fn(void (*fn)(const char *name, const char *file));
void mk_spawn_notify(struct mk_loaded *ld, const char *file);
void mk_spawn_quiesce(struct mk_loaded *ld);
void mk_spawn_reclaim(struct mk_loaded *ld);
int mk_spawn_recover(const char *name);
int mk_spawn_health(const char *name, struct seq_file *sf,
		    void (*show)(struct mk_loaded *ld, struct seq_file *sf));
int mk_spawn_policy_set(const char *name, char *buf, char *err,
			size_t err_size);
ssize_t mk_spawn_vmcore_read(const char *name, char *buf, size_t len,
			     loff_t off);
int mk_spawn_vmcore_drop(const char *name);

/* In fs.c: start an instance with the resources the state gives it. */
int mk_fs_exec(const char *name, struct mk_report *rep);

bool mk_cons_drain(struct mk_loaded *ld);
ssize_t mk_spawn_console_read(const char *name, char *buf, size_t len,
			      loff_t off);
int mk_spawn_console_write(const char *name, const char *buf, size_t len);

#endif /* _MULTIKERNEL_SPAWN_H */
