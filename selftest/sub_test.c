// SPDX-License-Identifier: GPL-2.0
/*
 * sub_test: sub-schedulers without root.  FIXED INPUTS and a fake sysfs
 * tree laid out as Debian's 7.3.4 showed it (docs/hierarchy.md): the
 * nesting, the kernel's records, and each outcome's classification.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/sub.h"
#include "lib/subload.h"
#include "lib/subwatch.h"

#include "kselftest_harness.h"

static void put(const char *dir, const char *rel, const char *text)
{
	char path[2 * PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "we");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void mk(const char *dir, const char *rel)
{
	char path[2 * PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	mkdir(path, 0755);
}

FIXTURE(fake_scx) {
	char dir[PATH_MAX];
	int dfd;
};

FIXTURE_SETUP(fake_scx)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(self->dir, sizeof(self->dir), "%s/sub_test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	put(self->dir, "state", "enabled\n");
	put(self->dir, "enable_seq", "1\n");
	mk(self->dir, "root");
	put(self->dir, "root/ops", "qmap\n");
	self->dfd = open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->dfd);
}

FIXTURE_TEARDOWN(fake_scx)
{
	char cmd[PATH_MAX + 16];

	close(self->dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

TEST(sub_dir_paths)
{
	unsigned long long chain[] = { 28, 31, 40, 41, 42 };
	char buf[256];

	ASSERT_EQ(0, scx_sub_dir(buf, sizeof(buf), chain, 0));
	EXPECT_STREQ("root", buf);
	ASSERT_EQ(0, scx_sub_dir(buf, sizeof(buf), chain, 1));
	EXPECT_STREQ("root/sub/sub-28", buf);
	ASSERT_EQ(0, scx_sub_dir(buf, sizeof(buf), chain, 2));
	EXPECT_STREQ("root/sub/sub-28/sub/sub-31", buf);
	EXPECT_EQ(-EINVAL, scx_sub_dir(buf, sizeof(buf), chain, SCX_SUB_MAX_DEPTH + 1));
	EXPECT_EQ(-ENAMETOOLONG, scx_sub_dir(buf, 12, chain, 2));
}

/* A parent without ops.sub_attach has no sub/. */
TEST_F(fake_scx, parent_without_sub)
{
	struct scx_sub_list l;

	ASSERT_EQ(0, scx_sub_read(self->dfd, "root", &l));
	EXPECT_TRUE(l.parent);
	EXPECT_FALSE(l.has_sub);
	EXPECT_EQ(0, l.n);
	ASSERT_EQ(0, scx_sub_read(self->dfd, "root/sub/sub-28", &l));
	EXPECT_FALSE(l.parent);
}

/* The new sub-<id> with ops naming it, at each level; others' are not ours. */
TEST_F(fake_scx, new_child_found_at_each_level)
{
	struct scx_sub_list before, now;

	mk(self->dir, "root/sub");
	mk(self->dir, "root/sub/sub-17");
	put(self->dir, "root/sub/sub-17/ops", "other\n");
	ASSERT_EQ(0, scx_sub_read(self->dfd, "root", &before));
	EXPECT_TRUE(before.has_sub);
	EXPECT_EQ(1, before.n);

	/* The directory before its ops reads: not yet. */
	mk(self->dir, "root/sub/sub-28");
	ASSERT_EQ(0, scx_sub_read(self->dfd, "root", &now));
	EXPECT_EQ(-1, scx_sub_find_new(&before, &now, "qmap", 0));
	put(self->dir, "root/sub/sub-28/ops", "qmap\n");
	mk(self->dir, "root/sub/sub-28/sub");
	mk(self->dir, "root/sub/not-a-sub");
	ASSERT_EQ(0, scx_sub_read(self->dfd, "root", &now));
	EXPECT_EQ(2, now.n);
	ASSERT_LE(0, scx_sub_find_new(&before, &now, "qmap", 0));
	EXPECT_EQ(28, now.e[scx_sub_find_new(&before, &now, "qmap", 0)].cgid);
	EXPECT_LE(0, scx_sub_find_new(&before, &now, "qmap", 28));
	EXPECT_EQ(-1, scx_sub_find_new(&before, &now, "qmap", 29));
	EXPECT_EQ(-1, scx_sub_find_new(&before, &now, "other", 0));
	EXPECT_TRUE(scx_sub_present(&now, 28, "qmap"));
	EXPECT_FALSE(scx_sub_present(&now, 28, "fault"));

	/* A grandchild nests under its parent's own sub/. */
	ASSERT_EQ(0, scx_sub_read(self->dfd, "root/sub/sub-28", &before));
	EXPECT_TRUE(before.has_sub);
	mk(self->dir, "root/sub/sub-28/sub/sub-31");
	put(self->dir, "root/sub/sub-28/sub/sub-31/ops", "qmap_1.0.2_gabc\n");
	ASSERT_EQ(0, scx_sub_read(self->dfd, "root/sub/sub-28", &now));
	ASSERT_LE(0, scx_sub_find_new(&before, &now, "qmap", 0));
	EXPECT_EQ(31, now.e[0].cgid);
}

