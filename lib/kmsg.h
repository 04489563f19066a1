/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: the kernel log, read from /dev/kmsg, and what sched_ext says
 * in it.
 */
#ifndef __SCX_ATTACH_KMSG_H
#define __SCX_ATTACH_KMSG_H

#include "common.h"

#define SCX_KLOG_LEN	4096
#define SCX_REASON_LEN	256

/* One kernel log record, as /dev/kmsg hands it out. */
struct scx_krec {
	int facility;		/* 0: the kernel itself; 1: written by user space */
	int level;		/* 0 (emerg) .. 7 (debug) */
	unsigned long long seq;
	unsigned long long ts_us;	/* local_clock(), not CLOCK_MONOTONIC */
	const char *msg;	/* the text, NUL-terminated, no newline */
};

typedef void (*scx_krec_fn)(void *arg, const struct scx_krec *rec);

/* The kernel log since open: sched_ext lines kept, every record offered. */
struct scx_kmsg {
	int fd;
	char lines[SCX_KLOG_LEN];	/* sched_ext lines, newline-separated */
	size_t len;
	bool truncated;
	scx_krec_fn fn;		/* optional: sees every record */
	void *arg;
};

/* Opens at the end of the log; -errno if unreadable (not fatal). */
int scx_kmsg_open(struct scx_kmsg *k, const char *path);
/*
 * Can this process read @path as the kernel log?  0, or -errno with @why
 * naming what it lacks: the file's mode, or CAP_SYSLOG under
 * kernel.dmesg_restrict.
 */
int scx_kmsg_access(const char *path, char *why, size_t len);
/* Collect new records.  Returns how many sched_ext lines were added. */
int scx_kmsg_collect(struct scx_kmsg *k);
void scx_kmsg_close(struct scx_kmsg *k);

/*
 * Parse one record line, "PRIO,SEQ,TS,FLAGS[,...];text", in place.
 * A line without the prefix is taken as kernel text.  0 or -EINVAL.
 */
int scx_krec_parse(char *line, struct scx_krec *rec);

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
 * line that follows it; false if there is none.
 */
bool scx_kmsg_reason(const struct scx_kmsg *k, char *reason, size_t len, bool *error);
/* The same for the @nth "disabled" line (1-based); false until there are @nth. */
bool scx_kmsg_reason_nth(const struct scx_kmsg *k, int nth, char *reason, size_t len,
			 bool *error);
bool scx_kmsg_saw(const struct scx_kmsg *k, enum scx_kline kind);
/*
 * Whether the kernel disabled, with an error, a scheduler whose name
 * starts with @ops (NULL or "": any): a rejected enable says so only here.
 */
bool scx_kmsg_error_for(const struct scx_kmsg *k, const char *ops);
/* How many lines of @kind were collected. */
int scx_kmsg_count(const struct scx_kmsg *k, enum scx_kline kind);
/* How many "enabled" lines come before the @nth "disabled" one (1-based). */
int scx_kmsg_enabled_before(const struct scx_kmsg *k, int nth);

#endif /* __SCX_ATTACH_KMSG_H */
