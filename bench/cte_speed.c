/*
 * Throughput of the body decoders: base64, quoted-printable and the
 * UTF-8 stream, on data built here (64 MiB of encoded input each), fed in
 * 64 KiB chunks as the MIME parser would. Prints MB/s of encoded input
 * per second of CPU time (so a busy machine skews it less), best of five
 * runs. Built with the tests (build/tests/cte_speed), never
 * run by them:
 *
 *     build/tests/cte_speed [MiB]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/charset.h"
#include "mail/cte.h"

#define CHUNK 65536

static uint64_t sum;

static void sink(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	sum += n + p[0] + p[n - 1];
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of random bytes, 76-character lines, CRLF. */
static size_t make_base64(uint8_t *out, size_t cap)
{
	uint32_t x = 1;
	size_t o = 0, col = 0;

	while (o + 6 < cap) {
		uint32_t v;
		int i;

		x = x * 1103515245u + 12345u;
		v = x >> 8;
		for (i = 3; i >= 0; i--)
			out[o++] = (uint8_t)alphabet[(v >> (6 * i)) & 63];
		col += 4;
		if (col == 76) {
			out[o++] = '\r';
			out[o++] = '\n';
			col = 0;
		}
	}
	return o;
}

/* Quoted-printable of mostly-ASCII text with some Latin-1, soft breaks
 * and trailing blanks. */
static size_t make_qp(uint8_t *out, size_t cap)
{
	static const char *const words[] = {
		"the", "quick", "brown", "fox", "=E9t=E9", "jumps", "over",
		"lazy", "dog", "caf=C3=A9", "=3D", "mail",
	};
	uint32_t x = 7;
	size_t o = 0, col = 0;

	while (o + 32 < cap) {
		const char *w;
		size_t k;

		x = x * 1103515245u + 12345u;
		w = words[(x >> 16) % 12];
		k = strlen(w);
		if (col + k + 1 > 75) {
			memcpy(out + o, (x >> 8 & 1) ? "=\r\n" : " \r\n", 3);
			o += 3;
			col = 0;
		}
		memcpy(out + o, w, k);
		o += k;
		out[o++] = ' ';
		col += k + 1;
	}
	return o;
}

/* UTF-8 text, a quarter of it outside ASCII. */
static size_t make_utf8(uint8_t *out, size_t cap)
{
	static const char *const words[] = {
		"plain ", "caf\xc3\xa9 ", "\xe2\x82\xac ", "text ", "mail ",
		"\xe6\x97\xa5\xe6\x9c\xac ", "words ", "more ",
	};
	uint32_t x = 3;
	size_t o = 0;

	while (o + 16 < cap) {
		const char *w;

		x = x * 1103515245u + 12345u;
		w = words[(x >> 16) % 8];
		memcpy(out + o, w, strlen(w));
		o += strlen(w);
	}
	return o;
}

static void bench_cte(const char *name, enum mail_cte cte, const uint8_t *in,
		      size_t n)
{
	double best = 1e9;
	int run;

	for (run = 0; run < 5; run++) {
		struct mail_cte_dec d;
		double t = now();
		size_t off;

		mail_cte_init(&d, cte);
		for (off = 0; off < n; off += CHUNK)
			mail_cte_feed(&d, in + off,
				      n - off < CHUNK ? n - off : CHUNK, sink,
				      NULL);
		mail_cte_finish(&d, sink, NULL);
		t = now() - t;
		if (t < best)
			best = t;
		if (d.flags)
			printf("%s: flags 0x%x\n", name, d.flags);
	}
	printf("%-22s %8.0f MB/s\n", name, (double)n / best / 1e6);
}

static void bench_utf8(const char *name, const char *cs, const uint8_t *in,
		       size_t n)
{
	double best = 1e9;
	int run;

	for (run = 0; run < 5; run++) {
		struct mail_utf8_stream st;
		double t = now();
		size_t off;

		mail_utf8_stream_init(&st, cs, strlen(cs));
		for (off = 0; off < n; off += CHUNK)
			mail_utf8_stream_feed(&st, in + off,
					      n - off < CHUNK ? n - off : CHUNK,
					      sink, NULL);
		mail_utf8_stream_finish(&st, sink, NULL);
		t = now() - t;
		if (t < best)
			best = t;
	}
	printf("%-22s %8.0f MB/s\n", name, (double)n / best / 1e6);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 64;
	size_t cap = (mib ? mib : 64) << 20, n;
	uint8_t *buf = malloc(cap);

	if (!buf)
		return 1;
	n = make_base64(buf, cap);
	bench_cte("base64", MAIL_CTE_BASE64, buf, n);
	n = make_qp(buf, cap);
	bench_cte("quoted-printable", MAIL_CTE_QP, buf, n);
	n = make_utf8(buf, cap);
	bench_utf8("utf-8 stream", "utf-8", buf, n);
	bench_utf8("windows-1252 stream", "iso-8859-1", buf, n);
	mail_charset_cache_clear();
	free(buf);
	return sum == 42; /* keep sum live */
}
