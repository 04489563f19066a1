// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: sub-schedulers, as sched_ext's sysfs and kernel log show them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sub.h"

#define SUB_PREFIX	"sub-"

int scx_sub_dir(char *buf, size_t len, const unsigned long long *chain, int depth)
{
	size_t off;
	int i, n;

	if (depth < 0 || depth > SCX_SUB_MAX_DEPTH)
		return -EINVAL;
	n = snprintf(buf, len, "root");
	for (i = 0, off = n; i < depth && n >= 0 && off < len; i++, off += n)
		n = snprintf(buf + off, len - off, "/sub/" SUB_PREFIX "%llu", chain[i]);
	return n < 0 || off >= len ? -ENAMETOOLONG : 0;
}

/* "sub-123" -> 123; false for anything else. */
static bool parse_sub_name(const char *name, unsigned long long *cgid)
{
	char *end;

	if (strncmp(name, SUB_PREFIX, strlen(SUB_PREFIX)))
		return false;
	name += strlen(SUB_PREFIX);
	if (*name < '0' || *name > '9')
		return false;
	errno = 0;
	*cgid = strtoull(name, &end, 10);
	return !errno && !*end;
}

/* Its ops, "" while unreadable (the file appears with the directory). */
static void read_ops(int dfd, const char *name, char *ops, size_t len)
{
	char path[NAME_MAX + 8];

	snprintf(path, sizeof(path), "%s/ops", name);
	scx_sysfs_attr(dfd, path, ops, len);
}

int scx_sub_read(int dfd, const char *parent, struct scx_sub_list *l)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int fd;
	DIR *d;

	memset(l, 0, sizeof(*l));
	l->parent = !fstatat(dfd, parent, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode);
	if (!l->parent)
		return 0;
	snprintf(path, sizeof(path), "%s/sub", parent);
	fd = openat(dfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	l->has_sub = true;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)) && l->n < SCX_SUB_MAX) {
		struct scx_sub_entry *e = &l->e[l->n];

		if (!parse_sub_name(de->d_name, &e->cgid))
			continue;
		read_ops(dirfd(d), de->d_name, e->ops, sizeof(e->ops));
		l->n++;
	}
	closedir(d);
	return 0;
}

static bool listed(const struct scx_sub_list *l, unsigned long long cgid)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->e[i].cgid == cgid)
			return true;
	return false;
}

int scx_sub_find_new(const struct scx_sub_list *before, const struct scx_sub_list *now,
		     const char *expect_ops, unsigned long long cgid)
{
	int i;

	for (i = 0; i < now->n; i++) {
		const struct scx_sub_entry *e = &now->e[i];

		if (cgid && e->cgid != cgid)
			continue;
		/* Its ops file appears with it, but may read empty a moment. */
		if (!e->ops[0] || !scx_ops_match(e->ops, expect_ops))
			continue;
		if (!listed(before, e->cgid))
			return i;
	}
	return -1;
}

bool scx_sub_present(const struct scx_sub_list *l, unsigned long long cgid,
		     const char *expect_ops)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->e[i].cgid == cgid)
			return l->e[i].ops[0] && scx_ops_match(l->e[i].ops, expect_ops);
	return false;
}

/* Copy what lies between the quotes after @p into @name. */
static const char *quoted(const char *p, char *name, size_t nlen)
{
	const char *end = strchr(p, '"');
	size_t n;

	if (!end)
		return NULL;
	n = scx_min((size_t)(end - p), nlen ? nlen - 1 : 0);
	if (nlen) {
		memcpy(name, p, n);
		name[n] = '\0';
	}
	return end + 1;
}

enum scx_sub_kline scx_sub_kline_parse(const char *msg, char *name, size_t nlen, char *reason,
				       size_t rlen)
{
	static const char tag[] = "BPF sub-scheduler \"";
	const char *p = strstr(msg, tag), *open, *close;
	size_t n;

	if (rlen)
		reason[0] = '\0';
	if (p)
		p = quoted(p + strlen(tag), name, nlen);
	if (!p)
		return SCX_SUB_KLINE_OTHER;
	if (!strncmp(p, " enabled", 8))
		return SCX_SUB_KLINE_ENABLED;
	if (strncmp(p, " disabled", 9))
		return SCX_SUB_KLINE_OTHER;
	open = strchr(p, '(');
	close = open ? strrchr(open, ')') : NULL;
	if (open && close && rlen) {
		n = scx_min((size_t)(close - open - 1), rlen - 1);
		memcpy(reason, open + 1, n);
		reason[n] = '\0';
	}
	return SCX_SUB_KLINE_DISABLED;
}

