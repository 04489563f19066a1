// SPDX-License-Identifier: GPL-2.0
/*
 * unit_test - the harness's parsers, on fixed inputs: windows, args files,
 * uevent messages, kernel log records, manifests.  No kernel, simulated or
 * real, is involved; what the kernel printed is quoted from real runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/hint.h"
#include "lib/kmsg.h"
#include "lib/load.h"
#include "lib/log.h"
#include "lib/manifest.h"
#include "lib/proc.h"
#include "lib/splat.h"
#include "lib/stall.h"
#include "lib/uevent.h"
#include "lib/verdict.h"
#include "lib/vref.h"

#include "kselftest_harness.h"

TEST(window_values)
{
	const char *bad[] = { "0", "-5", "abc", "", "5x", "1.5s", "99999999999", "0s", " ", "-0" };
	char err[SCX_ERR_LEN];
	struct scx_cfg cfg;
	unsigned int ms;
	size_t i;

	EXPECT_EQ(0, scx_parse_ms("1500", &ms));
	EXPECT_EQ(1500, ms);
	EXPECT_EQ(0, scx_parse_ms("2s", &ms));
	EXPECT_EQ(2000, ms);
	EXPECT_EQ(0, scx_parse_ms("10ms", &ms));
	EXPECT_EQ(10, ms);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *s = bad[i];

		EXPECT_EQ(-EINVAL, scx_parse_ms(s, &ms)) TH_LOG("accepted \"%s\"", s);
	}

	setenv("SCX_ATTACH_TIMEOUT_MS", "soon", 1);
	EXPECT_EQ(-EINVAL, scx_cfg_init(&cfg, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "SCX_ATTACH_TIMEOUT_MS"));
	unsetenv("SCX_ATTACH_TIMEOUT_MS");
	setenv("SCX_ATTACH_GATE_MS", "-1", 1);
	EXPECT_EQ(-EINVAL, scx_cfg_init(&cfg, err, sizeof(err)));
	unsetenv("SCX_ATTACH_GATE_MS");
	EXPECT_EQ(0, scx_cfg_init(&cfg, err, sizeof(err)));
	/* The wall guard defaults to three CPU budgets. */
	EXPECT_EQ(3 * cfg.attach_ms, cfg.wall_ms);
}

static int write_file(const char *dir, const char *name, const char *s, size_t n, char *path)
{
	int fd;

	sprintf(path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, s, n) != (ssize_t)n)
		return -1;
	return close(fd);
}

/* {cgroup} in a child's arguments: every one replaced, nothing cut short. */
TEST(args_subst)
{
	char buf[32];

	EXPECT_EQ(0, scx_args_subst(buf, sizeof(buf), "-c {cgroup} -x {cgroup}", "{cgroup}",
				    "/cg/a"));
	EXPECT_STREQ("-c /cg/a -x /cg/a", buf);
	EXPECT_EQ(0, scx_args_subst(buf, sizeof(buf), "-v {cgrou", "{cgroup}", "/cg/a"));
	EXPECT_STREQ("-v {cgrou", buf);
	EXPECT_EQ(-E2BIG, scx_args_subst(buf, 8, "-c {cgroup}", "{cgroup}", "/cg/a"));
	EXPECT_EQ(-E2BIG, scx_args_subst(buf, sizeof(buf), "{cgroup}", "{cgroup}",
					 "/a/very/long/cgroup/path/that/does/not/fit"));
}

TEST(args_files)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], buf[SCX_ARGS_FILE_MAX];
	char err[SCX_ERR_LEN], *argv[SCX_ARGS_MAX], *big, many[4 * (SCX_ARGS_MAX + 1)];
	const char *tmp = getenv("TMPDIR");
	int i;

	snprintf(dir, sizeof(dir), "%.4000s/scx_args.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ASSERT_NE(NULL, mkdtemp(dir));

	/* Missing: no arguments, as ktstr's scheduler start has it. */
	sprintf(path, "%s/none", dir);
	EXPECT_EQ(0, scx_args_read(path, buf, sizeof(buf), err, sizeof(err)));
	EXPECT_STREQ("", buf);

	ASSERT_EQ(0, write_file(dir, "ok", " --slice-us 5000\t-v\n", 20, path));
	EXPECT_EQ(0, scx_args_read(path, buf, sizeof(buf), err, sizeof(err)));
	EXPECT_EQ(3, scx_args_split(buf, argv, SCX_ARGS_MAX));
	EXPECT_STREQ("--slice-us", argv[0]);
	EXPECT_STREQ("-v", argv[2]);

	ASSERT_EQ(0, write_file(dir, "blank", " \n\t\n", 4, path));
	EXPECT_EQ(-ENODATA, scx_args_read(path, buf, sizeof(buf), err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "blank"));

	big = malloc(SCX_ARGS_FILE_MAX + 10);
	ASSERT_NE(NULL, big);
	memset(big, 'a', SCX_ARGS_FILE_MAX + 10);
	ASSERT_EQ(0, write_file(dir, "big", big, SCX_ARGS_FILE_MAX + 10, path));
	free(big);
	EXPECT_EQ(-E2BIG, scx_args_read(path, buf, sizeof(buf), err, sizeof(err)));
	unlink(path);

	/* A directory or a FIFO is not an args file, and must not block. */
	EXPECT_EQ(-EINVAL, scx_args_read(dir, buf, sizeof(buf), err, sizeof(err)));
	sprintf(path, "%s/fifo", dir);
	ASSERT_EQ(0, mkfifo(path, 0600));
	EXPECT_EQ(-EINVAL, scx_args_read(path, buf, sizeof(buf), err, sizeof(err)));
	unlink(path);

	for (i = 0; i <= SCX_ARGS_MAX; i++)
		memcpy(many + 2 * i, "x ", 2);
	many[2 * i] = '\0';
	EXPECT_EQ(-E2BIG, scx_args_split(many, argv, SCX_ARGS_MAX));

	sprintf(path, "%s/ok", dir);
	unlink(path);
	sprintf(path, "%s/blank", dir);
	unlink(path);
	rmdir(dir);
}

TEST(uevent_messages)
{
	char add[] = "add@/kernel/sched_ext/root\0ACTION=add\0DEVPATH=/kernel/sched_ext/root\0"
		     "SUBSYSTEM=sched_ext\0SCXOPS=simple\0SEQNUM=2001";
	char udev[] = "libudev\0\xfe\xed\xca\xfe";
	char other[] = "change@/devices/virtual/tty/tty1\0ACTION=change";
	struct scx_uevent ev;

	ASSERT_EQ(0, scx_uevent_parse(add, sizeof(add) - 1, &ev));
	EXPECT_STREQ("add", ev.action);
	EXPECT_TRUE(scx_uevent_is_root(&ev));
	EXPECT_STREQ("simple", ev.scxops);
	EXPECT_EQ(-EINVAL, scx_uevent_parse(udev, sizeof(udev) - 1, &ev));
	ASSERT_EQ(0, scx_uevent_parse(other, sizeof(other) - 1, &ev));
	EXPECT_FALSE(scx_uevent_is_root(&ev));
	EXPECT_EQ(-EINVAL, scx_uevent_parse(other, 0, &ev));
}

/* A child's own kobject is sub-<cgroup id> at any depth; its sub/ kset is not one. */
TEST(uevent_sub_schedulers)
{
	static const struct {
		const char *devpath;
		bool child;
		unsigned long long cgid;
	} cases[] = {
		{ "/kernel/sched_ext/root/sub/sub-28", true, 28 },
		{ "/kernel/sched_ext/root/sub/sub-28/sub/sub-113", true, 113 },
		{ "/kernel/sched_ext/root/sub/sub-28/sub", false, 0 },
		{ "/kernel/sched_ext/root/sub", false, 0 },
		{ "/kernel/sched_ext/root", false, 0 },
		{ "/kernel/sched_ext/root/sub/sub-", false, 0 },
		{ "/kernel/sched_ext/root/sub/sub-28x", false, 0 },
		{ "/kernel/sched_ext/rootx/sub/sub-28", false, 0 },
		{ "/devices/virtual/sub/sub-28", false, 0 },
	};
	char add[] = "add@/kernel/sched_ext/root/sub/sub-28/sub/sub-113\0ACTION=add\0"
		     "SUBSYSTEM=sched_ext\0SCXOPS=qmap\0SEQNUM=2002";
	unsigned long long cgid;
	struct scx_uevent ev;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ev = (struct scx_uevent){ .action = "add", .devpath = cases[i].devpath };
		cgid = 0;
		EXPECT_EQ(cases[i].child, scx_uevent_sub_cgid(&ev, &cgid))
			TH_LOG("%s", cases[i].devpath);
		if (cases[i].child)
			EXPECT_EQ(cases[i].cgid, cgid);
	}
	ASSERT_EQ(0, scx_uevent_parse(add, sizeof(add) - 1, &ev));
	EXPECT_FALSE(scx_uevent_is_root(&ev));
	ASSERT_TRUE(scx_uevent_sub_cgid(&ev, &cgid));
	EXPECT_EQ(113ULL, cgid);
	EXPECT_STREQ("qmap", ev.scxops);
}