/* The kernel's records as Debian's 7.3.4 printed them. */
TEST(sub_kernel_lines)
{
	char name[64], reason[128];

	EXPECT_EQ(SCX_SUB_KLINE_ENABLED,
		  scx_sub_kline_parse("sched_ext: BPF sub-scheduler \"qmap\" enabled", name,
				      sizeof(name), reason, sizeof(reason)));
	EXPECT_STREQ("qmap", name);
	EXPECT_EQ(SCX_SUB_KLINE_DISABLED,
		  scx_sub_kline_parse("sched_ext: BPF sub-scheduler \"qmap\" disabled (parent exiting)",
				      name, sizeof(name), reason, sizeof(reason)));
	EXPECT_STREQ("parent exiting", reason);
	/* The root's records are not a child's. */
	EXPECT_EQ(SCX_SUB_KLINE_OTHER,
		  scx_sub_kline_parse("sched_ext: BPF scheduler \"qmap\" enabled", name,
				      sizeof(name), reason, sizeof(reason)));
	EXPECT_EQ(SCX_SUB_CAUSE_PARENT_EXIT, scx_sub_cause_of("parent exiting", ""));
	EXPECT_EQ(SCX_SUB_CAUSE_KILLED, scx_sub_cause_of("killed by parent scheduler", ""));
	EXPECT_EQ(SCX_SUB_CAUSE_KERN, scx_sub_cause_of("unregistered from the main kernel", ""));
	EXPECT_EQ(SCX_SUB_CAUSE_UNREG, scx_sub_cause_of("unregistered from user space", ""));
	EXPECT_EQ(SCX_SUB_CAUSE_REJECTED,
		  scx_sub_cause_of("runtime error", "sched_ext: fault: parent rejected (-13)"));
	EXPECT_EQ(SCX_SUB_CAUSE_TOO_DEEP,
		  scx_sub_cause_of("runtime error", "sched_ext: q: max nesting depth 4 violated"));
	EXPECT_EQ(SCX_SUB_CAUSE_ERROR, scx_sub_cause_of("scx_bpf_error", ""));
	EXPECT_EQ(SCX_SUB_CAUSE_NONE, scx_sub_cause_of("", ""));
}

/* A refusal before the link is the loader's errno: which one says why. */
TEST(sub_refusals)
{
	EXPECT_EQ(SCX_SUB_REFUSED_NO_ROOT,
		  scx_sub_refusal_of("[SCX_BUG] scx_qmap.c:446 (No such device)\nFailed to attach struct_ops"));
	EXPECT_EQ(SCX_SUB_REFUSED_BUSY,
		  scx_sub_refusal_of("[SCX_BUG] scx_qmap.c:446 (Device or resource busy)"));
	EXPECT_EQ(SCX_SUB_REFUSED_NO_SUB_ATTACH,
		  scx_sub_refusal_of("failed to attach struct_ops: Operation not supported"));
	EXPECT_EQ(SCX_SUB_REFUSED_UNKNOWN, scx_sub_refusal_of("usage: foo"));
	EXPECT_NE(NULL, strstr(scx_sub_refusal_hint(SCX_SUB_REFUSED_NO_SUB_ATTACH),
			       "ops.sub_attach"));
}

