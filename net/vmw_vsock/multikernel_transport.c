// SPDX-License-Identifier: GPL-2.0
/*
 * vsock over KMP, between a multikernel host and its instances.
 *
 * Each vsock packet is one KMP message of type KMP_MSG_VSOCK: the packet
 * header as virtio-vsock defines it (struct virtio_vsock_hdr, fixed and
 * little-endian), then its data. Streams, their credit-based flow control
 * and their state machine are virtio_transport_common's, as for the
 * loopback transport; this file only carries packets. A kernel is one
 * role or the other: the host registers as the host-to-guest transport
 * once an instance runs, an instance as the guest-to-host one.
 *
 * Packets are sent from a work item per peer, since send_pkt() may be
 * called where KMP cannot wait for room. A packet of up to 64 KiB is one
 * bulk chunk of the channel and is read in place; it is copied once into
 * an skb, which the socket keeps.
 *
 * What comes from the other kernel is checked: a packet must be a stream
 * packet from the peer's own CID to this kernel's, of the length it
 * claims. Any other is refused, answered with a reset to the peer's real
 * address, and counted.
 */

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/multikernel_kmp.h>
#include <linux/multikernel_vsock.h>
#include <linux/seq_file.h>
#include <linux/virtio_vsock.h>
#include <linux/xarray.h>
#include <net/af_vsock.h>

#define MK_VSOCK_HDR		sizeof(struct virtio_vsock_hdr)
#define MK_VSOCK_MAX		(MK_VSOCK_HDR + VIRTIO_VSOCK_MAX_PKT_BUF_SIZE)
/* A peer that makes no room for this long has stopped. */
#define MK_VSOCK_TX_TIMEOUT	(10 * HZ)
/*
 * Packets waiting for one peer. Stream credit is the peer's to give, so
 * without a cap of its own the host would queue whatever a peer that
 * grants credit and never reads let it: past the cap, a send fails with
 * ENOBUFS.
 */
#define MK_VSOCK_QUEUE_MAX	128

static_assert(sizeof(struct virtio_vsock_hdr) == 44);

/* The other end of one KMP channel. */
struct mk_vsock_peer {
	u32 cid;
	struct kmp_endpoint *ep;
	struct sk_buff_head queue;	/* packets to send it */
	struct work_struct tx_work;
	bool dead;			/* detached: send nothing more */
	u8 *buf;			/* one packet, as it goes out */
	struct rcu_head rcu;
};

struct mk_vsock_stats {
	atomic64_t tx;		/* packets sent */
	atomic64_t rx;		/* packets delivered */
	atomic64_t refused;	/* from a CID or to a CID other than the channel's */
	atomic64_t malformed;	/* shorter or longer than they say, or not streams */
	atomic64_t lost;	/* not sent, or not delivered for want of memory */
	atomic64_t resets;	/* connections reset when their peer went */
};

static DEFINE_XARRAY(mk_vsock_peers);	/* by the peer's CID */
static DEFINE_MUTEX(mk_vsock_lock);	/* attach, detach, registration */
static u32 mk_vsock_local_cid = VMADDR_CID_HOST;
static bool mk_vsock_registered;
static struct mk_vsock_stats mk_vsock_stats;
/* Tests only: the source CID an instance claims, to see the host refuse it. */
static u32 mk_vsock_forge_cid;

static struct virtio_transport mk_vsock_transport;

static u32 mk_vsock_get_local_cid(void)
{
	return mk_vsock_local_cid;
}

/*
 * On the host, a packet goes to the instance it names; else to the host.
 * Without one, a connection request finds no device, and any other packet
 * belongs to a connection whose peer has gone: it was reset.
 */
static int mk_vsock_send_pkt(struct sk_buff *skb)
{
	struct virtio_vsock_hdr *hdr = virtio_vsock_hdr(skb);
	struct mk_vsock_peer *peer;
	int len = skb->len;

	rcu_read_lock();
	peer = xa_load(&mk_vsock_peers, le64_to_cpu(hdr->dst_cid));
	if (!peer || READ_ONCE(peer->dead)) {
		rcu_read_unlock();
		atomic64_inc(&mk_vsock_stats.lost);
		len = le16_to_cpu(hdr->op) == VIRTIO_VSOCK_OP_REQUEST ? -ENODEV : -ECONNRESET;
		kfree_skb(skb);
		return len;
	}
	if (skb_queue_len(&peer->queue) >= MK_VSOCK_QUEUE_MAX) {
		rcu_read_unlock();
		atomic64_inc(&mk_vsock_stats.lost);
		kfree_skb(skb);
		return -ENOBUFS;
	}
	virtio_vsock_skb_queue_tail(&peer->queue, skb);
	queue_work(system_unbound_wq, &peer->tx_work);
	rcu_read_unlock();
	return len;
}

