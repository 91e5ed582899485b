// SPDX-License-Identifier: GPL-2.0
/*
 * Signed instance kernels: the signature appended to the image, as
 * sign-file appends it to modules and s390's kexec_file_load() takes it
 * for kernels (model/spawn_sig.c), verified at load against the keys the
 * kernel trusts: the secondary keyring (with the built-in keys), then the
 * platform keyring, as kexec_file_load() verifies a kernel.
 *
 * x86's kexec_file_load() verifies an Authenticode signature instead,
 * which needs the image to be an EFI-stub PE file; an instance kernel has
 * no EFI, and an appended signature needs nothing of the image's format.
 *
 * A signature that is there must verify, always. One that is missing is
 * refused only when multikernel.sig_enforce is set, which cannot be
 * cleared once set, or when lockdown restricts kexec.
 */

#include <linux/kstrtox.h>
#include <linux/moduleparam.h>
#include <linux/security.h>
#include <linux/verification.h>

#include "instance.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "multikernel."

static bool mk_sig_enforce = IS_ENABLED(CONFIG_MULTIKERNEL_SIG_FORCE);

/* Set once, never cleared: an attacker as root must not turn it off. */
static int mk_sig_enforce_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int err = kstrtobool(val, &on);

	if (err)
		return err;
	if (!on && READ_ONCE(mk_sig_enforce))
		return -EPERM;
	WRITE_ONCE(mk_sig_enforce, on);
	return 0;
}

static const struct kernel_param_ops mk_sig_enforce_ops = {
	.set = mk_sig_enforce_set,
	.get = param_get_bool,
};
module_param_cb(sig_enforce, &mk_sig_enforce_ops, &mk_sig_enforce, 0644);
MODULE_PARM_DESC(sig_enforce, "refuse instance kernels without a valid signature");

static bool mk_sig_required(void)
{
	return READ_ONCE(mk_sig_enforce) || security_locked_down(LOCKDOWN_KEXEC);
}

static const char *mk_sig_why(int err)
{
	switch (err) {
	case -ENOKEY:
		return "no key the kernel trusts made it";
	case -EKEYREJECTED:
		return "it does not match the image";
	case -EBADMSG:
	case -EINVAL:
		return "its PKCS#7 message is malformed";
	case -ENOPKG:
		return "its algorithm is not built in";
	}
	return "error";
}

static int mk_sig_check(const u8 *image, const struct mk_image_sig *sig)
{
	int err;

	err = verify_pkcs7_signature(image, sig->data_bytes,
				     image + sig->msg_offset, sig->msg_bytes,
				     VERIFY_USE_SECONDARY_KEYRING,
				     VERIFYING_MODULE_SIGNATURE, NULL, NULL);
	if (err == -ENOKEY && IS_ENABLED(CONFIG_INTEGRITY_PLATFORM_KEYRING))
		err = verify_pkcs7_signature(image, sig->data_bytes,
					     image + sig->msg_offset,
					     sig->msg_bytes,
					     VERIFY_USE_PLATFORM_KEYRING,
					     VERIFYING_MODULE_SIGNATURE,
					     NULL, NULL);
	return err;
}

/**
 * mk_image_verify - check the signature of a kernel read for a load
 * @img: what was read; a verified signature is cut off the kernel
 * @rep: why it was refused
 *
 * Return: 0 for a kernel whose signature verified, or an unsigned one
 * where none is required; -EKEYREJECTED otherwise.
 */
int mk_image_verify(struct mk_image *img, struct mk_report *rep)
{
	struct mk_image_sig sig;
	int err;

	img->signed_ok = false;
	err = mk_image_sig_split(img->kernel, img->kernel_size, &sig);
	if (err == -ENODATA) {
		if (!mk_sig_required())
			return 0;
		mk_report_add(rep, MK_RULE_IMAGE_SIGNATURE,
			      "kernel: unsigned, and %s requires a signature",
			      READ_ONCE(mk_sig_enforce) ?
			      "multikernel.sig_enforce" : "lockdown");
		return -EKEYREJECTED;
	}
	if (err) {
		mk_report_add(rep, MK_RULE_IMAGE_SIGNATURE,
			      "kernel: the appended signature's trailer is malformed");
		return -EKEYREJECTED;
	}
	err = mk_sig_check(img->kernel, &sig);
	if (err) {
		mk_report_add(rep, MK_RULE_IMAGE_SIGNATURE,
			      "kernel: the signature does not verify: %s (%d)",
			      mk_sig_why(err), err);
		return -EKEYREJECTED;
	}
	img->kernel_size = sig.data_bytes;
	img->signed_ok = true;
	return 0;
}
