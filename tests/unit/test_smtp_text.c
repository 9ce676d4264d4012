/*
 * SMTP text layers: the line framer and the DATA scanner (strict end,
 * dot-unstuffing, lenient end-of-data candidates), each checked for the
 * same result at every chunk size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smtp/data.h"
#include "smtp/line.h"
#include "smtp/transcript.h"

/* ---- line framer ------------------------------------------------------- */

struct lines {
	char text[64][128];
	enum line_eol eol[64];
	uint64_t full[64];
	bool trunc[64], cr[64], nul[64];
	int n;
};

static void frame_all(const char *in, size_t len, size_t chunk, uint32_t max,
		      bool flush, struct lines *ls)
{
	struct line_framer f;
	size_t off = 0;

	memset(ls, 0, sizeof(*ls));
	line_framer_init(&f, max);
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		size_t pos = 0;

		while (pos < n) {
			struct line l;
			size_t used;

			if (line_next(&f, (const uint8_t *)in + off + pos,
				      n - pos, &used, &l)) {
				assert_true(ls->n < 64);
				memcpy(ls->text[ls->n], l.p, l.len);
				ls->eol[ls->n] = l.eol;
				ls->full[ls->n] = l.full_len;
				ls->trunc[ls->n] = l.truncated;
				ls->cr[ls->n] = l.bare_cr;
				ls->nul[ls->n] = l.nul;
				ls->n++;
			}
			pos += used;
		}
		off += n;
	}
	if (flush) {
		struct line l;

		if (line_flush(&f, &l)) {
			memcpy(ls->text[ls->n], l.p, l.len);
			ls->eol[ls->n] = l.eol;
			ls->full[ls->n] = l.full_len;
			ls->n++;
		}
	}
	line_framer_free(&f);
}

static void test_line_terminators(void **state)
{
	static const char in[] =
		"EHLO a\r\nMAIL FROM:<x>\nRCPT TO:<y>\r\r\nDA\rTA\r\nNU\0L\r\n"
		"tail";
	size_t len = sizeof(in) - 1, chunk;

	(void)state;
	for (chunk = 1; chunk <= len; chunk++) {
		struct lines ls;

		frame_all(in, len, chunk, 512, true, &ls);
		assert_int_equal(ls.n, 6);
		assert_string_equal(ls.text[0], "EHLO a");
		assert_int_equal(ls.eol[0], EOL_CRLF);
		assert_string_equal(ls.text[1], "MAIL FROM:<x>");
		assert_int_equal(ls.eol[1], EOL_LF);
		assert_string_equal(ls.text[2], "RCPT TO:<y>");
		assert_int_equal(ls.eol[2], EOL_CRCRLF);
		assert_string_equal(ls.text[3], "DA\rTA");
		assert_true(ls.cr[3]);
		assert_false(ls.cr[2]);
		assert_int_equal(ls.full[4], 4);
		assert_true(ls.nul[4]);
		assert_string_equal(ls.text[5], "tail");
		assert_int_equal(ls.eol[5], EOL_NONE);
	}
}

static void test_line_too_long(void **state)
{
	char in[300];
	size_t chunk;

	(void)state;
	memset(in, 'A', 200);
	memcpy(in + 200, "\r\r\nNEXT\r\n", 9);
	for (chunk = 1; chunk <= 209; chunk++) {
		struct lines ls;

		frame_all(in, 209, chunk, 64, false, &ls);
		assert_int_equal(ls.n, 2);
		assert_int_equal(strlen(ls.text[0]), 64);
		assert_true(ls.trunc[0]);
		assert_int_equal(ls.full[0], 200);
		assert_int_equal(ls.eol[0], EOL_CRCRLF);
		assert_string_equal(ls.text[1], "NEXT");
		assert_false(ls.trunc[1]);
	}
}

static void test_line_resync_after_gap(void **state)
{
	struct line_framer f;
	struct line l;
	size_t used;
	const char *a = "MAIL FR", *b = "OM:<x>\r\nRSET\r\n";

	(void)state;
	line_framer_init(&f, 512);
	assert_false(line_next(&f, (const uint8_t *)a, strlen(a), &used, &l));
	line_resync(&f); /* a gap: the rest of this line is unknown */
	assert_true(line_next(&f, (const uint8_t *)b, strlen(b), &used, &l));
	assert_int_equal(l.len, 4);
	assert_memory_equal(l.p, "RSET", 4);
	assert_int_equal(used, strlen(b));
	line_framer_free(&f);
}

/* ---- DATA scanner --------------------------------------------------------- */

struct scan_result {
	char body[4096];
	size_t blen;
	char cands[16][32];
	uint64_t cand_off[16], cand_end[16];
	int ncand;
	size_t used;
	bool done;
	uint64_t bare_lf, bare_cr, nul, eod_dot;
};