static int mk_vsock_cancel_pkt(struct vsock_sock *vsk)
{
	struct mk_vsock_peer *peer;

	rcu_read_lock();
	peer = xa_load(&mk_vsock_peers, vsk->remote_addr.svm_cid);
	if (peer)
		virtio_transport_purge_skbs(vsk, &peer->queue);
	rcu_read_unlock();
	return 0;
}

static bool mk_vsock_seqpacket_allow(u32 remote_cid)
{
	return false;
}

/* Send one packet, giving up when the peer is detached or wedged. */
static int mk_vsock_xmit(struct mk_vsock_peer *peer, struct sk_buff *skb)
{
	struct virtio_vsock_hdr *hdr = (void *)peer->buf;
	unsigned long end = jiffies + MK_VSOCK_TX_TIMEOUT;
	u32 len = skb->len;
	u32 forge = READ_ONCE(mk_vsock_forge_cid);
	int err;

	if (len > VIRTIO_VSOCK_MAX_PKT_BUF_SIZE)
		return -EMSGSIZE;
	memcpy(hdr, virtio_vsock_hdr(skb), MK_VSOCK_HDR);
	if (IS_ENABLED(CONFIG_MULTIKERNEL_TEST_HOOKS) && forge)
		hdr->src_cid = cpu_to_le64(forge);
	if (len && skb_copy_bits(skb, 0, peer->buf + MK_VSOCK_HDR, len))
		return -EFAULT;
	/*
	 * A packet is one chunk, so a send that times out sent nothing and
	 * can be tried again: in short waits, to notice a detach.
	 */
	do {
		err = kmp_send(peer->ep, KMP_MSG_VSOCK, peer->buf, MK_VSOCK_HDR + len,
			       HZ / 10);
	} while ((err == -ETIMEDOUT || err == -EAGAIN) && !READ_ONCE(peer->dead) &&
		 time_before(jiffies, end));
	return err;
}

static void mk_vsock_tx_work(struct work_struct *work)
{
	struct mk_vsock_peer *peer = container_of(work, struct mk_vsock_peer, tx_work);
	struct sk_buff *skb;

	while ((skb = virtio_vsock_skb_dequeue(&peer->queue))) {
		if (READ_ONCE(peer->dead) || mk_vsock_xmit(peer, skb))
			atomic64_inc(&mk_vsock_stats.lost);
		else
			atomic64_inc(&mk_vsock_stats.tx);
		virtio_transport_deliver_tap_pkt(skb);
		virtio_transport_consume_skb_sent(skb, true);
	}
}

/* Answer a refused packet with a reset, to where it really came from. */
static void mk_vsock_refuse(struct mk_vsock_peer *peer,
			    const struct virtio_vsock_hdr *in)
{
	struct virtio_vsock_hdr rst = {
		.src_cid = in->dst_cid,
		.dst_cid = cpu_to_le64(peer->cid),
		.src_port = in->dst_port,
		.dst_port = in->src_port,
		.type = cpu_to_le16(VIRTIO_VSOCK_TYPE_STREAM),
		.op = cpu_to_le16(VIRTIO_VSOCK_OP_RST),
	};

	atomic64_inc(&mk_vsock_stats.refused);
	if (le16_to_cpu(in->op) != VIRTIO_VSOCK_OP_RST)
		/* From the receive handler, which never waits for room. */
		kmp_send(peer->ep, KMP_MSG_VSOCK, &rst, sizeof(rst), 0);
}

