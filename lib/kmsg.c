// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: the kernel log, read from /dev/kmsg, and what sched_ext says
 * in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"

#define KMSG_READS_MAX	4096	/* records per collect: bounded */
#define SCHED_QUOTE	"BPF scheduler \""	/* its name follows, in quotes */

int scx_kmsg_open(struct scx_kmsg *k, const char *path)
{
	scx_krec_fn fn = k->fn;
	void *arg = k->arg;

	memset(k, 0, sizeof(*k));
	k->fn = fn;
	k->arg = arg;
	k->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	/* Only what the kernel says from now on. */
	if (lseek(k->fd, 0, SEEK_END) < 0) {
		close(k->fd);
		k->fd = -1;
		return -errno;
	}
	return 0;
}

int scx_kmsg_access(const char *path, char *why, size_t len)
{
	char restrict_[8] = "";
	int fd, err;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	err = errno;
	scx_read_small_at(AT_FDCWD, "/proc/sys/kernel/dmesg_restrict", 0, restrict_,
			  sizeof(restrict_));
	/* devkmsg_open(): dmesg_restrict lets only CAP_SYSLOG read. */
	if (err == EPERM && restrict_[0] == '1')
		snprintf(why, len, "%s: kernel.dmesg_restrict is 1 and this process lacks CAP_SYSLOG (add CAP_SYSLOG, or set kernel.dmesg_restrict=0)",
			 path);
	else if (err == EPERM)
		snprintf(why, len, "%s: %s (printk.devkmsg=off, or a security module)", path,
			 strerror(err));
	else if (err == EACCES)
		snprintf(why, len, "%s: its mode does not let uid %d read it (chmod o+r %s, or CAP_DAC_READ_SEARCH)",
			 path, (int)geteuid(), path);
	else
		snprintf(why, len, "%s: %s", path, strerror(err));
	return -err;
}

