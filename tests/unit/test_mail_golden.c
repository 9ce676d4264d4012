/*
 * Golden vectors for the message engine: tests/mail/NAME.eml (or .raw) is
 * a message, tests/mail/NAME.ref what the engine must make of it, printed
 * (tests/unit/mail_print.c) as text a reviewer reads without opening C.
 * Each message is fed whole, then cut into pieces of every size from 1
 * byte up to 300 and a few larger ones; every run must print the .ref
 * exactly.
 *
 * NAME.eml has its line ends turned into CR LF (as on the wire); NAME.raw
 * is fed byte for byte. Leading lines "#limit NAME=VALUE" change a mail
 * limit and "#gap N@OFFSET" makes bytes OFFSET to OFFSET+N-1 go missing;
 * they are not part of the message.
 *
 * Run with the directory; SMTPSCOPE_UPDATE_GOLDEN=1 writes the .ref files
 * instead (review them before committing).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"

#include "mail/message.h"
#include "mail_print.h"

#define OUT_MAX (1u << 20)

static char out[OUT_MAX];
static size_t olen;

struct vector {
	uint8_t *msg;
	size_t len;
	struct mail_limits lim;
	uint64_t gap_at, gap_len;
};

static void run(struct vector *v, size_t chunk)
{
	static struct mail_msg *m;
	static struct mail_limits last;
	size_t off = 0;

	if (m && memcmp(&last, &v->lim, sizeof(last)) != 0) {
		mail_msg_free(m);
		m = NULL;
	}
	if (!m) {
		m = mail_msg_new(&v->lim, NULL);
		last = v->lim;
		if (!m) {
			fprintf(stderr, "mail_msg_new failed\n");
			exit(2);
		}
	}
	mail_msg_reset(m, "golden");
	while (off < v->len) {
		size_t n = chunk ? chunk : v->len - off;

		if (n > v->len - off)
			n = v->len - off;
		if (v->gap_len && off < v->gap_at && off + n > v->gap_at)
			n = (size_t)(v->gap_at - off);
		if (v->gap_len && off == v->gap_at) {
			/* These bytes never reach the engine. */
			mail_msg_gap(m, v->gap_len);
			off += v->gap_len;
			continue;
		}
		mail_msg_feed(m, v->msg + off, n);
		off += n;
	}
	mail_msg_finish(m, true);
	olen = mail_print(mail_msg_facts(m), 0, out, OUT_MAX);
}

static bool load(const char *path, bool crlf, struct vector *v)
{
	FILE *f = fopen(path, "rb");
	char line[512];
	long size;
	uint8_t *raw;
	size_t n, i, start = 0;

	if (!f)
		return false;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	raw = malloc((size_t)size + 1);
	n = fread(raw, 1, (size_t)size, f);
	fclose(f);
	mail_limits_defaults(&v->lim);
	v->gap_len = 0;
	/* Directives. */
	while (start < n && raw[start] == '#') {
		size_t e = start;
		char err[256];

		while (e < n && raw[e] != '\n')
			e++;
		snprintf(line, sizeof(line), "%.*s", (int)(e - start),
			 (char *)raw + start);
		if (strncmp(line, "#limit ", 7) == 0) {
			if (!mail_limits_set(&v->lim, line + 7, err,
					     sizeof(err))) {
				fprintf(stderr, "%s: %s\n", path, err);
				exit(2);
			}
		} else if (strncmp(line, "#gap ", 5) == 0) {
			unsigned long long a, b;

			if (sscanf(line + 5, "%llu@%llu", &a, &b) == 2) {
				v->gap_len = a;
				v->gap_at = b;
			}
		}
		start = e + 1;
	}
	v->msg = malloc(2 * (n - start) + 1);
	v->len = 0;
	for (i = start; i < n; i++) {
		if (crlf && raw[i] == '\n' && (i == start || raw[i - 1] != '\r'))
			v->msg[v->len++] = '\r';
		v->msg[v->len++] = raw[i];
	}
	free(raw);
	return true;
}

static int check(const char *dir, const char *name, bool update)
{
	struct vector v;
	char in[4096], ref[4096];
	char *first;
	size_t flen, chunk, stem = strlen(name) - 4;
	int bad = 0;

	snprintf(in, sizeof(in), "%s/%s", dir, name);
	snprintf(ref, sizeof(ref), "%s/%.*s.ref", dir, (int)stem, name);
	if (!load(in, strcmp(name + stem, ".eml") == 0, &v)) {
		fprintf(stderr, "%s: cannot read\n", in);
		return 1;
	}
	run(&v, 0);
	first = strdup(out);
	flen = olen;
	bad = golden_compare(name, ref, first, flen, update);
	for (chunk = 1; chunk < v.len && !bad;
	     chunk = chunk < 300 ? chunk + 1 : chunk * 2) {
		run(&v, chunk);
		if (olen != flen || memcmp(out, first, flen) != 0) {
			fprintf(stderr,
				"FAIL %s: cut into %zu-byte pieces it gives:\n%s",
				name, chunk, out);
			bad = 1;
		}
	}
	free(v.msg);
	free(first);
	if (!bad)
		printf("ok %s\n", name);
	return bad;
}

int main(int argc, char **argv)
{
	static const char *const suffixes[] = {".eml", ".raw", NULL};

	return golden_main(argc, argv, "tests/mail", suffixes, "messages", check);
}
