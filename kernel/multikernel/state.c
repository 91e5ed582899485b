// SPDX-License-Identifier: GPL-2.0
/*
 * The pool state: the baseline, the applied transactions, and the
 * effective state they make together.
 *
 * A change is computed on copies by mk_tx_compute() or mk_tx_rebuild()
 * (model/tx.c), validated whole, and only then swapped in here, so a
 * refused change leaves the state byte for byte as it was. An instance
 * whose kernel runs holds its CPUs and memory: a change that takes them is
 * refused (instance-busy).
 *
 * Locking: mk_state_lock guards everything here. The filesystem serialises
 * changes with a lock of its own, taken outside this one, so that it can
 * add and remove the files of a change without racing the next. An
 * instance's lock (instance.c) nests inside mk_state_lock: the exec claim
 * is made under both, so no change can take what a starting instance runs
 * on. Readers see the state through visitors that run under the lock and
 * never keep a pointer past it.
 */

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "instance.h"
#include "machine.h"
#include "policy_bpf.h"
#include "state.h"

struct mk_pool_tx {
	struct list_head list;
	struct mk_tx_rec rec;
	u32 id;
	char *instances;		/* names it touched, one per line */
	char *refusal;			/* why its last rollback was refused */
};

static DEFINE_MUTEX(mk_state_lock);
static void *mk_baseline;		/* NULL until the first baseline */
static void *mk_effective;		/* the baseline with every tx applied */
static struct mk_state mk_st;		/* mk_effective, parsed */
static LIST_HEAD(mk_txs);
static u32 mk_ntxs;
static u32 mk_next_tx = 1;

/* Make @res the state; it keeps nothing of what it gives over. */
static void mk_swap_effective(struct mk_tx_result *res)
{
	lockdep_assert_held(&mk_state_lock);
	mk_state_free(&mk_st);
	kvfree(mk_effective);
	mk_effective = res->tree;
	mk_st = res->st;
	res->tree = NULL;
	memset(&res->st, 0, sizeof(res->st));
	res->parsed = false;
}

static const struct mk_instance *mk_state_instance(const struct mk_state *st,
						   const char *name)
{
	u32 i;

	for (i = 0; i < st->ninstances; i++)
		if (!strcmp(st->instances[i].name, name))
			return &st->instances[i];
	return NULL;
}

/* Whether @now gives a running instance what @was did. */
static bool mk_same_shape(const struct mk_instance *was,
			  const struct mk_instance *now)
{
	return now->mem_base == was->mem_base &&
	       now->mem_bytes == was->mem_bytes &&
	       bitmap_equal(now->cpus.bits, was->cpus.bits, MK_MAX_CPUS);
}

/* Resize the running instance @now->name to @now. */
static int mk_resize_one(const struct mk_instance *now, struct mk_report *rep)
{
	struct mk_inst *inst = mk_inst_get(now->name);
	int err;

	if (!inst)
		return -ENODEV;
	err = mk_inst_resize(inst, now->cpus.bits, now->mem_bytes, rep);
	mk_inst_put(inst);
	return err;
}

/* Resize each running instance that @next reshapes; on error, undo. */
static int mk_resize_running(const struct mk_state *next,
			     struct mk_report *rep)
{
	const struct mk_instance *was, *now;
	struct mk_report undo;
	int err = 0;
	u32 i, done;

	for (i = 0; i < mk_st.ninstances && !err; i++) {
		was = &mk_st.instances[i];
		now = mk_state_instance(next, was->name);
		if (mk_inst_name_busy(was->name) && !mk_same_shape(was, now))
			err = mk_resize_one(now, rep);
	}
	if (!err)
		return 0;
	/* Those resized before the one that failed go back, as well as can be. */
	mk_report_init(&undo);
	for (done = 0; done + 1 < i; done++) {
		was = &mk_st.instances[done];
		now = mk_state_instance(next, was->name);
		if (mk_inst_name_busy(was->name) && !mk_same_shape(was, now))
			mk_resize_one(was, &undo);
	}
	mk_report_free(&undo);
	return err;
}

/*
 * A running instance holds its CPUs and memory until it is killed: a
 * change that removes it or moves its memory is refused. With
 * @may_resize, one that gives it other CPUs, or memory from the same
 * base, is carried out with it, and refused if that fails.
 */
static int mk_check_running(const struct mk_state *next, bool may_resize,
			    struct mk_report *rep)
{
	const struct mk_instance *was, *now;
	int err = 0;
	u32 i;

