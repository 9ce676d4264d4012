/*
 * How fast is the message engine (src/mail/message.c and all it calls)?
 * Built with the project (build/bench/bench_mail_speed), never run by the
 * test suite:
 *
 *   build/bench/bench_mail_speed [REPEAT [WORKLOAD]]  (default 5, all)
 *
 * Three workloads are made in memory from a fixed seed, the same on every
 * run, and each is fed to one reused mail_msg in 64 KiB pieces, REPEAT
 * times; the figure is the median, in MB/s (10^6 bytes per second) of
 * message bytes:
 *   big      one 64 MiB multipart/mixed message: a quoted-printable text
 *            part, an HTML part with 200 links, and base64 attachments of
 *            random bytes (one of them starts like a zip) making ~60 MiB
 *   single   one 64 MiB message that is a single base64 attachment
 *   small    2,000 messages of 30 KiB: a short text part and a base64
 *            attachment each
 *
 * In the same run, over the same workloads, two baselines: the three part
 * hashes (MD5 + SHA-1 + SHA-256, OpenSSL EVP, contexts reused) over the
 * decoded bytes of every part alone, and a plain base64 decode
 * (EVP_DecodeBlock, one call per encoded line, as base64 mail comes) of
 * the attachments' encoded lines. Printed beside each: the ratio
 * engine/baseline of their throughputs on the same message bytes (above 1:
 * the engine is faster), for hashes, decode, and the two together.
 * Attachments' SHA-256 from the engine are checked against the baseline's.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "mail/message.h"

#define CHUNK 65536
#define MIB (1u << 20)
#define REPEAT_MAX 99

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x243f6a8885a308d3u;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- a growing buffer ---------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void reserve(struct buf *b, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p) {
			perror("realloc");
			exit(1);
		}
		b->cap = cap;
	}
}

static void put(struct buf *b, const void *p, size_t n)
{
	reserve(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* ---- what a workload is -------------------------------------------------- */

/* A span of a workload's buffers: offset and length. */
struct span {
	size_t off, len;
};

#define SPANS_MAX 8192

struct workload {
	const char *name;
	struct buf msgs;          /* the messages, one after the other */
	struct span msg[2048];    /* each message in msgs */
	unsigned nmsg;
	struct buf decoded;       /* every part's decoded bytes */
	struct span part[SPANS_MAX]; /* each part in decoded */
	unsigned npart;
	struct span b64[SPANS_MAX]; /* each base64 body in msgs */
	unsigned nb64;
	uint8_t want[SPANS_MAX][32]; /* SHA-256 of each attachment */
	unsigned nwant;
};

static void random_bytes(struct buf *b, size_t n)
{
	reserve(b, n);
	while (n--)
		b->p[b->len++] = (uint8_t)(next() >> 24);
}

static void sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
	unsigned int len;

	if (!EVP_Digest(p, n, out, &len, EVP_sha256(), NULL)) {
		fprintf(stderr, "EVP_Digest failed\n");
		exit(1);
	}
}

/* A part's decoded bytes, recorded for the baselines. */
static struct span decoded_part(struct workload *w, const uint8_t *p,
				size_t n)
{
	struct span s = {w->decoded.len, n};

	if (w->npart == SPANS_MAX) {
		fprintf(stderr, "too many parts\n");
		exit(1);
	}
	put(&w->decoded, p, n);
	w->part[w->npart++] = s;
	return s;
}

/* A base64 attachment of n random bytes (the first ones given). */
static void attachment(struct workload *w, const char *boundary,
		       const char *name, const char *type, const uint8_t *lead,
		       size_t leadlen, size_t n)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";
	struct buf raw = {0};
	struct buf *m = &w->msgs;
	struct span s;
	size_t i, start;
	char line[80];
	const uint8_t *d;

	if (leadlen)
		put(&raw, lead, leadlen);
	random_bytes(&raw, n - leadlen);
	s = decoded_part(w, raw.p, raw.len);
	sha256(raw.p, raw.len, w->want[w->nwant++]);
	d = w->decoded.p + s.off;
	free(raw.p);

	snprintf(line, sizeof(line), "--%s\r\n", boundary);
	puts_(m, line);
	puts_(m, "Content-Type: ");
	puts_(m, type);
	puts_(m, "; name=\"");
	puts_(m, name);
	puts_(m, "\"\r\nContent-Disposition: attachment; filename=\"");
	puts_(m, name);
	puts_(m, "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	start = m->len;
	reserve(m, n / 57 * 78 + 80);
	/* 57 bytes to a 76-character line. */
	for (i = 0; i < n; i += 57) {
		size_t k = n - i < 57 ? n - i : 57, j, o = 0;

		for (j = 0; j < k; j += 3) {
			uint32_t v = (uint32_t)d[i + j] << 16;

			if (j + 1 < k)
				v |= (uint32_t)d[i + j + 1] << 8;
			if (j + 2 < k)
				v |= d[i + j + 2];
			line[o++] = alpha[v >> 18 & 63];
			line[o++] = alpha[v >> 12 & 63];
			line[o++] = j + 1 < k ? alpha[v >> 6 & 63] : '=';
			line[o++] = j + 2 < k ? alpha[v & 63] : '=';
		}
		line[o++] = '\r';
		line[o++] = '\n';
		put(m, line, o);
	}
	w->b64[w->nb64].off = start;
	w->b64[w->nb64].len = m->len - start;
	w->nb64++;
}

