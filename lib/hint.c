// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: hints that name the cause of a failure.
 *
 * One table: a row is what libbpf, a loader or sched_ext prints when a
 * known thing went wrong, and what that means for the reader.  The texts
 * are those of the Linux tree's tools/lib/bpf, tools/sched_ext and
 * kernel/sched/ext.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "hint.h"

#define IN_KERNEL	1U
#define IN_TAIL		2U
#define DETAIL_LEN	320
#define QUOTE_LINES	4	/* verifier log lines quoted */
#define QUOTE_LEN	160	/* characters of one quoted line */

/* Where a row's text was found. */
struct hit {
	const char *text;	/* the tail or the kernel lines */
	const char *line;	/* start of the line */
	const char *after;	/* just past the text that matched */
};

typedef void (*detail_fn)(const struct hit *h, char *d, size_t dlen, char *extra, size_t elen);

struct hint_row {
	enum scx_hint_kind kind;
	unsigned int where;
	const char *needles;	/* alternatives, separated by '|' */
	const char *fmt;	/* the hint; its %s takes the detail */
	detail_fn detail;
};

static size_t line_len(const char *p)
{
	return strcspn(p, "\r\n");
}

/* Is @s in the line that starts at @line? */
static bool in_line(const char *line, const char *s)
{
	const char *p = strstr(line, s);

	return p && p < line + line_len(line);
}

static const char *next_line(const char *p)
{
	p += strcspn(p, "\n");
	return *p ? p + 1 : NULL;
}

/* Copy @n bytes of foreign text, made printable: the hint is safe to print as is. */
static void copy_text(const char *p, size_t n, char *buf, size_t len)
{
	size_t i;

	if (!len)
		return;
	n = scx_min(scx_min(n, (size_t)QUOTE_LEN), len - 1);
	for (i = 0; i < n; i++)
		buf[i] = isprint((unsigned char)p[i]) ? p[i] : '?';
	buf[n] = '\0';
}

/* The line at @p, without leading blanks and a "libbpf: " prefix. */
static void copy_line(const char *p, char *buf, size_t len)
{
	p += strspn(p, " \t");
	p = scx_after(p, "libbpf: ") ?: p;
	copy_text(p, line_len(p), buf, len);
}

/* Copy from @p up to any of @stop (or the end of the line). */
static void copy_until(const char *p, const char *stop, char *buf, size_t len)
{
	copy_text(p, scx_min(strcspn(p, stop), line_len(p)), buf, len);
}

static void d_line(const struct hit *h, char *d, size_t dlen, char *extra, size_t elen)
{
	copy_line(h->line, d, dlen);
}

/* "extern (func ksym) 'X'", "prog 'P': failed to find kernel BTF type ID of 'X'" */
static void d_symbol(const struct hit *h, char *d, size_t dlen, char *extra, size_t elen)
{
	char sym[128], prog[128];
	const char *p = strstr(h->line, "prog '");

	copy_until(h->after, "'", sym, sizeof(sym));
	if (p && p < h->after) {
		copy_until(p + 6, "'", prog, sizeof(prog));
		snprintf(d, dlen, "%s (the attach target of BPF program '%s')", sym, prog);
	} else {
		snprintf(d, dlen, "%s (a kfunc its BPF code calls)", sym);
	}
}

/* "struct_ops init_kern OPS: Cannot find member FIELD in kernel BTF" */
static void d_member(const struct hit *h, char *d, size_t dlen, char *extra, size_t elen)
{
	const char *p = strstr(h->line, "init_kern ");
	char field[128], ops[SCX_OPS_LEN] = "";

	copy_until(h->after, " ", field, sizeof(field));
	if (p && p < h->after)
		copy_until(p + 10, ": ", ops, sizeof(ops));
	snprintf(d, dlen, "%s%s%s", ops, ops[0] ? "." : "", field);
}

/* "TASK[PID] failed to run for N.NNNs", in the kernel's line or the loader's EXIT line */
static void d_stall(const struct hit *h, char *d, size_t dlen, char *extra, size_t elen)
{
	const char *start = h->after - strlen(" failed to run for ");
	char task[128], dur[32];

	while (start > h->line && start[-1] != ' ' && start[-1] != '(')
		start--;
	copy_until(start, " ", task, sizeof(task));
	copy_until(h->after, " )", dur, sizeof(dur));
	snprintf(d, dlen, "%s was runnable but not run for %s", task, dur);
}

/*
 * The message of an ejection: the kernel logs it on the line after its
 * "disabled (reason)" line, as "sched_ext: NAME: MESSAGE"; a loader prints
 * "EXIT: reason (MESSAGE) on CPU N".
 */