void scx_kmsg_close(struct scx_kmsg *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

static void kmsg_add(struct scx_kmsg *k, const char *msg, size_t n)
{
	if (k->len + n + 2 > sizeof(k->lines)) {
		k->truncated = true;
		return;
	}
	memcpy(k->lines + k->len, msg, n);
	k->len += n;
	k->lines[k->len++] = '\n';
	k->lines[k->len] = '\0';
}

int scx_krec_parse(char *line, struct scx_krec *rec)
{
	unsigned int prio;
	char *semi;

	memset(rec, 0, sizeof(*rec));
	semi = strchr(line, ';');
	if (!semi || sscanf(line, "%u,%llu,%llu,", &prio, &rec->seq, &rec->ts_us) != 3) {
		rec->msg = line;
		return line[0] ? 0 : -EINVAL;
	}
	rec->facility = prio >> 3;
	rec->level = prio & 7;
	rec->msg = semi + 1;
	return 0;
}

/*
 * Records look like "6,1234,5678901,-;sched_ext: ...\n" followed by
 * continuation lines starting with a space.  /dev/kmsg hands out one
 * record per read(); a plain file (self-tests) hands out many.
 */
int scx_kmsg_collect(struct scx_kmsg *k)
{
	char buf[8192], *line, *next, *nl;
	int added = 0, tries = 0;
	struct scx_krec rec;
	ssize_t n;

	if (k->fd < 0)
		return 0;
	while (tries++ < KMSG_READS_MAX) {
		n = read(k->fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten while we slept */
			continue;
		if (n <= 0)
			break;
		buf[n] = '\0';
		for (line = buf; line && *line; line = next) {
			nl = strchr(line, '\n');
			if (!nl && n == (ssize_t)sizeof(buf) - 1) {
				/* A partial line of a plain file: re-read it next time. */
				lseek(k->fd, -(off_t)strlen(line), SEEK_CUR);
				break;
			}
			next = nl ? nl + 1 : NULL;
			if (nl)
				*nl = '\0';
			if (*line == ' ' || scx_krec_parse(line, &rec))
				continue;
			if (k->fn)
				k->fn(k->arg, &rec);
			if (strstr(rec.msg, "sched_ext")) {
				kmsg_add(k, rec.msg, strlen(rec.msg));
				added++;
			}
		}
	}
	return added;
}

enum scx_kline scx_kline_parse(const char *msg, char *reason, size_t len, bool *error)
{
	const char *p, *q;

	p = strstr(msg, SCHED_QUOTE);
	if (!p)
		return SCX_KLINE_OTHER;
	p = strchr(p + strlen(SCHED_QUOTE), '"');
	if (!p)
		return SCX_KLINE_OTHER;
	if (scx_after(p, "\" enabled"))
		return SCX_KLINE_ENABLED;
	p = scx_after(p, "\" disabled (");
	if (!p)
		return SCX_KLINE_OTHER;
	q = strrchr(p, ')');
	if (!q)
		q = p + strlen(p);
	if (reason && len)
		snprintf(reason, len, "%.*s", (int)(q - p), p);
	/* Unregistration is the orderly way out; everything else is not. */
	if (error)
		*error = !scx_after(p, "unregistered from");
	return SCX_KLINE_DISABLED;
}

/* Copy the next line of @*p into @one and step past it; false at the end. */
static bool next_line(const char **p, char *one, size_t len)
{
	size_t n;

	if (!**p)
		return false;
	n = strcspn(*p, "\n");
	snprintf(one, len, "%.*s", (int)n, *p);
	*p += n + ((*p)[n] == '\n');
	return true;
}

int scx_kmsg_count(const struct scx_kmsg *k, enum scx_kline kind)
{
	const char *p = k->lines;
	char one[512];
	int n = 0;

	while (next_line(&p, one, sizeof(one)))
		n += scx_kline_parse(one, NULL, 0, NULL) == kind;
	return n;
}

int scx_kmsg_enabled_before(const struct scx_kmsg *k, int nth)
{
	const char *p = k->lines;
	int enabled = 0, disabled = 0;
	enum scx_kline kind;
	char one[512];

	while (next_line(&p, one, sizeof(one))) {
		kind = scx_kline_parse(one, NULL, 0, NULL);
		if (kind == SCX_KLINE_DISABLED && ++disabled == nth)
			break;
		enabled += kind == SCX_KLINE_ENABLED;
	}
	return enabled;
}

bool scx_kmsg_saw(const struct scx_kmsg *k, enum scx_kline kind)
{
	return scx_kmsg_count(k, kind) > 0;
}

bool scx_kmsg_error_for(const struct scx_kmsg *k, const char *ops)
{
	const char *p = k->lines, *name;
	size_t olen = ops ? strlen(ops) : 0;
	char one[512];
	bool err;

	while (next_line(&p, one, sizeof(one))) {
		if (scx_kline_parse(one, NULL, 0, &err) != SCX_KLINE_DISABLED || !err)
			continue;
		name = strstr(one, SCHED_QUOTE) + strlen(SCHED_QUOTE);
		if (!olen || !strncmp(name, ops, olen))
			return true;
	}
	return false;
}

bool scx_kmsg_reason_nth(const struct scx_kmsg *k, int nth, char *reason, size_t len,
			 bool *error)
{
	const char *p = k->lines, *after = NULL, *m;
	char one[512], why[SCX_REASON_LEN];
	bool found = false, err = false;
	int n = 0;

	while (next_line(&p, one, sizeof(one))) {
		if (scx_kline_parse(one, why, sizeof(why), &err) != SCX_KLINE_DISABLED)
			continue;
		found = true;
		*error = err;
		snprintf(reason, len, "%s", why);
		after = p;
		if (++n == nth)
			break;
	}
	if (nth > 0 && n < nth)
		return false;
	/* "sched_ext: NAME: message" right after it says what the BPF side said. */
	if (found && after && next_line(&after, one, sizeof(one)) &&
	    scx_kline_parse(one, NULL, 0, NULL) == SCX_KLINE_OTHER && strlen(reason) + 3 < len) {
		m = strstr(one, ": ");
		m = m ? strstr(m + 2, ": ") : NULL;
		if (m)
			snprintf(reason + strlen(reason), len - strlen(reason), ": %s", m + 2);
	}
	return found;
}

bool scx_kmsg_reason(const struct scx_kmsg *k, char *reason, size_t len, bool *error)
{
	return scx_kmsg_reason_nth(k, 0, reason, len, error);
}