/* English-like text with some 8-bit letters, as quoted-printable; the
 * decoded text is recorded. */
static void qp_text(struct workload *w, const char *boundary, size_t n)
{
	static const char *const words[] = {
		"the", "mail", "of", "invoice", "please", "see", "attached",
		"caf\xe9", "stra\xdf\x65", "r\xe9sum\xe9", "and", "regards",
	};
	struct buf txt = {0}, *m = &w->msgs;
	size_t i, col = 0;
	char esc[4];

	while (txt.len < n) {
		const char *wd = words[next() % 12];

		if (txt.len && col > 60) {
			puts_(&txt, "\r\n");
			col = 0;
		} else if (txt.len) {
			puts_(&txt, " ");
			col++;
		}
		puts_(&txt, wd);
		col += strlen(wd);
	}
	decoded_part(w, txt.p, txt.len);
	puts_(m, "--");
	puts_(m, boundary);
	puts_(m, "\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
		 "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	col = 0;
	for (i = 0; i < txt.len; i++) {
		uint8_t c = txt.p[i];

		if (c == '\r' && i + 1 < txt.len && txt.p[i + 1] == '\n') {
			puts_(m, "\r\n");
			i++;
			col = 0;
			continue;
		}
		if (col > 72) {
			puts_(m, "=\r\n");
			col = 0;
		}
		if (c >= 0x80 || c == '=') {
			snprintf(esc, sizeof(esc), "=%02X", c);
			put(m, esc, 3);
			col += 3;
		} else {
			put(m, &c, 1);
			col++;
		}
	}
	puts_(m, "\r\n");
	free(txt.p);
}

/* HTML with `links` links, 8bit. */
static void html_part(struct workload *w, const char *boundary,
		      unsigned links)
{
	struct buf h = {0}, *m = &w->msgs;
	char line[256];
	unsigned i;

	puts_(&h, "<html><head><title>News</title></head><body>\r\n");
	for (i = 0; i < links; i++) {
		snprintf(line, sizeof(line),
			 "<p>Item %u: <a href=\"https://www%u.example.com/"
			 "path/%u?utm=%llu\">read <b>more</b></a> about it.</p>"
			 "\r\n",
			 i, i % 37, i, (unsigned long long)(next() % 100000));
		puts_(&h, line);
	}
	puts_(&h, "</body></html>");
	decoded_part(w, h.p, h.len);
	puts_(m, "--");
	puts_(m, boundary);
	puts_(m, "\r\nContent-Type: text/html; charset=utf-8\r\n"
		 "Content-Transfer-Encoding: 8bit\r\n\r\n");
	put(m, h.p, h.len);
	puts_(m, "\r\n");
	free(h.p);
}

static void headers(struct buf *m, unsigned i, const char *ctype)
{
	char line[1024];

	snprintf(line, sizeof(line),
		 "Received: from mail.example.org (mail.example.org "
		 "[192.0.2.10])\r\n\tby mx.example.net (Postfix) with ESMTPS "
		 "id 4Q1x%u\r\n\tfor <alice@example.net>; Tue, 3 Mar 2026 "
		 "10:00:02 +0100\r\n"
		 "From: \"Bob Example\" <bob@example.org>\r\n"
		 "To: Alice <alice@example.net>\r\n"
		 "Subject: =?UTF-8?B?R3LDvMOfZQ==?= number %u\r\n"
		 "Date: Tue, 3 Mar 2026 09:59:57 +0100\r\n"
		 "Message-ID: <%u.bench@example.org>\r\n"
		 "MIME-Version: 1.0\r\n"
		 "Content-Type: %s\r\n\r\n",
		 i, i, i, ctype);
	puts_(m, line);
}

static void begin_msg(struct workload *w)
{
	w->msg[w->nmsg].off = w->msgs.len;
}

static void end_msg(struct workload *w)
{
	w->msg[w->nmsg].len = w->msgs.len - w->msg[w->nmsg].off;
	w->nmsg++;
}

static void make_big(struct workload *w)
{
	static const uint8_t pk[] = {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0};
	const char *b = "----=_Part_bench_1";
	char ct[128], name[32];
	unsigned i;

	w->name = "big";
	begin_msg(w);
	snprintf(ct, sizeof(ct), "multipart/mixed; boundary=\"%s\"", b);
	headers(&w->msgs, 0, ct);
	puts_(&w->msgs, "This is a multi-part message in MIME format.\r\n");
	qp_text(w, b, 1 * MIB);
	html_part(w, b, 200);
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), i ? "scan%u.pdf" : "files.zip",
			 i);
		attachment(w, b, name,
			   i ? "application/pdf" : "application/zip", pk,
			   i ? 0 : sizeof(pk), 9 * MIB + MIB / 5);
	}
	puts_(&w->msgs, "--");
	puts_(&w->msgs, b);
	puts_(&w->msgs, "--\r\n");
	end_msg(w);
}