TEST(kernel_lines)
{
	char why[SCX_REASON_LEN];
	bool err;

	EXPECT_EQ(SCX_KLINE_ENABLED,
		  scx_kline_parse("sched_ext: BPF scheduler \"simple\" enabled", why, sizeof(why), &err));
	EXPECT_EQ(SCX_KLINE_DISABLED,
		  scx_kline_parse("sched_ext: BPF scheduler \"simple\" disabled (unregistered from user space)",
				  why, sizeof(why), &err));
	EXPECT_FALSE(err);
	EXPECT_STREQ("unregistered from user space", why);
	EXPECT_EQ(SCX_KLINE_DISABLED,
		  scx_kline_parse("sched_ext: BPF scheduler \"a (b)\" disabled (runnable task stall)",
				  why, sizeof(why), &err));
	EXPECT_TRUE(err);
	EXPECT_STREQ("runnable task stall", why);
	EXPECT_EQ(SCX_KLINE_OTHER, scx_kline_parse("sched_ext: fault: injected", why, sizeof(why), &err));
}

/* After a restart: each exit's own reason, and what came before and after it. */
TEST(kernel_exits_in_order)
{
	static const char lines[] =
		"sched_ext: BPF scheduler \"fault\" enabled\n"
		"sched_ext: BPF scheduler \"fault\" disabled (unregistered from the main kernel)\n"
		"sched_ext: BPF scheduler \"fault\" enabled\n"
		"sched_ext: BPF scheduler \"fault\" disabled (scx_bpf_error)\n"
		"sched_ext: fault: scx_fault.bpf.c:65: fault: injected error after 0 ms\n";
	char why[SCX_REASON_LEN], hint[SCX_HINT_LEN];
	struct scx_kmsg k = { .fd = -1 };
	bool err = true;

	k.len = snprintf(k.lines, sizeof(k.lines), "%s", lines);
	EXPECT_TRUE(scx_kmsg_reason_nth(&k, 1, why, sizeof(why), &err));
	EXPECT_STREQ("unregistered from the main kernel", why);
	EXPECT_FALSE(err);
	EXPECT_TRUE(scx_kmsg_reason_nth(&k, 2, why, sizeof(why), &err));
	EXPECT_STREQ("scx_bpf_error: scx_fault.bpf.c:65: fault: injected error after 0 ms", why);
	EXPECT_TRUE(err);
	EXPECT_FALSE(scx_kmsg_reason_nth(&k, 3, why, sizeof(why), &err));
	EXPECT_TRUE(scx_kmsg_reason(&k, why, sizeof(why), &err));
	EXPECT_STREQ("scx_bpf_error: scx_fault.bpf.c:65: fault: injected error after 0 ms", why);
	EXPECT_EQ(1, scx_kmsg_enabled_before(&k, 1));
	EXPECT_EQ(2, scx_kmsg_enabled_before(&k, 2));
	EXPECT_EQ(2, scx_kmsg_enabled_before(&k, 3));
	/* The hint reads the newest attach's lines only. */
	EXPECT_EQ(strstr(k.lines, "sched_ext: BPF scheduler \"fault\" disabled (scx_bpf_error)"),
		  scx_hint_since_attach(k.lines));
	EXPECT_EQ(SCX_HINT_BPF_ERROR, scx_hint(NULL, scx_hint_since_attach(k.lines), hint,
					       sizeof(hint)));
	EXPECT_STREQ("", scx_hint_since_attach(""));
}

/* A scratch directory under TMPDIR, made by mkdtemp(). */
static void scratch_dir(char *dir, size_t len, const char *what)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, len, "%.3000s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", what);
	if (!mkdtemp(dir))
		dir[0] = '\0';
}