static void on_body(void *ctx, const uint8_t *p, size_t n)
{
	struct scan_result *r = ctx;

	assert_true(r->blen + n <= sizeof(r->body));
	memcpy(r->body + r->blen, p, n);
	r->blen += n;
}

static void on_cand(void *ctx, const struct eod_candidate *c)
{
	struct scan_result *r = ctx;

	assert_true(r->ncand < 16);
	snprintf(r->cands[r->ncand], sizeof(r->cands[0]), "%s", c->seq);
	r->cand_off[r->ncand] = c->offset;
	r->cand_end[r->ncand] = c->end;
	r->ncand++;
}

static void scan(const char *in, size_t len, size_t chunk,
		 struct scan_result *r)
{
	struct data_scan d;
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	data_scan_init(&d, on_body, on_cand, r);
	while (off < len && !d.done) {
		size_t n = len - off < chunk ? len - off : chunk;

		off += data_scan_feed(&d, (const uint8_t *)in + off, n);
	}
	if (!d.done)
		data_scan_finish(&d);
	r->used = off;
	r->done = d.done;
	r->bare_lf = d.bare_lf;
	r->bare_cr = d.bare_cr;
	r->nul = d.nul;
	r->eod_dot = d.eod_dot;
	assert_int_equal(d.msg, r->blen);
}

/* The same events at every chunk size. */
static void scan_sweep(const char *in, size_t len, struct scan_result *first)
{
	size_t chunk;

	scan(in, len, len, first);
	for (chunk = 1; chunk < len; chunk++) {
		struct scan_result r;
		int i;

		scan(in, len, chunk, &r);
		assert_int_equal(r.blen, first->blen);
		assert_memory_equal(r.body, first->body, r.blen);
		assert_int_equal(r.used, first->used);
		assert_int_equal(r.done, first->done);
		assert_int_equal(r.ncand, first->ncand);
		for (i = 0; i < r.ncand; i++) {
			assert_string_equal(r.cands[i], first->cands[i]);
			assert_int_equal(r.cand_off[i], first->cand_off[i]);
		}
		assert_int_equal(r.bare_lf, first->bare_lf);
		assert_int_equal(r.bare_cr, first->bare_cr);
	}
}

#define SWEEP(lit, r) scan_sweep((lit), sizeof(lit) - 1, (r))

static void test_strict_end_and_unstuffing(void **state)
{
	struct scan_result r;

	(void)state;
	SWEEP("Subject: x\r\n\r\n..dot\r\n...\r\n.\r\nQUIT\r\n", &r);
	assert_true(r.done);
	assert_int_equal(r.blen, 24);
	assert_memory_equal(r.body, "Subject: x\r\n\r\n.dot\r\n..\r\n", 24);
	assert_int_equal(r.used, 29); /* QUIT is left for the commands */
	assert_int_equal(r.ncand, 0);
	assert_int_equal(r.eod_dot, 26);

	SWEEP(".\r\n", &r); /* an empty message */
	assert_true(r.done);
	assert_int_equal(r.blen, 0);

	SWEEP(".first line\r\n.\r\n", &r); /* leading dot dropped */
	assert_memory_equal(r.body, "first line\r\n", 12);
	assert_int_equal(r.blen, 12);

	/* ". CR x": the held CR is content */
	SWEEP("a\r\n.\rb\r\n.\r\n", &r);
	assert_int_equal(r.blen, 7);
	assert_memory_equal(r.body, "a\r\n\rb\r\n", 7);
	assert_int_equal(r.ncand, 1); /* "\r\n.\r" */
	assert_string_equal(r.cands[0], "\\r\\n.\\r");

	/* not ended: everything is message */
	SWEEP("no end\r\n", &r);
	assert_false(r.done);
	assert_int_equal(r.blen, 8);
}

/* The smuggling sequences of DETECTIONS.md F-3, each inside a message
 * that goes on to a strict end. */
