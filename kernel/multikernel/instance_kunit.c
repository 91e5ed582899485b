// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the instance object (instance.c): the table of its
 * life cycle, the log of transitions that mk_inst_event() keeps, the
 * registry with its references, and the CPU list a restart after a
 * resize boots with (instance_resize.c).
 */

#include <kunit/test.h>
#include <linux/seq_file.h>

#include "instance.h"

/* Every way through the life cycle that the runtime takes. */
static void mk_inst_table(struct kunit *test)
{
	static const struct {
		enum mk_run_state from;
		enum mk_run_event ev;
		enum mk_run_state to;
	} ok[] = {
		{ MK_RUN_UNLOADED, MK_EV_LOAD, MK_RUN_LOADED },
		{ MK_RUN_LOADED, MK_EV_EXEC, MK_RUN_STARTING },
		{ MK_RUN_STARTING, MK_EV_HELLO, MK_RUN_RUNNING },
		{ MK_RUN_STARTING, MK_EV_NO_START, MK_RUN_FAILED },
		{ MK_RUN_STARTING, MK_EV_KILL, MK_RUN_STOPPED },
		{ MK_RUN_RUNNING, MK_EV_LATE, MK_RUN_UNRESPONSIVE },
		{ MK_RUN_UNRESPONSIVE, MK_EV_BACK, MK_RUN_RUNNING },
		{ MK_RUN_UNRESPONSIVE, MK_EV_FAIL, MK_RUN_FAILED_HELD },
		{ MK_RUN_FAILED_HELD, MK_EV_RECLAIM, MK_RUN_FAILED },
		{ MK_RUN_FAILED_HELD, MK_EV_KILL, MK_RUN_STOPPING },
		{ MK_RUN_FAILED, MK_EV_EXEC, MK_RUN_STARTING },
		{ MK_RUN_FAILED, MK_EV_KILL, MK_RUN_STOPPED },
		{ MK_RUN_RUNNING, MK_EV_PARK, MK_RUN_STOPPING },
		{ MK_RUN_STOPPING, MK_EV_STOPPED, MK_RUN_STOPPED },
		{ MK_RUN_STOPPED, MK_EV_UNLOAD, MK_RUN_UNLOADED },
		{ MK_RUN_STOPPING, MK_EV_QUARANTINE, MK_RUN_QUARANTINED },
		{ MK_RUN_STARTING, MK_EV_QUARANTINE, MK_RUN_QUARANTINED },
		{ MK_RUN_FAILED_HELD, MK_EV_QUARANTINE, MK_RUN_QUARANTINED },
		{ MK_RUN_QUARANTINED, MK_EV_KILL, MK_RUN_STOPPING },
		{ MK_RUN_RUNNING, MK_EV_RESIZE, MK_RUN_RESIZING },
		{ MK_RUN_RESIZING, MK_EV_RESIZED, MK_RUN_RUNNING },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		KUNIT_EXPECT_EQ_MSG(test, mk_run_next(ok[i].from, ok[i].ev),
				    ok[i].to, "%s when %s",
				    mk_run_event_name(ok[i].ev),
				    mk_run_state_name(ok[i].from));
}

/* What must never happen: resources taken twice, or dropped while used. */
static void mk_inst_table_refuses(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_RUNNING, MK_EV_EXEC), MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_STARTING, MK_EV_EXEC), MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_RUNNING, MK_EV_LOAD), MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_RUNNING, MK_EV_UNLOAD), MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_FAILED_HELD, MK_EV_UNLOAD),
			MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_STOPPING, MK_EV_EXEC), MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_UNLOADED, MK_EV_EXEC), MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_LOADED, MK_EV_HELLO), MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_FAILED, MK_EV_RECLAIM), MK_RUN_NR);
	/* A CPU that did not stop: nothing may give its resources away. */
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_QUARANTINED, MK_EV_EXEC),
			MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_QUARANTINED, MK_EV_UNLOAD),
			MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_QUARANTINED, MK_EV_LOAD),
			MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_QUARANTINED, MK_EV_RECLAIM),
			MK_RUN_NR);
	KUNIT_EXPECT_TRUE(test, mk_run_active(MK_RUN_QUARANTINED));
	/* A resize holds its steps: no second one, no failure, no park. */
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_RESIZING, MK_EV_RESIZE),
			MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_RESIZING, MK_EV_FAIL), MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_RESIZING, MK_EV_PARK), MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_RESIZING, MK_EV_KILL), MK_RUN_NR);
	KUNIT_EXPECT_EQ(test, mk_run_next(MK_RUN_UNRESPONSIVE, MK_EV_RESIZE),
			MK_RUN_NR);
	KUNIT_EXPECT_TRUE(test, mk_run_live(MK_RUN_RESIZING));
}