/* The header is copied once, and checked on the copy. */
static void mk_vsock_on_pkt(struct kmp_endpoint *ep, struct kmp_msg *m,
			    void *priv)
{
	struct mk_vsock_peer *peer = priv;
	struct virtio_vsock_hdr hdr;
	struct sk_buff *skb;
	u32 len;

	if (m->len < MK_VSOCK_HDR || m->len > MK_VSOCK_MAX)
		goto malformed;
	memcpy(&hdr, m->payload, MK_VSOCK_HDR);
	len = m->len - MK_VSOCK_HDR;
	if (le32_to_cpu(hdr.len) != len ||
	    le16_to_cpu(hdr.type) != VIRTIO_VSOCK_TYPE_STREAM)
		goto malformed;
	if (le64_to_cpu(hdr.src_cid) != peer->cid ||
	    le64_to_cpu(hdr.dst_cid) != mk_vsock_local_cid) {
		mk_vsock_refuse(peer, &hdr);
		return;
	}
	skb = virtio_vsock_alloc_skb(VIRTIO_VSOCK_SKB_HEADROOM + len, GFP_KERNEL);
	if (!skb) {
		atomic64_inc(&mk_vsock_stats.lost);
		return;
	}
	memcpy(virtio_vsock_hdr(skb), &hdr, MK_VSOCK_HDR);
	if (len) {
		virtio_vsock_skb_put(skb, len);
		skb_store_bits(skb, 0, (u8 *)m->payload + MK_VSOCK_HDR, len);
	}
	atomic64_inc(&mk_vsock_stats.rx);
	virtio_transport_deliver_tap_pkt(skb);
	virtio_transport_recv_pkt(&mk_vsock_transport, skb);
	return;
malformed:
	atomic64_inc(&mk_vsock_stats.malformed);
}

static struct virtio_transport mk_vsock_transport = {
	.transport = {
		.module			= THIS_MODULE,
		.get_local_cid		= mk_vsock_get_local_cid,

		.init			= virtio_transport_do_socket_init,
		.destruct		= virtio_transport_destruct,
		.release		= virtio_transport_release,
		.connect		= virtio_transport_connect,
		.shutdown		= virtio_transport_shutdown,
		.cancel_pkt		= mk_vsock_cancel_pkt,

		.dgram_bind		= virtio_transport_dgram_bind,
		.dgram_dequeue		= virtio_transport_dgram_dequeue,
		.dgram_enqueue		= virtio_transport_dgram_enqueue,
		.dgram_allow		= virtio_transport_dgram_allow,

		.stream_dequeue		= virtio_transport_stream_dequeue,
		.stream_enqueue		= virtio_transport_stream_enqueue,
		.stream_has_data	= virtio_transport_stream_has_data,
		.stream_has_space	= virtio_transport_stream_has_space,
		.stream_rcvhiwat	= virtio_transport_stream_rcvhiwat,
		.stream_is_active	= virtio_transport_stream_is_active,
		.stream_allow		= virtio_transport_stream_allow,

		.seqpacket_allow	= mk_vsock_seqpacket_allow,

		.notify_poll_in		= virtio_transport_notify_poll_in,
		.notify_poll_out	= virtio_transport_notify_poll_out,
		.notify_recv_init	= virtio_transport_notify_recv_init,
		.notify_recv_pre_block	= virtio_transport_notify_recv_pre_block,
		.notify_recv_pre_dequeue = virtio_transport_notify_recv_pre_dequeue,
		.notify_recv_post_dequeue = virtio_transport_notify_recv_post_dequeue,
		.notify_send_init	= virtio_transport_notify_send_init,
		.notify_send_pre_block	= virtio_transport_notify_send_pre_block,
		.notify_send_pre_enqueue = virtio_transport_notify_send_pre_enqueue,
		.notify_send_post_enqueue = virtio_transport_notify_send_post_enqueue,
		.notify_buffer_size	= virtio_transport_notify_buffer_size,
		.notify_set_rcvlowat	= virtio_transport_notify_set_rcvlowat,

		.unsent_bytes		= virtio_transport_unsent_bytes,
		.read_skb		= virtio_transport_read_skb,
	},
	.send_pkt = mk_vsock_send_pkt,
};

/* Register as @features once: a kernel is host or instance, never both. */
static int mk_vsock_register(int features)
{
	int err;

	if (mk_vsock_registered)
		return 0;
	err = vsock_core_register(&mk_vsock_transport.transport, features);
	if (!err)
		mk_vsock_registered = true;
	return err;
}

static int mk_vsock_attach(struct kmp_endpoint *ep, u32 peer_cid, int features)
{
	struct mk_vsock_peer *peer;
	int err;

	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return -ENOMEM;
	peer->buf = kvmalloc(MK_VSOCK_MAX, GFP_KERNEL);
	if (!peer->buf) {
		kfree(peer);
		return -ENOMEM;
	}
	peer->cid = peer_cid;
	peer->ep = ep;
	skb_queue_head_init(&peer->queue);
	INIT_WORK(&peer->tx_work, mk_vsock_tx_work);

	mutex_lock(&mk_vsock_lock);
	err = mk_vsock_register(features) ?:
	      xa_insert(&mk_vsock_peers, peer_cid, peer, GFP_KERNEL);
	if (!err)
		err = kmp_register_handler(ep, KMP_MSG_VSOCK, mk_vsock_on_pkt, peer);
	if (err)
		xa_erase(&mk_vsock_peers, peer_cid);
	mutex_unlock(&mk_vsock_lock);
	if (err) {
		kvfree(peer->buf);
		kfree(peer);
	}
	return err;
}

