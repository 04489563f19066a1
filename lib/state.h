/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: what the kernel says — sched_ext's sysfs files and the
 * sched_ext lines of the kernel log.
 */
#ifndef __SCX_ATTACH_STATE_H
#define __SCX_ATTACH_STATE_H

#include "common.h"

#define SCX_OPS_LEN	128
#define SCX_KLOG_LEN	4096
#define SCX_REASON_LEN	256

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
 * Attached: enabled, enable_seq past its value before the spawn, and root/ops
 * naming the expected scheduler (prefix match: real schedulers append
 * versions).  root/ops alone is not enough: it appears while "enabling".
 */
bool scx_snap_attached(const struct scx_snap *now, const struct scx_snap *before,
		       const char *expect_ops);

/* The kernel log since open: sched_ext lines only. */
struct scx_kmsg {
	int fd;
	char lines[SCX_KLOG_LEN];
	size_t len;
	bool truncated;
};

/* Opens at the end of the log; -errno if unreadable (not fatal). */
int scx_kmsg_open(struct scx_kmsg *k, const char *path);
/* Collect new sched_ext records.  Returns how many were added. */
int scx_kmsg_collect(struct scx_kmsg *k);
void scx_kmsg_close(struct scx_kmsg *k);

/* One sched_ext kmsg record's text, as the kernel prints it. */
enum scx_kline {
	SCX_KLINE_OTHER,
	SCX_KLINE_ENABLED,	/* BPF scheduler "X" enabled */
	SCX_KLINE_DISABLED,	/* BPF scheduler "X" disabled (reason) */
};

/*
 * Classify one message; for DISABLED, copy the reason out and say whether
 * it was an error (anything but an unregistration).
 */
enum scx_kline scx_kline_parse(const char *msg, char *reason, size_t len, bool *error);

/*
 * The last "disabled (reason)" in the collected lines, with the message
 * lines that follow it; false if there is none.
 */
bool scx_kmsg_reason(const struct scx_kmsg *k, char *reason, size_t len, bool *error);
bool scx_kmsg_saw(const struct scx_kmsg *k, enum scx_kline kind);

#endif /* __SCX_ATTACH_STATE_H */