static void scx_message(const struct hit *h, char *msg, size_t len)
{
	const char *p, *q;

	msg[0] = '\0';
	if (in_line(h->line, "\" disabled (")) {
		p = next_line(h->line);
		p = p ? scx_after(p, "sched_ext: ") : NULL;
		if (!p || in_line(p, "\" disabled ("))
			return;
		q = strstr(p, ": ");
		if (q && q < p + line_len(p))
			copy_line(q + 2, msg, len);
		return;
	}
	/* The last ')' of the line closes it: messages hold parentheses too. */
	for (q = h->line + line_len(h->line); q > h->after && q[-1] != ')'; q--)
		;
	if (q > h->after)
		copy_text(h->after, q - 1 - h->after, msg, len);
}

static void d_scx_message(const struct hit *h, char *d, size_t dlen, char *extra, size_t elen)
{
	char msg[DETAIL_LEN];

	scx_message(h, msg, sizeof(msg));
	snprintf(d, dlen, "\"%s\"", msg[0] ? msg : "(no message logged)");
}

/* scx_bpf_error()'s message starts with its FILE:LINE on 6.19+ kernels. */
static void d_bpf_error(const struct hit *h, char *d, size_t dlen, char *extra, size_t elen)
{
	char msg[DETAIL_LEN];
	size_t n, digits;

	scx_message(h, msg, sizeof(msg));
	n = strcspn(msg, ": ");
	digits = msg[n] == ':' ? strspn(msg + n + 1, "0123456789") : 0;
	if (n && digits && !strncmp(msg + n + 1 + digits, ": ", 2))
		snprintf(d, dlen, "at %.*s: \"%s\"", (int)(n + 1 + digits), msg,
			 msg + n + 1 + digits + 2);
	else
		snprintf(d, dlen, "(its location was not logged): \"%s\"",
			 msg[0] ? msg : "(no message logged)");
}

static bool skip_verifier_line(const char *p)
{
	return !line_len(p) || scx_after(p, "processed ") || scx_after(p, "verification time");
}

/* Add one quoted line to @extra. */
static void quote(char *extra, size_t elen, const char *what, const char *p)
{
	char one[QUOTE_LEN + 1];
	size_t used = strlen(extra);

	copy_line(p, one, sizeof(one));
	snprintf(extra + used, elen - used, "%s%s%s", used ? "\n" : "", what, one);
}

/*
 * "prog 'NAME': BPF program load failed: ERR", then the verifier's log
 * between "-- BEGIN PROG LOAD LOG --" and "-- END PROG LOAD LOG --".  Its
 * instruction trace ends with the reason; newer verifiers add a blank
 * line, "Verification failed: ..." and "At:" with the source location.
 */
static void d_verifier(const struct hit *h, char *d, size_t dlen, char *extra, size_t elen)
{
	const char *p = strstr(h->line, "prog '"), *begin, *end, *l;
	const char *last[QUOTE_LINES] = { NULL };
	char name[128] = "?", err[64];
	const char *failed = NULL, *at = NULL;
	bool trace = true;
	int i, n = 0;

	if (p && p < h->after)
		copy_until(p + 6, "'", name, sizeof(name));
	copy_until(h->after + strspn(h->after, ": "), " ", err, sizeof(err));
	snprintf(d, dlen, "'%s' (%s)", name, err);

	end = strstr(h->after, "-- END PROG LOAD LOG --");
	if (!end)
		return;
	begin = strstr(h->after, "-- BEGIN PROG LOAD LOG --");
	begin = begin && begin < end ? next_line(begin) : next_line(h->line);
	for (l = begin; l && l < end; l = next_line(l)) {
		if (!line_len(l))
			trace = false;
		if (scx_after(l, "Verification failed:"))
			failed = l;
		if (scx_after(l, "At:"))
			at = next_line(l);
		if (trace && !skip_verifier_line(l))
			last[n++ % QUOTE_LINES] = l;
	}
	for (i = scx_max(n - QUOTE_LINES, 0); i < n; i++)
		quote(extra, elen, "verifier: ", last[i % QUOTE_LINES]);
	if (failed)
		quote(extra, elen, "verifier: ", failed);
	if (at && at < end)
		quote(extra, elen, "verifier: at ", at);
}

