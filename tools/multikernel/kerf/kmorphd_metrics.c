// SPDX-License-Identifier: GPL-2.0
/*
 * kmorphd's metrics: the Prometheus text exposition format (0.0.4) over
 * HTTP/1.0, on a local address by default. Every scrape reads the
 * kernel's files afresh: the figures are the kernel's, in base units,
 * and the daemon keeps no copy that could go stale. One client at a
 * time, each bounded by a second's timeout, so a slow client delays the
 * daemon's logging by at most that.
 */

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <syslog.h>
#include <unistd.h>

#include "kerf.h"
#include "kmorph.h"
#include "kmorphd.h"

static const char * const kd_states[] = {
	"ready", "loaded", "starting", "running", "unresponsive", "resizing",
	"stopping", "stopped", "failed", "quarantined",
};

/* A gauge or counter of the instances' health files, and its scale. */
static const struct {
	const char *metric;
	const char *key;
	double per;	/* the kernel's figures per base unit */
	const char *type;
	const char *help;
} kd_health[] = {
	{ "kmorph_instance_heartbeat_age_seconds", "last_beat_ms", 1e3, "gauge",
	  "Time since the instance last answered a heartbeat." },
	{ "kmorph_instance_heartbeats_sent_total", "beats_sent", 1, "counter",
	  "Heartbeats the host sent to the instance." },
	{ "kmorph_instance_heartbeats_answered_total", "beats_answered", 1,
	  "counter", "Heartbeats the instance answered." },
	{ "kmorph_instance_heartbeats_missed_total", "beats_missed", 1,
	  "counter", "Heartbeats the instance did not answer in time." },
	{ "kmorph_instance_failures_total", "failures", 1, "counter",
	  "Failures the kernel found: panics, hangs, failed starts." },
	{ "kmorph_instance_restarts_total", "restarts", 1, "counter",
	  "Restarts the kernel's recovery made." },
	{ "kmorph_instance_uptime_seconds", "uptime_ms", 1e3, "gauge",
	  "How long the instance's kernel has run." },
	{ "kmorph_instance_cpu_busy_ratio", "cpu_permille", 1e3, "gauge",
	  "The busy share of the instance's CPUs, as it reported." },
	{ "kmorph_instance_cpus", "nr_cpus", 1, "gauge",
	  "CPUs the instance runs on." },
	{ "kmorph_instance_memory_bytes", "mem_total_kb", 1.0 / 1024, "gauge",
	  "Memory the instance's kernel manages." },
	{ "kmorph_instance_memory_free_bytes", "mem_free_kb", 1.0 / 1024, "gauge",
	  "Memory free in the instance, as it reported." },
	{ "kmorph_instance_work_delay_seconds", "work_delay_us", 1e6, "gauge",
	  "How long a work item the instance queued waited to run." },
	{ "kmorph_instance_heartbeat_rtt_seconds", "rtt_us", 1e6, "gauge",
	  "The round trip of the last heartbeat." },
	{ "kmorph_instance_host_cpu", "host_cpu", 1, "gauge",
	  "The host CPU the instance's doorbells ring." },
};