enum scx_sub_cause scx_sub_cause_of(const char *reason, const char *msg)
{
	if (!reason || !*reason)
		return SCX_SUB_CAUSE_NONE;
	if (!strcmp(reason, "parent exiting"))
		return SCX_SUB_CAUSE_PARENT_EXIT;
	if (!strcmp(reason, "killed by parent scheduler"))
		return SCX_SUB_CAUSE_KILLED;
	if (!strcmp(reason, "unregistered from user space") ||
	    !strcmp(reason, "unregistered from BPF"))
		return SCX_SUB_CAUSE_UNREG;
	if (!strcmp(reason, "unregistered from the main kernel"))
		return SCX_SUB_CAUSE_KERN;
	/* scx_error()s of the attach path: "runtime error" and its message. */
	if (msg && strstr(msg, "parent rejected"))
		return SCX_SUB_CAUSE_REJECTED;
	if (msg && strstr(msg, "max nesting depth"))
		return SCX_SUB_CAUSE_TOO_DEEP;
	return SCX_SUB_CAUSE_ERROR;
}

static const char *const cause_names[] = {
	[SCX_SUB_CAUSE_NONE] = "none",
	[SCX_SUB_CAUSE_UNREG] = "unregistered by its loader",
	/* For a child, the kernel does that only as its cgroup goes offline. */
	[SCX_SUB_CAUSE_KERN] = "its cgroup went offline (removed): the kernel unregistered it",
	[SCX_SUB_CAUSE_PARENT_EXIT] = "its parent exited",
	[SCX_SUB_CAUSE_KILLED] = "killed by its parent",
	[SCX_SUB_CAUSE_REJECTED] = "its parent refused it in ops.sub_attach",
	[SCX_SUB_CAUSE_TOO_DEEP] = "nested deeper than the kernel allows",
	[SCX_SUB_CAUSE_ERROR] = "its own error",
};

const char *scx_sub_cause_name(enum scx_sub_cause c)
{
	return c < ARRAY_SIZE(cause_names) ? cause_names[c] : "?";
}

enum scx_sub_refusal scx_sub_refusal_of(const char *tail)
{
	if (strstr(tail, "Operation not supported") || strstr(tail, "EOPNOTSUPP") ||
	    strstr(tail, "-95"))
		return SCX_SUB_REFUSED_NO_SUB_ATTACH;
	if (strstr(tail, "Device or resource busy") || strstr(tail, "EBUSY") ||
	    strstr(tail, "-16"))
		return SCX_SUB_REFUSED_BUSY;
	if (strstr(tail, "No such device") || strstr(tail, "ENODEV") || strstr(tail, "-19"))
		return SCX_SUB_REFUSED_NO_ROOT;
	return SCX_SUB_REFUSED_UNKNOWN;
}

static const char *const refusal_hints[] = {
	[SCX_SUB_REFUSED_UNKNOWN] =
		"it exited before the kernel linked it (no sub-<cgroup id> directory, no kernel record): read the fingerprint",
	[SCX_SUB_REFUSED_NO_ROOT] =
		"the kernel refused it before linking (ENODEV): no scheduler was attached at the root when it attached",
	[SCX_SUB_REFUSED_NO_SUB_ATTACH] =
		"the kernel refused it before linking (EOPNOTSUPP): the parent scheduler does not implement ops.sub_attach, so it takes no children",
	[SCX_SUB_REFUSED_BUSY] =
		"the kernel refused it before linking (EBUSY): its cgroup already has a scheduler, or a child of the parent sits below that cgroup",
};

const char *scx_sub_refusal_hint(enum scx_sub_refusal r)
{
	return r < ARRAY_SIZE(refusal_hints) ? refusal_hints[r] : refusal_hints[0];
}

enum scx_sub_outcome scx_sub_classify(const struct scx_sub_obs *o)
{
	bool linked = o->appeared || o->enabled;

	/* Not the child's fault, whatever else was seen. */
	if (o->cause == SCX_SUB_CAUSE_PARENT_EXIT)
		return SCX_SUB_PARENT_GONE;
	if (!o->parent_alive || !o->parent_attached)
		return SCX_SUB_PARENT_BROKE;
	if (o->cause == SCX_SUB_CAUSE_REJECTED || o->cause == SCX_SUB_CAUSE_TOO_DEEP)
		return SCX_SUB_REJECTED;
	if (o->enabled && o->present && !o->exited && o->cause == SCX_SUB_CAUSE_NONE)
		return SCX_SUB_ATTACHED;
	if (o->enabled && o->cause != SCX_SUB_CAUSE_NONE && o->cause != SCX_SUB_CAUSE_UNREG)
		return SCX_SUB_EJECTED;
	if (o->enabled && o->exited)
		return SCX_SUB_DIED;
	/* Torn down after the link, before "enabled": the attach call said 0. */
	if (linked && o->cause != SCX_SUB_CAUSE_NONE)
		return SCX_SUB_REJECTED;
	if (!o->enabled && o->cause != SCX_SUB_CAUSE_NONE && o->cause != SCX_SUB_CAUSE_UNREG)
		return SCX_SUB_REJECTED;
	if (o->exited)
		return linked ? SCX_SUB_REJECTED : SCX_SUB_REFUSED;
	return SCX_SUB_WAITING;
}

