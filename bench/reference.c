// SPDX-License-Identifier: GPL-2.0
/*
 * attach_bench: the kernel's side of each cycle (see reference.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/common.h"
#include "lib/kmsg.h"
#include "lib/sub.h"
#include "lib/uevent.h"
#include "reference.h"

#define MAX_EVENTS	65536
#define MAX_PROBES	2200

static struct ref_ev evs[MAX_EVENTS];
static int nev;
static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ev_cond = PTHREAD_COND_INITIALIZER;
static int kmsg_ready, uev_ready;
static char sysfs_root[PATH_MAX];

static struct ref_probe probes[MAX_PROBES];
static int nprobes;

long long ref_enable_seq(void)
{
	char path[PATH_MAX + 16], buf[32];
	long long v = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/enable_seq", sysfs_root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		v = atoll(buf);
	}
	return v;
}

static void ev_put(const struct ref_ev *e)
{
	pthread_mutex_lock(&ev_lock);
	if (nev < MAX_EVENTS)
		evs[nev++] = *e;
	pthread_cond_broadcast(&ev_cond);
	pthread_mutex_unlock(&ev_lock);
}

static void ev_add(enum ref_kind kind, uint64_t t, int probe, long long seq, const char *name)
{
	struct ref_ev e = { .kind = kind, .t = t, .probe = probe, .seq = seq };

	snprintf(e.name, sizeof(e.name), "%s", name ? name : "");
	ev_put(&e);
}

/* Any uevent below sched_ext: the root's, a sub-scheduler's, a kset's. */
static void ev_add_uevent(const struct scx_uevent *u, uint64_t t)
{
	struct ref_ev e = { .t = t, .probe = -1, .seq = -1 };
	unsigned long long cgid;
	bool add = !strcmp(u->action, "add"), remove = !strcmp(u->action, "remove");

	if (scx_uevent_is_root(u) && (add || remove)) {
		e.kind = add ? REF_UEV_ADD : REF_UEV_REMOVE;
		/*
		 * Does the kernel bump enable_seq before or after this event?
		 * A watcher woken by it and requiring enable_seq to have moved
		 * needs to know.
		 */
		if (add)
			e.seq = ref_enable_seq();
	} else if (scx_uevent_sub_cgid(u, &cgid) && (add || remove)) {
		e.kind = add ? REF_UEV_SUB_ADD : REF_UEV_SUB_REMOVE;
	} else {
		e.kind = REF_UEV_OTHER;
	}
	snprintf(e.name, sizeof(e.name), "%s", u->scxops ?: "");
	snprintf(e.action, sizeof(e.action), "%s", u->action);
	snprintf(e.devpath, sizeof(e.devpath), "%s", u->devpath);
	ev_put(&e);
}

int ref_events(int from, int to, struct ref_ev *out, int max)
{
	int i, n = 0;

	pthread_mutex_lock(&ev_lock);
	for (i = from; i < to && i < nev && n < max; i++)
		out[n++] = evs[i];
	pthread_mutex_unlock(&ev_lock);
	return n;
}

int ref_mark(void)
{
	int n;

	pthread_mutex_lock(&ev_lock);
	n = nev;
	pthread_mutex_unlock(&ev_lock);
	return n;
}

static bool ev_match(const struct ref_ev *e, enum ref_kind kind, const char *name, int probe)
{
	return e->kind == kind && (!name || !strncmp(e->name, name, strlen(name))) &&
	       (probe < 0 || e->probe == probe);
}

bool ref_wait(enum ref_kind kind, int from, const char *name, int probe, unsigned int ms,
	      struct ref_ev *out)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	struct timespec ts;
	bool found = false;
	int i;

	pthread_mutex_lock(&ev_lock);
	for (;;) {
		for (i = from; i < nev && !found; i++) {
			if (ev_match(&evs[i], kind, name, probe)) {
				*out = evs[i];
				found = true;
			}
		}
		if (found || scx_now_ns() >= deadline)
			break;
		/* The condvar runs on CLOCK_REALTIME: wait in short slices. */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * NSEC_PER_MSEC;
		if (ts.tv_nsec >= (long)NSEC_PER_SEC) {
			ts.tv_sec++;
			ts.tv_nsec -= NSEC_PER_SEC;
		}
		pthread_cond_timedwait(&ev_cond, &ev_lock, &ts);
	}
	pthread_mutex_unlock(&ev_lock);
	return found;
}

static void set_ready(int *flag)
{
	pthread_mutex_lock(&ev_lock);
	*flag = 1;
	pthread_cond_broadcast(&ev_cond);
	pthread_mutex_unlock(&ev_lock);
}

/*
 * lib/'s socket and parser, but a receive loop of its own: the reference
 * needs each message's arrival time, and enable_seq read right after each
 * "add", where scx_uevent_drain() folds whatever is pending into flags.
 * A message lib/ failed to parse goes missing here too: that shows as a
 * cycle without a reference time, never as a wrong one.
 */
