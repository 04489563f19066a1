/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: the capabilities this process holds (capget(2), no libcap),
 * and keeping them across the execve() of a scheduler.
 */
#ifndef __SCX_ATTACH_CAPS_H
#define __SCX_ATTACH_CAPS_H

#include <linux/capability.h>

#include "common.h"

/* Headers older than 5.8 lack these two. */
#ifndef CAP_PERFMON
#define CAP_PERFMON		38
#endif
#ifndef CAP_BPF
#define CAP_BPF			39
#endif

#define SCX_CAP_NAMES_LEN	128

struct scx_caps {
	uint64_t eff;		/* effective: what the kernel checks */
	uint64_t prm;		/* permitted */
	uint64_t amb;		/* ambient: what survives an execve() as non-root */
	uid_t euid;
	bool init_ns;		/* the initial user namespace, where bpf() checks them */
};

/* This process's capabilities and user namespace.  0 or -errno. */
int scx_caps_get(struct scx_caps *c);

/* Is @cap in the effective set, in the initial user namespace? */
bool scx_caps_has(const struct scx_caps *c, int cap);

/*
 * Can this process load a sched_ext scheduler?  bpf() wants CAP_BPF for the
 * struct_ops map and CAP_BPF + CAP_PERFMON for its programs; CAP_SYS_ADMIN
 * stands in for both (kernel/bpf/token.c).  Checked in the initial user
 * namespace only.
 */
bool scx_caps_can_load(const struct scx_caps *c);

/* "CAP_SYS_ADMIN CAP_BPF ..." for the capabilities of @mask this file knows. */
void scx_caps_names(uint64_t mask, char *buf, size_t len);

/*
 * Let a program this process executes keep its effective capabilities:
 * as non-root, execve() keeps only the ambient set, so each effective
 * capability is added to the inheritable and ambient sets.  Nothing to do
 * for uid 0 (execve() gives it its bounding set).  0 or -errno.
 */
int scx_caps_keep_on_exec(void);

#endif /* __SCX_ATTACH_CAPS_H */