static const struct hint_row rows[] = {
	{ SCX_HINT_STALL, IN_KERNEL | IN_TAIL, " failed to run for ",
	  "the kernel's watchdog ejected the scheduler: %s, longer than its ops.timeout_ms allows. The scheduler lost or starved that task (queued on a DSQ nobody consumes, a dispatch path that never reaches it, CPUs kept busy); the debug dump in its output shows where the task was",
	  d_stall },
	{ SCX_HINT_BPF_ERROR, IN_KERNEL | IN_TAIL, "disabled (scx_bpf_error)|EXIT: scx_bpf_error (",
	  "the scheduler's own BPF code gave up, calling scx_bpf_error() %s; read its code there (the debug dump in its output has the backtrace)",
	  d_bpf_error },
	{ SCX_HINT_OPS_ERROR, IN_KERNEL | IN_TAIL, "disabled (runtime error)|EXIT: runtime error (",
	  "the kernel disabled the scheduler for a runtime error: %s. An ops callback failed (its name is in the message: check what it needs from this kernel and machine) or the BPF code misused a kfunc",
	  d_scx_message },
	{ SCX_HINT_KCONFIG, IN_TAIL, "failed to open system Kconfig",
	  "libbpf could not read the kernel's config (%s): the BPF code reads CONFIG_* values, and libbpf looks for them only in /boot/config-$(uname -r) and /proc/config.gz. Put the running kernel's config at /boot/config-$(uname -r), or build the kernel with CONFIG_IKCONFIG=y and CONFIG_IKCONFIG_PROC=y",
	  d_line },
	{ SCX_HINT_NO_BTF, IN_TAIL, "kernel BTF is missing at|failed to find valid kernel BTF",
	  "no kernel BTF (%s): sched_ext schedulers need /sys/kernel/btf/vmlinux. Build the kernel with CONFIG_DEBUG_INFO_BTF=y, and check that /sys/kernel/btf is visible where the scheduler runs (not hidden by a container or a mount)",
	  d_line },
	{ SCX_HINT_KERNEL_SYMBOL, IN_TAIL,
	  "extern (func ksym) '|failed to find kernel BTF type ID of '",
	  "this kernel lacks %s: the scheduler was built for a newer kernel, or one with other options. Run it on a kernel that has it, use a version of the scheduler made for this kernel, or make its BPF code probe for it (a __weak declaration and bpf_ksym_exists())",
	  d_symbol },
	{ SCX_HINT_OPS_FIELD, IN_TAIL, "Cannot find member ",
	  "the scheduler sets %s, a field this kernel's struct sched_ext_ops does not have: the scheduler is newer than the kernel. Run it on a kernel that has the field, or use a version of the scheduler built against this kernel's BTF",
	  d_member },
	{ SCX_HINT_VERIFIER, IN_TAIL, "BPF program load failed",
	  "the kernel's verifier rejected BPF program %s: the BPF code does something this kernel's verifier does not accept (built for another kernel, or by a compiler it does not expect?). Its last words:",
	  d_verifier },
	{ SCX_HINT_EPERM, IN_TAIL, "Operation not permitted|-EPERM",
	  "not permitted (%s): loading BPF and attaching a sched_ext scheduler need CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON (root has them; BPF code that uses a module's types or functions needs CAP_SYS_ADMIN too, for libbpf to read module BTF). Check the capabilities the test runs with (a container may drop them), and whether kernel lockdown or a security module forbids BPF",
	  d_line },
	{ SCX_HINT_EBUSY, IN_TAIL, "Device or resource busy|-EBUSY",
	  "the attach failed with EBUSY (%s): sched_ext had another scheduler when this one attached (a service such as scx_loader, a leftover of an earlier run, a test running in parallel), or the attach raced with CPU hotplug. Check /sys/kernel/sched_ext/state and root/ops, stop the other scheduler, run again",
	  d_line },
};

/* The first of @needles ('|'-separated) found in @text. */
static bool find(const char *text, const char *needles, struct hit *h)
{
	const char *n = needles, *p, *line;
	char one[64];
	size_t len;

	if (!text)
		return false;
	for (; *n; n += len + (n[len] == '|')) {
		len = strcspn(n, "|");
		snprintf(one, sizeof(one), "%.*s", (int)len, n);
		p = strstr(text, one);
		if (!p)
			continue;
		for (line = p; line > text && line[-1] != '\n'; line--)
			;
		*h = (struct hit){ .text = text, .line = line, .after = p + strlen(one) };
		return true;
	}
	return false;
}

enum scx_hint_kind scx_hint(const char *tail, const char *klines, char *buf, size_t len)
{
	char detail[DETAIL_LEN], extra[SCX_HINT_LEN];
	const struct hint_row *r;
	struct hit h;
	size_t i, n;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		r = &rows[i];
		if (!((r->where & IN_KERNEL) && find(klines, r->needles, &h)) &&
		    !((r->where & IN_TAIL) && find(tail, r->needles, &h)))
			continue;
		detail[0] = extra[0] = '\0';
		r->detail(&h, detail, sizeof(detail), extra, sizeof(extra));
		n = snprintf(buf, len, r->fmt, detail);
		if (extra[0] && n < len)
			snprintf(buf + n, len - n, "\n%s", extra);
		return r->kind;
	}
	return SCX_HINT_NONE;
}

const char *scx_hint_since_attach(const char *klines)
{
	const char *p, *from = klines;

	for (p = klines; p && *p; p = next_line(p))
		if (in_line(p, "BPF scheduler \"") && in_line(p, "\" enabled"))
			from = next_line(p) ?: p + strlen(p);
	return from;
}