TEST(manifest_good)
{
	static const char text[] =
		"# schedulers of a CI job\n"
		"\n"
		"simple_f  bin=scx_simple args=\"-f -s 5000\" ops=simple   # trailing\n"
		"  qmap-err bin=/opt/scx_qmap args=\"say \\\"hi\\\"\" expect=ejected hold=8s"
		" xfail=7.2*:died_before_attach xfail=6.*:rejected gate=500ms timeout=20s\n";
	char dir[PATH_MAX], path[PATH_MAX + 16], err[512] = "";
	struct scx_manifest m;

	scratch_dir(dir, sizeof(dir), "scx_manifest");
	ASSERT_NE(0, dir[0]);
	ASSERT_EQ(0, write_file(dir, "m", text, sizeof(text) - 1, path));
	ASSERT_EQ(0, scx_manifest_load(&m, path, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(2, m.n);
	EXPECT_STREQ("simple_f", m.e[0].name);
	EXPECT_STREQ("-f -s 5000", m.e[0].args);
	EXPECT_STREQ("simple", m.e[0].ops);
	EXPECT_EQ(SCX_V_ATTACHED, m.e[0].expect);
	EXPECT_EQ(3, m.e[0].line);
	/* Relative to the manifest's directory, wherever we run from. */
	EXPECT_NE(NULL, strstr(m.e[0].bin, "/scx_simple"));
	EXPECT_EQ(0, strcmp(m.e[0].bin + strlen(m.e[0].bin) - strlen("/scx_simple"), "/scx_simple"));
	EXPECT_EQ('/', m.e[0].bin[0]);
	EXPECT_STREQ("qmap-err", m.e[1].name);
	EXPECT_STREQ("/opt/scx_qmap", m.e[1].bin);
	EXPECT_STREQ("say \"hi\"", m.e[1].args);
	EXPECT_EQ(SCX_V_EJECTED, m.e[1].expect);
	EXPECT_EQ(8000, m.e[1].hold_ms);
	EXPECT_EQ(500, m.e[1].gate_ms);
	EXPECT_EQ(20000, m.e[1].attach_ms);
	EXPECT_EQ(0, m.e[1].wall_ms);
	EXPECT_EQ(4, m.e[1].line);
	EXPECT_EQ(SCX_V_DIED_EARLY, scx_mentry_xfail(&m.e[1], "7.2.13+deb14-amd64"));
	EXPECT_EQ(SCX_V_REJECTED, scx_mentry_xfail(&m.e[1], "6.12.48+deb13-amd64"));
	EXPECT_EQ(-1, scx_mentry_xfail(&m.e[1], "7.3.4+deb13-amd64"));
	scx_manifest_free(&m);
	unlink(path);

	/* Machine shapes: xfail=KERNEL@SHAPE:VERDICT and topology=. */
	static const char shapes[] =
		"pair bin=/x xfail=*@odd-*:died_before_attach xfail=7.2*@1n*l3c*:timeout\n"
		"numa bin=/x topology=numa*,2n*\n"
		"any bin=/x\n";
	ASSERT_EQ(0, write_file(dir, "m", shapes, sizeof(shapes) - 1, path));
	ASSERT_EQ(0, scx_manifest_load(&m, path, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(SCX_V_DIED_EARLY, scx_mentry_xfail_shape(&m.e[0], "7.3.4", "odd-3llc 1n3l3c1t"));
	EXPECT_EQ(SCX_V_TIMEOUT, scx_mentry_xfail_shape(&m.e[0], "7.2.13", "1n5l3c1t"));
	EXPECT_EQ(-1, scx_mentry_xfail_shape(&m.e[0], "7.3.4", "1n5l3c1t"));
	EXPECT_EQ(-1, scx_mentry_xfail_shape(&m.e[0], "7.3.4", "smt-2llc 1n2l2c2t"));
	EXPECT_EQ(-1, scx_mentry_xfail_shape(&m.e[0], "7.3.4", NULL));
	EXPECT_EQ(-1, scx_mentry_xfail(&m.e[0], "7.3.4"));
	EXPECT_TRUE(scx_mentry_on_shape(&m.e[1], "numa2-4llc 2n4l4c1t"));
	EXPECT_TRUE(scx_mentry_on_shape(&m.e[1], "2n8l4c1t"));
	EXPECT_FALSE(scx_mentry_on_shape(&m.e[1], "smt-2llc 1n2l2c2t"));
	EXPECT_FALSE(scx_mentry_on_shape(&m.e[1], NULL));
	EXPECT_TRUE(scx_mentry_on_shape(&m.e[2], NULL));
	scx_manifest_free(&m);
	unlink(path);

	/* Hierarchies: parent= in any order, to the kernel's depth; tree=. */
	static const char tree[] =
		"c1 tree=scx_qmap ops=qmap parent=root args=\"-c {cgroup}\"\n"
		"root tree=scx_qmap ops=qmap\n"
		"c2 bin=/x args=\"-c {cgroup}\" parent=c1 xfail=7.2*:parent_exited\n"
		"c3 bin=/x args={cgroup} parent=c2 hold=5s\n"
		"r2 bin=/x args={cgroup} parent=root expect=refused\n";
	ASSERT_EQ(0, write_file(dir, "m", tree, sizeof(tree) - 1, path));
	ASSERT_EQ(0, scx_manifest_load(&m, path, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(5, m.n);
	EXPECT_EQ(1, m.e[0].parent);
	EXPECT_EQ(1, m.e[0].depth);
	EXPECT_EQ(SCX_SUB_ATTACHED, m.e[0].expect);
	EXPECT_EQ(SCX_SUB_REFUSED, m.e[4].expect);
	EXPECT_STREQ("scx_qmap", m.e[0].tree);
	EXPECT_STREQ("", m.e[0].bin);
	EXPECT_EQ(-1, m.e[1].parent);
	EXPECT_EQ(0, m.e[1].depth);
	EXPECT_EQ(SCX_V_ATTACHED, m.e[1].expect);
	EXPECT_EQ(0, m.e[2].parent);
	EXPECT_EQ(2, m.e[2].depth);
	EXPECT_EQ(SCX_SUB_ATTACHED, m.e[2].expect);
	EXPECT_EQ(SCX_SUB_PARENT_GONE, scx_mentry_xfail(&m.e[2], "7.2.13"));
	EXPECT_EQ(3, m.e[3].depth);
	EXPECT_EQ(5000, m.e[3].hold_ms);
	scx_manifest_free(&m);
	unlink(path);
	rmdir(dir);
}

/* Every bad manifest stops at its line, saying what to fix. */
TEST(manifest_bad)
{
	static const struct { const char *text; const char *says; } bad[] = {
		{ "a bin=x foo=1\n", ":1: unknown key \"foo\"; the keys are: bin" },
		{ "a bin=x\n\na bin=y\n", ":3: duplicate name a (first on line 1)" },
		{ "a args=x\n", ":1: a has no bin=" },
		{ "a bin=x hold=soon\n", ":1: hold=\"soon\" is not a window" },
		{ "a bin=x timeout=0\n", ":1: timeout=\"0\" is not a window" },
		{ "a bin=x expect=fine\n", ":1: expect=fine is not a verdict; use one of: spawn_failed" },
		{ "a.b bin=x\n", ":1: name \"a.b\": use up to 48" },
		{ "a bin=\"x\n", ":1: unterminated \"" },
		{ "bin=x\n", ":1: \"bin=x\": a line starts with the test's name" },
		{ "a bin=x xfail=7.2\n", ":1: xfail=7.2: use xfail=KERNEL_GLOB:VERDICT" },
		{ "a bin=x xfail=7.2:attached\n", ":1: xfail=7.2:attached names the expected verdict" },
		{ "a bin=x xfail=7.2@:timeout\n", ":1: xfail=7.2@: use xfail=KERNEL_GLOB@SHAPE_GLOB:VERDICT" },
		{ "a bin=x xfail=@odd-*:timeout\n", ":1: xfail=@odd-*: use xfail=KERNEL_GLOB@SHAPE_GLOB" },
		{ "a bin=x xfail=*@odd 3:timeout\n", ":1: xfail=*@odd: use xfail=KERNEL_GLOB:VERDICT" },
		{ "a bin=x xfail=*@a,b:timeout\n", ":1: xfail=*@a,b: use xfail=KERNEL_GLOB@SHAPE_GLOB" },
		{ "a bin=x xfail=*@odd-*:fine\n", ":1: xfail=fine is not a verdict" },
		{ "a bin=x topology=\n", ":1: topology=: use topology=SHAPE_GLOB[,SHAPE_GLOB...]" },
		{ "a bin=x topology=smt-*,,2n*\n", ":1: topology=smt-*,,2n*: use topology=SHAPE_GLOB" },
		{ "a bin=x topology=a:b\n", ":1: topology=a:b: use topology=SHAPE_GLOB" },
		{ "a bin=x topology=a topology=b\n", ":1: topology= given twice" },
		{ "a bin=x expect=timeout expect=rejected\n", ":1: expect= given twice" },
		{ "a bin=x =y\n", ":1: \"=y\" is not key=value" },
		/* Hierarchies: all stop before anything starts. */
		{ "p bin=x\nc bin=y args={cgroup} parent=q\n",
		  ":2: parent=q: no line of this manifest is named q" },
		{ "a bin=x args={cgroup} parent=b\nb bin=y args={cgroup} parent=a\n",
		  ":1: a: parent= goes round in a cycle (a -> b -> ...)" },
		{ "a bin=x args={cgroup} parent=a\n", ":1: a: parent= goes round in a cycle" },
		{ "r bin=x\nc1 bin=x args={cgroup} parent=r\nc2 bin=x args={cgroup} parent=c1\n"
		  "c3 bin=x args={cgroup} parent=c2\nc4 bin=x args={cgroup} parent=c3\n",
		  ":5: c4 is 4 levels below the root scheduler; the kernel nests 3 at most" },
		{ "p bin=x\nc bin=y args=\"-c /sys/fs/cgroup/x\" parent=p\n",
		  ":2: c has parent= but no {cgroup} in args=" },
		{ "c bin=y parent=p\n", ":1: c has parent= but no {cgroup} in args=" },
		{ "a bin=x args=\"-c {cgroup}\"\n", ":1: a has {cgroup} in args= but no parent=" },
		{ "p bin=x expect=ejected\nc bin=y args={cgroup} parent=p\n",
		  ":2: parent=p: p expects ejected, and a parent must attach" },
		{ "p bin=x\nc bin=y args={cgroup} parent=p stress=30\n",
		  ":2: stress= is not for a child (parent=)" },
		{ "p bin=x\nc bin=y args={cgroup} parent=p expect=died_before_attach\n",
		  ":2: expect=died_before_attach is not a child's verdict; use one of: timeout attached refused" },
		{ "p bin=x\nc bin=y args={cgroup} parent=p parent=p\n", ":2: parent= given twice" },
		{ "a bin=x tree=scx_qmap\n", ":1: a has both bin= and tree=" },
		{ "a tree=../scx_qmap\n", ":1: tree=../scx_qmap: name a program of the suite's build" },
	};
	char dir[PATH_MAX], path[PATH_MAX + 16], err[512], *big;
	struct scx_manifest m;
	size_t i;

	scratch_dir(dir, sizeof(dir), "scx_manifest");
	ASSERT_NE(0, dir[0]);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		ASSERT_EQ(0, write_file(dir, "m", bad[i].text, strlen(bad[i].text), path));
		EXPECT_GT(0, scx_manifest_load(&m, path, err, sizeof(err))) TH_LOG("%s", bad[i].text);
		EXPECT_NE(NULL, strstr(err, bad[i].says)) TH_LOG("\"%s\" lacks \"%s\"", err, bad[i].says);
		EXPECT_EQ(0, strncmp(err, path, strlen(path))) TH_LOG("%s", err);
		EXPECT_EQ(NULL, m.e);
	}
	/* One line over the limit, then the limit itself. */
	big = malloc(SCX_MANIFEST_LINE_MAX + 2);
	ASSERT_NE(NULL, big);
	memset(big, 'x', SCX_MANIFEST_LINE_MAX + 1);
	memcpy(big, "a bin=", 6);
	big[SCX_MANIFEST_LINE_MAX + 1] = '\n';
	ASSERT_EQ(0, write_file(dir, "m", big, SCX_MANIFEST_LINE_MAX + 2, path));
	EXPECT_EQ(-EINVAL, scx_manifest_load(&m, path, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, ":1: line longer than 1024 bytes")) TH_LOG("%s", err);
	big[SCX_MANIFEST_LINE_MAX] = '\n';
	ASSERT_EQ(0, write_file(dir, "m", big, SCX_MANIFEST_LINE_MAX + 1, path));
	EXPECT_EQ(0, scx_manifest_load(&m, path, err, sizeof(err))) TH_LOG("%s", err);
	scx_manifest_free(&m);
	free(big);
	/* Not a file at all. */
	EXPECT_GT(0, scx_manifest_load(&m, dir, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not a regular file")) TH_LOG("%s", err);
	unlink(path);
	rmdir(dir);
}

/*
 * Each test's harness bound covers its windows at their worst, however
 * they grow (emulated, repeats, stress, hotplug); a fixed 300 s did not.
 */
TEST(test_bound_covers_the_windows)
{
	char err[SCX_ERR_LEN];
	struct scx_cfg cfg;

	ASSERT_EQ(0, scx_cfg_init(&cfg, err, sizeof(err))) TH_LOG("%s", err);
	/*
	 * settle 10 + wall 30 + reason 2 + hold 2 + stop 2 + last words 2 + reap 2 + settle 10,
	 * twice: the cycle, and one run again after the test bed's stall.
	 */
	EXPECT_EQ(60000, scx_cfg_cycle_ms(&cfg));
	EXPECT_EQ(2 * 60000, scx_cfg_worst_ms(&cfg));
	EXPECT_EQ(3000, scx_cfg_least_ms(&cfg));
	EXPECT_EQ(142, scx_test_bound_s(scx_cfg_worst_ms(&cfg)));

	setenv("SCX_ATTACH_EMULATED", "1", 1);
	ASSERT_EQ(0, scx_cfg_init(&cfg, err, sizeof(err))) TH_LOG("%s", err);
	unsetenv("SCX_ATTACH_EMULATED");
	EXPECT_EQ(60000, cfg.attach_ms);
	EXPECT_EQ(180000, cfg.wall_ms);
	EXPECT_EQ(2 * 262000, scx_cfg_worst_ms(&cfg));
	EXPECT_EQ(587, scx_test_bound_s(scx_cfg_worst_ms(&cfg)));

	/* --repeat 20 --stress 30 --hotplug: 20 cycles of 30 s under stress and two restarts. */
	cfg.repeat = 20;
	cfg.stress_ms = 30000;
	cfg.hotplug = true;
	EXPECT_EQ(290000 + 2 * 180000, scx_cfg_cycle_ms(&cfg));
	EXPECT_EQ(21 * 650000, scx_cfg_worst_ms(&cfg));
	EXPECT_EQ(15025, scx_test_bound_s(scx_cfg_worst_ms(&cfg)));
	EXPECT_EQ(20 * 31000, scx_cfg_least_ms(&cfg));
	EXPECT_LT(scx_cfg_worst_ms(&cfg) / 1000, scx_test_bound_s(scx_cfg_worst_ms(&cfg)));

	/* Absurd windows saturate, never wrap. */
	cfg.repeat = SCX_REPEAT_MAX;
	cfg.hold_ms = 24 * 3600 * 1000;
	EXPECT_EQ(UINT_MAX, scx_cfg_worst_ms(&cfg));
	EXPECT_EQ(INT_MAX, scx_test_bound_s(UINT_MAX * 1000ULL));
	EXPECT_GE(INT_MAX, scx_test_bound_s(UINT_MAX));
}

/* A variant's or manifest line's windows over the run's: one rule. */
TEST(test_windows_over_the_run)
{
	struct scx_cfg_want keep = { .hotplug = -1 };
	char err[SCX_ERR_LEN];
	struct scx_cfg run, cfg;

	ASSERT_EQ(0, scx_cfg_init(&run, err, sizeof(err))) TH_LOG("%s", err);
	cfg = run;
	scx_cfg_apply(&cfg, &keep);
	EXPECT_EQ(0, memcmp(&cfg, &run, sizeof(cfg)));

	/* The hold is at least the test's; a longer run hold stays. */
	cfg = run;
	scx_cfg_apply(&cfg, &(struct scx_cfg_want){ .hold_ms = 15000, .hotplug = -1 });
	EXPECT_EQ(15000, cfg.hold_ms);
	run.hold_ms = 30000;
	cfg = run;
	scx_cfg_apply(&cfg, &(struct scx_cfg_want){ .hold_ms = 15000, .hotplug = -1 });
	EXPECT_EQ(30000, cfg.hold_ms);

	/* A shorter wall guard (a scheduler meant to hang), never under the gate. */
	cfg = run;
	scx_cfg_apply(&cfg, &(struct scx_cfg_want){ .wall_ms = 5000, .hotplug = -1 });
	EXPECT_EQ(5000, cfg.wall_ms);
	cfg = run;
	scx_cfg_apply(&cfg, &(struct scx_cfg_want){ .gate_ms = 8000, .wall_ms = 5000,
						     .hotplug = -1 });
	EXPECT_EQ(8000, cfg.wall_ms);

	/* A longer CPU budget widens the wall guard to three of it. */
	cfg = run;
	scx_cfg_apply(&cfg, &(struct scx_cfg_want){ .attach_ms = 20000, .hotplug = -1 });
	EXPECT_EQ(20000, cfg.attach_ms);
	EXPECT_EQ(60000, cfg.wall_ms);

	/* Stress, repeat and hotplug replace; load only turns on. */
	run.hotplug = true;
	run.load = true;
	cfg = run;
	scx_cfg_apply(&cfg, &(struct scx_cfg_want){ .stress_ms = 20000, .repeat = 3,
						     .hotplug = 0 });
	EXPECT_EQ(20000, cfg.stress_ms);
	EXPECT_EQ(3, cfg.repeat);
	EXPECT_FALSE(cfg.hotplug);
	EXPECT_TRUE(cfg.load);

	/* The run's --stress replaces the load, but not where a fault is aimed at the load. */
	run.stress_ms = 30000;
	cfg = run;
	scx_cfg_apply(&cfg, &(struct scx_cfg_want){ .load = true, .hotplug = -1 });
	EXPECT_EQ(30000, cfg.stress_ms);
	cfg = run;
	scx_cfg_apply(&cfg, &(struct scx_cfg_want){ .load = true, .keep_load = true,
						     .hotplug = -1 });
	EXPECT_EQ(0, cfg.stress_ms);
	EXPECT_TRUE(cfg.load);
}

/* Whether a run fits the kselftest runner's timeout, said before it starts. */
TEST(run_budget_against_the_runner)
{
	struct scx_budget b = { 0 };
	char msg[512];
	int i;

	/* Eight tree schedulers under --stress 30: 248 s of the runner's 300. */
	for (i = 0; i < 8; i++)
		scx_budget_add(&b, 88000, 31000);
	EXPECT_EQ(8, b.tests);
	EXPECT_EQ(248000, b.least_ms);
	EXPECT_EQ(107, b.bound_s);
	EXPECT_EQ(0, scx_budget_check(&b, 0, msg, sizeof(msg)));
	EXPECT_STREQ("", msg);
	EXPECT_EQ(0, scx_budget_check(&b, 600, msg, sizeof(msg)));
	EXPECT_EQ(-ETIME, scx_budget_check(&b, 300, msg, sizeof(msg)));
	EXPECT_NE(NULL, strstr(msg, "may not fit: the 8 selected tests hold for at least 248 s of the runner's 300 s timeout"))
		TH_LOG("%s", msg);

	/* Six more that attach: past the runner's timeout whatever they do. */
	for (i = 0; i < 6; i++)
		scx_budget_add(&b, 88000, 31000);
	EXPECT_EQ(-ETIME, scx_budget_check(&b, 300, msg, sizeof(msg)));
	EXPECT_NE(NULL, strstr(msg, "cannot fit: the 14 selected tests hold for at least 434 s, over the runner's 300 s timeout"))
		TH_LOG("%s", msg);
	EXPECT_NE(NULL, strstr(msg, "at worst they take 1232 s")) TH_LOG("%s", msg);

	/* Expected failures hold nothing: they add to the worst only. */
	b = (struct scx_budget){ 0 };
	scx_budget_add(&b, 262000, 0);
	EXPECT_EQ(0, scx_budget_check(&b, 45, msg, sizeof(msg)));
	EXPECT_EQ(299, b.bound_s);
}

/* Two loads at once: each stops its own threads (no shared state). */
TEST(loads_are_independent)
{
	struct scx_load *a = calloc(2, sizeof(*a)), *b = a + 1;

	struct scx_load_result r;

	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, scx_load_start(a, 60000, 10000));
	ASSERT_EQ(0, scx_load_start(b, 60000, 10000));
	EXPECT_EQ(0, scx_load_stop(a, 2000, NULL, &r));
	EXPECT_FALSE(r.starved);
	EXPECT_EQ(0, scx_load_stop(b, 2000, NULL, &r));
	EXPECT_FALSE(r.starved);
	EXPECT_EQ(r.threads, (int)scx_min(4 * sysconf(_SC_NPROCESSORS_ONLN),
					  SCX_LOAD_MAX_THREADS));
	free(a);
}

/*
 * The load's judge, on gaps set by hand (FIXED INPUTS): a thread not run
 * for longer than the bound starved, whatever the kernel said; the stalls
 * its vCPU's reference saw are taken out, those of another CPU are not.
 */
#define S_MS(ms)	((uint64_t)(ms) * NSEC_PER_MSEC)

struct gaps {
	struct scx_load l;
	struct scx_vref v;
	struct scx_load_result r;
	uint64_t now;
	char line[512];
};

/* Four threads that all ran just now but thread 2, silent on CPU 1 for @gap_ms. */
static int gaps_setup(struct gaps *g, unsigned int gap_ms)
{
	struct scx_load_slot *sl;
	int i, ret;

	memset(g, 0, sizeof(*g));
	ret = scx_load_fake(&g->l, 4, 5000);
	ret = ret ?: scx_vref_alloc(&g->v, 2);
	if (ret)
		return ret;
	g->now = scx_now_ns() + S_MS(60000);
	for (i = 0; (sl = scx_load_slot(&g->l, i)); i++) {
		atomic_store(&sl->gap.last_ns, g->now - (i == 2 ? S_MS(gap_ms) : S_MS(1)));
		atomic_store(&sl->gap.cpu, i == 2 ? 1 : 0);
		atomic_store(&sl->tid, 100 + i);
	}
	/* Both references ran just now. */
	for (i = 0; i < 2; i++)
		atomic_store(&scx_vref_cpu(&g->v, i)->last_ns, g->now - S_MS(1));
	return 0;
}

static void gaps_stall(struct gaps *g, int cpu, unsigned int from_ms, unsigned int to_ms)
{
	struct scx_vref_cpu *c = scx_vref_cpu(&g->v, cpu);
	unsigned int n = atomic_load(&c->nstalls);

	c->stall[n].from = g->now - S_MS(from_ms);
	c->stall[n].to = g->now - S_MS(to_ms);
	atomic_store(&c->nstalls, n + 1);
	atomic_store(&c->max_late_ns, scx_max(atomic_load(&c->max_late_ns),
					      S_MS(from_ms - to_ms)));
}

static void gaps_free(struct gaps *g)
{
	scx_load_free(&g->l);
	scx_vref_stop(&g->v, 0);
}

TEST(load_thread_not_run_is_starved)
{
	struct gaps g;

	ASSERT_EQ(0, gaps_setup(&g, 8000));
	EXPECT_TRUE(scx_load_judge(&g.l, &g.v, g.now, &g.r));
	EXPECT_EQ(1, g.r.nr_starved);
	EXPECT_EQ(4, g.r.threads);
	EXPECT_EQ(2, g.r.worst.idx);
	EXPECT_EQ(102, g.r.worst.tid);
	EXPECT_TRUE(g.r.worst.open);
	EXPECT_EQ(S_MS(8000), g.r.worst.raw_ns);
	EXPECT_EQ(0, g.r.worst.machine_ns);
	EXPECT_TRUE(g.r.machine);
	scx_load_starved_line(&g.r, g.line, sizeof(g.line));
	EXPECT_NE(NULL, strstr(g.line, "starved: load thread scx_load_2 (tid 102) was not run for 8000 ms and counting")) TH_LOG("%s", g.line);
	EXPECT_NE(NULL, strstr(g.line, "bound 5000 ms; 0 ms of it were vCPU stalls")) TH_LOG("%s", g.line);
	gaps_free(&g);
}

TEST(load_gap_minus_vcpu_stall)
{
	struct gaps g;

	/* 8 s silent, 4 s of it its vCPU's stall: 4 s is the scheduler's, under 5. */
	ASSERT_EQ(0, gaps_setup(&g, 8000));
	gaps_stall(&g, 1, 7000, 3000);
	EXPECT_FALSE(scx_load_judge(&g.l, &g.v, g.now, &g.r));
	EXPECT_EQ(0, g.r.nr_starved);
	EXPECT_EQ(S_MS(8000), g.r.max_gap_ns);
	EXPECT_EQ(S_MS(4000), g.r.machine_ns);
	scx_load_line(&g.r, g.line, sizeof(g.line));
	EXPECT_STREQ("load: 4 threads, longest gap 8000 ms (bound 5000 ms); longest vCPU stall 4000 ms (SCHED_FIFO reference)", g.line);
	gaps_free(&g);

	/* The same stall on another CPU is not this thread's: starved. */
	ASSERT_EQ(0, gaps_setup(&g, 8000));
	gaps_stall(&g, 0, 7000, 3000);
	EXPECT_TRUE(scx_load_judge(&g.l, &g.v, g.now, &g.r));
	EXPECT_EQ(0, g.r.worst.machine_ns);
	gaps_free(&g);

	/* A stall still going on (its reference silent for 6 s): the machine's. */
	ASSERT_EQ(0, gaps_setup(&g, 8000));
	atomic_store(&scx_vref_cpu(&g.v, 1)->last_ns, g.now - S_MS(6000));
	EXPECT_FALSE(scx_load_judge(&g.l, &g.v, g.now, &g.r));
	gaps_free(&g);

	/* A stall only partly inside the gap counts for its overlap: 3 s, 5.5 s starved. */
	ASSERT_EQ(0, gaps_setup(&g, 8500));
	gaps_stall(&g, 1, 10000, 5500);
	EXPECT_TRUE(scx_load_judge(&g.l, &g.v, g.now, &g.r));
	EXPECT_EQ(S_MS(3000), g.r.worst.machine_ns);
	scx_load_starved_line(&g.r, g.line, sizeof(g.line));
	EXPECT_NE(NULL, strstr(g.line, "3000 ms of it were vCPU stalls")) TH_LOG("%s", g.line);
	gaps_free(&g);

	/* No reference (no SCHED_FIFO): nothing is taken out, and the report says so. */
	ASSERT_EQ(0, gaps_setup(&g, 8000));
	EXPECT_TRUE(scx_load_judge(&g.l, NULL, g.now, &g.r));
	EXPECT_FALSE(g.r.machine);
	gaps_free(&g);
}

/* A closed gap, over and done, judged between the CPUs it left and resumed on. */
TEST(load_closed_gap_judged)
{
	struct scx_load_slot *sl;
	struct gaps g;

	ASSERT_EQ(0, gaps_setup(&g, 1));
	sl = scx_load_slot(&g.l, 3);
	sl->gap.span[0] = (struct scx_gap_span){
		.from = g.now - S_MS(20000), .to = g.now - S_MS(13000), .cpu_from = 0, .cpu_to = 1,
	};
	atomic_store(&sl->gap.nspans, 1);
	atomic_store(&sl->done, true);
	EXPECT_TRUE(scx_load_judge(&g.l, &g.v, g.now, &g.r));
	EXPECT_EQ(3, g.r.worst.idx);
	EXPECT_FALSE(g.r.worst.open);
	/* Its CPU on resuming stalled 3 s of it: 4 s left, not starved. */
	gaps_stall(&g, 1, 17000, 14000);
	EXPECT_FALSE(scx_load_judge(&g.l, &g.v, g.now, &g.r));
	gaps_free(&g);
}

/* The reference measures: a stall is a wake-up later than the bound, kept with its span. */
TEST(vref_measures_its_cpu)
{
	struct scx_vref v;

	ASSERT_EQ(0, scx_vref_start(&v));
	usleep(100000);
	if (v.why)
		TH_LOG("no reference here: %s", v.why);
	else
		EXPECT_TRUE(scx_vref_on(&v));
	scx_vref_stop(&v, 2000);
	EXPECT_EQ(NULL, v.mem);
	EXPECT_EQ(0, scx_vref_stalled(&v, 0, 0, ~0ULL, scx_now_ns()));
}

/*
 * Kernel splats and hints, on output recorded in real runs: the files in
 * selftest/captures/ each say on their first line which kernel printed
 * them and how it was provoked.
 */
static char *read_capture(const char *name, char *where, size_t len)
{
	const char *env = getenv("SCX_ATTACH_CAPTURES");
	char dirs[3][PATH_MAX], path[4 * PATH_MAX], *text = NULL, *nl;
	const char *src = __FILE__, *slash = strrchr(src, '/');
	size_t i, n = 0, cap = 0;
	FILE *f = NULL;

	snprintf(dirs[0], PATH_MAX, "%s", env && *env ? env : "");
	if (scx_sibling_path(dirs[1], PATH_MAX, "selftest/captures"))
		dirs[1][0] = '\0';
	snprintf(dirs[2], PATH_MAX, "%.*scaptures", slash ? (int)(slash - src + 1) : 0, src);
	snprintf(where, len, "%s not found in $SCX_ATTACH_CAPTURES, %s, %s", name, dirs[1],
		 dirs[2]);
	for (i = 0; i < ARRAY_SIZE(dirs) && !f; i++) {
		if (!dirs[i][0])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		f = fopen(path, "re");
	}
	if (!f)
		return NULL;
	do {
		cap += 65536;
		text = realloc(text, cap + 1);
		if (text)
			n += fread(text + n, 1, cap - n, f);
	} while (text && n == cap);
	fclose(f);
	if (!text)
		return NULL;
	text[n] = '\0';
	/* The first line says where it came from; the rest is what was printed. */
	nl = strchr(text, '\n');
	memmove(text, nl ? nl + 1 : text + n, strlen(nl ? nl + 1 : text + n) + 1);
	return text;
}

/*
 * Read a capture of /dev/kmsg records through the suite's own reader, as
 * if the kernel handed them out: sched_ext lines into @k, every record to
 * @fn.
 */
static int kmsg_capture(const char *name, struct scx_kmsg *k, scx_krec_fn fn, void *arg,
			char *where, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	char *text = read_capture(name, where, len);
	int ret = -1;

	memset(k, 0, sizeof(*k));
	k->fd = -1;
	k->fn = fn;
	k->arg = arg;
	scratch_dir(dir, sizeof(dir), "scx_kmsg");
	if (text && dir[0] && !write_file(dir, "kmsg", text, strlen(text), path)) {
		k->fd = open(path, O_RDONLY | O_CLOEXEC);
		scx_kmsg_collect(k);
		scx_kmsg_close(k);
		ret = 0;
		unlink(path);
	}
	if (dir[0])
		rmdir(dir);
	free(text);
	return ret;
}

static void feed_capture(struct __test_metadata *_metadata, struct scx_splat *s, const char *name)
{
	char where[3 * PATH_MAX];
	struct scx_kmsg k;

	ASSERT_EQ(0, kmsg_capture(name, &k, scx_splat_krec_fn, s, where, sizeof(where)))
		TH_LOG("%s", where);
}

/* Feed records written out as /dev/kmsg hands them, "PRIO,SEQ,TS,-;text". */
static void feed_lines(struct scx_splat *s, const char *const *lines, size_t n)
{
	struct scx_krec rec;
	char one[1024];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(one, sizeof(one), "%s", lines[i]);
		if (!scx_krec_parse(one, &rec))
			scx_splat_feed(s, &rec);
	}
}

static const struct scx_vref_cpu *vref_ref(const void *v, int cpu)
{
	return scx_vref_cpu(v, cpu);
}

/*
 * The watchdog's ejection (captured on Debian's 7.3.4: a 4.312 s wait)
 * against recorded vCPU stalls: the machine's only when, taken out, they
 * leave at most half of the wait.
 */
TEST(watchdog_wait_against_vcpu_stalls)
{
	char where[3 * PATH_MAX], reason[SCX_REASON_LEN], line[160];
	struct scx_stall st;
	struct scx_kmsg k;
	struct gaps g;
	bool err = false;

	ASSERT_EQ(0, kmsg_capture("kmsg-scx-stall.txt", &k, NULL, NULL, where, sizeof(where)))
		TH_LOG("%s", where);
	ASSERT_TRUE(scx_kmsg_reason(&k, reason, sizeof(reason), &err));
	EXPECT_TRUE(err);
	ASSERT_TRUE(scx_stall_parse(reason, &st)) TH_LOG("%s", reason);
	EXPECT_FALSE(st.check_in);
	EXPECT_EQ(S_MS(4312), st.wait_ns);
	/* The kernel's other stall message, from its tick (the 5.312 s seen on 64 vCPUs). */
	ASSERT_TRUE(scx_stall_parse("runnable task stall: watchdog failed to check in for 15.312s", &st));
	EXPECT_TRUE(st.check_in);
	EXPECT_EQ(S_MS(15312), st.wait_ns);
	EXPECT_FALSE(scx_stall_parse("runtime error: fault: injected error", &st));
	EXPECT_FALSE(scx_stall_parse("runnable task stall: failed to run for 4s", &st));

	/* 4.2 s of vCPU 1 stopped in a 5.312 s wait: the machine's. */
	ASSERT_EQ(0, gaps_setup(&g, 1));
	ASSERT_TRUE(scx_stall_parse("runnable task stall: watchdog failed to check in for 5.312s", &st));
	gaps_stall(&g, 1, 4700, 500);
	scx_stall_judge(&st, vref_ref, &g.v, 2, g.now, g.now);
	EXPECT_TRUE(st.measured);
	EXPECT_EQ(1, st.cpu);
	EXPECT_EQ(S_MS(4200), st.stalled_ns);
	EXPECT_TRUE(st.machine);
	scx_stall_line(&st, line, sizeof(line));
	EXPECT_STREQ("a 5.3 s wait, 4.2 s of it a stall of vCPU 1 (SCHED_FIFO reference)", line);
	/* The same stall ended before the wait began: not in it, the scheduler's. */
	atomic_store(&scx_vref_cpu(&g.v, 0)->last_ns, g.now + S_MS(10000));
	atomic_store(&scx_vref_cpu(&g.v, 1)->last_ns, g.now + S_MS(10000));
	scx_stall_judge(&st, vref_ref, &g.v, 2, g.now + S_MS(10000), g.now + S_MS(10000));
	EXPECT_FALSE(st.machine);
	gaps_free(&g);

	/* Small against the wait: 1.0 s of a 4.312 s task wait is the scheduler's. */
	ASSERT_EQ(0, gaps_setup(&g, 1));
	ASSERT_TRUE(scx_stall_parse(reason, &st));
	gaps_stall(&g, 0, 3000, 2000);
	scx_stall_judge(&st, vref_ref, &g.v, 2, g.now, g.now);
	EXPECT_EQ(S_MS(1000), st.stalled_ns);
	EXPECT_FALSE(st.machine);
	/* Half of it exactly is the machine's. */
	gaps_stall(&g, 1, 2156, 0);
	scx_stall_judge(&st, vref_ref, &g.v, 2, g.now, g.now);
	EXPECT_EQ(1, st.cpu);
	EXPECT_TRUE(st.machine);
	gaps_free(&g);

	/* No reference: nothing is taken out, and the line says so. */
	scx_stall_judge(&st, vref_ref, NULL, 2, g.now, g.now);
	EXPECT_FALSE(st.measured);
	EXPECT_FALSE(st.machine);
	scx_stall_line(&st, line, sizeof(line));
	EXPECT_STREQ("a 4.3 s wait; vCPU stalls not measured", line);
}

/* Each kind of splat the kernel really printed in a guest fails. */
TEST(splat_real_captures)
{
	static const struct {
		const char *capture;
		enum scx_splat_kind kind;
		unsigned int count;
		const char *first;
	} cases[] = {
		{ "kmsg-hung-task.txt", SCX_SPLAT_HUNG_TASK, 3,
		  "INFO: task fusehang:169 blocked for more than 2 seconds." },
		{ "kmsg-soft-lockup.txt", SCX_SPLAT_SOFT_LOCKUP, 2,
		  "watchdog: BUG: soft lockup - CPU#1 stuck for 3s! [bpfspin:183]" },
		{ "kmsg-rcu-stall.txt", SCX_SPLAT_RCU_STALL, 1,
		  "rcu: INFO: rcu_preempt self-detected stall on CPU" },
		{ "kmsg-scx-error.txt", SCX_SPLAT_SCX_ERROR, 1,
		  "sched_ext: BPF scheduler \"fault\" disabled (scx_bpf_error)" },
		{ "kmsg-scx-stall.txt", SCX_SPLAT_SCX_ERROR, 1,
		  "sched_ext: BPF scheduler \"fault\" disabled (runnable task stall)" },
		{ "kmsg-scx-init-fail.txt", SCX_SPLAT_SCX_ERROR, 1,
		  "sched_ext: BPF scheduler \"fault\" disabled (runtime error)" },
		/* sched_ext's lockup line, the watchdog's, then the disable. */
		{ "kmsg-scx-soft-lockup.txt", SCX_SPLAT_SCX_ERROR, 3,
		  "sched_ext: Soft lockup - CPU 0 stuck for 1s, disabling BPF scheduler" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct scx_splat s;

		scx_splat_init(&s, NULL);
		feed_capture(_metadata, &s, cases[i].capture);
		EXPECT_EQ(cases[i].kind, s.kind) TH_LOG("%s", cases[i].capture);
		EXPECT_EQ(cases[i].count, s.count) TH_LOG("%s", cases[i].capture);
		EXPECT_EQ(0, strncmp(s.text, cases[i].first, strlen(cases[i].first)))
			TH_LOG("%s: %s", cases[i].capture, s.text);
	}
}

/*
 * The kinds no guest here could provoke (no modules, no sanitizers that
 * trip on demand, no PMU for the NMI watchdog under emulation): records
 * written in the formats of the 7.3 tree, at the levels it prints them.
 */
TEST(splat_source_formats)
{
	/* arch/x86/mm/fault.c, then dumpstack.c's __die_header(): one splat */
	static const char *const null_deref[] = {
		"1,900,5000000,-;BUG: kernel NULL pointer dereference, address: 0000000000000008",
		"1,901,5000010,-;#PF: supervisor read access in kernel mode",
		"1,902,5000020,-;#PF: error_code(0x0000) - not-present page",
		"4,903,5000030,-;Oops: Oops: 0000 [#1] SMP NOPTI",
		"4,904,5000040,-;Call Trace:",
		"4,905,5000050,-; <TASK>",
		"4,906,5000060,-; scx_dispatch+0x12/0x40",
	};
	/* kernel/panic.c's __warn(), then its end marker; a warning after it is another */
	static const char *const warning[] = {
		"4,910,6000000,-;------------[ cut here ]------------",
		"4,911,6000010,-;WARNING: kernel/sched/ext/ext.c:677 at scx_set_task_state+0x5c/0x80, CPU#1: kworker/1:0/42",
		"4,912,6000020,-;Call Trace:",
		"4,913,6000030,-;---[ end trace 0000000000000000 ]---",
		"4,914,6000040,-;WARNING: at scx_set_task_state+0x5c/0x80, CPU#1: kworker/1:0/42",
	};
	static const struct {
		enum scx_splat_kind kind;
		const char *line;
	} one[] = {
		/* arch/x86/kernel/traps.c GPFSTR through __die_header() */
		{ SCX_SPLAT_GPF,
		  "4,920,1,-;Oops: general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] SMP NOPTI",
		},
		/* lib/bug.c report_bug() for BUG() */
		{ SCX_SPLAT_BUG,
		  "2,921,1,-;kernel BUG at kernel/sched/ext/ext.c:1234!" },
		{ SCX_SPLAT_OOPS,
		  "4,922,1,-;Oops: invalid opcode: 0000 [#1] SMP NOPTI" },
		{ SCX_SPLAT_PANIC,
		  "0,923,1,-;Kernel panic - not syncing: Fatal exception" },
		/* kernel/rcu/tree_stall.h, tree_exp.h, tasks.h */
		{ SCX_SPLAT_RCU_STALL,
		  "3,924,1,-;rcu: INFO: rcu_sched detected stalls on CPUs/tasks:" },
		{ SCX_SPLAT_RCU_STALL,
		  "3,925,1,-;rcu: INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 1-... } 21003 jiffies s: 273 root: 0x2/.",
		},
		{ SCX_SPLAT_RCU_STALL,
		  "3,926,1,-;INFO: rcu_tasks detected stalls on tasks:" },
		/* kernel/watchdog.c watchdog_hardlockup_check() */
		{ SCX_SPLAT_HARD_LOCKUP,
		  "0,927,1,-;watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 1" },
		/* kernel/hung_task.c for a task in I/O wait */
		{ SCX_SPLAT_HUNG_TASK,
		  "3,928,1,-;INFO: task kworker/u8:2:77 blocked in I/O wait for more than 122 seconds.",
		},
		/* mm/kasan/report.c */
		{ SCX_SPLAT_KASAN,
		  "3,929,1,-;BUG: KASAN: slab-use-after-free in scx_exit_task+0x2f/0x90" },
		{ SCX_SPLAT_KASAN,
		  "1,930,1,-;KASAN: null-ptr-deref in range [0x0000000000000010-0x0000000000000017]",
		},
		/* lib/ubsan.c ubsan_prologue() */
		{ SCX_SPLAT_UBSAN,
		  "3,931,1,-;UBSAN: array-index-out-of-bounds in kernel/sched/ext/ext.c:4321:17" },
		/* mm/kfence/report.c */
		{ SCX_SPLAT_KFENCE,
		  "3,932,1,-;BUG: KFENCE: out-of-bounds read in scx_bpf_dsq_insert+0x33/0x120" },
		/* kernel/workqueue.c, kernel/sched/core.c */
		{ SCX_SPLAT_BUG,
		  "3,933,1,-;BUG: workqueue lockup - pool cpus=1 node=0 flags=0x0 nice=0 stuck for 33s!",
		},
		{ SCX_SPLAT_BUG,
		  "3,934,1,-;BUG: scheduling while atomic: scx_fault/131/0x00000002" },
		/* kernel/sched/ext/ext.c handle_lockup() */
		{ SCX_SPLAT_SCX_ERROR,
		  "3,935,1,-;sched_ext: Hard lockup - CPU 1, disabling BPF scheduler" },
		{ SCX_SPLAT_SCX_ERROR,
		  "3,936,1,-;sched_ext: BPF sub-scheduler \"child\" disabled (scx_bpf_error)" },
	};
	struct scx_splat s;
	size_t i;

	scx_splat_init(&s, NULL);
	feed_lines(&s, null_deref, ARRAY_SIZE(null_deref));
	EXPECT_EQ(SCX_SPLAT_BUG, s.kind);
	EXPECT_EQ(1, s.count);
	EXPECT_NE(NULL, strstr(s.text, "Oops: Oops: 0000 [#1]"));
	EXPECT_NE(NULL, strstr(s.text, " scx_dispatch+0x12/0x40"));

	scx_splat_init(&s, NULL);
	feed_lines(&s, warning, ARRAY_SIZE(warning));
	EXPECT_EQ(SCX_SPLAT_WARNING, s.kind);
	EXPECT_EQ(2, s.count);
	EXPECT_EQ(NULL, strstr(s.text, "cut here"));

	for (i = 0; i < ARRAY_SIZE(one); i++) {
		scx_splat_init(&s, NULL);
		feed_lines(&s, &one[i].line, 1);
		EXPECT_EQ(one[i].kind, s.kind) TH_LOG("%s", one[i].line);
		EXPECT_EQ(1, s.count) TH_LOG("%s", one[i].line);
	}
	/* Every kind has a name, and a key fit for a result line. */
	for (i = 0; i < SCX_SPLAT_NR; i++) {
		ASSERT_NE(NULL, scx_splat_kind_name(i));
		ASSERT_NE(NULL, scx_splat_kind_key(i));
		EXPECT_EQ(strlen(scx_splat_kind_key(i)), strcspn(scx_splat_kind_key(i), " #="));
	}
	EXPECT_STREQ("soft_lockup", scx_splat_kind_key(SCX_SPLAT_SOFT_LOCKUP));
}

/* What the kernel logs in a healthy run, and what user space writes, never count. */
TEST(splat_benign_and_user_space)
{
	static const char *const healthy[] = {
		"6,381,13819457,-;sched_ext: BPF scheduler \"simple\" enabled",
		/* the loader restarts after hotplug: an unregistration, logged as info */
		"6,382,13819460,-;sched_ext: BPF scheduler \"flatcg\" disabled (unregistered from the main kernel)",
		/* not at the start of the text: a message that quotes a splat */
		"6,383,13819470,-;foo: device reports that a BUG: was fixed",
		"4,384,13819480,-;usb 1-1: WARNING: descriptor says so",
	};
	static const char *const kernel_only[] = {
		"kmsg-hung-task.txt", "kmsg-soft-lockup.txt", "kmsg-rcu-stall.txt",
		"kmsg-scx-error.txt",
	};
	struct scx_splat s, user;
	struct scx_krec rec;
	struct scx_kmsg k;
	char where[3 * PATH_MAX], one[1024], *text, *p, *nl;
	size_t i;

	scx_splat_init(&s, NULL);
	feed_capture(_metadata, &s, "kmsg-clocksource.txt");
	feed_capture(_metadata, &s, "kmsg-scx-unregistered.txt");
	feed_lines(&s, healthy, ARRAY_SIZE(healthy));
	EXPECT_EQ(0, s.count) TH_LOG("%s", s.text);
	/* Real records of user space writing "<0>BUG: ..." and "WARNING: ..." */
	feed_capture(_metadata, &s, "kmsg-user-space.txt");
	EXPECT_EQ(0, s.count) TH_LOG("%s", s.text);

	/* Every record of every real splat, as if user space had written it. */
	scx_splat_init(&user, NULL);
	for (i = 0; i < ARRAY_SIZE(kernel_only); i++) {
		text = read_capture(kernel_only[i], where, sizeof(where));
		ASSERT_NE(NULL, text) TH_LOG("%s", where);
		for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
			nl = strchr(p, '\n');
			snprintf(one, sizeof(one), "%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
			if (scx_krec_parse(one, &rec))
				continue;
			ASSERT_EQ(0, rec.facility);
			rec.facility = 1;
			scx_splat_feed(&user, &rec);
		}
		free(text);
	}
	EXPECT_EQ(0, user.count);

	/* sched_ext errors only when asked; other splats always. */
	scx_splat_init(&s, NULL);
	scx_splat_scx_errors(&s, false);
	feed_capture(_metadata, &s, "kmsg-scx-error.txt");
	EXPECT_EQ(0, s.count);
	scx_splat_init(&s, NULL);
	scx_splat_scx_errors(&s, false);
	feed_capture(_metadata, &s, "kmsg-scx-soft-lockup.txt");
	EXPECT_EQ(1, s.count);
	EXPECT_EQ(SCX_SPLAT_SOFT_LOCKUP, s.kind);
	/* The sched_ext lines still reach the kernel log reader. */
	ASSERT_EQ(0, kmsg_capture("kmsg-scx-error.txt", &k, NULL, NULL, where, sizeof(where)));
	EXPECT_TRUE(scx_kmsg_saw(&k, SCX_KLINE_DISABLED));
}

TEST(splat_allowlist)
{
	static const char allow[] =
		"# known-benign kernel lines\n"
		"\n"
		"  INFO: task fusehang:\t\n"
		"watchdog: BUG: soft lockup - CPU#? stuck for *s!*\n";
	char dir[PATH_MAX], path[PATH_MAX + 16], err[PATH_MAX + 64];
	struct scx_splat_allow a;
	struct scx_splat s;

	scratch_dir(dir, sizeof(dir), "scx_allow");
	ASSERT_NE(0, dir[0]);
	ASSERT_EQ(0, write_file(dir, "splat.allow", allow, sizeof(allow) - 1, path));
	ASSERT_EQ(0, scx_splat_allow_load(&a, path, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(2, a.n);
	EXPECT_STREQ("INFO: task fusehang:", a.pat[0]);

	scx_splat_init(&s, &a);
	feed_capture(_metadata, &s, "kmsg-hung-task.txt");
	feed_capture(_metadata, &s, "kmsg-soft-lockup.txt");
	EXPECT_EQ(0, s.count);
	EXPECT_EQ(5, s.allowed);
	/* Not on the list: still a failure, after the allowed ones. */
	feed_capture(_metadata, &s, "kmsg-rcu-stall.txt");
	EXPECT_EQ(1, s.count);
	EXPECT_EQ(SCX_SPLAT_RCU_STALL, s.kind);

	setenv(SCX_SPLAT_ALLOW_ENV, path, 1);
	scx_splat_allow_free(&a);
	EXPECT_EQ(0, scx_splat_allow_default(&a, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(2, a.n);
	EXPECT_STREQ(path, a.path);
	scx_splat_allow_free(&a);
	unlink(path);
	/* Named, but missing: an error that says which file. */
	EXPECT_EQ(-ENOENT, scx_splat_allow_default(&a, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, path)) TH_LOG("%s", err);
	unsetenv(SCX_SPLAT_ALLOW_ENV);
	EXPECT_EQ(-EINVAL, scx_splat_allow_load(&a, dir, err, sizeof(err)));
	EXPECT_EQ(0, a.n);
	rmdir(dir);
}

/* A trace of any length keeps a bounded head; the dump stays TAP. */
TEST(splat_bounded)
{
	char where[3 * PATH_MAX], line[1024], *text, *frames, *out = NULL, *p;
	struct scx_splat s;
	struct scx_krec rec;
	size_t outlen = 0, n;
	FILE *f;
	int i;

	text = read_capture("kmsg-hung-task.txt", where, sizeof(where));
	ASSERT_NE(NULL, text) TH_LOG("%s", where);
	/* Its first report: the header, then the frames, 20000 times over. */
	frames = strstr(text, "Call Trace:");
	ASSERT_NE(NULL, frames);
	scx_splat_init(&s, NULL);
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(text, "\n"), text);
	ASSERT_EQ(0, scx_krec_parse(line, &rec));
	scx_splat_feed(&s, &rec);
	for (i = 0; i < 20000; i++) {
		p = frames + strcspn(frames, "\n") + 1;
		n = strcspn(p, "\n");
		snprintf(line, sizeof(line), "6,%d,65396346,-;%.*s", 1000 + i, (int)n,
			 strchr(p, ';') + 1);
		ASSERT_EQ(0, scx_krec_parse(line, &rec));
		scx_splat_feed(&s, &rec);
	}
	/* And one record as long as the kernel makes them. */
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "6,99999,65396347,-;", 19);
	ASSERT_EQ(0, scx_krec_parse(line, &rec));
	scx_splat_feed(&s, &rec);
	free(text);

	EXPECT_EQ(1, s.count);
	EXPECT_LT(s.len, sizeof(s.text));
	EXPECT_GE(SCX_SPLAT_HEAD_LINES + SCX_SPLAT_TRACE_LINES, s.lines);
	EXPECT_EQ(20001 + 1 - s.lines, s.omitted);

	f = open_memstream(&out, &outlen);
	ASSERT_NE(NULL, f);
	scx_splat_print(f, &s);
	fclose(f);
	EXPECT_EQ(0, strncmp(out, "# kernel splats: 1; the first: hung task, at 65.394537 s", 56))
		TH_LOG("%s", out);
	for (p = out; *p; p += n + 1) {
		n = strcspn(p, "\n");
		EXPECT_EQ(0, strncmp(p, "# ", 2));
		EXPECT_GT(220, n);
	}
	EXPECT_NE(NULL, strstr(out, "more lines of it not shown"));
	free(out);
}

#define BPF_ERROR_SAYS \
	"scx_bpf_error() at scx_fault.bpf.c:65: \"fault: injected error after 500 ms\";"

/* Each row of the hint table, on what real schedulers printed. */
TEST(hint_rows)
{
	static const struct {
		const char *out, *kmsg;
		enum scx_hint_kind kind;
		const char *says[3];
	} cases[] = {
		{ "out-kconfig.txt", NULL, SCX_HINT_KCONFIG,
		  { "/boot/config-$(uname -r)", "CONFIG_IKCONFIG_PROC=y",
		    "(failed to open system Kconfig)" } },
		{ "out-no-btf.txt", NULL, SCX_HINT_NO_BTF,
		  { "(kernel BTF is missing at '/sys/kernel/btf/vmlinux'",
		    "CONFIG_DEBUG_INFO_BTF=y" } },
		{ "out-kfunc.txt", NULL, SCX_HINT_KERNEL_SYMBOL,
		  { "lacks scx_bpf_sub_caps (a kfunc its BPF code calls)", "newer kernel" } },
		{ "out-attach-target.txt", NULL, SCX_HINT_KERNEL_SYMBOL,
		  { "lacks scx_bpf_sub_caps (the attach target of BPF program 'spin')" } },
		{ "out-member.txt", NULL, SCX_HINT_OPS_FIELD,
		  { "sets qmap_ops.cpuctl_init, a field", "newer than the kernel" } },
		{ "out-verifier.txt", NULL, SCX_HINT_VERIFIER,
		  { "rejected BPF program 'fault_init' (-EACCES)",
		    "\nverifier: 5: (61) r1 = *(u32 *)(r0 +0)\nverifier: R0 invalid mem access 'scalar'\n"
		    "verifier: Verification failed: Register Type Safety: Invalid dereference\n"
		    "verifier: at fault_init @ scx_fault.bpf.c:114:10",
		    "\nverifier: ; return *(volatile s32 *)(unsigned long)bpf_ktime_get_ns(); @ scx_fault.bpf.c:114\n",
		  } },
		{ "out-eperm.txt", NULL, SCX_HINT_EPERM,
		  { "need CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON (root has them" } },
		{ "out-ebusy.txt", NULL, SCX_HINT_EBUSY,
		  { "EBUSY ([SCX_BUG] scx_qmap.c:446 (Device or resource busy))",
		    "another scheduler" } },
		{ "out-stall.txt", "kmsg-scx-stall.txt", SCX_HINT_STALL,
		  { "stallme[126] was runnable but not run for 4.312s, longer" } },
		{ "out-stall.txt", NULL, SCX_HINT_STALL,
		  { "stallme[126] was runnable but not run for 4.312s, longer" } },
		{ "out-bpf-error.txt", "kmsg-scx-error.txt", SCX_HINT_BPF_ERROR,
		  { BPF_ERROR_SAYS } },
		{ "out-bpf-error.txt", NULL, SCX_HINT_BPF_ERROR,
		  { BPF_ERROR_SAYS } },
		{ NULL, "kmsg-scx-error.txt", SCX_HINT_BPF_ERROR,
		  { BPF_ERROR_SAYS } },
		{ "out-init-fail.txt", "kmsg-scx-init-fail.txt", SCX_HINT_OPS_ERROR,
		  { "runtime error: \"ops.init() failed (-22)\"." } },
		{ NULL, "kmsg-scx-soft-lockup.txt", SCX_HINT_OPS_ERROR,
		  { "runtime error: \"soft lockup - CPU 0 stuck for 1s\"." } },
		/* A healthy attach and detach names no cause. */
		{ NULL, "kmsg-scx-unregistered.txt", SCX_HINT_NONE, { "" } },
	};
	char where[3 * PATH_MAX], hint[SCX_HINT_LEN], *tail;
	const char *klines;
	enum scx_hint_kind kind;
	size_t i, j, n;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct scx_kmsg k = { .fd = -1 };

		tail = NULL;
		if (cases[i].out) {
			tail = read_capture(cases[i].out, where, sizeof(where));
			ASSERT_NE(NULL, tail) TH_LOG("%s", where);
			/* What the log's ring keeps of it. */
			n = strlen(tail);
			if (n >= SCX_TAIL_LEN)
				memmove(tail, tail + n - SCX_TAIL_LEN + 1, SCX_TAIL_LEN);
		}
		klines = NULL;
		if (cases[i].kmsg) {
			ASSERT_EQ(0, kmsg_capture(cases[i].kmsg, &k, NULL, NULL, where,
						  sizeof(where))) TH_LOG("%s", where);
			klines = k.lines;
		}
		kind = scx_hint(tail, klines, hint, sizeof(hint));
		EXPECT_EQ(cases[i].kind, kind)
			TH_LOG("%s + %s: %s", cases[i].out, cases[i].kmsg, hint);
		for (j = 0; j < ARRAY_SIZE(cases[i].says) && cases[i].says[j]; j++) {
			const char *says = cases[i].says[j];

			EXPECT_NE(NULL, strstr(hint, says))
				TH_LOG("\"%s\" lacks \"%s\"", hint, says);
		}
		if (cases[i].kind == SCX_HINT_NONE)
			EXPECT_STREQ("", hint);
		free(tail);
	}

	/* The loader's EXIT line with more output after it, and text to sanitize. */
	EXPECT_EQ(SCX_HINT_OPS_ERROR,
		  scx_hint("EXIT: runtime error (ops.init() failed (-22)) on CPU 0\n"
			   "bye (for now)\n", NULL, hint, sizeof(hint)));
	EXPECT_NE(NULL, strstr(hint, "runtime error: \"ops.init() failed (-22)\"."))
		TH_LOG("%s", hint);
	EXPECT_EQ(SCX_HINT_EBUSY, scx_hint("attach: \x1b[31mDevice or resource busy\n", NULL, hint,
					   sizeof(hint)));
	EXPECT_EQ(NULL, strchr(hint, '\x1b')) TH_LOG("%s", hint);
}

TEST_HARNESS_MAIN
