/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: kernel splats in the kernel log.  BUG:, WARNING:, Oops,
 * stalls, lockups, hung tasks, sanitizer reports and sched_ext runtime
 * errors: the kernel records that say it went wrong while a scheduler ran.
 */
#ifndef __SCX_ATTACH_SPLAT_H
#define __SCX_ATTACH_SPLAT_H

#include <stdio.h>

#include "kmsg.h"

#define SCX_SPLAT_ALLOW_ENV	"SCX_ATTACH_SPLAT_ALLOW"
#define SCX_SPLAT_ALLOW_NAME	"splat.allow"	/* default: next to the test binary */
#define SCX_SPLAT_ALLOW_SIZE	(64 * 1024)	/* allowlist file, at most */

#define SCX_SPLAT_HEAD_LINES	8	/* kept of the first splat: its first lines */
#define SCX_SPLAT_TRACE_LINES	16	/* and the head of its call trace */
#define SCX_SPLAT_TEXT_LEN	4096	/* and never more bytes than this */

enum scx_splat_kind {
	SCX_SPLAT_NONE,
	SCX_SPLAT_BUG,		/* BUG: ..., kernel BUG at ... */
	SCX_SPLAT_WARNING,	/* WARNING: ... */
	SCX_SPLAT_OOPS,		/* Oops: ... */
	SCX_SPLAT_GPF,		/* general protection fault */
	SCX_SPLAT_PANIC,	/* Kernel panic - not syncing */
	SCX_SPLAT_RCU_STALL,	/* rcu_preempt/rcu_sched detected stalls, self-detected stall */
	SCX_SPLAT_SOFT_LOCKUP,
	SCX_SPLAT_HARD_LOCKUP,
	SCX_SPLAT_HUNG_TASK,	/* INFO: task X:PID blocked for more than N seconds */
	SCX_SPLAT_KASAN,
	SCX_SPLAT_UBSAN,
	SCX_SPLAT_KFENCE,
	SCX_SPLAT_SCX_ERROR,	/* sched_ext disabled a scheduler with an error */
	SCX_SPLAT_NR,
};

/* Known-benign first lines: fixed substrings, or globs (with * ? [) matching the whole line. */
struct scx_splat_allow {
	char *buf;		/* the file's text; @pat point into it */
	char **pat;
	int n;
	char path[PATH_MAX];	/* where it came from, "" if none */
};

struct scx_splat {
	/* Set by scx_splat_init(). */
	const struct scx_splat_allow *allow;	/* may be NULL */
	bool scx_errors;	/* sched_ext runtime errors count (default true) */

	/* Since the last reset. */
	unsigned int count;	/* splats that count */
	unsigned int allowed;	/* splats the allowlist suppressed */
	enum scx_splat_kind kind;	/* of the first that counts */
	unsigned long long ts_us;	/* its kernel timestamp */
	char text[SCX_SPLAT_TEXT_LEN];	/* its first line, lines and trace head */
	size_t len;
	unsigned int lines;
	unsigned int omitted;	/* its lines not kept */

	/* The splat being read (its records follow its first line). */
	enum scx_splat_kind open;
	bool open_first;	/* it is the first that counts: keep its lines */
	bool in_trace;		/* past its "Call Trace:" */
	bool gap;		/* lines were skipped since the last one kept */
	unsigned int head_kept, trace_kept;
	unsigned long long last_us;
};

/* "soft lockup" for people, "soft_lockup" for result lines. */
const char *scx_splat_kind_name(enum scx_splat_kind kind);
const char *scx_splat_kind_key(enum scx_splat_kind kind);

/*
 * Load an allowlist: one pattern a line, '#' starts a comment line, blank
 * lines and surrounding blanks ignored.  -errno with @err filled (-ENOENT
 * if the file does not exist).
 */
int scx_splat_allow_load(struct scx_splat_allow *a, const char *path, char *err, size_t len);

/*
 * The suite's allowlist: $SCX_ATTACH_SPLAT_ALLOW (which must exist), else
 * SCX_SPLAT_ALLOW_NAME next to the test binary if it is there, else none.
 */
int scx_splat_allow_default(struct scx_splat_allow *a, char *err, size_t len);
void scx_splat_allow_free(struct scx_splat_allow *a);

void scx_splat_init(struct scx_splat *s, const struct scx_splat_allow *allow);


/*
 * Whether a sched_ext runtime error counts as a splat.  A test that
 * expects the kernel to eject the scheduler turns it off.
 */
static inline void scx_splat_scx_errors(struct scx_splat *s, bool count)
{
	s->scx_errors = count;
}

/* Look at one kernel log record: only the kernel's own (facility 0) count. */
void scx_splat_feed(struct scx_splat *s, const struct scx_krec *rec);

/* The same as a scx_krec_fn, for struct scx_kmsg's per-record callback. */
void scx_splat_krec_fn(void *splat, const struct scx_krec *rec);


/*
 * The first splat as TAP diagnostic lines ("# ..."): how many, its kind
 * and time, its lines, what was left out.  Prints nothing if none counted
 * and none was allowlisted.
 */
void scx_splat_print(FILE *f, const struct scx_splat *s);

#endif /* __SCX_ATTACH_SPLAT_H */