TEST(sub_outcomes)
{
	struct scx_sub_obs ok = {
		.appeared = true, .present = true, .enabled = true,
		.parent_alive = true, .parent_attached = true,
	}, o;

	EXPECT_EQ(SCX_SUB_ATTACHED, scx_sub_classify(&ok));

	/* Not yet: the directory alone, like root/ops while enabling. */
	o = ok;
	o.enabled = false;
	EXPECT_EQ(SCX_SUB_WAITING, scx_sub_classify(&o));

	/* Refused before the link: gone, nothing seen. */
	o = (struct scx_sub_obs){ .exited = true, .parent_alive = true, .parent_attached = true };
	EXPECT_EQ(SCX_SUB_REFUSED, scx_sub_classify(&o));

	/* Linked, the parent said no; the loader may even linger. */
	o = (struct scx_sub_obs){ .appeared = true, .cause = SCX_SUB_CAUSE_REJECTED,
				  .parent_alive = true, .parent_attached = true };
	EXPECT_EQ(SCX_SUB_REJECTED, scx_sub_classify(&o));
	/* Torn down before "enabled", the loader alive and content: never attached. */
	o = (struct scx_sub_obs){ .appeared = true, .cause = SCX_SUB_CAUSE_ERROR,
				  .parent_alive = true, .parent_attached = true };
	EXPECT_EQ(SCX_SUB_REJECTED, scx_sub_classify(&o));

	o = ok;
	o.present = false;
	o.cause = SCX_SUB_CAUSE_ERROR;
	EXPECT_EQ(SCX_SUB_EJECTED, scx_sub_classify(&o));
	o.cause = SCX_SUB_CAUSE_KILLED;
	EXPECT_EQ(SCX_SUB_EJECTED, scx_sub_classify(&o));
	o.cause = SCX_SUB_CAUSE_KERN;
	EXPECT_EQ(SCX_SUB_EJECTED, scx_sub_classify(&o));

	/* The parent's exit is not the child's fault, even if the parent is gone. */
	o.cause = SCX_SUB_CAUSE_PARENT_EXIT;
	o.parent_alive = false;
	EXPECT_EQ(SCX_SUB_PARENT_GONE, scx_sub_classify(&o));
	o.cause = SCX_SUB_CAUSE_NONE;
	EXPECT_EQ(SCX_SUB_PARENT_BROKE, scx_sub_classify(&o));

	o = ok;
	o.exited = true;
	o.present = false;
	EXPECT_EQ(SCX_SUB_DIED, scx_sub_classify(&o));
	o.cause = SCX_SUB_CAUSE_UNREG;
	EXPECT_EQ(SCX_SUB_DIED, scx_sub_classify(&o));
}

/* A child's verdict keys, as manifests and "# result:" lines name them. */
TEST(sub_outcome_keys)
{
	int o;

	for (o = 0; o < SCX_SUB_NR; o++)
		EXPECT_EQ(o, scx_sub_outcome_from_key(scx_sub_outcome_key(o)));
	EXPECT_STREQ("parent_exited", scx_sub_outcome_key(SCX_SUB_PARENT_GONE));
	EXPECT_EQ(-1, scx_sub_outcome_from_key("died_before_attach"));
}