static void *uevent_thread(void *arg)
{
	char buf[8193];
	struct sockaddr_nl src;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr msg = { .msg_name = &src, .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd pfd = { .events = POLLIN };
	struct scx_uevent ev;
	uint64_t t;
	ssize_t n;

	(void)arg;
	pfd.fd = scx_uevent_open();
	set_ready(&uev_ready);
	if (pfd.fd < 0) {
		fprintf(stderr, "attach_bench: uevent listener: %s\n", strerror(-pfd.fd));
		return NULL;
	}
	while (poll(&pfd, 1, -1) >= 0 || errno == EINTR) {
		for (;;) {
			msg.msg_namelen = sizeof(src);
			n = recvmsg(pfd.fd, &msg, MSG_DONTWAIT);
			t = scx_now_ns();
			if (n < 0 && errno == ENOBUFS)
				continue;
			if (n <= 0)
				break;
			buf[n] = '\0';
			if (src.nl_pid != 0 || scx_uevent_parse(buf, n, &ev) ||
			    strncmp(ev.devpath, SCX_UEVENT_DIR "/", strlen(SCX_UEVENT_DIR) + 1))
				continue;
			ev_add_uevent(&ev, t);
		}
	}
	return NULL;
}

/* 'BPF scheduler "X" ...': copy X. */
static void kline_name(const char *msg, char *name, size_t len)
{
	const char *p = strstr(msg, "BPF scheduler \""), *q;

	name[0] = '\0';
	if (!p)
		return;
	p += 15;
	q = strchr(p, '"');
	if (q)
		snprintf(name, len, "%.*s", (int)(q - p), p);
}

/* One /dev/kmsg record: "prio,seq,ts_us,flags[,...];text\n". */
static void kmsg_record(char *buf)
{
	unsigned long long ts_us;
	char name[64], *msg;
	int probe;

	if (sscanf(buf, "%*u,%*u,%llu", &ts_us) != 1)
		return;
	msg = strchr(buf, ';');
	if (!msg)
		return;
	msg++;
	msg[strcspn(msg, "\n")] = '\0';
	if (sscanf(msg, "scx_bench: clock probe %d", &probe) == 1) {
		ev_add(REF_K_PROBE, ts_us * 1000ULL, probe, -1, NULL);
		return;
	}
	switch (scx_sub_kline_parse(msg, name, sizeof(name), NULL, 0)) {
	case SCX_SUB_KLINE_ENABLED:
		ev_add(REF_K_SUB_ENABLED, ts_us * 1000ULL, -1, -1, name);
		return;
	case SCX_SUB_KLINE_DISABLED:
		ev_add(REF_K_SUB_DISABLED, ts_us * 1000ULL, -1, -1, name);
		return;
	default:
		break;
	}
	switch (scx_kline_parse(msg, NULL, 0, NULL)) {
	case SCX_KLINE_ENABLED:
		kline_name(msg, name, sizeof(name));
		ev_add(REF_K_ENABLED, ts_us * 1000ULL, -1, -1, name);
		break;
	case SCX_KLINE_DISABLED:
		kline_name(msg, name, sizeof(name));
		ev_add(REF_K_DISABLED, ts_us * 1000ULL, -1, -1, name);
		break;
	default:
		break;
	}
}

static void *kmsg_thread(void *arg)
{
	char buf[8192];
	ssize_t n;
	int fd;

	(void)arg;
	fd = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || lseek(fd, 0, SEEK_END) < 0) {
		fprintf(stderr, "attach_bench: /dev/kmsg: %s\n", strerror(errno));
		set_ready(&kmsg_ready);
		return NULL;
	}
	set_ready(&kmsg_ready);
	for (;;) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		buf[n] = '\0';
		kmsg_record(buf);
	}
	return NULL;
}

int ref_start(const char *sysfs)
{
	pthread_t th;

	snprintf(sysfs_root, sizeof(sysfs_root), "%s", sysfs);
	if (pthread_create(&th, NULL, uevent_thread, NULL) ||
	    pthread_create(&th, NULL, kmsg_thread, NULL))
		return -EAGAIN;
	pthread_mutex_lock(&ev_lock);
	while (!uev_ready || !kmsg_ready)
		pthread_cond_wait(&ev_cond, &ev_lock);
	pthread_mutex_unlock(&ev_lock);
	return 0;
}

void ref_clock_probe(void)
{
	static int id;
	char line[64];
	uint64_t t0, t1;
	struct ref_ev e;
	int fd, len, mark = ref_mark();

	if (nprobes >= MAX_PROBES)
		return;
	/* A fresh open each time: /dev/kmsg rate-limits writes per open file. */
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "<6>scx_bench: clock probe %d\n", ++id);
	t0 = scx_now_ns();
	if (write(fd, line, len) != len) {
		close(fd);
		return;
	}
	t1 = scx_now_ns();
	close(fd);
	if (!ref_wait(REF_K_PROBE, mark, NULL, id, 1000, &e))
		return;
	probes[nprobes++] = (struct ref_probe){
		.t = t0,
		.offset = (int64_t)e.t - (int64_t)(t0 / 2 + t1 / 2),
		.width = t1 - t0,
	};
}

const struct ref_probe *ref_probes(int *n)
{
	*n = nprobes;
	return probes;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int64_t ref_kmsg_offset(void)
{
	static int64_t offs[MAX_PROBES];
	int i;

	if (!nprobes)
		return 0;
	for (i = 0; i < nprobes; i++)
		offs[i] = probes[i].offset;
	qsort(offs, nprobes, sizeof(offs[0]), cmp_i64);
	return offs[(nprobes + 1) / 2 - 1];
}
