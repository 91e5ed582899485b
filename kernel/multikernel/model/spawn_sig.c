// SPDX-License-Identifier: GPL-2.0
/*
 * Find the signature appended to an instance's kernel image.
 *
 * The format is the one the kernel's scripts/sign-file appends to modules,
 * and that s390's kexec_file_load() takes for kernels: the image, a
 * detached PKCS#7 (CMS) message over it, a 12-byte trailer, then the
 * marker "~Module signature appended~\n". The trailer is struct
 * module_signature: algo, hash, id_type, signer_len, key_id_len, three
 * pad bytes, all zero but id_type (2, PKCS#7), then the message's length,
 * big-endian. It is read here at those fixed offsets; the message itself
 * is the kernel's PKCS#7 parser's to check.
 *
 * Shared with user space (see port.h), for offline checks and tests.
 */

#include "model.h"

#define MK_SIG_MARKER		"~Module signature appended~\n"
#define MK_SIG_MARKER_BYTES	(sizeof(MK_SIG_MARKER) - 1)
#define MK_SIG_TRAILER_BYTES	12
#define MK_SIG_ID_TYPE		2	/* within the trailer */
#define MK_SIG_LEN		8	/* __be32 */
#define MK_SIG_ID_PKCS7		2

/**
 * mk_image_sig_split - find the signature at the end of an image
 * @image: the file's bytes; untrusted
 * @size: how many
 * @sig: filled with where the signed bytes and the PKCS#7 message are
 *
 * Return: 0 for an image with a signature, whose message lies between the
 * image and the trailer; -ENODATA for one without the marker; -EBADMSG for
 * one whose trailer contradicts itself or the file.
 */
int mk_image_sig_split(const void *image, size_t size, struct mk_image_sig *sig)
{
	const u8 *p = image, *t;
	size_t i;
	u32 len;

	memset(sig, 0, sizeof(*sig));
	if (size < MK_SIG_MARKER_BYTES ||
	    memcmp(p + size - MK_SIG_MARKER_BYTES, MK_SIG_MARKER,
		   MK_SIG_MARKER_BYTES))
		return -ENODATA;
	size -= MK_SIG_MARKER_BYTES;
	if (size < MK_SIG_TRAILER_BYTES)
		return -EBADMSG;
	size -= MK_SIG_TRAILER_BYTES;
	t = p + size;
	for (i = 0; i < MK_SIG_LEN; i++)
		if (t[i] != (i == MK_SIG_ID_TYPE ? MK_SIG_ID_PKCS7 : 0))
			return -EBADMSG;
	len = (u32)t[MK_SIG_LEN] << 24 | t[MK_SIG_LEN + 1] << 16 |
	      t[MK_SIG_LEN + 2] << 8 | t[MK_SIG_LEN + 3];
	if (!len || len >= size)
		return -EBADMSG;
	sig->data_bytes = size - len;
	sig->msg_offset = size - len;
	sig->msg_bytes = len;
	return 0;
}
