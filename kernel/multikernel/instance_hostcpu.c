// SPDX-License-Identifier: GPL-2.0
/*
 * The host CPU an instance's channel lives on: the instance rings its
 * doorbells there, and the host's receive work and heartbeat for it run
 * there. One CPU for every instance made CPU 0 the host's bottleneck.
 *
 * The choice is made at exec, among the online CPUs the pool keeps for
 * the host (not those it may lend): fewest running instances first, then
 * a CPU of the NUMA node of the instance's memory, then the highest
 * number, so that CPU 0, which does much of the host's own work, comes
 * last. A free CPU of another node thus beats one the node's CPU already
 * serves: two busy instances share a CPU only when every host CPU
 * already serves one. An instance's tree may name the CPU instead
 * (doorbell-cpu, which the validator keeps among the host's); the choice
 * above stands in only while that CPU is offline. A CPU in use cannot go
 * offline: the doorbells of a running kernel cannot follow it.
 */

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/topology.h>

#include "instance.h"

static DEFINE_PER_CPU(atomic_t, mk_host_cpu_users);

/* The NUMA node of the instance's memory, or NUMA_NO_NODE. */
static int mk_host_cpu_node(u64 mem_base)
{
	unsigned long pfn = PHYS_PFN(mem_base);

	return pfn_valid(pfn) ? page_to_nid(pfn_to_page(pfn)) : NUMA_NO_NODE;
}

/**
 * mk_host_cpu_get - choose the host CPU for an instance's channel, and
 *	count it as used
 * @req: what the instance runs on; @req->host the CPUs the host keeps,
 *	@req->doorbell_cpu the one its tree names, or -1
 *
 * Return: the CPU, to give back with mk_host_cpu_put(). Without a host
 * CPU in @req->host online, the first online CPU.
 */
int mk_host_cpu_get(const struct mk_exec_req *req)
{
	int nid = mk_host_cpu_node(req->mem_base), best = -1, cpu;
	unsigned int users, remote, score, best_score = UINT_MAX;

	cpus_read_lock();
	/* The validator keeps it off the pool; a lent CPU must never ring. */
	cpu = req->doorbell_cpu;
	if (cpu >= 0 && cpu < nr_cpu_ids && cpu < MK_MAX_CPUS &&
	    test_bit(cpu, req->host.bits) && cpu_online(cpu)) {
		best = cpu;
		goto out;
	}
	if (cpu >= 0)
		pr_warn("multikernel: instance %u: doorbell-cpu %d is offline or lent; choosing another\n",
			req->id, cpu);
	for_each_online_cpu(cpu) {
		if (cpu >= MK_MAX_CPUS || !test_bit(cpu, req->host.bits))
			continue;
		users = atomic_read(per_cpu_ptr(&mk_host_cpu_users, cpu));
		remote = nid != NUMA_NO_NODE && cpu_to_node(cpu) != nid;
		score = users * 2 + remote;
		if (score <= best_score) {
			best = cpu;
			best_score = score;
		}
	}
	if (best < 0)
		best = cpumask_first(cpu_online_mask);
out:
	atomic_inc(per_cpu_ptr(&mk_host_cpu_users, best));
	cpus_read_unlock();
	return best;
}

/**
 * mk_host_cpu_put - an instance's channel is gone from its host CPU
 * @cpu: what mk_host_cpu_get() gave, or -1
 */
void mk_host_cpu_put(int cpu)
{
	if (cpu >= 0)
		atomic_dec(per_cpu_ptr(&mk_host_cpu_users, cpu));
}

/* Refuse to take down a CPU whose doorbells a running instance rings. */
static int mk_host_cpu_down(unsigned int cpu)
{
	int users = atomic_read(per_cpu_ptr(&mk_host_cpu_users, cpu));

	if (!users)
		return 0;
	pr_info("multikernel: CPU %u stays online: %d instance%s ring%s its doorbells\n",
		cpu, users, users == 1 ? "" : "s", users == 1 ? "s" : "");
	return -EBUSY;
}

static int __init mk_host_cpu_init(void)
{
	int ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
					    "multikernel/doorbell:online",
					    NULL, mk_host_cpu_down);

	return ret < 0 ? ret : 0;
}
late_initcall(mk_host_cpu_init);