	lockdep_assert_held(&mk_state_lock);
	for (i = 0; i < mk_st.ninstances; i++) {
		was = &mk_st.instances[i];
		if (!mk_inst_name_busy(was->name))
			continue;
		now = mk_state_instance(next, was->name);
		if (now && (may_resize ? now->mem_base == was->mem_base :
			    mk_same_shape(was, now)))
			continue;
		mk_report_add(rep, MK_RULE_INSTANCE_BUSY,
			      may_resize ? "%s: its kernel runs in this memory; kill it first" :
			      "%s: its kernel runs on these CPUs and memory; kill it first",
			      was->name);
		err = -EBUSY;
	}
	return err ? err : may_resize ? mk_resize_running(next, rep) : 0;
}

static struct mk_pool_tx *mk_find_tx(u32 id)
{
	struct mk_pool_tx *tx;

	lockdep_assert_held(&mk_state_lock);
	list_for_each_entry(tx, &mk_txs, list)
		if (tx->id == id)
			return tx;
	return NULL;
}

static void mk_tx_free(struct mk_pool_tx *tx)
{
	if (!tx)
		return;
	kvfree(tx->rec.dtbo);
	mk_decisions_free(&tx->rec.dec);
	kvfree(tx->instances);
	kfree(tx->refusal);
	kfree(tx);
}

/* Whether a new transaction may be computed now; reports why not. */
static int mk_apply_allowed(struct mk_report *rep)
{
	lockdep_assert_held(&mk_state_lock);
	if (!mk_baseline) {
		mk_report_add(rep, MK_RULE_BASELINE_MISSING,
			      "no baseline yet; write one to device_tree first");
		return -EINVAL;
	}
	if (mk_ntxs >= MK_MAX_INSTANCES) {
		mk_report_add(rep, MK_RULE_LIMIT,
			      "%u transactions applied; roll some back first",
			      mk_ntxs);
		return -E2BIG;
	}
	return 0;
}

/* A transaction record that keeps the overlay and what was decided. */
static struct mk_pool_tx *mk_tx_new(const void *blob, size_t size,
				    struct mk_tx_result *res)
{
	struct mk_pool_tx *tx = kzalloc(sizeof(*tx), GFP_KERNEL);

	if (!tx)
		return NULL;
	tx->rec.dtbo = kvmemdup(blob, size, GFP_KERNEL);
	if (!tx->rec.dtbo) {
		kfree(tx);
		return NULL;
	}
	tx->rec.size = size;
	tx->rec.dec = res->dec;
	tx->instances = res->instances;
	res->dec = (struct mk_decisions){};
	res->instances = NULL;
	return tx;
}

/**
 * mk_pool_apply - apply an overlay as a new transaction
 * @blob: the overlay, as user space wrote it
 * @size: its length
 * @rep: the findings, when it is refused
 * @id: the new transaction's id, when it is applied
 *
 * Return: 0, or the errno of the first refusal; the state is unchanged then.
 */
int mk_pool_apply(const void *blob, size_t size, struct mk_report *rep,
		  u32 *id)
{
	struct mk_tx_result res = {};
	struct mk_pool_tx *tx;
	int err;

	mutex_lock(&mk_state_lock);
	err = mk_apply_allowed(rep);
	if (err)
		goto unlock;
	err = mk_tx_compute(mk_effective, blob, size, mk_policy_bpf_get(), 0,
			    &res, rep);
	mk_policy_bpf_put();
	if (err)
		goto unlock;
	tx = mk_tx_new(blob, size, &res);
	if (!tx) {
		err = -ENOMEM;
		goto unlock;
	}
	err = mk_check_running(&res.st, true, rep);
	if (err) {
		mk_tx_free(tx);
		goto unlock;
	}
	tx->id = mk_next_tx++;
	list_add_tail(&tx->list, &mk_txs);
	mk_ntxs++;
	mk_swap_effective(&res);
	*id = tx->id;
unlock:
	mutex_unlock(&mk_state_lock);
	mk_tx_result_free(&res);
	return err;
}

/*
 * Rebuild the effective state from @baseline and every transaction except
 * @skip, and validate it.
 */
static int mk_rebuild_checked(const void *baseline, struct mk_pool_tx *skip,
			      bool may_resize, struct mk_tx_result *res,
			      struct mk_report *rep)
{
	struct mk_tx_rec **recs;
	struct mk_pool_tx *tx;
	u32 n = 0;
	int err;