static void make_single(struct workload *w)
{
	struct buf *m = &w->msgs;
	/* 57 bytes to 78 on the wire: 64 MiB of message. */
	size_t start, i, n = (size_t)64 * MIB / 78 * 57;

	w->name = "single";
	begin_msg(w);
	headers(m, 0, "application/octet-stream; name=\"blob.bin\"\r\n"
		      "Content-Disposition: attachment; filename=\"blob.bin\""
		      "\r\nContent-Transfer-Encoding: base64");
	/* attachment() writes a part header: write the body alone here by
	 * writing it with a throwaway boundary line, then cutting that. */
	start = m->len;
	attachment(w, "x", "blob.bin", "application/octet-stream", NULL, 0,
		   n);
	/* Drop the part header attachment() wrote: from start up to the
	 * blank line. */
	for (i = start; i + 3 < m->len; i++)
		if (memcmp(m->p + i, "\r\n\r\n", 4) == 0)
			break;
	i += 4;
	memmove(m->p + start, m->p + i, m->len - i);
	m->len -= i - start;
	w->b64[w->nb64 - 1].off -= i - start;
	end_msg(w);
}

static void make_small(struct workload *w)
{
	const char *b = "b1_small";
	char ct[128], name[32];
	unsigned i;

	w->name = "small";
	snprintf(ct, sizeof(ct), "multipart/mixed; boundary=\"%s\"", b);
	for (i = 0; i < 2000; i++) {
		begin_msg(w);
		headers(&w->msgs, i, ct);
		qp_text(w, b, 2000);
		snprintf(name, sizeof(name), "doc%u.docx", i);
		attachment(w, b, name, "application/octet-stream", NULL, 0,
			   20500);
		puts_(&w->msgs, "--");
		puts_(&w->msgs, b);
		puts_(&w->msgs, "--\r\n");
		end_msg(w);
	}
}

