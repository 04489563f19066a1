/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: the verdicts, their names for people and for machines, and
 * what each one asks the reader to check.
 */
#ifndef __SCX_ATTACH_VERDICT_H
#define __SCX_ATTACH_VERDICT_H

enum scx_verdict {
	SCX_V_SPAWN_FAILED,
	SCX_V_DIED_EARLY,	/* exited or killed before attaching */
	SCX_V_REJECTED,		/* enabling, then disabled, enable_seq unchanged */
	SCX_V_TIMEOUT,		/* alive, never attached within the windows */
	SCX_V_SYSFS_ABSENT,	/* no sched_ext in this kernel */
	SCX_V_BUSY,		/* another scheduler held sched_ext before the spawn */
	SCX_V_ATTACHED,		/* alive past the gate, attached, held */
	SCX_V_EJECTED,		/* attached, then the kernel disabled it */
	SCX_V_DIED_AFTER,	/* attached, then the process died */
	SCX_V_WRONG_OPS,	/* enabled after the spawn under another name */
	SCX_V_STARVED,		/* attached, but a stress worker made no progress */
	SCX_V_NR,
};

/* Constant one-line names: CI bots may key on them. */
const char *scx_verdict_name(enum scx_verdict v);
/* Constant keys for machines ("died_before_attach"), and back; -1 if unknown. */
const char *scx_verdict_key(enum scx_verdict v);
int scx_verdict_from_key(const char *key);
/* Likely causes and what to check. */
const char *scx_verdict_hint(enum scx_verdict v);

#endif /* __SCX_ATTACH_VERDICT_H */
