/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: a private cgroup2 sub-tree, and nothing left of it after.
 *
 * The tree's directory names its owner, scx_attach-PID-START.XXXXXX
 * (START: the owner's start time, so that a reused pid does not pass for
 * it): a run killed before it could remove its tree leaves it to the next
 * one, which kills what is inside and removes it.
 */
#ifndef __SCX_ATTACH_CGROUP_H
#define __SCX_ATTACH_CGROUP_H

#include "common.h"

#define SCX_CGROUP_PREFIX	"scx_attach-"
#define SCX_CGROUP_SUBS		4	/* sub-groups a tree can have */

struct scx_cgroup {
	char root[PATH_MAX];	/* the cgroup2 mount */
	char path[PATH_MAX];	/* the private tree; "" when none */
	bool cpu;		/* the cpu controller is on in the tree */
	bool cpu_at_root;	/* and we turned it on at the root */
};

/*
 * Make a private tree under the cgroup2 mount @root with the sub-groups
 * @subs (NULL-terminated, at most SCX_CGROUP_SUBS), with the cpu controller
 * on where the kernel has it, so that moves reach the scheduler's cgroup
 * callbacks.  -ENOTSUP when @root is not cgroup2, -errno; @err says why.
 */
int scx_cgroup_create(struct scx_cgroup *cg, const char *root, const char *const subs[],
		      char *err, size_t errlen);

/* "@cg->path/@sub/@file" into @buf. */
int scx_cgroup_file(const struct scx_cgroup *cg, const char *sub, const char *file, char *buf,
		    size_t len);

/* SIGKILL everything in the tree (cgroup.kill, 5.14+); -errno. */
int scx_cgroup_kill(const struct scx_cgroup *cg);

/*
 * Remove the tree: wait up to @ms for it to empty (cgroup.events, polled),
 * killing what is left, then rmdir it.  -EBUSY if it would not empty.
 */
int scx_cgroup_remove(struct scx_cgroup *cg, unsigned int ms);

/* Remove trees under @root whose owner is gone.  Returns how many, or -errno. */
int scx_cgroup_sweep(const char *root, unsigned int ms);

#endif /* __SCX_ATTACH_CGROUP_H */
