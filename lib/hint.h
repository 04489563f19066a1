/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: hints that name the cause of a failure, recognised in what
 * the scheduler printed and in what sched_ext logged.
 */
#ifndef __SCX_ATTACH_HINT_H
#define __SCX_ATTACH_HINT_H

#include "common.h"

#define SCX_HINT_LEN		2048	/* a hint with its quoted lines */

enum scx_hint_kind {
	SCX_HINT_NONE,
	SCX_HINT_STALL,		/* the watchdog ejected it: runnable task stall */
	SCX_HINT_BPF_ERROR,	/* its BPF code called scx_bpf_error() */
	SCX_HINT_OPS_ERROR,	/* another runtime error, e.g. ops.init() failed */
	SCX_HINT_KCONFIG,	/* libbpf found no kernel config */
	SCX_HINT_NO_BTF,	/* the kernel has no BTF (or it is hidden) */
	SCX_HINT_KERNEL_SYMBOL,	/* a kfunc or attach target this kernel lacks */
	SCX_HINT_OPS_FIELD,	/* a sched_ext_ops field this kernel lacks */
	SCX_HINT_VERIFIER,	/* the verifier rejected a program */
	SCX_HINT_EPERM,		/* not permitted: capabilities */
	SCX_HINT_EBUSY,		/* sched_ext was taken, or the attach raced */
	SCX_HINT_NR,
};


/*
 * The best hint for a failure, from @tail (the scheduler's last output)
 * and @klines (the kernel's sched_ext lines, one a line); either may be
 * NULL.  The first row of one table that matches wins; its details
 * (program, field, symbol, task, location) are filled in.  The hint goes
 * to @buf as lines separated by '\n': a sentence, then any quoted lines;
 * what it quotes is made printable, so the lines can be printed as they are.
 * Returns SCX_HINT_NONE with @buf empty when nothing is recognised: the
 * verdict's own hint applies then.
 */
enum scx_hint_kind scx_hint(const char *tail, const char *klines, char *buf, size_t len);

/*
 * The kernel's sched_ext lines since its last "BPF scheduler ... enabled":
 * the newest attach and its end.  @klines itself if it holds none.
 */
const char *scx_hint_since_attach(const char *klines);

#endif /* __SCX_ATTACH_HINT_H */