/* CONFIG_EXT_SUB_SCHED, from the kernel's symbols: 7.2 and 7.3 have the work function. */
TEST(sub_kernel_support)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX], path[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s/sub_test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kallsyms", dir);
	put(dir, "kallsyms", "0000000000000000 T scx_bpf_error_bstr\n"
	    "0000000000000000 t scx_sub_enable_workfn\n0000000000000000 T _end\n");
	EXPECT_EQ(1, scx_sub_kernel_has(path));
	/* sched_ext without sub-schedulers; a longer name is another symbol. */
	put(dir, "kallsyms", "0000000000000000 T scx_bpf_error_bstr\n"
	    "0000000000000000 t scx_sub_enable_workfn_x\n");
	EXPECT_EQ(0, scx_sub_kernel_has(path));
	unlink(path);
	EXPECT_EQ(-ENOENT, scx_sub_kernel_has(path));
	rmdir(dir);
}

/* The child's events file as 7.3.4 shows it (captured in the VM). */
TEST_F(fake_scx, bypass_counters)
{
	struct scx_bypass b;

	mk(self->dir, "root/sub");
	mk(self->dir, "root/sub/sub-28");
	put(self->dir, "root/sub/sub-28/events",
	    "SCX_EV_SELECT_CPU_FALLBACK 0\nSCX_EV_REFILL_SLICE_DFL 141\n"
	    "SCX_EV_BYPASS_DURATION 72070745\nSCX_EV_BYPASS_DISPATCH 0\n"
	    "SCX_EV_BYPASS_ACTIVATE 1\nSCX_EV_INSERT_NOT_OWNED 0\n"
	    "SCX_EV_SUB_BYPASS_DISPATCH 9\n");
	ASSERT_EQ(0, scx_bypass_read(self->dfd, "root/sub/sub-28", &b));
	EXPECT_TRUE(b.read);
	EXPECT_EQ(1, b.activate);
	EXPECT_EQ(0, b.dispatch);
	EXPECT_EQ(72070745, b.duration_ns);
	EXPECT_GT(0, scx_bypass_read(self->dfd, "root/sub/sub-29", &b));
	EXPECT_FALSE(b.read);
}

/* Who ran the load: each thing seen that says it was not the child. */
TEST(sub_load_judge)
{
	const char *cg = "/sys/fs/cgroup/scx_attach-1-2.abc/child";
	struct scx_bypass b0 = { .read = true, .activate = 1, .duration_ns = 72070745 };
	struct scx_subload_result ok = {
		.judged = true,
		.proof = { .cgroup = "/scx_attach-1-2.abc/child", .threads = 8, .ext_known = true,
			   .on_ext = 8, .ran = 8, .switches = 4000, .runtime_us = 3000000 },
		.load = { .threads = 8, .max_gap_ms = 5000, .max_gap_ns = 40 * NSEC_PER_MSEC },
	}, r;
	struct scx_bypass b1 = b0;
	char line[512];

	EXPECT_EQ(0, scx_subload_judge(&ok, cg, &b0, &b1, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "8 threads on sched_ext")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "no bypass")) TH_LOG("%s", line);

	/* In another cgroup: whoever ran it, not the child. */
	r = ok;
	strcpy(r.proof.cgroup, "/scx_attach-1-2.abc/parent");
	EXPECT_EQ(1, scx_subload_judge(&r, cg, &b0, &b1, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "not in")) TH_LOG("%s", line);

	/* The kernel took the child's tasks to its fallback. */
	b1.activate = 2;
	b1.dispatch = 37;
	EXPECT_EQ(1, scx_subload_judge(&ok, cg, &b0, &b1, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "bypassed")) TH_LOG("%s", line);
	b1 = b0;

	/* The fair class ran them (a partial root, SCHED_EXT refused). */
	r = ok;
	r.proof.on_ext = 5;
	r.proof.off_ext_tid = 321;
	EXPECT_EQ(1, scx_subload_judge(&r, cg, &b0, &b1, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "3 of 8 load threads")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "task/321")) TH_LOG("%s", line);

	/* Held back past the bound. */
	r = ok;
	r.load.starved = true;
	r.load.nr_starved = 4;
	r.load.worst = (struct scx_load_gap){ .idx = 2, .tid = 99, .raw_ns = 6 * NSEC_PER_SEC,
					      .open = true };
	EXPECT_EQ(1, scx_subload_judge(&r, cg, &b0, &b1, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "starved: load thread scx_load_2")) TH_LOG("%s", line);

	/* Never run at all, within the bound. */
	r = ok;
	r.proof.ran = 7;
	r.proof.idle_tid = 77;
	EXPECT_EQ(1, scx_subload_judge(&r, cg, &b0, &b1, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "tid 77 has no context switch")) TH_LOG("%s", line);
	/* Not even started: that, not sched_ext, is what was seen (7.2.13's first run). */
	r = ok;
	r.proof.ran = 0;
	r.proof.unstarted = 8;
	r.proof.on_ext = 0;
	EXPECT_EQ(1, scx_subload_judge(&r, cg, &b0, &b1, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "8 of 8 load threads")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "8 never started")) TH_LOG("%s", line);

	/* A kernel without /proc/PID/sched: ran is still known, ext is not. */
	r = ok;
	r.proof.ext_known = false;
	r.proof.on_ext = 0;
	EXPECT_EQ(0, scx_subload_judge(&r, cg, &b0, &b1, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "ext.enabled not shown")) TH_LOG("%s", line);

	/* The load broke: nothing is decided. */
	r = ok;
	r.err = -ETIMEDOUT;
	strcpy(r.detail, "the load's process did not report: killed");
	EXPECT_EQ(-ETIMEDOUT, scx_subload_judge(&r, cg, &b0, &b1, line, sizeof(line)));
}

