// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: say what happened, what was seen, and what to check.
 */
#include <ctype.h>
#include <string.h>

#include "report.h"

#define LINE_MAX_SHOWN	200

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
};

static const char *const verdict_hints[SCX_V_NR] = {
	[SCX_V_SPAWN_FAILED] =
		"the program could not be started: check its path and mode bits, its ELF "
		"interpreter and libraries (ldd), and that TMPDIR is writable for the log",
	[SCX_V_DIED_EARLY] =
		"it quit before attaching; read the fingerprint: a libbpf/verifier log means the "
		"BPF side does not pass this kernel's verifier; a usage message means bad "
		"arguments; a signal means a crash during init; exit 0 means it gave up or daemonized",
	[SCX_V_REJECTED] =
		"the kernel began enabling it and backed out: ops.init() or a task's init failed, "
		"or the ops failed validation; the kernel's sched_ext lines give the reason",
	[SCX_V_TIMEOUT] =
		"alive but not attached: a BPF load slower than the window (raise "
		"SCX_ATTACH_TIMEOUT_MS, or SCX_ATTACH_WALL_MS on emulated machines), or the "
		"scheduler waits for something before it attaches",
	[SCX_V_SYSFS_ABSENT] =
		"the running kernel has no sched_ext: build it with CONFIG_SCHED_CLASS_EXT=y "
		"(see the config fragment)",
	[SCX_V_BUSY] =
		"another sched_ext scheduler is attached: stop it (is an scx service running?) "
		"and run again",
	[SCX_V_ATTACHED] = "",
	[SCX_V_EJECTED] =
		"the kernel ejected it after attaching: scx_bpf_error() in the BPF code, a "
		"runnable task stall caught by the watchdog, or an ops callback error; the "
		"kernel's reason is above",
	[SCX_V_DIED_AFTER] =
		"the loader died while attached (the kernel then unregistered it): read the "
		"fingerprint for a panic, a crash or an OOM kill",
};

static const char *const wake_names[SCX_WAKE_NR] = {
	[SCX_WAKE_NONE] = "none",
	[SCX_WAKE_UEVENT] = "uevent",
	[SCX_WAKE_PIDFD] = "pidfd",
	[SCX_WAKE_INOTIFY] = "inotify",
	[SCX_WAKE_OUTPUT] = "output",
	[SCX_WAKE_TIMER] = "timer",
};

const char *scx_verdict_name(enum scx_verdict v)
{
	return v < SCX_V_NR ? verdict_names[v] : "?";
}

const char *scx_verdict_hint(enum scx_verdict v)
{
	return v < SCX_V_NR ? verdict_hints[v] : "";
}

const char *scx_wake_name(enum scx_wake w)
{
	return w < SCX_WAKE_NR ? wake_names[w] : "?";
}

void scx_report_summary(FILE *f, const struct scx_result *r)
{
	fprintf(f, "# verdict: %s: %s\n", scx_verdict_name(r->verdict), r->detail);
	if (r->t_attach)
		fprintf(f, "# attach seen via %s at %.3f s (scheduler cpu %.3f s), verdict via %s at %.3f s, %u wakeups\n",
			scx_wake_name(r->attach_by), (double)r->t_attach / NSEC_PER_SEC,
			(double)r->cpu_ns / NSEC_PER_SEC, scx_wake_name(r->decided_by),
			(double)r->t_verdict / NSEC_PER_SEC, r->wakeups);
	fflush(f);
}

/* Print one line of foreign text as a TAP diagnostic, made harmless. */
static void put_line(FILE *f, const char *prefix, const char *s, size_t n)
{
	size_t i;

	fprintf(f, "# %s", prefix);
	for (i = 0; i < n && i < LINE_MAX_SHOWN; i++)
		fputc(isprint((unsigned char)s[i]) ? s[i] : '?', f);
	fprintf(f, "%s\n", n > LINE_MAX_SHOWN ? "..." : "");
}

static void put_tail(FILE *f, const struct scx_child *c)
{
	char buf[SCX_TAIL_LEN + 1], *p, *last = NULL;
	size_t len, n, lastn = 0;
	int lines = 0, skip;

	len = scx_child_tail(c, buf, sizeof(buf));
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (!len) {
		fprintf(f, "# scheduler output: (none)\n");
		return;
	}
	for (p = buf; *p; p++)
		lines += *p == '\n';
	lines++;
	skip = lines > SCX_REPORT_TAIL_LINES ? lines - SCX_REPORT_TAIL_LINES : 0;
	fprintf(f, "# scheduler output, last %d lines%s:\n", lines - skip,
		c->dropped || c->tail_full ? " (log was longer)" : "");
	for (p = buf; *p; p += n + (p[n] == '\n')) {
		n = strcspn(p, "\n");
		if (skip) {
			skip--;
			continue;
		}
		put_line(f, "| ", p, n);
		if (n && strspn(p, " \t\r") < n) {
			last = p;
			lastn = n;
		}
	}
	if (last)
		put_line(f, "fingerprint: ", last, lastn);
}

void scx_report(FILE *f, const struct scx_result *r, const struct scx_child *c,
		const char *cmdline)
{
	const char *p;
	size_t n;

	scx_report_summary(f, r);
	if (cmdline)
		fprintf(f, "# scheduler: %s%s\n", cmdline, c->pid > 0 ? "" : " (not started)");
	if (c->pid > 0) {
		if (c->log_path[0])
			fprintf(f, "# log: %s (%zu bytes kept, %zu dropped over the cap)\n",
				c->log_path, c->logged, c->dropped);
		put_tail(f, c);
		if (c->orphans)
			fprintf(f, "# it left %d descendant(s) running (daemonized?): killed\n",
				c->orphans);
	}
	if (r->verdict != SCX_V_SYSFS_ABSENT && r->verdict != SCX_V_SPAWN_FAILED) {
		fprintf(f, "# sysfs: state %s, enable_seq %lld (before the spawn %lld), root/ops \"%s\"\n",
			scx_state_name(r->last.state), r->last.enable_seq, r->before.enable_seq,
			r->last.ops);
		if (!r->kmsg) {
			fprintf(f, "# kernel log: not readable (need root for /dev/kmsg)\n");
		} else if (!r->klog.len) {
			fprintf(f, "# kernel log: no sched_ext lines since the spawn\n");
		} else {
			fprintf(f, "# kernel log, sched_ext lines since the spawn%s:\n",
				r->klog.truncated ? " (truncated)" : "");
			for (p = r->klog.lines; *p; p += n + (p[n] == '\n')) {
				n = strcspn(p, "\n");
				put_line(f, "| ", p, n);
			}
		}
	}
	if (*scx_verdict_hint(r->verdict))
		fprintf(f, "# hint: %s\n", scx_verdict_hint(r->verdict));
	fflush(f);
}
