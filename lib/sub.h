/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: sub-schedulers, as sched_ext's sysfs and kernel log show them.
 *
 * A child scheduler attached beneath a parent on a cgroup is the directory
 * PARENT/sub/sub-<cgroup id>/ with its own ops (PARENT is root/, or a
 * child's directory for deeper levels); a parent has sub/ only if it
 * implements ops.sub_attach.  The global state and enable_seq do not move
 * for a child: its directory, its ops and the kernel's "BPF sub-scheduler"
 * records are what says it attached.  docs/hierarchy.md has what was
 * measured.
 */
#ifndef __SCX_ATTACH_SUB_H
#define __SCX_ATTACH_SUB_H

#include "sysfs.h"

#define SCX_SUB_MAX		16	/* children of one parent we look at */
#define SCX_SUB_MAX_DEPTH	4	/* the kernel's limit on nesting (7.3) */
#define SCX_SUB_DIR_LEN		200	/* "root" and four levels of "/sub/sub-<u64>" */

struct scx_sub_entry {
	unsigned long long cgid;	/* from sub-<cgid> */
	char ops[SCX_OPS_LEN];		/* its ops, "" while unreadable */
};

/* What one parent's sub/ holds. */
struct scx_sub_list {
	bool parent;		/* the parent's directory exists */
	bool has_sub;		/* it has sub/: it takes children */
	int n;
	struct scx_sub_entry e[SCX_SUB_MAX];
};

/*
 * The directory of the scheduler at the end of @chain (cgroup ids from the
 * root's child down, @depth of them; 0: the root), relative to the sched_ext
 * sysfs directory: "root", "root/sub/sub-A", "root/sub/sub-A/sub/sub-B".
 */
int scx_sub_dir(char *buf, size_t len, const unsigned long long *chain, int depth);

/* Read @parent (a scx_sub_dir() path) below @dfd.  0, or -errno of the read. */
int scx_sub_read(int dfd, const char *parent, struct scx_sub_list *l);

/*
 * The child that is in @now and was not in @before, with ops naming
 * @expect_ops (prefix, NULL: any), and cgroup @cgid unless 0.  Its index in
 * @now, or -1.
 */
int scx_sub_find_new(const struct scx_sub_list *before, const struct scx_sub_list *now,
		     const char *expect_ops, unsigned long long cgid);

/* Is the child @cgid in @l, with ops naming @expect_ops? */
bool scx_sub_present(const struct scx_sub_list *l, unsigned long long cgid,
		     const char *expect_ops);

/* A kernel record about a sub-scheduler. */
enum scx_sub_kline {
	SCX_SUB_KLINE_OTHER,
	SCX_SUB_KLINE_ENABLED,	/* BPF sub-scheduler "X" enabled */
	SCX_SUB_KLINE_DISABLED,	/* BPF sub-scheduler "X" disabled (reason) */
};

/* Classify @msg; copy the name and, for DISABLED, the reason out. */
enum scx_sub_kline scx_sub_kline_parse(const char *msg, char *name, size_t nlen, char *reason,
				       size_t rlen);

/* Why the kernel disabled a child, from its reason and the message after it. */
enum scx_sub_cause {
	SCX_SUB_CAUSE_NONE,
	SCX_SUB_CAUSE_UNREG,		/* its loader unregistered it */
	SCX_SUB_CAUSE_KERN,		/* "unregistered from the main kernel": its cgroup went */
	SCX_SUB_CAUSE_PARENT_EXIT,	/* "parent exiting": not its fault */
	SCX_SUB_CAUSE_KILLED,		/* "killed by parent scheduler" */
	SCX_SUB_CAUSE_REJECTED,		/* the parent's ops.sub_attach refused it */
	SCX_SUB_CAUSE_TOO_DEEP,		/* nested past the kernel's limit */
	SCX_SUB_CAUSE_ERROR,		/* its own error: scx_bpf_error, a stall, ... */
};

/* @reason: the disable reason; @msg: the kernel's message line after it, or "". */
enum scx_sub_cause scx_sub_cause_of(const char *reason, const char *msg);
const char *scx_sub_cause_name(enum scx_sub_cause c);

/*
 * A child refused before it linked: the attach call failed with no kernel
 * record and no sysfs change, so the loader's words are all there is.
 */
enum scx_sub_refusal {
	SCX_SUB_REFUSED_UNKNOWN,
	SCX_SUB_REFUSED_NO_ROOT,	/* -ENODEV: no scheduler at the root */
	SCX_SUB_REFUSED_NO_SUB_ATTACH,	/* -EOPNOTSUPP: the parent takes no children */
	SCX_SUB_REFUSED_BUSY,		/* -EBUSY: the cgroup has a scheduler */
};

/* From the loader's output tail (strerror() text or an errno number). */
enum scx_sub_refusal scx_sub_refusal_of(const char *tail);
/* One line on the likely cause and what to check. */
const char *scx_sub_refusal_hint(enum scx_sub_refusal r);

/* What was seen of a child, spawn to verdict. */
struct scx_sub_obs {
	bool exited;		/* the loader exited */
	bool appeared;		/* its sub-<cgid> with its ops was seen */
	bool present;		/* and is there now */
	bool enabled;		/* the kernel logged it enabled */
	enum scx_sub_cause cause;	/* the kernel disabled it; NONE: no record */
	bool parent_alive;	/* the parent's process lives */
	bool parent_attached;	/* root/ops and state as before the child */
};

/* The child's outcome. */
enum scx_sub_outcome {
	SCX_SUB_WAITING,	/* nothing decided yet */
	SCX_SUB_ATTACHED,	/* present, enabled, the parent intact */
	SCX_SUB_REFUSED,	/* exited without ever linking: see scx_sub_refusal_of() */
	SCX_SUB_REJECTED,	/* linked, then refused (by its parent, depth, init) */
	SCX_SUB_EJECTED,	/* attached, then disabled: its error, killed, cgroup gone */
	SCX_SUB_PARENT_GONE,	/* taken down because its parent exited */
	SCX_SUB_DIED,		/* attached, then its loader died */
	SCX_SUB_PARENT_BROKE,	/* the parent died or left the root meanwhile */
	SCX_SUB_STARVED,	/* attached, but the load in its cgroup did not run under it */
	SCX_SUB_NR
};

/*
 * Decide from @o.  A loader that says it attached proves nothing: only the
 * directory and the kernel's record do, and a teardown after the link
 * (the attach call returned 0) reads as rejected, never attached.
 */
enum scx_sub_outcome scx_sub_classify(const struct scx_sub_obs *o);
const char *scx_sub_outcome_name(enum scx_sub_outcome o);
/* The outcome's key in "# result: verdict=KEY" and manifests; and back (-1: none). */
const char *scx_sub_outcome_key(enum scx_sub_outcome o);
int scx_sub_outcome_from_key(const char *key);

/*
 * Does the kernel take sub-schedulers at all (CONFIG_EXT_SUB_SCHED)?  Its
 * symbol table @kallsyms (/proc/kallsyms) says: 1 yes, 0 no, -errno when
 * it cannot be read.  Without it a scheduler with ops.sub_attach shows no
 * sub/ either, and a child's attach goes the root's way.
 */
int scx_sub_kernel_has(const char *kallsyms);

/* What became of the parent while its child was judged. */
enum scx_sub_pfate {
	SCX_SUB_PFATE_INTACT,	/* its loader alive, the root as before the child */
	SCX_SUB_PFATE_EJECTED,	/* the kernel disabled it: an error, or its own unregistration */
	SCX_SUB_PFATE_DIED,	/* its loader died of a signal */
	SCX_SUB_PFATE_LEFT,	/* its loader detached it, or exited */
	SCX_SUB_PFATE_GONE,	/* no longer at the root, and no word why */
};

struct scx_sub_pobs {
	bool alive;		/* its loader lives (a foreign parent: its directory) */
	bool attached;		/* the root as before the child */
	bool killed;		/* its loader died of a signal */
	const char *reason;	/* the kernel's disable reason for it; NULL or "": none */
};

enum scx_sub_pfate scx_sub_pfate_of(const struct scx_sub_pobs *p);
const char *scx_sub_pfate_name(enum scx_sub_pfate f);
/* Its key for the result line ("intact", "ejected", ...). */
const char *scx_sub_pfate_key(enum scx_sub_pfate f);

#endif /* __SCX_ATTACH_SUB_H */
