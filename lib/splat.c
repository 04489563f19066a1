// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: kernel splats in the kernel log.
 *
 * A splat starts with a record whose text the kernel prints only when it
 * went wrong (the formats are those of lib/bug.c, kernel/panic.c,
 * kernel/watchdog.c, kernel/hung_task.c, kernel/rcu/tree_stall.h,
 * mm/kasan/report.c, lib/ubsan.c, mm/kfence/report.c, arch/x86's traps and
 * kernel/sched/ext); the records after it, its registers and call trace,
 * belong to it until its end marker, the next splat, or a pause.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "splat.h"

#define SPLAT_PAUSE_US		(2 * 1000 * 1000ULL)	/* a quiet log ends a splat */
#define SPLAT_PREFIX_MAX	32	/* "watchdog: ", "rcu: ": a subsystem's prefix */
#define SPLAT_SHOWN_MAX		200	/* characters of one line in the dump */
#define LOG_ERR_LEVEL		3

/* Each kind for people, and as a key for machines (no spaces, never renamed). */
static const struct {
	const char *name, *key;
} kinds[SCX_SPLAT_NR] = {
	[SCX_SPLAT_NONE] = { "none", "none" },
	[SCX_SPLAT_BUG] = { "BUG", "bug" },
	[SCX_SPLAT_WARNING] = { "WARNING", "warning" },
	[SCX_SPLAT_OOPS] = { "Oops", "oops" },
	[SCX_SPLAT_GPF] = { "general protection fault", "gpf" },
	[SCX_SPLAT_PANIC] = { "kernel panic", "panic" },
	[SCX_SPLAT_RCU_STALL] = { "RCU stall", "rcu_stall" },
	[SCX_SPLAT_SOFT_LOCKUP] = { "soft lockup", "soft_lockup" },
	[SCX_SPLAT_HARD_LOCKUP] = { "hard lockup", "hard_lockup" },
	[SCX_SPLAT_HUNG_TASK] = { "hung task", "hung_task" },
	[SCX_SPLAT_KASAN] = { "KASAN report", "kasan" },
	[SCX_SPLAT_UBSAN] = { "UBSAN report", "ubsan" },
	[SCX_SPLAT_KFENCE] = { "KFENCE report", "kfence" },
	[SCX_SPLAT_SCX_ERROR] = { "sched_ext runtime error", "scx_error" },
};

/*
 * First lines of splats, most specific first.  @start must open the text,
 * or follow one "subsystem: " prefix unless @exact; @also must come after
 * it.  Without @start, @also may be anywhere.
 */
static const struct splat_header {
	const char *start;
	const char *also;
	enum scx_splat_kind kind;
	bool exact;
} headers[] = {
	{ "BUG: soft lockup", NULL, SCX_SPLAT_SOFT_LOCKUP },
	{ "BUG: KASAN: ", NULL, SCX_SPLAT_KASAN },
	{ "BUG: KFENCE: ", NULL, SCX_SPLAT_KFENCE },
	{ "BUG: ", NULL, SCX_SPLAT_BUG },
	{ "kernel BUG at ", NULL, SCX_SPLAT_BUG },
	{ "WARNING: ", NULL, SCX_SPLAT_WARNING },
	{ "Oops: general protection fault", NULL, SCX_SPLAT_GPF },
	{ "general protection fault", NULL, SCX_SPLAT_GPF },
	{ "Oops: ", NULL, SCX_SPLAT_OOPS },
	{ "Kernel panic - not syncing", NULL, SCX_SPLAT_PANIC },
	{ "INFO: task ", " for more than ", SCX_SPLAT_HUNG_TASK },
	/* detected stalls on CPUs/tasks, self-detected stall, detected expedited stalls */
	{ "INFO: ", "detected stall", SCX_SPLAT_RCU_STALL },
	{ "INFO: ", "detected expedited stall", SCX_SPLAT_RCU_STALL },
	{ NULL, "Watchdog detected hard LOCKUP", SCX_SPLAT_HARD_LOCKUP },
	{ "KASAN: ", NULL, SCX_SPLAT_KASAN },
	{ "UBSAN: ", NULL, SCX_SPLAT_UBSAN },
	{ "sched_ext: BPF ", "\" disabled (", SCX_SPLAT_SCX_ERROR, true },
	{ "sched_ext: Soft lockup - CPU", NULL, SCX_SPLAT_SCX_ERROR, true },
	{ "sched_ext: Hard lockup - CPU", NULL, SCX_SPLAT_SCX_ERROR, true },
};

const char *scx_splat_kind_name(enum scx_splat_kind kind)
{
	return kind < SCX_SPLAT_NR ? kinds[kind].name : "?";
}

const char *scx_splat_kind_key(enum scx_splat_kind kind)
{
	return kind < SCX_SPLAT_NR ? kinds[kind].key : "?";
}

