/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KMP, the message transport between multikernel instances: the API for
 * kernel code that talks over a channel, and the hook through which an
 * architecture rings a doorbell on a CPU that may belong to another
 * kernel. See Documentation/core-api/multikernel-kmp.rst.
 *
 * The wire format is <uapi/linux/multikernel_kmp.h>. This header also
 * builds in user space (tools/multikernel), for the ring code's fuzzer
 * and benchmark: nothing here needs more than <linux/types.h>.
 */
#ifndef _LINUX_MULTIKERNEL_KMP_H
#define _LINUX_MULTIKERNEL_KMP_H

#include <linux/types.h>
#include <uapi/linux/multikernel_kmp.h>

struct kmp_channel;
struct kmp_endpoint;

/**
 * struct kmp_msg - a message as delivered, in native byte order
 * @type: its KMP_MSG_* type, with KMP_REPLY set on a reply
 * @seq: the sender's sequence number; a reply repeats its request's
 * @len: bytes of @payload
 * @timestamp: the sender's clock when it sent, in ns
 * @payload: the payload, NULL when @len is 0; as a handler gets it, a
 *	     view of the ring's memory, which the peer can still write
 */
struct kmp_msg {
	u16 type;
	u32 seq;
	u32 len;
	u64 timestamp;
	void *payload;
};

/*
 * A handler runs in process context on the endpoint's CPU, one message at
 * a time. @m->payload is a view of the message where it arrived, in the
 * ring or its bulk area: nothing is copied or allocated for it. It is
 * released when the handler returns, so a handler that keeps anything
 * copies it; and since the peer can still write there, a handler reads
 * each field it acts on once, as from user memory.
 */
typedef void (*kmp_handler_t)(struct kmp_endpoint *ep, struct kmp_msg *m,
			      void *priv);

/*
 * Told, from process context, that the peer has rung doorbells past the
 * rate limit for two seconds without a pause; @why says how fast.
 */
typedef void (*kmp_storm_fn_t)(void *priv, const char *why);

struct kmp_channel *kmp_loopback_create(const char *name, int cpu_a, int cpu_b,
					u32 nslots, u32 bulk_size);
struct kmp_channel *kmp_shared_create(const char *name, void *shm, size_t size,
				      int cpu, u32 peer_phys_id, bool owner,
				      u32 nslots, u32 bulk_size);
void kmp_channel_destroy(struct kmp_channel *ch);
struct kmp_endpoint *kmp_channel_endpoint(struct kmp_channel *ch,
					  unsigned int i);
int kmp_endpoint_cpu(const struct kmp_endpoint *ep);

int kmp_register_handler(struct kmp_endpoint *ep, u16 type, kmp_handler_t fn,
			 void *priv);
void kmp_set_storm_fn(struct kmp_endpoint *ep, kmp_storm_fn_t fn, void *priv);
#ifdef CONFIG_MULTIKERNEL_TEST_HOOKS
int kmp_hostile_run(struct kmp_endpoint *ep, unsigned long until,
		    void (*scribble)(void *arg), void *arg, char *what,
		    size_t size);
#endif
int kmp_send(struct kmp_endpoint *ep, u16 type, const void *payload, u32 len,
	     long timeout);
int kmp_reply(struct kmp_endpoint *ep, const struct kmp_msg *req, u16 type,
	      const void *payload, u32 len, long timeout);
int kmp_call(struct kmp_endpoint *ep, u16 type, const void *payload, u32 len,
	     struct kmp_msg *reply, long timeout);

/*
 * The architecture's doorbell: an interrupt that one kernel sends to a
 * CPU by its physical id (on x86 the APIC ID), so that it reaches a CPU
 * of another kernel as well as one of its own. Without one (UML, for
 * KUnit) the stubs below report no doorbell; KMP then rings with
 * smp_call_function_single(), which only reaches CPUs of this kernel.
 *
 * arch_kmp_doorbell_claim() - take the vector for @handler, which runs in
 *	interrupt context on the rung CPU; false if the vector is taken.
 * arch_kmp_doorbell_ready() - whether the vector is still ours.
 * arch_kmp_doorbell_send() - ring @phys_id.
 * arch_kmp_cpu_phys_id() - the physical id of this kernel's CPU @cpu.
 * arch_kmp_doorbell_name() - what rings, for debugfs and the tests.
 */
#ifdef CONFIG_X86
bool arch_kmp_doorbell_claim(void (*handler)(void));
bool arch_kmp_doorbell_ready(void);
void arch_kmp_doorbell_send(u32 phys_id);
u32 arch_kmp_cpu_phys_id(int cpu);
const char *arch_kmp_doorbell_name(void);
#else
static inline bool arch_kmp_doorbell_claim(void (*handler)(void))
{
	return false;
}

static inline bool arch_kmp_doorbell_ready(void)
{
	return false;
}

static inline void arch_kmp_doorbell_send(u32 phys_id) {}

static inline u32 arch_kmp_cpu_phys_id(int cpu)
{
	return cpu;
}

static inline const char *arch_kmp_doorbell_name(void)
{
	return "none";
}
#endif

#endif /* _LINUX_MULTIKERNEL_KMP_H */
