/*
 * Capture sources: pcap, pcapng, gzip, standard input fed one byte at a
 * time, truncated and damaged files, and files that are not captures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/source.h"
#include "decode/packet.h"
#include "core/log.h"
#include "pktbuild.h"

#define NPKT 20

static char dir[] = "/tmp/smtpscope-capXXXXXX";
static char path[512];

static const char *tmp(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int setup(void **state)
{
	(void)state;
	log_set_quiet(1);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t frame(int i, uint8_t *out)
{
	char data[64];
	struct tcp_spec t = {40000, 25, 1000u + (uint32_t)i * 100, 1,
			     TCP_ACK, data, 0, NULL, 0};

	t.len = (uint32_t)snprintf(data, sizeof(data), "NOOP %d\r\n", i);
	return pb_eth4_tcp(out, "10.1.1.1", "10.1.1.2", &t);
}

/* A classic pcap with NPKT frames, nanosecond stamps when nano. */
static void write_pcap(const char *p, bool nano)
{
	pcap_t *pd = pcap_open_dead_with_tstamp_precision(
		DLT_EN10MB, 65535,
		nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d = pcap_dump_open(pd, p);
	uint8_t buf[PB_MAX];
	int i;

	assert_non_null(d);
	for (i = 0; i < NPKT; i++) {
		struct pcap_pkthdr h;

		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = 1700000000 + i;
		h.ts.tv_usec = nano ? 123456789 : 123456;
		h.caplen = h.len = (bpf_u_int32)frame(i, buf);
		pcap_dump((u_char *)d, &h, buf);
	}
	pcap_dump_close(d);
	pcap_close(pd);
}

static void *slurp(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	void *b;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)len);
	assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return b;
}