static void metric_head(FILE *f, const char *name, const char *type,
			const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* What each instance's status says it is in, one gauge per state. */
static void metrics_state(FILE *f, char **names, int n)
{
	char *status;
	size_t s;
	int i;

	metric_head(f, "kmorph_instance_state", "gauge",
		    "1 for the run state the instance is in, 0 for the others.");
	for (i = 0; i < n; i++) {
		status = kerf_instance_status(names[i]);
		for (s = 0; s < ARRAY_SIZE(kd_states); s++)
			fprintf(f, "kmorph_instance_state{instance=\"%s\",state=\"%s\"} %d\n",
				names[i], kd_states[s], status &&
				!strncmp(status, kd_states[s], strlen(kd_states[s])) &&
				strchr(":\n (", status[strlen(kd_states[s])]));
		free(status);
	}
}

static void metrics_health(FILE *f, char **names, int n)
{
	char **health = calloc(n ? n : 1, sizeof(*health));
	long long v;
	size_t m;
	int i;

	for (i = 0; health && i < n; i++)
		health[i] = kmorph_file(names[i], "health");
	for (m = 0; health && m < ARRAY_SIZE(kd_health); m++) {
		metric_head(f, kd_health[m].metric, kd_health[m].type,
			    kd_health[m].help);
		for (i = 0; i < n; i++) {
			v = kmorph_kv_num(health[i], kd_health[m].key);
			if (v >= 0)
				fprintf(f, "%s{instance=\"%s\"} %.9g\n",
					kd_health[m].metric, names[i],
					v / kd_health[m].per);
		}
	}
	for (i = 0; health && i < n; i++)
		free(health[i]);
	free(health);
}

/* The vmcores all instances' captures keep in the host, and their cap. */
static void metrics_vmcore(FILE *f, char **names, int n)
{
	long long held = -1, budget = -1;
	char *h;

	if (n) {
		h = kmorph_file(names[0], "health");
		held = kmorph_kv_num(h, "vmcore_held_mb");
		budget = kmorph_kv_num(h, "vmcore_budget_mb");
		free(h);
	}
	metric_head(f, "kmorph_vmcore_held_bytes", "gauge",
		    "Host memory the kept vmcores of all instances take.");
	if (held >= 0)
		fprintf(f, "kmorph_vmcore_held_bytes %lld\n", held << 20);
	metric_head(f, "kmorph_vmcore_budget_bytes", "gauge",
		    "The most host memory kept vmcores may take.");
	if (budget >= 0)
		fprintf(f, "kmorph_vmcore_budget_bytes %lld\n", budget << 20);
}

static void metrics_daemon(FILE *f, struct kmorphd *d)
{
	static const char * const res[KD_RUN_NR] = { "ok", "failed", "timeout" };
	int h, r;

	metric_head(f, "kmorphd_events_total", "counter",
		    "State changes and recovery steps the daemon recorded.");
	fprintf(f, "kmorphd_events_total %llu\n", d->events);
	metric_head(f, "kmorphd_hook_runs_total", "counter",
		    "Hooks the daemon ran, by event and result.");
	for (h = 0; h < KD_HOOK_NR; h++)
		for (r = 0; r < KD_RUN_NR; r++)
			fprintf(f, "kmorphd_hook_runs_total{hook=\"%s\",result=\"%s\"} %llu\n",
				kmorphd_hook_name(h), res[r], d->hook_runs[h][r]);
	metric_head(f, "kmorphd_start_time_seconds", "gauge",
		    "When the daemon started, in seconds since the epoch.");
	fprintf(f, "kmorphd_start_time_seconds %.3f\n", d->started_ms / 1e3);
}

static char *metrics_text(struct kmorphd *d, size_t *len)
{
	char **names, *buf = NULL, *id;
	FILE *f = open_memstream(&buf, len);
	int n, i;

	if (!f)
		return NULL;
	names = kmorph_instances(&n);
	metric_head(f, "kmorph_instance_info", "gauge",
		    "An instance the kernel knows, with its id.");
	for (i = 0; i < n; i++) {
		id = kmorph_file(names[i], "id");
		fprintf(f, "kmorph_instance_info{instance=\"%s\",id=\"%ld\"} 1\n",
			names[i], id ? strtol(id, NULL, 10) : -1L);
		free(id);
	}
	metrics_state(f, names, n);
	metrics_health(f, names, n);
	metrics_vmcore(f, names, n);
	metrics_daemon(f, d);
	kmorph_free_names(names, n);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* "ADDRESS:PORT" or "[ADDRESS]:PORT", numeric: no resolver in a daemon. */
static int metrics_addr(const char *text, struct sockaddr_storage *ss,
			socklen_t *len)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	char host[64], *port, *end;
	unsigned long p;

	snprintf(host, sizeof(host), "%s", text);
	port = strrchr(host, ':');
	if (!port || port == host)
		return -EINVAL;
	*port++ = '\0';
	p = strtoul(port, &end, 10);
	if (!*port || *end || !p || p > 65535)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p);
		*len = sizeof(*in6);
		return inet_pton(AF_INET6, host + 1, &in6->sin6_addr) == 1 ?
		       0 : -EINVAL;
	}
	in->sin_family = AF_INET;
	in->sin_port = htons(p);
	*len = sizeof(*in);
	return inet_pton(AF_INET, host, &in->sin_addr) == 1 ? 0 : -EINVAL;
}

/**
 * kmorphd_metrics_open - listen on the configured address
 * @d: the daemon
 *
 * Return: 0 (listen "off" included), or -errno after saying why.
 */
int kmorphd_metrics_open(struct kmorphd *d)
{
	struct sockaddr_storage ss;
	int fd, one = 1, err;
	socklen_t len;

	d->listen_fd = -1;
	if (!strcmp(d->conf.listen, "off"))
		return 0;
	if (metrics_addr(d->conf.listen, &ss, &len)) {
		kerf_err("listen %s: want ADDRESS:PORT, the address numeric",
			 d->conf.listen);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 8)) {
		err = -errno;
		kerf_err("listen %s: %s", d->conf.listen, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	d->listen_fd = fd;
	return 0;
}

/* The request line, up to the end of the headers or 4 KiB. */
static int metrics_request(int fd, char *req, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1) {
		n = read(fd, req + len, size - 1 - len);
		if (n <= 0)
			return -1;
		len += n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			return 0;
	}
	return -1;
}

static void metrics_reply(int fd, const char *status, const char *type,
			  const char *body, size_t len)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof(head),
		     "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		     status, type, len);
	if (write(fd, head, n) != n)
		return;
	while (len) {
		ssize_t w = write(fd, body, len);

		if (w <= 0)
			return;
		body += w;
		len -= w;
	}
}

/**
 * kmorphd_metrics_serve - answer one client of the metrics address
 * @d: the daemon
 */
void kmorphd_metrics_serve(struct kmorphd *d)
{
	struct timeval tv = { .tv_sec = 1 };
	char req[4096], *body;
	size_t len;
	int fd;

	fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (metrics_request(fd, req, sizeof(req))) {
		close(fd);
		return;
	}
	if (strncmp(req, "GET /metrics ", 13) && strncmp(req, "GET / ", 6)) {
		metrics_reply(fd, "404 Not Found", "text/plain", "try /metrics\n", 13);
		close(fd);
		return;
	}
	d->scrapes++;
	body = metrics_text(d, &len);
	if (body)
		metrics_reply(fd, "200 OK", "text/plain; version=0.0.4; charset=utf-8",
			      body, len);
	else
		metrics_reply(fd, "500 Internal Server Error", "text/plain", "", 0);
	free(body);
	close(fd);
}