/*
 * The load's process, on the host: a plain directory stands in for the
 * cgroup (its cgroup.procs a plain file), so the process stays where it
 * is; every thread must be read and judged, and the process gone.
 */
TEST_F(fake_scx, load_process_reports)
{
	struct scx_subload_result r;
	struct scx_subload l;
	char err[256], cg[PATH_MAX + 16];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int status;

	snprintf(cg, sizeof(cg), "%s/root", self->dir);
	put(self->dir, "root/cgroup.procs", "");
	ASSERT_EQ(0, scx_subload_start(&l, cg, 5000, 5000, false, err, sizeof(err))) TH_LOG("%s", err);
	usleep(300 * 1000);
	scx_subload_stop(&l, 1000, &r);
	EXPECT_TRUE(r.judged) TH_LOG("%s", r.detail);
	EXPECT_EQ(0, r.err) TH_LOG("%s", r.detail);
	EXPECT_EQ(scx_min(4 * cpus, SCX_LOAD_MAX_THREADS), r.proof.threads);
	EXPECT_EQ(r.proof.threads, r.proof.ran);
	EXPECT_EQ(r.proof.threads, r.load.threads);
	EXPECT_NE('\0', r.proof.cgroup[0]);
	EXPECT_GT(r.proof.switches, 0);
	EXPECT_FALSE(r.load.starved);
	/* Reaped: nothing of it is left for the test to wait for. */
	EXPECT_EQ(-1, waitpid(-1, &status, WNOHANG));
	EXPECT_EQ(-1, l.pid);
}

/* A cgroup it cannot join: the test bed's failure, said, nothing left running. */
TEST_F(fake_scx, load_process_cannot_join)
{
	struct scx_subload_result r;
	struct scx_subload l;
	char err[256], cg[PATH_MAX + 16];

	snprintf(cg, sizeof(cg), "%s/nowhere", self->dir);
	ASSERT_EQ(0, scx_subload_start(&l, cg, 5000, 5000, false, err, sizeof(err)));
	scx_subload_stop(&l, 1000, &r);
	EXPECT_FALSE(r.judged);
	EXPECT_EQ(-ENOENT, r.err);
	EXPECT_NE(NULL, strstr(r.detail, "cannot join")) TH_LOG("%s", r.detail);
}