/* Past a "subsystem: " prefix such as "watchdog: " or "rcu: ", or NULL. */
static const char *after_prefix(const char *msg)
{
	size_t n = strspn(msg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-");

	if (!n || n > SPLAT_PREFIX_MAX || msg[n] != ':' || msg[n + 1] != ' ')
		return NULL;
	return msg + n + 2;
}

static bool header_match(const struct splat_header *h, const char *msg)
{
	const char *p = NULL, *rest;
	size_t n;

	if (!h->start)
		return strstr(msg, h->also);
	n = strlen(h->start);
	if (!strncmp(msg, h->start, n)) {
		p = msg + n;
	} else if (!h->exact) {
		rest = after_prefix(msg);
		if (rest && !strncmp(rest, h->start, n))
			p = rest + n;
	}
	return p && (!h->also || strstr(p, h->also));
}

/*
 * sched_ext logs every disable; only those it logs as errors count: an
 * unregistration (from user space, BPF or the kernel, e.g. on CPU
 * hotplug) is the orderly way out.
 */
static bool scx_error_line(const struct scx_krec *rec)
{
	return rec->level <= LOG_ERR_LEVEL && !strstr(rec->msg, "\" disabled (unregistered from");
}

static enum scx_splat_kind classify(const struct scx_krec *rec, bool scx_errors)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(headers); i++) {
		if (!header_match(&headers[i], rec->msg))
			continue;
		if (headers[i].kind == SCX_SPLAT_SCX_ERROR && (!scx_errors || !scx_error_line(rec)))
			return SCX_SPLAT_NONE;
		return headers[i].kind;
	}
	return SCX_SPLAT_NONE;
}

/*
 * Lines that continue the open splat rather than start one: a page fault's
 * "BUG: unable to handle..." goes on with "Oops:", any splat may end in a
 * panic, sched_ext's lockup line is followed by its disable line.
 */
static bool continues(enum scx_splat_kind open, enum scx_splat_kind next)
{
	switch (next) {
	case SCX_SPLAT_PANIC:
		return open != SCX_SPLAT_NONE;
	case SCX_SPLAT_OOPS:
	case SCX_SPLAT_GPF:
	case SCX_SPLAT_KASAN:
		return open == SCX_SPLAT_BUG || open == SCX_SPLAT_OOPS || open == SCX_SPLAT_GPF;
	case SCX_SPLAT_SCX_ERROR:
		return open == SCX_SPLAT_SCX_ERROR;
	default:
		return false;
	}
}

static void splat_close(struct scx_splat *s)
{
	s->open = SCX_SPLAT_NONE;
	s->open_first = false;
}

/* x86 register and code dumps: in the kernel log, not worth the dump's lines. */
static bool register_line(const char *msg)
{
	static const char *const regs[] = {
		"Code: ", "RSP: ", "RAX: ", "RDX: ", "RBP: ", "R10: ", "R13: ", "FS: ", "CS: ",
		"CR2: ", "DR0: ", "DR3: ", "PKRU: ",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(regs); i++)
		if (!strncmp(msg, regs[i], strlen(regs[i])))
			return true;
	return false;
}

/* Keep one line of the first splat: its first lines, then its trace head. */
static void keep(struct scx_splat *s, const char *msg)
{
	size_t n = strlen(msg), need;

	if (!s->in_trace && strstr(msg, "Call Trace:"))
		s->in_trace = true;
	need = n + 1 + (s->gap ? 4 : 0);
	if (register_line(msg) ||
	    (s->in_trace ? s->trace_kept >= SCX_SPLAT_TRACE_LINES :
			   s->head_kept >= SCX_SPLAT_HEAD_LINES) ||
	    s->len + need >= sizeof(s->text)) {
		s->omitted++;
		s->gap = true;
		return;
	}
	if (s->gap) {
		memcpy(s->text + s->len, "...\n", 4);
		s->len += 4;
		s->gap = false;
	}
	memcpy(s->text + s->len, msg, n);
	s->len += n;
	s->text[s->len++] = '\n';
	s->text[s->len] = '\0';
	s->lines++;
	if (s->in_trace)
		s->trace_kept++;
	else
		s->head_kept++;
}

/* Does @line match a pattern of @a? */
static bool allow_match(const struct scx_splat_allow *a, const char *line)
{
	int i;

	for (i = 0; a && i < a->n; i++) {
		if (strpbrk(a->pat[i], "*?[") ? !fnmatch(a->pat[i], line, 0) :
						 !!strstr(line, a->pat[i]))
			return true;
	}
	return false;
}

static void splat_open(struct scx_splat *s, enum scx_splat_kind kind, const struct scx_krec *rec)
{
	splat_close(s);
	s->open = kind;
	s->last_us = rec->ts_us;
	if (allow_match(s->allow, rec->msg)) {
		s->allowed++;
		return;
	}
	if (s->count++)
		return;
	s->kind = kind;
	s->ts_us = rec->ts_us;
	s->open_first = true;
	keep(s, rec->msg);
}

