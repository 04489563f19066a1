// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: a manifest, many schedulers in one run.  See manifest.h.
 */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "manifest.h"
#include "verdict.h"

#define KEYS	"bin tree args ops expect gate timeout wall hold stress repeat hotplug xfail topology parent"
#define CGROUP_MARK	"{cgroup}"

struct mparse {
	const char *file;
	int line;
	char *err;
	size_t errlen;
	bool child;	/* the line has parent=: its verdicts are a child's */
};

static int perr(const struct mparse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int perr(const struct mparse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%d: ", p->file, p->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Next token of @*s: a bare word up to whitespace, with one double-quoted
 * stretch allowed after '=' (key="a b").  Unquoted in place.  NULL at the
 * end of the line; -EINVAL through @ret for an unterminated quote.
 */
static char *next_token(char **s, int *ret)
{
	char *p = *s, *tok, *out;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#')
		return NULL;
	tok = out = p;
	while (*p && !isspace((unsigned char)*p)) {
		if (*p != '"') {
			*out++ = *p++;
			continue;
		}
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			*out++ = *p;
		}
		if (*p != '"') {
			*ret = -EINVAL;
			return NULL;
		}
		p++;
	}
	if (*p)
		p++;
	*out = '\0';
	*s = p;
	return tok;
}

static bool valid_name(const char *s)
{
	size_t i;

	if (!isalnum((unsigned char)s[0]) && s[0] != '_')
		return false;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return i <= SCX_MANIFEST_NAME_MAX;
}

static int set_str(const struct mparse *p, char *dst, size_t len, const char *key, const char *v)
{
	if (strlen(v) >= len)
		return perr(p, "%s is longer than %zu bytes", key, len - 1);
	strcpy(dst, v);
	return 0;
}

static int set_window(const struct mparse *p, unsigned int *ms, const char *key, const char *v)
{
	if (scx_parse_ms(v, ms))
		return perr(p, "%s=\"%.40s\" is not a window: use a positive number of ms, e.g. 1500, 1500ms or 2s",
			    key, v);
	return 0;
}

/* A verdict key: a root scheduler's, or for a child (parent=) a child's. */
static const char *verdict_key(bool child, int v)
{
	return child ? scx_sub_outcome_key(v) : scx_verdict_key(v);
}

static int set_verdict(const struct mparse *p, int *dst, const char *key, const char *v)
{
	int i, n = p->child ? SCX_SUB_NR : SCX_V_NR;

	*dst = p->child ? scx_sub_outcome_from_key(v) : scx_verdict_from_key(v);
	if (*dst >= 0)
		return 0;
	perr(p, "%s=%.40s is not a %sverdict; use one of:", key, v, p->child ? "child's " : "");
	for (i = 0; i < n; i++)
		if (strlen(p->err) + strlen(verdict_key(p->child, i)) + 2 < p->errlen)
			strcat(strcat(p->err, " "), verdict_key(p->child, i));
	return -EINVAL;
}

/* A shape glob: a name or NnLlCcTt pattern, no spaces, commas or colons. */
static bool valid_shape_glob(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.*?[]!", *s))
			return false;
	return true;
}

/* KERNEL_GLOB@SHAPE_GLOB: split off the shape; @v keeps the kernel glob. */
static int set_xfail_shape(const struct mparse *p, struct scx_xfail *x, char *v)
{
	char *at = strchr(v, '@');

	x->shape[0] = '\0';
	if (!at)
		return 0;
	*at = '\0';
	if (!*v || !valid_shape_glob(at + 1) || strlen(at + 1) >= sizeof(x->shape))
		return perr(p, "xfail=%.40s@%.40s: use xfail=KERNEL_GLOB@SHAPE_GLOB:VERDICT, e.g. xfail=*@odd-*:died_before_attach (SHAPE_GLOB: a shape name or NnLlCcTt pattern)",
			    v, at + 1);
	strcpy(x->shape, at + 1);
	return 0;
}

/* topology=SHAPE_GLOB[,SHAPE_GLOB...] */
static int set_topology(const struct mparse *p, struct scx_mentry *e, const char *v)
{
	char buf[sizeof(e->topology)], *save = NULL, *g;
	size_t n = strlen(v);

	if (e->topology[0])
		return perr(p, "topology= given twice");
	if (!n || n >= sizeof(buf) || v[0] == ',' || v[n - 1] == ',' || strstr(v, ",,"))
		goto bad;
	strcpy(buf, v);
	for (g = strtok_r(buf, ",", &save); g; g = strtok_r(NULL, ",", &save))
		if (!valid_shape_glob(g))
			goto bad;
	strcpy(e->topology, v);
	return 0;
bad:
	return perr(p, "topology=%.60s: use topology=SHAPE_GLOB[,SHAPE_GLOB...], e.g. topology=smt-*,2n*",
		    v);
}

static int set_xfail(const struct mparse *p, struct scx_mentry *e, char *v)
{
	char *colon = strrchr(v, ':');
	struct scx_xfail *x;

	if (e->nr_xfail == SCX_MANIFEST_XFAIL_MAX)
		return perr(p, "more than %d xfail= keys", SCX_MANIFEST_XFAIL_MAX);
	if (!colon || colon == v || !colon[1])
		return perr(p, "xfail=%.60s: use xfail=KERNEL_GLOB:VERDICT, e.g. xfail=7.2*:died_before_attach",
			    v);
	*colon = '\0';
	x = &e->xfail[e->nr_xfail];
	if (set_xfail_shape(p, x, v) ||
	    set_str(p, x->glob, sizeof(x->glob), "the xfail kernel glob", v) ||
	    set_verdict(p, &x->verdict, "xfail", colon + 1))
		return -EINVAL;
	e->nr_xfail++;
	return 0;
}

/* tree=PROG: a program name, found next to the test binary. */
static int set_tree(const struct mparse *p, struct scx_mentry *e, const char *v)
{
	if (!valid_name(v))
		return perr(p, "tree=%.60s: name a program of the suite's build, e.g. tree=scx_qmap",
			    v);
	return set_str(p, e->tree, sizeof(e->tree), "tree", v);
}

static int set_key(const struct mparse *p, struct scx_mentry *e, char *key, char *v)
{
	/*
	 * A CPU change exits a root without cpu_offline (7.3) and its children
	 * with it: the levels between the root and the child are not started
	 * again, so the child could not be judged after it.
	 */
	if (p->child && !strcmp(key, "hotplug"))
		return perr(p, "hotplug= is not for a child (parent=): the kernel may exit the root for the CPU change, and the levels above the child with it; test hotplug on the root's line, or the fixed sub tests (--only sub --hotplug)");
	if (!strcmp(key, "bin"))
		return set_str(p, e->bin, sizeof(e->bin), key, v);
	if (!strcmp(key, "tree"))
		return set_tree(p, e, v);
	if (!strcmp(key, "parent")) {
		if (e->parent_name[0])
			return perr(p, "parent= given twice");
		if (!valid_name(v))
			return perr(p, "parent=%.60s: name another line of this manifest", v);
		strcpy(e->parent_name, v);
		return 0;
	}
	if (!strcmp(key, "args"))
		return set_str(p, e->args, sizeof(e->args), key, v);
	if (!strcmp(key, "ops"))
		return set_str(p, e->ops, sizeof(e->ops), key, v);
	if (!strcmp(key, "expect"))
		return set_verdict(p, &e->expect, key, v);
	if (!strcmp(key, "gate"))
		return set_window(p, &e->gate_ms, key, v);
	if (!strcmp(key, "timeout"))
		return set_window(p, &e->attach_ms, key, v);
	if (!strcmp(key, "wall"))
		return set_window(p, &e->wall_ms, key, v);
	if (!strcmp(key, "hold"))
		return set_window(p, &e->hold_ms, key, v);
	if (!strcmp(key, "stress")) {
		if (scx_parse_count(v, SCX_STRESS_MAX_S, &e->stress_s))
			return perr(p, "stress=%.40s: use seconds, 1 to %d", v, SCX_STRESS_MAX_S);
		return 0;
	}
	if (!strcmp(key, "repeat")) {
		if (scx_parse_count(v, SCX_REPEAT_MAX, &e->repeat))
			return perr(p, "repeat=%.40s: use a count from 1 to %d", v, SCX_REPEAT_MAX);
		return 0;
	}
	if (!strcmp(key, "hotplug")) {
		if (strcmp(v, "0") && strcmp(v, "1"))
			return perr(p, "hotplug=%.40s: use 1 or 0", v);
		e->hotplug = *v == '1';
		return 0;
	}
	if (!strcmp(key, "xfail"))
		return set_xfail(p, e, v);
	if (!strcmp(key, "topology"))
		return set_topology(p, e, v);
	return perr(p, "unknown key \"%.40s\"; the keys are: " KEYS, key);
}

/* Make a relative bin= path relative to the manifest's own directory. */
static int resolve_bin(const struct mparse *p, struct scx_mentry *e, const char *dir)
{
	char path[PATH_MAX];

	if (!e->bin[0] || e->bin[0] == '/')
		return 0;
	if (snprintf(path, sizeof(path), "%s/%s", dir, e->bin) >= (int)sizeof(path))
		return perr(p, "bin=%.60s: path too long", e->bin);
	strcpy(e->bin, path);
	return 0;
}

static int parse_line(struct mparse *p, char *s, struct scx_mentry *e, const char *dir)
{
	char *toks[SCX_MANIFEST_LINE_MAX / 2 + 1], *tok, *eq;
	bool seen_expect = false;
	int i, n = 0, ret = 0;

	memset(e, 0, sizeof(*e));
	e->expect = SCX_V_ATTACHED;
	e->hotplug = -1;
	e->parent = -1;
	e->line = p->line;
	tok = next_token(&s, &ret);
	if (!tok)
		return ret ? perr(p, "unterminated \"") : 1;
	if (strchr(tok, '='))
		return perr(p, "\"%.40s\": a line starts with the test's name, then key=value pairs",
			    tok);
	if (!valid_name(tok))
		return perr(p, "name \"%.60s\": use up to %d letters, digits, '_' and '-' (it becomes the KTAP name scx.NAME.verdict)",
			    tok, SCX_MANIFEST_NAME_MAX);
	strcpy(e->name, tok);
	/* The whole line first: parent= decides which verdicts the others name. */
	while (n < (int)ARRAY_SIZE(toks) && (tok = next_token(&s, &ret)))
		toks[n++] = tok;
	if (ret)
		return perr(p, "unterminated \"");
	p->child = false;
	for (i = 0; i < n; i++)
		if (!strncmp(toks[i], "parent=", 7))
			p->child = true;
	e->expect = p->child ? SCX_SUB_ATTACHED : SCX_V_ATTACHED;
	for (i = 0; i < n; i++) {
		tok = toks[i];
		eq = strchr(tok, '=');
		if (!eq || eq == tok)
			return perr(p, "\"%.40s\" is not key=value", tok);
		*eq = '\0';
		if (!strcmp(tok, "expect")) {
			if (seen_expect)
				return perr(p, "expect= given twice");
			seen_expect = true;
		}
		ret = set_key(p, e, tok, eq + 1);
		if (ret)
			return ret;
	}
	if (!e->bin[0] && !e->tree[0])
		return perr(p, "%s has no bin=: name the scheduler binary to run (or tree=PROG for one of the suite's build)",
			    e->name);
	if (e->bin[0] && e->tree[0])
		return perr(p, "%s has both bin= and tree=: name one program", e->name);
	if (p->child && !strstr(e->args, CGROUP_MARK))
		return perr(p, "%s has parent= but no " CGROUP_MARK " in args=: a child attaches on the private cgroup " CGROUP_MARK " names, e.g. args=\"-c " CGROUP_MARK "\"",
			    e->name);
	if (!p->child && strstr(e->args, CGROUP_MARK))
		return perr(p, "%s has " CGROUP_MARK " in args= but no parent=: only a child gets a cgroup",
			    e->name);
	/* After the whole line: expect= may come after xfail=. */
	for (ret = 0; ret < e->nr_xfail; ret++)
		if (e->xfail[ret].verdict == e->expect)
			return perr(p, "xfail=%s:%s names the expected verdict: that is not a failure",
				    e->xfail[ret].glob, verdict_key(p->child, e->expect));
	return resolve_bin(p, e, dir);
}

/*
 * parent= names another line; each chain ends at a line without one, no
 * deeper than the kernel nests; a parent must attach.  The error is at the
 * child's line.
 */
static int link_parents(struct mparse *p, struct scx_manifest *m)
{
	struct scx_mentry *e, *a;
	int i, j, depth;

	for (i = 0; i < m->n; i++) {
		e = &m->e[i];
		if (!e->parent_name[0])
			continue;
		p->line = e->line;
		for (j = 0; j < m->n && strcmp(m->e[j].name, e->parent_name); j++)
			;
		if (j == m->n)
			return perr(p, "parent=%s: no line of this manifest is named %s", e->parent_name,
				    e->parent_name);
		e->parent = j;
		if (m->e[j].expect != (m->e[j].parent_name[0] ? SCX_SUB_ATTACHED : SCX_V_ATTACHED))
			return perr(p, "parent=%s: %s expects %s, and a parent must attach",
				    e->parent_name, e->parent_name,
				    verdict_key(m->e[j].parent_name[0], m->e[j].expect));
	}
	for (i = 0; i < m->n; i++) {
		e = &m->e[i];
		p->line = e->line;
		for (a = e, depth = 0; a->parent >= 0; a = &m->e[a->parent]) {
			if (++depth > m->n)
				return perr(p, "%s: parent= goes round in a cycle (%s -> %s -> ...): a chain must end at a line without parent=",
					    e->name, e->name, e->parent_name);
		}
		e->depth = depth;
	}
	for (i = 0; i < m->n; i++) {
		e = &m->e[i];
		p->line = e->line;
		if (e->depth > SCX_MANIFEST_DEPTH_MAX)
			return perr(p, "%s is %d levels below the root scheduler; the kernel nests %d at most (SCX_SUB_MAX_DEPTH %d: the root and %d below)",
				    e->name, e->depth, SCX_MANIFEST_DEPTH_MAX, SCX_SUB_MAX_DEPTH,
				    SCX_MANIFEST_DEPTH_MAX);
	}
	return 0;
}

int scx_manifest_load(struct scx_manifest *m, const char *path, char *err, size_t errlen)
{
	struct mparse p = { .file = path, .err = err, .errlen = errlen };
	char line[SCX_MANIFEST_LINE_MAX + 2], dir[PATH_MAX], *slash;
	struct scx_mentry e;
	struct stat st;
	int i, ret = 0;
	FILE *f;

	memset(m, 0, sizeof(*m));
	snprintf(m->path, sizeof(m->path), "%s", path);
	if (!realpath(path, dir) || stat(dir, &st)) {
		ret = -errno;
		snprintf(err, errlen, "manifest %s: %s", path, strerror(-ret));
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "manifest %s is not a regular file", path);
		return -EINVAL;
	}
	slash = strrchr(dir, '/');
	*(slash == dir ? slash + 1 : slash) = '\0';
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "manifest %s: %s", path, strerror(-ret));
		return ret;
	}
	m->e = calloc(SCX_MANIFEST_MAX, sizeof(*m->e));
	if (!m->e) {
		fclose(f);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f)) {
		p.line++;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = perr(&p, "line longer than %d bytes", SCX_MANIFEST_LINE_MAX);
			break;
		}
		if (strlen(line) > SCX_MANIFEST_LINE_MAX + (strchr(line, '\n') != NULL)) {
			ret = perr(&p, "line longer than %d bytes", SCX_MANIFEST_LINE_MAX);
			break;
		}
		ret = parse_line(&p, line, &e, dir);
		if (ret > 0) {
			ret = 0;
			continue;
		}
		if (ret)
			break;
		for (i = 0; i < m->n; i++)
			if (!strcmp(m->e[i].name, e.name))
				break;
		if (i < m->n) {
			ret = perr(&p, "duplicate name %s (first on line %d): names must be unique",
				   e.name, m->e[i].line);
			break;
		}
		if (m->n == SCX_MANIFEST_MAX) {
			ret = perr(&p, "more than %d schedulers", SCX_MANIFEST_MAX);
			break;
		}
		m->e[m->n++] = e;
	}
	if (!ret && !ferror(f))
		ret = link_parents(&p, m);
	if (!ret && ferror(f)) {
		snprintf(err, errlen, "manifest %s: read error", path);
		ret = -EIO;
	}
	fclose(f);
	if (ret)
		scx_manifest_free(m);
	return ret;
}

