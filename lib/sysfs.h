/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: what sched_ext's sysfs files say.
 */
#ifndef __SCX_ATTACH_SYSFS_H
#define __SCX_ATTACH_SYSFS_H

#include "common.h"

enum scx_state {
	SCX_STATE_UNKNOWN,	/* file missing or unparsable */
	SCX_STATE_DISABLED,
	SCX_STATE_ENABLING,
	SCX_STATE_ENABLED,
	SCX_STATE_DISABLING,
};

struct scx_snap {
	enum scx_state state;
	long long enable_seq;	/* -1: not exposed by this kernel */
	bool root;		/* root/ exists: a scheduler is (being) loaded */
	char ops[SCX_OPS_LEN];	/* root/ops, empty when absent */
};

struct scx_sysfs {
	int dfd;
	char path[PATH_MAX];
};

/* -ENOENT when the kernel has no sched_ext (or the fake root is missing). */
int scx_sysfs_open(struct scx_sysfs *s, const char *path);
void scx_sysfs_close(struct scx_sysfs *s);
/* Re-read every file: the files are the truth, events only wake us. */
int scx_sysfs_read(const struct scx_sysfs *s, struct scx_snap *snap);
const char *scx_state_name(enum scx_state st);

/*
 * Read the small attribute @name below @dfd (no symlinks), trailing
 * whitespace stripped.  0, or -errno with @buf left empty.
 */
int scx_sysfs_attr(int dfd, const char *name, char *buf, size_t len);

/* Does @ops name the expected scheduler?  Prefix match: real ones append versions. */
bool scx_ops_match(const char *ops, const char *expect_ops);

/* enable_seq moved past @before's: a scheduler was enabled since. */
bool scx_snap_seq_advanced(const struct scx_snap *now, const struct scx_snap *before);

/*
 * Attached: enabled, enable_seq past its value before the spawn, and root/ops
 * naming the expected scheduler.  root/ops alone is not enough: it appears
 * while "enabling".
 */
bool scx_snap_attached(const struct scx_snap *now, const struct scx_snap *before,
		       const char *expect_ops);

#endif /* __SCX_ATTACH_SYSFS_H */