	lockdep_assert_held(&mk_state_lock);
	recs = kvcalloc(mk_ntxs ? mk_ntxs : 1, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return -ENOMEM;
	list_for_each_entry(tx, &mk_txs, list)
		if (tx != skip)
			recs[n++] = &tx->rec;
	err = mk_tx_rebuild(baseline, recs, n, res, rep);
	kvfree(recs);
	if (!err)
		err = mk_check_running(&res->st, may_resize, rep);
	if (err)
		mk_tx_result_free(res);
	return err;
}

/**
 * mk_pool_rollback - roll back one transaction
 * @id: the transaction
 * @rep: why it cannot be, which the transaction also keeps to show
 *
 * Return: 0; -ENOENT if there is no such transaction; -EBUSY if the state
 * without it is unsound, or takes what a running instance holds.
 */
int mk_pool_rollback(u32 id, struct mk_report *rep)
{
	struct mk_tx_result res;
	struct mk_pool_tx *tx;
	int err;

	mutex_lock(&mk_state_lock);
	tx = mk_find_tx(id);
	if (!tx) {
		err = -ENOENT;
		goto unlock;
	}
	err = mk_rebuild_checked(mk_baseline, tx, true, &res, rep);
	if (err) {
		/* Keep the reason where the operator can read it. */
		kfree(tx->refusal);
		tx->refusal = kstrdup(rep->buf ? rep->buf : "", GFP_KERNEL);
		err = err == -ENOMEM ? err : -EBUSY;
		goto unlock;
	}
	list_del(&tx->list);
	mk_ntxs--;
	mk_swap_effective(&res);
	mk_tx_free(tx);
unlock:
	mutex_unlock(&mk_state_lock);
	return err;
}

/* A baseline that is sound and fits this machine, as a copy to keep. */
static int mk_baseline_prepare(const void *blob, size_t size, void **out,
			       struct mk_report *rep)
{
	struct mk_state st;
	int err;