void scx_manifest_free(struct scx_manifest *m)
{
	free(m->e);
	m->e = NULL;
	m->n = 0;
}

int scx_mentry_xfail(const struct scx_mentry *e, const char *release)
{
	return scx_mentry_xfail_shape(e, release, NULL);
}

/* Does @glob match a word of @shape ("NAME NnLlCcTt" or "NnLlCcTt")? */
static bool shape_matches(const char *glob, const char *shape)
{
	char word[128];
	size_t n;

	while (shape && *shape) {
		shape += strspn(shape, " ");
		n = strcspn(shape, " ");
		if (n && n < sizeof(word)) {
			memcpy(word, shape, n);
			word[n] = '\0';
			if (!fnmatch(glob, word, 0))
				return true;
		}
		shape += n;
	}
	return false;
}

int scx_mentry_xfail_shape(const struct scx_mentry *e, const char *release, const char *shape)
{
	int i;

	for (i = 0; i < e->nr_xfail; i++)
		if (!fnmatch(e->xfail[i].glob, release, 0) &&
		    (!e->xfail[i].shape[0] || shape_matches(e->xfail[i].shape, shape)))
			return e->xfail[i].verdict;
	return -1;
}

bool scx_mentry_on_shape(const struct scx_mentry *e, const char *shape)
{
	char buf[sizeof(e->topology)], *save = NULL, *g;

	if (!e->topology[0])
		return true;
	strcpy(buf, e->topology);
	for (g = strtok_r(buf, ",", &save); g; g = strtok_r(NULL, ",", &save))
		if (shape_matches(g, shape))
			return true;
	return false;
}