/* One kmsg record appended to @path, as /dev/kmsg hands it out. */
static void klog(const char *path, const char *msg)
{
	static unsigned long long seq = 1000;
	char rec[512];
	FILE *f = fopen(path, "ae");

	if (!f)
		return;
	snprintf(rec, sizeof(rec), "6,%llu,%llu,-;%s\n", seq, seq * 1000, msg);
	seq++;
	fputs(rec, f);
	fclose(f);
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * SIMULATED, in the order Debian's 7.3.4 gave it (docs/hierarchy.md): a
 * parent ejected under its attached child.  Its loader is seen dead before
 * the kernel's records are read; the child's "parent exiting" comes, then
 * the parent's own "disabled (scx_bpf_error)" and its message.  The child
 * is parent_exited, not parent_broke, and the parent is named ejected.
 */
TEST_F(fake_scx, parent_ejected_under_child)
{
	char *argv_p[] = { "sh", "-c", "sleep 10", NULL };
	char *argv_c[] = { "sh", "-c", "sleep 10", NULL };
	char kmsg[PATH_MAX + 8], sub[PATH_MAX + 32], err[SCX_ERR_LEN], detail[SCX_ERR_LEN];
	struct scx_child parent, child;
	static struct scx_sub_result r;
	struct scx_cfg cfg;
	pid_t kernel;

	mk(self->dir, "root/sub");
	put(self->dir, "kmsg", "");
	snprintf(kmsg, sizeof(kmsg), "%s/kmsg", self->dir);
	ASSERT_EQ(0, truncate(kmsg, 0));
	ASSERT_EQ(0, scx_cfg_init(&cfg, err, sizeof(err))) TH_LOG("%s", err);
	cfg.gate_ms = 200;
	cfg.attach_ms = 5000;
	cfg.wall_ms = 5000;
	cfg.hold_ms = 2000;
	cfg.grace_ms = 500;
	cfg.poll_ms = 100;
	cfg.uevent = false;
	cfg.load = false;
	snprintf(cfg.sysfs, sizeof(cfg.sysfs), "%s", self->dir);
	snprintf(cfg.kmsg, sizeof(cfg.kmsg), "%.4000s", kmsg);
	scx_child_init(&parent, 0);
	scx_child_init(&child, 0);
	ASSERT_EQ(0, scx_spawn(&parent, &cfg, "/bin/sh", argv_p, err, sizeof(err)))
		TH_LOG("%s", err);

	/* The kernel: the child attaches, then goes when its parent is ejected. */
	kernel = fork();
	ASSERT_LE(0, kernel);
	if (!kernel) {
		nap_ms(100);
		mk(self->dir, "root/sub/sub-77");
		put(self->dir, "root/sub/sub-77/ops", "subfault\n");
		klog(kmsg, "sched_ext: BPF sub-scheduler \"subfault\" enabled");
		/* The parent's loader dies; the kernel's words come a moment later. */
		nap_ms(300);
		kill(parent.pid, SIGKILL);
		nap_ms(100);
		klog(kmsg, "sched_ext: BPF sub-scheduler \"subfault\" disabled (parent exiting)");
		snprintf(sub, sizeof(sub), "%s/root/sub/sub-77/ops", self->dir);
		unlink(sub);
		snprintf(sub, sizeof(sub), "%s/root/sub/sub-77", self->dir);
		rmdir(sub);
		nap_ms(50);
		klog(kmsg, "sched_ext: BPF scheduler \"qmap\" disabled (scx_bpf_error)");
		klog(kmsg, "sched_ext: qmap: scx_subfault.bpf.c:76: injected");
		put(self->dir, "state", "disabled\n");
		_exit(0);
	}
	ASSERT_EQ(0, scx_sub_run(&cfg, "root", &parent, "/bin/sh", argv_c, "subfault", 77,
				 &child, &r)) TH_LOG("%s", r.detail);
	EXPECT_EQ(SCX_SUB_PARENT_GONE, r.outcome) TH_LOG("%s", scx_sub_outcome_name(r.outcome));
	EXPECT_EQ(SCX_SUB_CAUSE_PARENT_EXIT, r.obs.cause);
	EXPECT_EQ(SCX_SUB_PFATE_EJECTED, r.pfate) TH_LOG("%s", scx_sub_pfate_name(r.pfate));
	EXPECT_STREQ("scx_bpf_error", r.preason);
	EXPECT_NE(NULL, strstr(r.pmsg, "injected"));
	EXPECT_EQ(0, scx_sub_finish(&cfg, &child, &r, detail, sizeof(detail))) TH_LOG("%s", detail);
	waitpid(kernel, NULL, 0);
	scx_child_stop(&parent, cfg.grace_ms);
	scx_child_release(&child, false);
	scx_child_release(&parent, false);
}

/*
 * SIMULATED, in the order and at the pace Debian's 7.3.4 gave it under
 * TCG (docs/hierarchy.md): a parent's loader killed (SIGKILL) under its
 * attached child.  The root goes "disabling" and the child's "parent
 * exiting" comes at once; the parent's own record ("unregistered from user
 * space": its link closed) comes 2 s later, past the wait for a child's
 * words, and its loader is reaped after that (its exit waits for the
 * disable).  The parent is named killed, not "gone" nor "left".
 */
TEST_F(fake_scx, parent_killed_under_child)
{
	char *argv_p[] = { "sh", "-c", "sleep 10", NULL };
	char *argv_c[] = { "sh", "-c", "sleep 10", NULL };
	char kmsg[PATH_MAX + 8], sub[PATH_MAX + 32], err[SCX_ERR_LEN], detail[SCX_ERR_LEN];
	struct scx_child parent, child;
	static struct scx_sub_result r;
	struct scx_cfg cfg;
	pid_t kernel;

	mk(self->dir, "root/sub");
	put(self->dir, "kmsg", "");
	snprintf(kmsg, sizeof(kmsg), "%s/kmsg", self->dir);
	ASSERT_EQ(0, scx_cfg_init(&cfg, err, sizeof(err))) TH_LOG("%s", err);
	cfg.gate_ms = 200;
	cfg.attach_ms = 5000;
	cfg.wall_ms = 5000;
	cfg.hold_ms = 2000;
	cfg.grace_ms = 4000;
	cfg.poll_ms = 100;
	cfg.uevent = false;
	cfg.load = false;
	snprintf(cfg.sysfs, sizeof(cfg.sysfs), "%s", self->dir);
	snprintf(cfg.kmsg, sizeof(cfg.kmsg), "%.4000s", kmsg);
	scx_child_init(&parent, 0);
	scx_child_init(&child, 0);
	ASSERT_EQ(0, scx_spawn(&parent, &cfg, "/bin/sh", argv_p, err, sizeof(err)))
		TH_LOG("%s", err);

	kernel = fork();
	ASSERT_LE(0, kernel);
	if (!kernel) {
		nap_ms(100);
		mk(self->dir, "root/sub/sub-78");
		put(self->dir, "root/sub/sub-78/ops", "subfault\n");
		klog(kmsg, "sched_ext: BPF sub-scheduler \"subfault\" enabled");
		nap_ms(300);
		put(self->dir, "state", "disabling\n");
		klog(kmsg, "sched_ext: BPF sub-scheduler \"subfault\" disabled (parent exiting)");
		snprintf(sub, sizeof(sub), "%s/root/sub/sub-78/ops", self->dir);
		unlink(sub);
		snprintf(sub, sizeof(sub), "%s/root/sub/sub-78", self->dir);
		rmdir(sub);
		nap_ms(2000);
		klog(kmsg, "sched_ext: BPF scheduler \"subfault\" disabled (unregistered from user space)");
		put(self->dir, "state", "disabled\n");
		nap_ms(200);
		kill(parent.pid, SIGKILL);
		_exit(0);
	}
	ASSERT_EQ(0, scx_sub_run(&cfg, "root", &parent, "/bin/sh", argv_c, "subfault", 78,
				 &child, &r)) TH_LOG("%s", r.detail);
	EXPECT_EQ(SCX_SUB_PARENT_GONE, r.outcome) TH_LOG("%s", scx_sub_outcome_name(r.outcome));
	EXPECT_EQ(SCX_SUB_CAUSE_PARENT_EXIT, r.obs.cause);
	EXPECT_EQ(SCX_SUB_PFATE_DIED, r.pfate) TH_LOG("%s", scx_sub_pfate_name(r.pfate));
	EXPECT_STREQ("unregistered from user space", r.preason);
	EXPECT_EQ(0, scx_sub_finish(&cfg, &child, &r, detail, sizeof(detail))) TH_LOG("%s", detail);
	waitpid(kernel, NULL, 0);
	scx_child_stop(&parent, cfg.grace_ms);
	scx_child_release(&child, false);
	scx_child_release(&parent, false);
}

/* What became of the parent: the kernel's word first, then its loader's fate. */
TEST(sub_parent_fates)
{
	struct scx_sub_pobs p = { .alive = true, .attached = true, .reason = "" };

	EXPECT_EQ(SCX_SUB_PFATE_INTACT, scx_sub_pfate_of(&p));
	/* As 7.3.4 logged it: ejected, and its loader then exits by itself. */
	p.reason = "scx_bpf_error";
	EXPECT_EQ(SCX_SUB_PFATE_EJECTED, scx_sub_pfate_of(&p));
	p.alive = false;
	p.attached = false;
	EXPECT_EQ(SCX_SUB_PFATE_EJECTED, scx_sub_pfate_of(&p));
	p.reason = "runnable task stall";
	EXPECT_EQ(SCX_SUB_PFATE_EJECTED, scx_sub_pfate_of(&p));
	p.reason = "unregistered from the main kernel";
	EXPECT_EQ(SCX_SUB_PFATE_EJECTED, scx_sub_pfate_of(&p));
	/* Killed: its link went with it, the kernel says "unregistered". */
	p.reason = "unregistered from user space";
	p.killed = true;
	EXPECT_EQ(SCX_SUB_PFATE_DIED, scx_sub_pfate_of(&p));
	p.killed = false;
	EXPECT_EQ(SCX_SUB_PFATE_LEFT, scx_sub_pfate_of(&p));
	/* No word from the kernel yet. */
	p.reason = NULL;
	EXPECT_EQ(SCX_SUB_PFATE_LEFT, scx_sub_pfate_of(&p));
	p.alive = true;
	EXPECT_EQ(SCX_SUB_PFATE_GONE, scx_sub_pfate_of(&p));
	EXPECT_STREQ("ejected", scx_sub_pfate_key(SCX_SUB_PFATE_EJECTED));
}

/* The lines of each fixtures/scx_subfault fault, as Debian's 7.3.4 logged them. */
TEST(sub_fault_lines)
{
	EXPECT_EQ(SCX_SUB_CAUSE_REJECTED, scx_sub_cause_of("runtime error", "parent rejected (-13)"));
	EXPECT_EQ(SCX_SUB_CAUSE_ERROR, scx_sub_cause_of("runtime error", "ops.init() failed (-22)"));
	EXPECT_EQ(SCX_SUB_CAUSE_ERROR,
		  scx_sub_cause_of("runtime error",
				   "SCX_OPS_TID_TO_TASK requires root scheduler to enable it"));
	EXPECT_EQ(SCX_SUB_CAUSE_ERROR,
		  scx_sub_cause_of("scx_bpf_error",
				   "scx_subfault.bpf.c:76: injected: scx_subfault's error 1000 ms after its init"));
	EXPECT_EQ(SCX_SUB_CAUSE_KILLED, scx_sub_cause_of("killed by parent scheduler", ""));
}

TEST_HARNESS_MAIN