/* ---- timing ----------------------------------------------------------------- */

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *t, unsigned n)
{
	qsort(t, n, sizeof(*t), by_value);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static unsigned checked_bad;

static double run_engine(struct mail_msg *m, const struct workload *w,
			 bool check)
{
	double t0 = now();
	unsigned i, att = 0;

	for (i = 0; i < w->nmsg; i++) {
		const uint8_t *p = w->msgs.p + w->msg[i].off;
		size_t off, n = w->msg[i].len;

		mail_msg_reset(m, NULL);
		for (off = 0; off < n; off += CHUNK)
			mail_msg_feed(m, p + off,
				      n - off < CHUNK ? n - off : CHUNK);
		mail_msg_finish(m, true);
		if (check) {
			const struct mail_facts *f = mail_msg_facts(m);
			uint32_t k;

			for (k = 0; k < f->nparts; k++) {
				const struct mail_part *q = &f->parts[k];
				char hex[65];
				unsigned j;

				if (!q->attachment)
					continue;
				for (j = 0; j < 32; j++)
					snprintf(hex + 2 * j, 3, "%02x",
						 w->want[att][j]);
				if (!q->hashed || strcmp(hex, q->sha256) != 0)
					checked_bad++;
				att++;
			}
		}
	}
	t0 = now() - t0;
	if (check && att != w->nwant)
		checked_bad++;
	return t0;
}

static double run_hashes(const struct workload *w)
{
	static const char *const names[3] = {"MD5", "SHA1", "SHA256"};
	EVP_MD *md[3];
	EVP_MD_CTX *c[3];
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl;
	double t0;
	unsigned i, k;

	for (k = 0; k < 3; k++) {
		md[k] = EVP_MD_fetch(NULL, names[k], NULL);
		c[k] = EVP_MD_CTX_new();
		if (!md[k] || !c[k]) {
			fprintf(stderr, "%s unavailable\n", names[k]);
			exit(1);
		}
	}
	t0 = now();
	for (i = 0; i < w->npart; i++) {
		const uint8_t *p = w->decoded.p + w->part[i].off;
		size_t off, n = w->part[i].len;

		for (k = 0; k < 3; k++)
			EVP_DigestInit_ex2(c[k], md[k], NULL);
		for (off = 0; off < n; off += CHUNK)
			for (k = 0; k < 3; k++)
				EVP_DigestUpdate(c[k], p + off,
						 n - off < CHUNK ? n - off
								 : CHUNK);
		for (k = 0; k < 3; k++)
			EVP_DigestFinal_ex(c[k], d, &dl);
	}
	t0 = now() - t0;
	for (k = 0; k < 3; k++) {
		EVP_MD_CTX_free(c[k]);
		EVP_MD_free(md[k]);
	}
	return t0;
}

static double run_decode(const struct workload *w)
{
	static uint8_t out[64];
	volatile int sink = 0;
	double t0 = now();
	unsigned i;

	for (i = 0; i < w->nb64; i++) {
		const uint8_t *p = w->msgs.p + w->b64[i].off;
		const uint8_t *end = p + w->b64[i].len;

		while (p < end) {
			const uint8_t *lf = memchr(p, '\n', (size_t)(end - p));
			size_t n = lf ? (size_t)(lf - p) : (size_t)(end - p);

			if (n && p[n - 1] == '\r')
				n--;
			sink += EVP_DecodeBlock(out, p, (int)n);
			p = lf ? lf + 1 : end;
		}
	}
	t0 = now() - t0;
	(void)sink;
	return t0;
}

static void bench(struct mail_msg *m, struct workload *w, unsigned repeat)
{
	double te[REPEAT_MAX], th[REPEAT_MAX], td[REPEAT_MAX];
	double e, h, d, mb = (double)w->msgs.len / 1e6;
	unsigned r;

	checked_bad = 0;
	for (r = 0; r < repeat; r++) {
		/* Interleaved, so a burst of load elsewhere hits all. */
		te[r] = run_engine(m, w, r == 0);
		th[r] = run_hashes(w);
		td[r] = run_decode(w);
	}
	e = median(te, repeat);
	h = median(th, repeat);
	d = median(td, repeat);
	printf("%-7s %4u msg %6.1f MB in, %6.1f MB decoded, %4u parts: "
	       "engine %7.1f MB/s (%.3f s)\n",
	       w->name, w->nmsg, mb, (double)w->decoded.len / 1e6, w->npart,
	       mb / e, e);
	printf("        hashes %7.1f MB/s of input (%.3f s), base64 decode "
	       "%7.1f (%.3f s), both %7.1f\n",
	       mb / h, h, mb / d, d, mb / (h + d));
	printf("        engine/hashes %.2f  engine/decode %.2f  "
	       "engine/(hashes+decode) %.2f%s\n",
	       h / e, d / e, (h + d) / e,
	       checked_bad ? "  ATTACHMENT HASHES WRONG" : "");
}

int main(int argc, char **argv)
{
	static struct workload w[3];
	unsigned repeat = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10)
				   : 5;
	const char *only = argc > 2 ? argv[2] : NULL;
	struct mail_limits lim;
	struct mail_msg *m;
	unsigned i;
	bool bad = false;

	if (repeat < 1 || repeat > REPEAT_MAX) {
		fprintf(stderr, "usage: %s [REPEAT 1..%d [big|single|small]]\n",
			argv[0], REPEAT_MAX);
		return 2;
	}
	if (!only || strcmp(only, "big") == 0)
		make_big(&w[0]);
	if (!only || strcmp(only, "single") == 0)
		make_single(&w[1]);
	if (!only || strcmp(only, "small") == 0)
		make_small(&w[2]);
	mail_limits_defaults(&lim);
	m = mail_msg_new(&lim, NULL);
	if (!m) {
		fprintf(stderr, "mail_msg_new failed\n");
		return 1;
	}
	printf("%s; 64 KiB pieces; median of %u runs\n",
	       OpenSSL_version(OPENSSL_VERSION), repeat);
	for (i = 0; i < 3; i++) {
		if (!w[i].nmsg)
			continue;
		bench(m, &w[i], repeat);
		bad |= checked_bad != 0;
	}
	mail_msg_free(m);
	for (i = 0; i < 3; i++) {
		free(w[i].msgs.p);
		free(w[i].decoded.p);
	}
	return bad;
}
