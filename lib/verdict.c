// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: the verdicts, their names for people and for machines, and
 * what each one asks the reader to check.
 */
#include <string.h>

#include "verdict.h"

static const char *const verdict_names[SCX_V_NR] = {
	[SCX_V_SPAWN_FAILED] = "spawn failed",
	[SCX_V_DIED_EARLY] = "died before attach",
	[SCX_V_REJECTED] = "rejected by the kernel",
	[SCX_V_TIMEOUT] = "not attached: timeout",
	[SCX_V_SYSFS_ABSENT] = "sched_ext sysfs absent",
	[SCX_V_BUSY] = "busy: another scheduler is attached",
	[SCX_V_ATTACHED] = "attached",
	[SCX_V_EJECTED] = "ejected after attach",
	[SCX_V_DIED_AFTER] = "died after attach",
	[SCX_V_WRONG_OPS] = "attached under another name",
	[SCX_V_STARVED] = "starved a runnable task",
};

/* The same, as keys for machines: no spaces, never renamed. */
static const char *const verdict_keys[SCX_V_NR] = {
	[SCX_V_SPAWN_FAILED] = "spawn_failed",
	[SCX_V_DIED_EARLY] = "died_before_attach",
	[SCX_V_REJECTED] = "rejected",
	[SCX_V_TIMEOUT] = "timeout",
	[SCX_V_SYSFS_ABSENT] = "sysfs_absent",
	[SCX_V_BUSY] = "busy",
	[SCX_V_ATTACHED] = "attached",
	[SCX_V_EJECTED] = "ejected",
	[SCX_V_DIED_AFTER] = "died_after_attach",
	[SCX_V_WRONG_OPS] = "wrong_ops",
	[SCX_V_STARVED] = "starved",
};

static const char *const verdict_hints[SCX_V_NR] = {
	[SCX_V_SPAWN_FAILED] =
		"the program could not be started: check its path and mode bits, its ELF interpreter and libraries (ldd), and that TMPDIR is writable for the log",
	[SCX_V_DIED_EARLY] =
		"it quit before attaching; read the fingerprint: a libbpf/verifier log means the BPF side does not pass this kernel's verifier; a usage message means bad arguments; a signal means a crash during init; exit 0 means it gave up or daemonized",
	[SCX_V_REJECTED] =
		"the kernel began enabling it and backed out: ops.init() or a task's init failed, or the ops failed validation; the kernel's sched_ext lines give the reason",
	[SCX_V_TIMEOUT] =
		"alive but not attached: a BPF load slower than the window (raise SCX_ATTACH_TIMEOUT_MS, or SCX_ATTACH_WALL_MS on emulated machines), or the scheduler waits for something before it attaches",
	[SCX_V_SYSFS_ABSENT] =
		"the running kernel has no sched_ext: build it with CONFIG_SCHED_CLASS_EXT=y (see the config fragment)",
	[SCX_V_BUSY] =
		"another sched_ext scheduler is attached: stop it (is an scx service running?) and run again",
	[SCX_V_ATTACHED] = "",
	[SCX_V_EJECTED] =
		"the kernel ejected it after attaching: scx_bpf_error() in the BPF code, a runnable task stall caught by the watchdog, or an ops callback error; the kernel's reason is above",
	[SCX_V_DIED_AFTER] =
		"the loader died while attached (the kernel then unregistered it): read the fingerprint for a panic, a crash or an OOM kill",
	[SCX_V_WRONG_OPS] =
		"sched_ext enabled a scheduler with another ops name than expected while this one ran: the wrong binary or arguments, or --ops does not match what it registers",
	[SCX_V_STARVED] =
		"it stayed attached, but left a runnable task waiting longer than the max gap (without tripping the kernel's watchdog): look at how it dispatches the kind of task named above (forking, migrating, niced, moving between cgroups)",
};

const char *scx_verdict_name(enum scx_verdict v)
{
	return v < SCX_V_NR ? verdict_names[v] : "?";
}

const char *scx_verdict_key(enum scx_verdict v)
{
	return v < SCX_V_NR ? verdict_keys[v] : "?";
}

int scx_verdict_from_key(const char *key)
{
	int v;

	for (v = 0; v < SCX_V_NR; v++)
		if (!strcmp(key, verdict_keys[v]))
			return v;
	return -1;
}

const char *scx_verdict_hint(enum scx_verdict v)
{
	return v < SCX_V_NR ? verdict_hints[v] : "";
}