/*
 * A restart after a resize boots on what the instance had: its CPUs
 * first, the boot CPU still at the head, the others it may get after.
 */
static void mk_inst_compact(struct kunit *test)
{
	struct mk_exec_req req = {
		.cpus = { 2, 1, 3, 5, 7 },
		.ncpus = 1,
		.npossible = 5,
	};

	mk_run_compact(&req, BIT(0) | BIT(2) | BIT(4));
	KUNIT_EXPECT_EQ(test, req.ncpus, 3);
	KUNIT_EXPECT_EQ(test, req.npossible, 5);
	KUNIT_EXPECT_EQ(test, req.cpus[0], 2);
	KUNIT_EXPECT_EQ(test, req.cpus[1], 3);
	KUNIT_EXPECT_EQ(test, req.cpus[2], 7);
	KUNIT_EXPECT_EQ(test, req.cpus[3], 1);
	KUNIT_EXPECT_EQ(test, req.cpus[4], 5);
}

static char *mk_t_show(struct kunit *test, struct mk_inst *inst,
		       void (*show)(struct mk_inst *, struct seq_file *))
{
	struct seq_file sf = { .size = 4096 };

	sf.buf = kunit_kzalloc(test, sf.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sf.buf);
	show(inst, &sf);
	KUNIT_ASSERT_LT(test, sf.count, sf.size);
	return sf.buf;
}

/* The registry hands out references; the log keeps every step, in order. */
static void mk_inst_registry_and_log(struct kunit *test)
{
	struct mk_inst *inst = mk_inst_enter("kunit-inst");
	char *text;

	KUNIT_ASSERT_NOT_NULL(test, inst);
	KUNIT_EXPECT_PTR_EQ(test, mk_inst_get("kunit-inst"), inst);
	mk_inst_put(inst);	/* the get's */
	KUNIT_EXPECT_NULL(test, mk_inst_get("kunit-none"));
	KUNIT_EXPECT_EQ(test, mk_inst_unload("kunit-inst"), -ENOENT);

	mk_inst_lock(inst);
	KUNIT_EXPECT_EQ(test, mk_inst_event(inst, MK_EV_LOAD, ""), 0);
	KUNIT_EXPECT_EQ(test, mk_inst_event(inst, MK_EV_EXEC, ""), 0);
	KUNIT_EXPECT_EQ(test, mk_inst_event(inst, MK_EV_NO_START, "no HELLO"), 0);
	mk_inst_unlock(inst);
	KUNIT_EXPECT_STREQ(test, mk_t_show(test, inst, mk_inst_show_status),
			   "failed: no HELLO\n");
	text = mk_t_show(test, inst, mk_inst_show_transitions);
	KUNIT_EXPECT_NOT_NULL(test, strstr(text, " load ready loaded\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(text, " exec loaded starting\n"));
	KUNIT_EXPECT_EQ(test, strncmp(text, "1 ", 2), 0);
	KUNIT_EXPECT_NOT_NULL(test,
			      strstr(text, " no-start starting failed: no HELLO\n"));
	KUNIT_EXPECT_EQ(test, inst->trans_seq, 3);

	KUNIT_EXPECT_EQ(test, mk_inst_unload("kunit-inst"), 0);
	KUNIT_EXPECT_NULL(test, mk_inst_get("kunit-inst"));
	/* Ours still holds it: unloaded, shown as nothing loaded. */
	KUNIT_EXPECT_STREQ(test, mk_t_show(test, inst, mk_inst_show_status),
			   "ready\n");
	mk_inst_put(inst);
}

static struct kunit_case mk_inst_test_cases[] = {
	KUNIT_CASE(mk_inst_table),
	KUNIT_CASE(mk_inst_table_refuses),
	KUNIT_CASE(mk_inst_compact),
	KUNIT_CASE(mk_inst_registry_and_log),
	{}
};

static struct kunit_suite mk_inst_test_suite = {
	.name = "multikernel-instance",
	.test_cases = mk_inst_test_cases,
};

kunit_test_suites(&mk_inst_test_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel instance life cycle");
MODULE_LICENSE("GPL");
