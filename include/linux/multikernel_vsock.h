/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsock between a multikernel host and its instances, over their KMP
 * channel (net/vmw_vsock/multikernel_transport.c): the host is the
 * host-to-guest transport, as vhost-vsock is, and an instance the
 * guest-to-host one, as virtio-vsock is. An instance's CID is its id
 * plus 2; the host's is VMADDR_CID_HOST.
 *
 * The spawn code attaches an instance's channel when the instance has
 * said HELLO, and detaches it before the channel goes, which resets every
 * connection to it; an instance attaches its channel to the host.
 */
#ifndef _LINUX_MULTIKERNEL_VSOCK_H
#define _LINUX_MULTIKERNEL_VSOCK_H

#include <linux/types.h>

struct kmp_endpoint;

/* The CID of the instance with id @id. */
static inline u32 mk_vsock_cid(u32 id)
{
	return id + 2;
}

#ifdef CONFIG_VSOCKETS_MULTIKERNEL
int mk_vsock_host_attach(struct kmp_endpoint *ep, u32 cid);
void mk_vsock_host_detach(u32 cid);
int mk_vsock_instance_attach(struct kmp_endpoint *ep, u32 cid);
#else
static inline int mk_vsock_host_attach(struct kmp_endpoint *ep, u32 cid)
{
	return 0;
}

static inline void mk_vsock_host_detach(u32 cid)
{
}

static inline int mk_vsock_instance_attach(struct kmp_endpoint *ep, u32 cid)
{
	return 0;
}
#endif

#endif /* _LINUX_MULTIKERNEL_VSOCK_H */