static void test_lenient_candidates(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *seq;
		uint64_t off;
	} v[] = {
#define V(s, q, o) {s, sizeof(s) - 1, q, o}
		V("a\n.\nMAIL FROM:<x>\r\n.\r\n", "\\n.\\n", 2),
		V("a\n.\r\nb\r\n.\r\n", "\\n.\\r\\n", 2),
		V("a\r\n.\nb\r\n.\r\n", "\\r\\n.\\n", 3),
		V("a\r.\rb\r\n.\r\n", "\\r.\\r", 2),
		V("a\r.\nb\r\n.\r\n", "\\r.\\n", 2),
		V("a\n.\rb\r\n.\r\n", "\\n.\\r", 2),
		V("a\r.\r\nb\r\n.\r\n", "\\r.\\r\\n", 2),
		V("a\r\n.\r\r\nb\r\n.\r\n", "\\r\\n.\\r\\r\\n", 3),
		V("a\r\r\n.\r\r\nb\r\n.\r\n", "\\r\\r\\n.\\r\\r\\n", 4),
		V("a\r\n\0.\r\nb\r\n.\r\n", "\\r\\n\\0.\\r\\n", 4),
		V("a\r\n.\0\r\nb\r\n.\r\n", "\\r\\n.\\0\\r\\n", 3),
#undef V
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct scan_result r;

		scan_sweep(v[i].in, v[i].len, &r);
		assert_true(r.done);
		assert_int_equal(r.used, v[i].len);
		if (r.ncand != 1)
			fail_msg("case %zu: %d candidates", i, r.ncand);
		assert_string_equal(r.cands[0], v[i].seq);
		assert_int_equal(r.cand_off[0], v[i].off);
	}
}

static void test_not_candidates(void **state)
{
	struct scan_result r;

	(void)state;
	/* dot-stuffed lines, dots inside lines, a dot after a dot */
	SWEEP("..\r\n.x\r\na.b\r\n\n..\n\r\n.\r\n", &r);
	assert_true(r.done);
	assert_int_equal(r.ncand, 0);
	/* CR CR LF before the terminator: still the strict end, which is
	 * no candidate */
	SWEEP("a\r\r\n.\r\nQUIT\r\n", &r);
	assert_true(r.done);
	assert_int_equal(r.used, 7);
	assert_int_equal(r.ncand, 0);
	assert_memory_equal(r.body, "a\r\r\n", 4);
}

static void test_line_facts(void **state)
{
	struct scan_result r;

	(void)state;
	SWEEP("one\ntwo\rthree\r\nfo\0ur\r\n.\r\n", &r);
	assert_int_equal(r.bare_lf, 1);
	assert_int_equal(r.bare_cr, 1);
	assert_int_equal(r.nul, 1);
	assert_int_equal(r.ncand, 0);
}

static void test_gap_inside_data(void **state)
{
	struct data_scan d;
	struct scan_result r;
	const char *a = "hello\r\n.", *b = "\r\nmore\r\n.\r\n";

	(void)state;
	memset(&r, 0, sizeof(r));
	data_scan_init(&d, on_body, on_cand, &r);
	assert_int_equal(data_scan_feed(&d, (const uint8_t *)a, strlen(a)),
			 strlen(a));
	data_scan_gap(&d, 100);
	/* after the gap the line position is unknown: "\r\n" then "more" */
	assert_int_equal(data_scan_feed(&d, (const uint8_t *)b, strlen(b)),
			 strlen(b));
	assert_true(d.done);
	assert_int_equal(d.gap_bytes, 100);
	assert_int_equal(d.raw, strlen(a) + 100 + strlen(b));
	assert_memory_equal(r.body, "hello\r\n\r\nmore\r\n", 15);
}

/* An entry the text store cut short says so, as one over the line cap. */
static void test_transcript_cut(void **state)
{
	struct transcript t;
	char line[1100];
	uint32_t i;

	(void)state;
	memset(line, 'x', sizeof(line));
	transcript_init(&t, 8); /* room for 8 * 256 + 4096 = 6144 bytes */
	for (i = 0; i < 6; i++)
		transcript_add(&t, i, 0, TR_COMMAND, line, 1000);
	transcript_add(&t, 6, 0, TR_COMMAND, line, 1000); /* 144 fit */
	transcript_add(&t, 7, 0, TR_COMMAND, line, 10);   /* none */
	transcript_add(&t, 8, 0, TR_COMMAND, line, 1100); /* over the cap */
	assert_int_equal(t.n, 7);
	assert_int_equal(t.dropped, 2);
	for (i = 0; i < 6; i++) {
		assert_false(t.e[i].cut);
		assert_int_equal(t.e[i].text.len, 1000);
	}
	assert_true(t.e[6].cut);
	assert_int_equal(t.e[6].text.len, 144);
	transcript_free(&t);

	transcript_init(&t, 8);
	transcript_add(&t, 0, 1, TR_REPLY, line, 1100);
	assert_true(t.e[0].cut);
	assert_int_equal(t.e[0].text.len, TRANSCRIPT_TEXT_MAX);
	transcript_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_terminators),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_line_resync_after_gap),
		cmocka_unit_test(test_strict_end_and_unstuffing),
		cmocka_unit_test(test_lenient_candidates),
		cmocka_unit_test(test_not_candidates),
		cmocka_unit_test(test_line_facts),
		cmocka_unit_test(test_gap_inside_data),
		cmocka_unit_test(test_transcript_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
