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
#include "lib/kmsg.h"
#include "lib/load.h"
#include "lib/manifest.h"
#include "lib/uevent.h"
#include "lib/verdict.h"

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
		{ "a bin=x expect=timeout expect=rejected\n", ":1: expect= given twice" },
		{ "a bin=x =y\n", ":1: \"=y\" is not key=value" },
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

/* The emulated windows, at their worst, end before the harness kills the test. */
TEST(emulated_windows_fit_the_timeout)
{
	char err[SCX_ERR_LEN];
	struct scx_cfg cfg;

	setenv("SCX_ATTACH_EMULATED", "1", 1);
	ASSERT_EQ(0, scx_cfg_init(&cfg, err, sizeof(err))) TH_LOG("%s", err);
	unsetenv("SCX_ATTACH_EMULATED");
	EXPECT_EQ(60000, cfg.attach_ms);
	EXPECT_EQ(180000, cfg.wall_ms);
	EXPECT_GT(SCX_TIMEOUT_S * 1000U, scx_cfg_worst_ms(&cfg));
	ASSERT_EQ(0, scx_cfg_init(&cfg, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(10000, cfg.attach_ms);
	EXPECT_GT(SCX_TIMEOUT_S * 1000U, scx_cfg_worst_ms(&cfg));
}

/* Two loads at once: each stops its own threads (no shared state). */
TEST(loads_are_independent)
{
	struct scx_load *a = calloc(2, sizeof(*a)), *b = a + 1;

	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, scx_load_start(a, 60000));
	ASSERT_EQ(0, scx_load_start(b, 60000));
	EXPECT_EQ(0, scx_load_stop(a, 2000));
	EXPECT_EQ(0, scx_load_stop(b, 2000));
	free(a);
}

TEST_HARNESS_MAIN