void scx_splat_feed(struct scx_splat *s, const struct scx_krec *rec)
{
	enum scx_splat_kind kind;

	/* User space writes to /dev/kmsg as facility 1 at least: never ours to judge. */
	if (rec->facility != 0 || !rec->msg)
		return;
	if (s->open && rec->ts_us > s->last_us + SPLAT_PAUSE_US)
		splat_close(s);
	kind = classify(rec, s->scx_errors);
	if (kind != SCX_SPLAT_NONE && !continues(s->open, kind)) {
		splat_open(s, kind, rec);
		return;
	}
	if (!s->open)
		return;
	s->last_us = scx_max(s->last_us, rec->ts_us);
	if (s->open_first)
		keep(s, rec->msg);
	/* "---[ end trace ... ]---", "---[ end Kernel panic ... ]---" */
	if (strstr(rec->msg, "---[ end "))
		splat_close(s);
}

void scx_splat_krec_fn(void *splat, const struct scx_krec *rec)
{
	scx_splat_feed(splat, rec);
}

void scx_splat_init(struct scx_splat *s, const struct scx_splat_allow *allow)
{
	memset(s, 0, sizeof(*s));
	s->allow = allow;
	s->scx_errors = true;
}

void scx_splat_allow_free(struct scx_splat_allow *a)
{
	free(a->buf);
	free(a->pat);
	memset(a, 0, sizeof(*a));
}

/* Split @a->buf into patterns, in place. */
static int allow_parse(struct scx_splat_allow *a)
{
	char *line, *next, *end;
	int max = 0;

	for (line = a->buf; *line; line++)
		max += *line == '\n';
	a->pat = calloc(max + 1, sizeof(*a->pat));
	if (!a->pat)
		return -ENOMEM;
	for (line = a->buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line += strspn(line, " \t\r");
		end = line + strlen(line);
		while (end > line && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*line && *line != '#')
			a->pat[a->n++] = line;
	}
	return 0;
}

int scx_splat_allow_load(struct scx_splat_allow *a, const char *path, char *err, size_t len)
{
	struct stat st;
	ssize_t n;
	int fd, ret;

	memset(a, 0, sizeof(*a));
	/* Non-blocking: a FIFO planted there must not hang the suite. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
	} else if (st.st_size > SCX_SPLAT_ALLOW_SIZE) {
		ret = -EFBIG;
	} else {
		a->buf = malloc(st.st_size + 1);	/* sets errno when it fails */
		n = a->buf ? read(fd, a->buf, st.st_size) : -1;
		ret = n < 0 ? -errno : 0;
		if (!ret) {
			a->buf[n] = '\0';
			ret = allow_parse(a);
		}
	}
	if (fd >= 0)
		close(fd);
	if (ret) {
		snprintf(err, len, "splat allowlist %s: %s", path,
			 ret == -EINVAL ? "not a regular file" :
			 ret == -EFBIG ? "larger than 64 KiB" : strerror(-ret));
		scx_splat_allow_free(a);
		return ret;
	}
	snprintf(a->path, sizeof(a->path), "%s", path);
	return 0;
}

int scx_splat_allow_default(struct scx_splat_allow *a, char *err, size_t len)
{
	const char *env = getenv(SCX_SPLAT_ALLOW_ENV);
	char path[PATH_MAX];
	int ret;

	memset(a, 0, sizeof(*a));
	if (env && *env)
		return scx_splat_allow_load(a, env, err, len);
	/* Without a binary's directory there is no default file either. */
	if (scx_sibling_path(path, sizeof(path), SCX_SPLAT_ALLOW_NAME))
		return 0;
	ret = scx_splat_allow_load(a, path, err, len);
	return ret == -ENOENT ? 0 : ret;
}

/* One line of kernel text as a TAP diagnostic, made harmless. */
static void put_line(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputs("# | ", f);
	for (i = 0; i < n && i < SPLAT_SHOWN_MAX; i++)
		fputc(isprint((unsigned char)s[i]) ? s[i] : '?', f);
	fprintf(f, "%s\n", n > SPLAT_SHOWN_MAX ? "..." : "");
}

void scx_splat_print(FILE *f, const struct scx_splat *s)
{
	char allowed[PATH_MAX + 64] = "";
	const char *p;
	size_t n;

	if (s->allowed)
		snprintf(allowed, sizeof(allowed), "; %u allowlisted by %s", s->allowed,
			 s->allow && s->allow->path[0] ? s->allow->path : "the allowlist");
	if (!s->count) {
		if (s->allowed)
			fprintf(f, "# kernel splats: none%s\n", allowed);
		return;
	}
	fprintf(f, "# kernel splats: %u%s; the first: %s, at %llu.%06llu s (kernel log time):\n",
		s->count, allowed, scx_splat_kind_name(s->kind), s->ts_us / 1000000,
		s->ts_us % 1000000);
	for (p = s->text; *p; p += n + (p[n] == '\n')) {
		n = strcspn(p, "\n");
		put_line(f, p, n);
	}
	if (s->omitted)
		fprintf(f, "# (%u more line%s of it not shown: see the kernel log)\n", s->omitted,
			s->omitted == 1 ? "" : "s");
	fflush(f);
}