	err = mk_baseline_load(blob, size, out, rep);
	if (err)
		return err;
	err = mk_state_parse(&st, *out, fdt_totalsize(*out), rep);
	if (!err)
		err = mk_check_machine(&st, rep);
	mk_state_free(&st);
	if (err) {
		kvfree(*out);
		*out = NULL;
	}
	return err;
}

/**
 * mk_pool_set_baseline - replace the baseline
 * @blob: the new baseline, as user space wrote it
 * @size: its length
 * @rep: the findings, when it is refused
 *
 * The baseline must be sound, fit this machine, and keep every applied
 * transaction sound.
 *
 * Return: 0, or the errno of the refusal; the state is unchanged then.
 */
int mk_pool_set_baseline(const void *blob, size_t size, struct mk_report *rep)
{
	struct mk_tx_result res;
	void *baseline;
	int err;

	err = mk_baseline_prepare(blob, size, &baseline, rep);
	if (err)
		return err;

	mutex_lock(&mk_state_lock);
	err = mk_rebuild_checked(baseline, NULL, false, &res, rep);
	if (err) {
		mk_report_add(rep, MK_RULE_BASELINE_BUSY,
			      "the applied transactions do not fit this baseline; roll them back first");
		err = err == -ENOMEM ? err : -EBUSY;
	} else {
		swap(mk_baseline, baseline);
		mk_swap_effective(&res);
	}
	mutex_unlock(&mk_state_lock);
	kvfree(baseline);
	return err;
}

/**
 * mk_pool_with_state - look at the whole state
 * @fn: called under the state's lock
 * @arg: passed to @fn
 *
 * Return: what @fn returns.
 */
int mk_pool_with_state(int (*fn)(const struct mk_pool_view *pv, void *arg),
		       void *arg)
{
	struct mk_pool_view pv;
	int ret;

	mutex_lock(&mk_state_lock);
	pv = (struct mk_pool_view){ mk_effective, &mk_st, mk_ntxs };
	ret = fn(&pv, arg);
	mutex_unlock(&mk_state_lock);
	return ret;
}

/**
 * mk_pool_with_instance - look at one instance of the state
 * @name: the instance
 * @fn: called under the state's lock, if the state has it
 * @arg: passed to @fn
 *
 * Return: what @fn returns, or -ENODEV if there is no such instance.
 */
int mk_pool_with_instance(const char *name,
			  int (*fn)(const struct mk_pool_view *pv,
				    const struct mk_instance *in, void *arg),
			  void *arg)
{
	const struct mk_instance *in;
	struct mk_pool_view pv;
	int ret = -ENODEV;

	mutex_lock(&mk_state_lock);
	in = mk_state_instance(&mk_st, name);
	pv = (struct mk_pool_view){ mk_effective, &mk_st, mk_ntxs };
	if (in)
		ret = fn(&pv, in, arg);
	mutex_unlock(&mk_state_lock);
	return ret;
}

/**
 * mk_pool_with_tx - look at one applied transaction
 * @id: the transaction
 * @fn: called under the state's lock, if it is applied
 * @arg: passed to @fn
 *
 * Return: what @fn returns, or -ENODEV if there is no such transaction.
 */
int mk_pool_with_tx(u32 id, int (*fn)(const struct mk_pool_tx_view *tv,
				      void *arg),
		    void *arg)
{
	struct mk_pool_tx_view tv;
	struct mk_pool_tx *tx;
	int ret = -ENODEV;

	mutex_lock(&mk_state_lock);
	tx = mk_find_tx(id);
	if (tx) {
		tv = (struct mk_pool_tx_view){ tx->id, &tx->rec,
					       tx->instances, tx->refusal };
		ret = fn(&tv, arg);
	}
	mutex_unlock(&mk_state_lock);
	return ret;
}

/**
 * mk_pool_instance_names - the names of the state's instances
 * @n: their number
 *
 * Return: a kvmalloc()ed copy for the caller to kvfree(), or NULL.
 */
char (*mk_pool_instance_names(u32 *n))[MK_NAME_MAX + 1]
{
	char (*names)[MK_NAME_MAX + 1];
	u32 i;

	mutex_lock(&mk_state_lock);
	*n = mk_st.ninstances;
	names = kvcalloc(*n ? *n : 1, sizeof(*names), GFP_KERNEL);
	for (i = 0; names && i < *n; i++)
		strscpy(names[i], mk_st.instances[i].name, sizeof(names[i]));
	mutex_unlock(&mk_state_lock);
	return names;
}

/**
 * mk_pool_instance_memory - the memory the state gives an instance now
 * @name: the instance
 * @base: its first byte
 * @bytes: its size
 *
 * Return: 0, or -ENODEV if the state has no such instance.
 */
int mk_pool_instance_memory(const char *name, u64 *base, u64 *bytes)
{
	const struct mk_instance *in;

	mutex_lock(&mk_state_lock);
	in = mk_state_instance(&mk_st, name);
	if (in) {
		*base = in->mem_base;
		*bytes = in->mem_bytes;
	}
	mutex_unlock(&mk_state_lock);
	return in ? 0 : -ENODEV;
}

/*
 * The pool's other CPUs, which a resize may give the instance while it
 * runs: its kernel learns their APIC IDs at boot.
 */
static void mk_exec_spares(struct mk_exec_req *req,
			   const struct mk_instance *in)
{
	unsigned int cpu;

	req->npossible = min_t(unsigned int, req->ncpus, MK_BOOT_MAX_CPUS);
	for_each_set_bit(cpu, mk_st.pool.available.bits, MK_MAX_CPUS) {
		if (req->npossible >= MK_BOOT_MAX_CPUS)
			break;
		if (cpu && !test_bit(cpu, in->cpus.bits))
			req->cpus[req->npossible++] = cpu;
	}
}

/**
 * mk_pool_exec_claim - claim what the state gives an instance, to exec it
 * @inst: the instance's object
 * @name: its name in the state
 * @rep: why the claim is refused
 *
 * The claim is made under the state's lock: from then on the instance
 * counts as running, and no change can take its CPUs or memory.
 *
 * Return: 0, -ENODEV if the state has no such instance, or what
 * mk_inst_exec_claim() says.
 */
int mk_pool_exec_claim(struct mk_inst *inst, const char *name,
		       struct mk_report *rep)
{
	struct mk_exec_req req = {};
	const struct mk_instance *in;
	unsigned int cpu;
	int err = -ENODEV;

	mutex_lock(&mk_state_lock);
	in = mk_state_instance(&mk_st, name);
	if (in) {
		req.id = in->id;
		req.mem_base = in->mem_base;
		req.mem_bytes = in->mem_bytes;
		for_each_set_bit(cpu, in->cpus.bits, MK_MAX_CPUS) {
			if (req.ncpus < MK_BOOT_MAX_CPUS)
				req.cpus[req.ncpus] = cpu;
			req.ncpus++;
		}
		mk_exec_spares(&req, in);
		bitmap_complement(req.host.bits, mk_st.pool.available.bits,
				  MK_MAX_CPUS);
		req.doorbell_cpu = in->has_doorbell_cpu ? in->doorbell_cpu : -1;
		err = mk_inst_exec_claim(inst, &req, rep);
	}
	mutex_unlock(&mk_state_lock);
	return err;
}