static const char *const outcome_names[] = {
	[SCX_SUB_WAITING] = "waiting",
	[SCX_SUB_ATTACHED] = "attached",
	[SCX_SUB_REFUSED] = "refused before it linked",
	[SCX_SUB_REJECTED] = "rejected after it linked",
	[SCX_SUB_EJECTED] = "ejected after attach",
	[SCX_SUB_PARENT_GONE] = "taken down: its parent exited",
	[SCX_SUB_DIED] = "died after attach",
	[SCX_SUB_PARENT_BROKE] = "its parent died or was ejected",
	[SCX_SUB_STARVED] = "attached, but did not run the tasks of its cgroup",
};

const char *scx_sub_outcome_name(enum scx_sub_outcome o)
{
	return o < ARRAY_SIZE(outcome_names) ? outcome_names[o] : "?";
}

static const char *const outcome_keys[] = {
	[SCX_SUB_WAITING] = "timeout",
	[SCX_SUB_ATTACHED] = "attached",
	[SCX_SUB_REFUSED] = "refused",
	[SCX_SUB_REJECTED] = "rejected",
	[SCX_SUB_EJECTED] = "ejected",
	[SCX_SUB_PARENT_GONE] = "parent_exited",
	[SCX_SUB_DIED] = "died_after_attach",
	[SCX_SUB_PARENT_BROKE] = "parent_broke",
	[SCX_SUB_STARVED] = "starved",
};

const char *scx_sub_outcome_key(enum scx_sub_outcome o)
{
	return o < ARRAY_SIZE(outcome_keys) ? outcome_keys[o] : "?";
}

int scx_sub_outcome_from_key(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(outcome_keys); i++)
		if (!strcmp(outcome_keys[i], key))
			return i;
	return -1;
}

int scx_sub_kernel_has(const char *kallsyms)
{
	char line[512], *sym;
	int ret = 0;
	FILE *f;

	f = fopen(kallsyms, "re");
	if (!f)
		return -errno;
	/* "ADDR TYPE NAME [MODULE]": the sub-scheduler attach path's work function. */
	while (!ret && fgets(line, sizeof(line), f)) {
		sym = strchr(line, ' ');
		sym = sym ? strchr(sym + 1, ' ') : NULL;
		if (sym && !strncmp(sym + 1, "scx_sub_enable_workfn", 21) &&
		    (sym[22] == '\n' || sym[22] == '\t' || sym[22] == ' ' || !sym[22]))
			ret = 1;
	}
	if (!ret && ferror(f))
		ret = -EIO;
	fclose(f);
	return ret;
}

enum scx_sub_pfate scx_sub_pfate_of(const struct scx_sub_pobs *p)
{
	bool said = p->reason && *p->reason;

	/* The kernel's word first: an error, or the kernel unregistering it. */
	if (said && (strncmp(p->reason, "unregistered from", 17) ||
		     !strcmp(p->reason, "unregistered from the main kernel")))
		return SCX_SUB_PFATE_EJECTED;
	if (p->killed)
		return SCX_SUB_PFATE_DIED;
	if (said || !p->alive)
		return SCX_SUB_PFATE_LEFT;
	return p->attached ? SCX_SUB_PFATE_INTACT : SCX_SUB_PFATE_GONE;
}

static const char *const pfate_names[][2] = {
	[SCX_SUB_PFATE_INTACT] = { "intact", "alive and attached" },
	[SCX_SUB_PFATE_EJECTED] = { "ejected", "ejected by the kernel" },
	[SCX_SUB_PFATE_DIED] = { "died", "its loader was killed" },
	[SCX_SUB_PFATE_LEFT] = { "left", "its loader detached it or exited" },
	[SCX_SUB_PFATE_GONE] = { "gone", "no longer attached at the root, no kernel record why" },
};

const char *scx_sub_pfate_name(enum scx_sub_pfate f)
{
	return f < ARRAY_SIZE(pfate_names) ? pfate_names[f][1] : "?";
}

const char *scx_sub_pfate_key(enum scx_sub_pfate f)
{
	return f < ARRAY_SIZE(pfate_names) ? pfate_names[f][0] : "?";
}