static void spit(const char *p, const void *b, size_t n)
{
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

/* Read a source to the end; check every frame matches what was written. */
static int read_all(struct capture_source *s, int64_t frac_ns,
		    int *first_index)
{
	struct capture_packet p;
	uint8_t want[PB_MAX];
	int n = 0;

	while (capture_next(s, &p) == 1) {
		int i = (int)((p.ts_ns / 1000000000LL) - 1700000000);
		size_t len = frame(i, want);

		if (n == 0 && first_index)
			*first_index = i;
		assert_int_equal(p.linktype, DLT_EN10MB);
		assert_int_equal(p.ts_ns % 1000000000LL, frac_ns);
		assert_int_equal(p.caplen, len);
		assert_memory_equal(p.data, want, len);
		n++;
	}
	return n;
}

static void test_plain_pcap(void **state)
{
	char err[256];
	struct capture_source *s;

	(void)state;
	write_pcap(tmp("plain.pcap"), false);
	s = capture_open(path, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(capture_linktype(s), DLT_EN10MB);
	assert_int_equal(read_all(s, 123456000, NULL), NPKT);
	assert_int_equal(capture_offset(s), capture_size(s));
	assert_false(capture_stats(s)->truncated);
	capture_close(s);

	write_pcap(tmp("nano.pcap"), true);
	s = capture_open(path, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(read_all(s, 123456789, NULL), NPKT);
	capture_close(s);
}

static void test_gzip(void **state)
{
	char err[256];
	size_t n;
	void *b;
	gzFile gz;
	struct capture_source *s;

	(void)state;
	write_pcap(tmp("g.pcap"), false);
	b = slurp(path, &n);
	gz = gzopen(tmp("g.pcap.gz"), "wb");
	assert_int_equal(gzwrite(gz, b, (unsigned)n), (int)n);
	gzclose(gz);
	free(b);
	s = capture_open(path, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(read_all(s, 123456000, NULL), NPKT);
	capture_close(s);
}

/* Standard input written one byte at a time by a slow child. */
static void test_stdin_one_byte_at_a_time(void **state)
{
	char err[256];
	size_t n, i;
	uint8_t *b;
	int fds[2], saved;
	pid_t pid;
	struct capture_source *s;
	int status;

	(void)state;
	write_pcap(tmp("in.pcap"), false);
	b = slurp(path, &n);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (i = 0; i < n; i++) {
			if (write(fds[1], b + i, 1) != 1)
				_exit(1);
			if (i % 97 == 0)
				usleep(100);
		}
		_exit(0);
	}
	close(fds[1]);
	saved = dup(STDIN_FILENO);
	dup2(fds[0], STDIN_FILENO);
	close(fds[0]);
	s = capture_open("-", err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(read_all(s, 123456000, NULL), NPKT);
	capture_close(s);
	dup2(saved, STDIN_FILENO);
	close(saved);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	free(b);
}

static void test_truncated_last_record(void **state)
{
	char err[256];
	size_t n;
	void *b;
	struct capture_source *s;

	(void)state;
	write_pcap(tmp("t.pcap"), false);
	b = slurp(path, &n);
	spit(tmp("trunc.pcap"), b, n - 7);
	free(b);
	s = capture_open(path, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(read_all(s, 123456000, NULL), NPKT - 1);
	assert_true(capture_stats(s)->truncated);
	assert_int_equal(capture_stats(s)->damaged, 0);
	capture_close(s);
}

/* A record length destroyed in the middle: skip to the next good one. */
static void test_damaged_record_resync(void **state)
{
	char err[256];
	size_t n, off = 24;
	uint8_t *b;
	struct capture_source *s;
	int i, first = -1;

	(void)state;
	write_pcap(tmp("d.pcap"), false);
	b = slurp(path, &n);
	for (i = 0; i < 5; i++) {
		uint32_t cap;

		memcpy(&cap, b + off + 8, 4);
		off += 16 + cap;
	}
	/* record 5: caplen and len far too big */
	memset(b + off + 8, 0xee, 8);
	spit(tmp("damaged.pcap"), b, n);
	s = capture_open(path, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(read_all(s, 123456000, &first), NPKT - 1);
	assert_int_equal(first, 0);
	assert_int_equal(capture_stats(s)->damaged, 1);
	assert_true(capture_stats(s)->bytes_skipped > 16);
	capture_close(s);

	/* a garbage header with a plausible length on stdin cannot resync */
	free(b);
}

/* pcapng written by hand: SHB, IDB, then enhanced packet blocks. */
static size_t put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return 4;
}

static size_t pcapng_file(uint8_t *out, int npkt, int damage_at)
{
	size_t o = 0;
	uint8_t fr[PB_MAX];
	int i;

	o += put32(out + o, 0x0a0d0d0a);
	o += put32(out + o, 28);
	o += put32(out + o, 0x1a2b3c4d);
	out[o++] = 1; out[o++] = 0; out[o++] = 0; out[o++] = 0; /* v1.0 */
	o += put32(out + o, 0xffffffff);
	o += put32(out + o, 0xffffffff);
	o += put32(out + o, 28);
	o += put32(out + o, 1); /* IDB */
	o += put32(out + o, 20);
	out[o++] = 1; out[o++] = 0; out[o++] = 0; out[o++] = 0; /* EN10MB */
	o += put32(out + o, 65535);
	o += put32(out + o, 20);
	for (i = 0; i < npkt; i++) {
		size_t flen = frame(i, fr), pad = (4 - flen % 4) % 4;
		uint32_t blen = (uint32_t)(32 + flen + pad);
		uint64_t us = (uint64_t)(1700000000 + i) * 1000000u + 123456;

		o += put32(out + o, 6);
		o += put32(out + o, i == damage_at ? 0x7ffffff0u : blen);
		o += put32(out + o, 0);
		o += put32(out + o, (uint32_t)(us >> 32));
		o += put32(out + o, (uint32_t)us);
		o += put32(out + o, (uint32_t)flen);
		o += put32(out + o, (uint32_t)flen);
		memcpy(out + o, fr, flen);
		o += flen;
		memset(out + o, 0, pad);
		o += pad;
		o += put32(out + o, blen);
	}
	return o;
}

static void test_pcapng(void **state)
{
	static uint8_t b[1 << 16];
	char err[256];
	size_t n = pcapng_file(b, NPKT, -1);
	struct capture_source *s;
	int first = -1;

	(void)state;
	spit(tmp("a.pcapng"), b, n);
	s = capture_open(path, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(read_all(s, 123456000, NULL), NPKT);
	capture_close(s);

	n = pcapng_file(b, NPKT, 7);
	spit(tmp("damaged.pcapng"), b, n);
	s = capture_open(path, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(read_all(s, 123456000, &first), NPKT - 1);
	assert_int_equal(capture_stats(s)->damaged, 1);
	capture_close(s);
}

static void test_not_captures(void **state)
{
	char err[256];

	(void)state;
	spit(tmp("empty.pcap"), "", 0);
	assert_null(capture_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "empty.pcap"));
	spit(tmp("text.pcap"), "hello, this is not a capture\n", 29);
	assert_null(capture_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "text.pcap"));
	assert_non_null(strstr(err, "not a readable pcap"));
	assert_null(capture_open(tmp("does-not-exist.pcap"), err,
				 sizeof(err)));
	assert_non_null(strstr(err, "does-not-exist.pcap"));
	assert_null(capture_open(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_pcap),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_stdin_one_byte_at_a_time),
		cmocka_unit_test(test_truncated_last_record),
		cmocka_unit_test(test_damaged_record_resync),
		cmocka_unit_test(test_pcapng),
		cmocka_unit_test(test_not_captures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
