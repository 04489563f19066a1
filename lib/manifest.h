/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: a manifest, many schedulers in one run.
 *
 * One scheduler per line: a name, then key=value pairs; '#' starts a
 * comment, blank lines are ignored, a value with spaces goes in double
 * quotes (\" and \\ inside them).  For example:
 *
 *	# name    what to run, and what it must do
 *	rusty     bin=/usr/bin/scx_rusty args="--slice-us 5000" ops=rusty
 *	qmap_err  bin=scx_qmap args="-e 100" ops=qmap expect=ejected hold=8s
 *	lavd      bin=scx_lavd ops=lavd xfail=7.2*:died_before_attach
 *
 * Keys: bin (required; relative to the manifest's directory unless
 * absolute), args, ops (expected ops name prefix), expect (a verdict key,
 * default attached), the windows gate, timeout, wall, hold (1500, 1500ms,
 * 2s), stress (seconds held under the stress load), repeat
 * (cycles), hotplug (1: offline and online a CPU while it holds), and
 * xfail=GLOB:VERDICT (repeatable): on kernels whose release (uname -r)
 * matches GLOB, that verdict is a known failure.
 *
 * Machine shapes (SCX_ATTACH_TOPOLOGY: "NAME NnLlCcTt" or "NnLlCcTt", as
 * vm/run-vm.sh sets it in the guest): xfail=GLOB@SHAPE:VERDICT is a known
 * failure only on shapes that SHAPE (a glob over the name or the NnLlCcTt)
 * matches, and topology=SHAPE[,SHAPE...] runs the line only on such
 * shapes (a SKIP elsewhere, and where the shape is not known).
 *
 * Hierarchies: parent=NAME makes the line a child scheduler beneath the
 * line NAME (chains to the kernel's depth: the root and
 * SCX_MANIFEST_DEPTH_MAX levels below).  A child's args= must hold
 * {cgroup}, the private cgroup it attaches on; its expect= and xfail= name
 * a child's verdicts (scx_sub_outcome_key()), and stress, repeat and
 * hotplug are not for it.  tree=PROG instead of bin= runs a program of the
 * suite's own build (next to the test binary): on each kernel of the
 * matrix, the one built from that kernel's tree.
 */
#ifndef __SCX_ATTACH_MANIFEST_H
#define __SCX_ATTACH_MANIFEST_H

#include "config.h"
#include "sub.h"

#define SCX_MANIFEST_LINE_MAX	1024
#define SCX_MANIFEST_MAX	256	/* entries */
#define SCX_MANIFEST_NAME_MAX	48
#define SCX_MANIFEST_XFAIL_MAX	8
#define SCX_SHAPE_ENV		"SCX_ATTACH_TOPOLOGY"
/* Levels below the root: the kernel refuses level SCX_SUB_MAX_DEPTH. */
#define SCX_MANIFEST_DEPTH_MAX	(SCX_SUB_MAX_DEPTH - 1)

struct scx_xfail {
	char glob[64];		/* fnmatch() pattern on the kernel release */
	char shape[64];		/* fnmatch() pattern on the machine shape; "" any */
	int verdict;		/* enum scx_verdict */
};

struct scx_mentry {
	char name[SCX_MANIFEST_NAME_MAX + 1];
	char bin[PATH_MAX];	/* "" with tree= */
	char tree[SCX_MANIFEST_NAME_MAX + 1];	/* tree=: a program next to the test binary */
	char args[SCX_MANIFEST_LINE_MAX];
	char ops[SCX_OPS_LEN];
	int expect;		/* enum scx_verdict; a child's: enum scx_sub_outcome */
	unsigned int gate_ms, attach_ms, wall_ms, hold_ms;	/* 0: the run's */
	unsigned int stress_s, repeat;				/* 0: the run's */
	int hotplug;		/* -1: the run's; 0 or 1 */
	struct scx_xfail xfail[SCX_MANIFEST_XFAIL_MAX];
	int nr_xfail;
	char topology[256];	/* topology=: shape globs, comma-separated; "" all */
	char parent_name[SCX_MANIFEST_NAME_MAX + 1];	/* parent=; "" at the root */
	int parent;		/* the parent's index in the manifest; -1: at the root */
	int depth;		/* levels below the root scheduler */
	int line;
};

struct scx_manifest {
	char path[PATH_MAX];
	struct scx_mentry *e;
	int n;
};

/*
 * Read and check the whole manifest at @path.  Any error stops it, with
 * "FILE:LINE: what is wrong, what to do" in @err; nothing is half loaded.
 */
int scx_manifest_load(struct scx_manifest *m, const char *path, char *err, size_t errlen);
void scx_manifest_free(struct scx_manifest *m);

/* The known-failure verdict of @e on kernel @release, or -1. */
int scx_mentry_xfail(const struct scx_mentry *e, const char *release);
/* The same on machine shape @shape (SCX_ATTACH_TOPOLOGY's value; NULL: unknown). */
int scx_mentry_xfail_shape(const struct scx_mentry *e, const char *release, const char *shape);
/* Does @e run on machine shape @shape (NULL: unknown)? */
bool scx_mentry_on_shape(const struct scx_mentry *e, const char *shape);

#endif /* __SCX_ATTACH_MANIFEST_H */
