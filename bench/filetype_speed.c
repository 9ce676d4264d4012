/*
 * What does typing a part cost (src/mail/filetype.c)? Built with the
 * project (build/tests/bench_filetype_speed), never run by the tests:
 *
 *   build/tests/bench_filetype_speed [FILE...]
 *
 * Times mail_filetype_mime() (libmagic) and mail_filekind_of() on 64 KiB
 * buffers made here - a PDF, a PE, random bytes, English-like text, HTML
 * - and on the first 64 KiB of each FILE given, and prints microseconds
 * per call with the answers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/filetype.h"

#define HEAD MAIL_FILETYPE_HEAD

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x243f6a8885a308d3u;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static size_t fill_text(uint8_t *b, size_t n, const char *pre)
{
	static const char *const words[] = {
		"the", "quick", "brown", "fox", "jumps", "over", "a", "lazy",
		"dog", "while", "mail", "servers", "relay", "messages",
		"across", "networks", "invoice", "attached", "please", "see",
	};
	size_t len = strlen(pre);

	memcpy(b, pre, len);
	while (len < n) {
		const char *w = words[next() % 20];
		size_t wl = strlen(w);

		if (len + wl + 1 > n)
			break;
		memcpy(b + len, w, wl);
		len += wl;
		b[len++] = next() % 12 ? ' ' : '\n';
	}
	memset(b + len, ' ', n - len);
	return n;
}

static void make_pdf(uint8_t *b)
{
	size_t len = (size_t)snprintf((char *)b, HEAD,
				      "%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n1 0 obj\n"
				      "<< /Type /Catalog /Pages 2 0 R >>\n"
				      "endobj\n");
	int i = 3;

	while (len + 128 < HEAD)
		len += (size_t)snprintf((char *)b + len, HEAD - len,
					"%d 0 obj\n<< /Length 44 >>\nstream\n"
					"BT /F1 12 Tf 72 712 Td (Hello %d) Tj"
					" ET\nendstream\nendobj\n",
					i, i), i++;
	memset(b + len, '\n', HEAD - len);
}

/* A DOS stub, PE headers of an x86-64 GUI program, then "code". */
static void make_pe(uint8_t *b)
{
	size_t i;

	for (i = 0; i < HEAD; i++)
		b[i] = (uint8_t)next();
	memset(b, 0, 0x200);
	b[0] = 'M';
	b[1] = 'Z';
	b[0x3c] = 0x80;
	memcpy(b + 0x80, "PE\0\0\x64\x86\x03\x00", 8); /* AMD64, 3 sections */
	b[0x80 + 20] = 0xf0;   /* optional header size */
	b[0x80 + 22] = 0x22;   /* characteristics: executable, large addr */
	b[0x98] = 0x0b;        /* PE32+ magic 0x20b */
	b[0x99] = 0x02;
	b[0x98 + 68] = 2;      /* subsystem: Windows GUI */
}

static void run(const char *label, const uint8_t *b, size_t n)
{
	char mime[MAIL_FILETYPE_MIME_MAX];
	enum mail_filekind k = MAIL_KIND_OTHER;
	int it = 200, i;
	double t0, tm, tk;

	t0 = now();
	for (i = 0; i < it; i++)
		mail_filetype_mime(b, n, mime, sizeof(mime));
	tm = (now() - t0) / it;
	t0 = now();
	for (i = 0; i < it * 100; i++)
		k = mail_filekind_of(b, n);
	tk = (now() - t0) / (it * 100);
	printf("%-28.28s %6zu B  libmagic %7.1f us  %-40s  kind %5.2f us  %s\n",
	       label, n, tm * 1e6, mime, tk * 1e6, mail_filekind_name(k));
}

int main(int argc, char **argv)
{
	static uint8_t b[HEAD];
	char err[256];
	size_t i;
	int a;

	if (!mail_filetype_init(err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	make_pdf(b);
	run("pdf (made here)", b, HEAD);
	make_pe(b);
	run("pe (made here)", b, HEAD);
	for (i = 0; i < HEAD; i++)
		b[i] = (uint8_t)next();
	run("random", b, HEAD);
	fill_text(b, HEAD, "");
	run("text", b, HEAD);
	fill_text(b, HEAD, "<!DOCTYPE html><html><head><title>x</title>"
			   "</head><body><p>");
	run("html", b, HEAD);
	for (a = 1; a < argc; a++) {
		FILE *f = fopen(argv[a], "rb");
		size_t n;

		if (!f) {
			perror(argv[a]);
			continue;
		}
		n = fread(b, 1, HEAD, f);
		fclose(f);
		run(argv[a], b, n);
	}
	mail_filetype_fini();
	return 0;
}