/**
 * mk_vsock_host_attach - let host sockets reach an instance
 * @ep: the host's endpoint of the instance's KMP channel
 * @cid: the instance's CID, mk_vsock_cid() of its id
 *
 * Return: 0, -EBUSY if @cid is attached already, or -ENOMEM.
 */
int mk_vsock_host_attach(struct kmp_endpoint *ep, u32 cid)
{
	return mk_vsock_attach(ep, cid, VSOCK_TRANSPORT_F_H2G);
}

/* Under vsock_table_lock: reset a connection whose peer is gone. */
static void mk_vsock_reset_orphan(struct sock *sk)
{
	struct vsock_sock *vsk = vsock_sk(sk);

	if (xa_load(&mk_vsock_peers, vsk->remote_addr.svm_cid) ||
	    vsk->close_work_scheduled)
		return;
	/* As vhost-vsock does for a guest that goes: no lock_sock() here. */
	sock_set_flag(sk, SOCK_DONE);
	vsk->peer_shutdown = SHUTDOWN_MASK;
	sk->sk_state = TCP_CLOSE;
	sk->sk_err = ECONNRESET;
	sk_error_report(sk);
	atomic64_inc(&mk_vsock_stats.resets);
}

/**
 * mk_vsock_host_detach - an instance stops: reset every connection to it
 * @cid: its CID
 *
 * Call before its channel is destroyed. Packets still queued for it are
 * dropped; sockets connected to it get ECONNRESET.
 *
 * Context: process context; may sleep.
 */
void mk_vsock_host_detach(u32 cid)
{
	struct mk_vsock_peer *peer;

	mutex_lock(&mk_vsock_lock);
	peer = xa_erase(&mk_vsock_peers, cid);
	mutex_unlock(&mk_vsock_lock);
	if (!peer)
		return;
	WRITE_ONCE(peer->dead, true);
	/* First, so that a writer learns of the reset, not of a lost packet. */
	vsock_for_each_connected_socket(&mk_vsock_transport.transport,
					mk_vsock_reset_orphan);
	/* Waits for a packet being received: the handler is done with @peer. */
	kmp_register_handler(peer->ep, KMP_MSG_VSOCK, NULL, NULL);
	/* Nobody queues to it after this, and its work sends nothing more. */
	synchronize_rcu();
	cancel_work_sync(&peer->tx_work);
	mk_vsock_tx_work(&peer->tx_work);
	kvfree(peer->buf);
	kfree(peer);
}

/**
 * mk_vsock_instance_attach - let this instance's sockets reach the host
 * @ep: its endpoint of the channel to the host
 * @cid: its own CID, mk_vsock_cid() of its id
 *
 * Return: 0, or an error from vsock_core_register().
 */
int mk_vsock_instance_attach(struct kmp_endpoint *ep, u32 cid)
{
	mk_vsock_local_cid = cid;
	return mk_vsock_attach(ep, VMADDR_CID_HOST, VSOCK_TRANSPORT_F_G2H);
}

static int mk_vsock_stats_show(struct seq_file *sf, void *unused)
{
	struct mk_vsock_stats *s = &mk_vsock_stats;

	seq_printf(sf, "local_cid %u\n", mk_vsock_local_cid);
	seq_printf(sf, "tx %lld\nrx %lld\nrefused %lld\nmalformed %lld\nlost %lld\nresets %lld\n",
		   atomic64_read(&s->tx), atomic64_read(&s->rx),
		   atomic64_read(&s->refused), atomic64_read(&s->malformed),
		   atomic64_read(&s->lost), atomic64_read(&s->resets));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mk_vsock_stats);

/* Beside KMP's files, in multikernel/ of debugfs, which KMP creates. */
static int __init mk_vsock_init(void)
{
	struct dentry *dir = debugfs_lookup("multikernel", NULL);

	if (!dir)
		return 0;
	debugfs_create_file("vsock", 0400, dir, NULL, &mk_vsock_stats_fops);
	/* A test hook: this kernel claims another source CID. */
	if (IS_ENABLED(CONFIG_MULTIKERNEL_TEST_HOOKS))
		debugfs_create_u32("vsock_forge_cid", 0600, dir,
				   &mk_vsock_forge_cid);
	dput(dir);
	return 0;
}
late_initcall(mk_vsock_init);
