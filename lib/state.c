// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: what the kernel says — sched_ext's sysfs files and the
 * sched_ext lines of the kernel log.
 *
 * sched_ext (7.x) shows: state (disabled/enabling/enabled/disabling),
 * enable_seq (bumped once per successful enable), and root/ops while a
 * scheduler is loaded.  root/ops appears while still "enabling", so it
 * alone never means attached.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

int scx_sysfs_open(struct scx_sysfs *s, const char *path)
{
	s->dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dfd < 0)
		return -errno;
	snprintf(s->path, sizeof(s->path), "%s", path);
	return 0;
}

void scx_sysfs_close(struct scx_sysfs *s)
{
	if (s->dfd >= 0)
		close(s->dfd);
	s->dfd = -1;
}

/* Read a small attribute, trailing newline stripped.  -errno on failure. */
static int read_attr(int dfd, const char *name, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

static const char *const state_names[] = {
	[SCX_STATE_UNKNOWN] = "unknown",
	[SCX_STATE_DISABLED] = "disabled",
	[SCX_STATE_ENABLING] = "enabling",
	[SCX_STATE_ENABLED] = "enabled",
	[SCX_STATE_DISABLING] = "disabling",
};

const char *scx_state_name(enum scx_state st)
{
	return st <= SCX_STATE_DISABLING ? state_names[st] : "unknown";
}

int scx_sysfs_read(const struct scx_sysfs *s, struct scx_snap *snap)
{
	char buf[64], *end;
	struct stat st;
	int i, ret;

	memset(snap, 0, sizeof(*snap));
	snap->enable_seq = -1;

	ret = read_attr(s->dfd, "state", buf, sizeof(buf));
	if (ret)
		return ret;
	for (i = SCX_STATE_DISABLED; i <= SCX_STATE_DISABLING; i++)
		if (!strcmp(buf, state_names[i]))
			snap->state = i;

	if (!read_attr(s->dfd, "enable_seq", buf, sizeof(buf))) {
		errno = 0;
		snap->enable_seq = strtoll(buf, &end, 10);
		if (errno || *end || end == buf)
			snap->enable_seq = -1;
	}

	snap->root = !fstatat(s->dfd, "root", &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode);
	if (snap->root && read_attr(s->dfd, "root/ops", snap->ops, sizeof(snap->ops)))
		snap->ops[0] = '\0';
	return 0;
}

bool scx_snap_attached(const struct scx_snap *now, const struct scx_snap *before,
		       const char *expect_ops)
{
	if (now->state != SCX_STATE_ENABLED || !now->root || !now->ops[0])
		return false;
	if (now->enable_seq >= 0 && before->enable_seq >= 0 &&
	    now->enable_seq <= before->enable_seq)
		return false;
	return !expect_ops || !*expect_ops ||
	       !strncmp(now->ops, expect_ops, strlen(expect_ops));
}

int scx_kmsg_open(struct scx_kmsg *k, const char *path)
{
	memset(k, 0, sizeof(*k));
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

/*
 * Records look like "6,1234,5678901,-;sched_ext: ...\n" followed by
 * continuation lines starting with a space.  /dev/kmsg hands out one
 * record per read(); a plain file (self-tests) hands out many.
 */
int scx_kmsg_collect(struct scx_kmsg *k)
{
	char buf[8192], *line, *next, *msg, *nl;
	int added = 0, tries = 0;
	ssize_t n;

	if (k->fd < 0)
		return 0;
	while (tries++ < 4096) {
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
			if (*line == ' ')
				continue;
			msg = strchr(line, ';');
			msg = msg ? msg + 1 : line;
			if (strstr(msg, "sched_ext")) {
				kmsg_add(k, msg, strlen(msg));
				added++;
			}
		}
	}
	return added;
}

enum scx_kline scx_kline_parse(const char *msg, char *reason, size_t len, bool *error)
{
	const char *p, *q;

	p = strstr(msg, "BPF scheduler \"");
	if (!p)
		return SCX_KLINE_OTHER;
	p = strchr(p + 15, '"');
	if (!p)
		return SCX_KLINE_OTHER;
	if (!strncmp(p, "\" enabled", 9))
		return SCX_KLINE_ENABLED;
	if (strncmp(p, "\" disabled (", 12))
		return SCX_KLINE_OTHER;
	p += 12;
	q = strrchr(p, ')');
	if (!q)
		q = p + strlen(p);
	if (reason && len)
		snprintf(reason, len, "%.*s", (int)(q - p), p);
	/* Unregistration is the orderly way out; everything else is not. */
	if (error)
		*error = strncmp(p, "unregistered from", 17) != 0;
	return SCX_KLINE_DISABLED;
}

bool scx_kmsg_saw(const struct scx_kmsg *k, enum scx_kline kind)
{
	const char *line = k->lines;
	char one[512];
	size_t n;

	while (*line) {
		n = strcspn(line, "\n");
		snprintf(one, sizeof(one), "%.*s", (int)n, line);
		if (scx_kline_parse(one, NULL, 0, NULL) == kind)
			return true;
		line += n + (line[n] == '\n');
	}
	return false;
}

bool scx_kmsg_reason(const struct scx_kmsg *k, char *reason, size_t len, bool *error)
{
	const char *line = k->lines, *after = NULL;
	char one[512], why[SCX_REASON_LEN];
	bool found = false, err = false;
	size_t n;

	while (*line) {
		n = strcspn(line, "\n");
		snprintf(one, sizeof(one), "%.*s", (int)n, line);
		line += n + (line[n] == '\n');
		if (scx_kline_parse(one, why, sizeof(why), &err) == SCX_KLINE_DISABLED) {
			found = true;
			*error = err;
			snprintf(reason, len, "%s", why);
			after = line;
		}
	}
	/* "sched_ext: NAME: message" right after it says what the BPF side said. */
	if (found && after && *after) {
		n = strcspn(after, "\n");
		snprintf(one, sizeof(one), "%.*s", (int)n, after);
		if (scx_kline_parse(one, NULL, 0, NULL) == SCX_KLINE_OTHER &&
		    strlen(reason) + 3 < len) {
			const char *m = strstr(one, ": ");

			m = m ? strstr(m + 2, ": ") : NULL;
			if (m)
				snprintf(reason + strlen(reason), len - strlen(reason), ": %s", m + 2);
		}
	}
	return found;
}
