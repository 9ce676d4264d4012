/*
 * Fuzz target: the message engine (src/mail/message.c, fields.c, part.c
 * and every module they call: header fields, addresses, dates, Received,
 * parameters, encoded words, transfer encodings, charsets, hashes, file
 * types, archives, the URL and HTML scanners) on one hostile message.
 *
 * Input: three control bytes, then the message as it crosses the wire.
 *   C0 < 0x80     cut into pieces of C0 + 1 bytes
 *   C0 >= 0x80    cut into pieces of 1 to (C0 & 0x7f) + 1 bytes, the
 *                 sizes drawn from a generator seeded with C0
 *   C1 & 3        the limits: 0 small, 1 each at its least, 2 medium,
 *                 3 the defaults (small ones stay inside the ranges
 *                 mail_limits_set accepts, so what breaks here can
 *                 break in a deployment)
 *   C1 & 4        a capture gap: (C2 & 0x7f) + 1 bytes of the message,
 *                 from (C1 >> 3) / 32 of its length on, never reach the
 *                 engine
 *   C2 & 0x80     the message ends cut (mail_msg_finish(m, false))
 *
 * The message is fed whole, then in pieces, through one engine per limit
 * set that is reset and reused from input to input; every 8th input it
 * is also fed whole to a new engine. Checked: the facts print the same
 * (tests/unit/mail_print.c, strings whole) whole, in pieces and fresh;
 * feeding, a gap and finishing again after the end change nothing; every
 * string is inside the pool and the pool within strings_max; kept counts
 * are within their caps and totals; every part's depth within depth_max;
 * decoded bytes within message_decoded_max; the body text within
 * text_max and valid UTF-8; only known anomaly bits are set.
 *
 * Built with -fsanitize=fuzzer when meson -Dfuzzing=true; otherwise
 * linked with replay.c, which runs the files given on its command line.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/unit/mail_print.h"
#include "core/log.h"
#include "mail/charset.h"
#include "mail/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NLIMITS 4
#define FRESH_EVERY 8
#define OUT_MAX (8u << 20)

struct cut {
	uint8_t c0;            /* the first control byte */
	bool complete;         /* the message reached its end */
	uint32_t state;        /* generator of piece sizes */
	size_t gap_at, gap_len; /* bytes of the message lost; gap_len 0: none */
};

static void limits(struct mail_limits *l, unsigned which)
{
	mail_limits_defaults(l);
	switch (which) {
	case 0:
		l->header_line_max = 1000;
		l->headers_max = 10;
		l->depth_max = 2;
		l->parts_max = 4;
		l->part_decoded_max = 256;
		l->message_decoded_max = 1024;
		l->urls_max = 2;
		l->text_max = 64;
		l->archive_max = 0;
		l->strings_max = 4096;
		break;
	case 1:
		l->header_line_max = 1000;
		l->headers_max = 10;
		l->depth_max = 1;
		l->parts_max = 1;
		l->part_decoded_max = 1;
		l->message_decoded_max = 1;
		l->urls_max = 0;
		l->text_max = 0;
		l->archive_max = 0;
		l->strings_max = 4096;
		break;
	case 2:
		l->header_line_max = 2000;
		l->headers_max = 100;
		l->depth_max = 6;
		l->parts_max = 30;
		l->part_decoded_max = 65536;
		l->message_decoded_max = 200000;
		l->urls_max = 16;
		l->text_max = 2048;
		l->archive_max = 1u << 20;
		l->strings_max = 16384;
		break;
	default:
		break;
	}
}

static size_t piece(struct cut *c, size_t left)
{
	size_t n;

	if (c->c0 < 0x80) {
		n = (size_t)c->c0 + 1;
	} else {
		c->state ^= c->state << 13;
		c->state ^= c->state >> 17;
		c->state ^= c->state << 5;
		n = 1 + c->state % ((c->c0 & 0x7fu) + 1);
	}
	return n < left ? n : left;
}

/* The message fed in pieces (whole: one piece), with the gap if any. */
static void feed(struct mail_msg *m, const uint8_t *p, size_t len,
		 struct cut *c, bool whole)
{
	size_t off = 0;

	mail_msg_reset(m, "fuzz");
	c->state = 0x9e3779b9u ^ c->c0;
	while (off < len) {
		size_t n = whole ? len - off : piece(c, len - off);

		if (c->gap_len && off == c->gap_at) {
			size_t lost = c->gap_len < len - off ? c->gap_len
							     : len - off;

			mail_msg_gap(m, lost);
			off += lost;
			continue;
		}
		if (c->gap_len && off < c->gap_at && c->gap_at - off < n)
			n = c->gap_at - off;
		mail_msg_feed(m, p + off, n);
		off += n;
	}
	mail_msg_finish(m, c->complete);
}

static void ref_ok(const struct mail_facts *f, struct strref r)
{
	SS_ASSERT(r.len == 0 ||
		  (r.off <= f->text.len && r.len <= f->text.len - r.off));
}

static void addrs_ok(const struct mail_facts *f,
		     const struct mail_addr_field *a)
{
	uint32_t i;

	SS_ASSERT(a->n <= MAIL_FIELD_ADDRS);
	SS_ASSERT(a->n <= a->total);
	for (i = 0; i < a->n; i++) {
		ref_ok(f, a->a[i].display);
		ref_ok(f, a->a[i].addr);
	}
}

static void part_ok(const struct mail_facts *f, const struct mail_part *p,
		    const struct mail_limits *l)
{
	uint8_t k;

	SS_ASSERT(p->depth <= l->depth_max);
	SS_ASSERT(p->depth <= f->max_depth);
	ref_ok(f, p->path);
	ref_ok(f, p->type);
	ref_ok(f, p->charset);
	ref_ok(f, p->disposition);
	ref_ok(f, p->boundary);
	ref_ok(f, p->cte);
	ref_ok(f, p->magic);
	ref_ok(f, p->kind);
	ref_ok(f, p->extracted);
	ref_ok(f, p->archive_format);
	SS_ASSERT(p->nfilename <= MAIL_FILENAME_VARIANTS);
	for (k = 0; k < p->nfilename; k++)
		ref_ok(f, p->filename[k]);
	SS_ASSERT(p->nmembers <= MAIL_ARCHIVE_MEMBERS_KEEP);
	SS_ASSERT(p->nmembers == 0 ||
		  (p->members_at <= f->nmembers &&
		   p->nmembers <= f->nmembers - p->members_at));
	SS_ASSERT(!p->hashed || (!p->gap && strlen(p->md5) == 32 &&
				 strlen(p->sha1) == 40 &&
				 strlen(p->sha256) == 64));
	SS_ASSERT(p->leaf || p->decoded_size == 0);
	SS_ASSERT((p->anomalies >> MA__COUNT) == 0);
}

static void facts_ok(const struct mail_facts *f, const struct mail_limits *l,
		     uint64_t fed, bool gap, bool whole)
{
	uint32_t i;

	SS_ASSERT(f->ended);
	SS_ASSERT(f->cut == !whole);
	SS_ASSERT(f->body_bytes == fed);
	SS_ASSERT(f->partial == gap);
	SS_ASSERT(f->text.len <= l->strings_max);
	SS_ASSERT((f->anomalies >> MA__COUNT) == 0);

	SS_ASSERT(f->nheader_names <= MAIL_HEADER_NAMES_KEEP);
	SS_ASSERT(f->nheader_names <= f->header_count);
	for (i = 0; i < f->nheader_names; i++)
		ref_ok(f, f->header_names[i]);
	ref_ok(f, f->duplicates);
	addrs_ok(f, &f->from);
	addrs_ok(f, &f->sender);
	addrs_ok(f, &f->reply_to);
	addrs_ok(f, &f->to);
	addrs_ok(f, &f->cc);
	addrs_ok(f, &f->bcc);
	addrs_ok(f, &f->return_path);
	ref_ok(f, f->subject);
	ref_ok(f, f->message_id);
	ref_ok(f, f->in_reply_to);
	ref_ok(f, f->references);
	ref_ok(f, f->date_raw);
	ref_ok(f, f->x_mailer);
	ref_ok(f, f->user_agent);
	ref_ok(f, f->x_originating_ip);
	ref_ok(f, f->list_unsubscribe);
	ref_ok(f, f->mime_version);
	ref_ok(f, f->content_type);
	ref_ok(f, f->eml_path);
	SS_ASSERT(f->nreceived <= MAIL_RECEIVED_KEEP);
	SS_ASSERT(f->nreceived <= f->received_total);
	for (i = 0; i < f->nreceived; i++) {
		const struct mail_hop *h = &f->received[i];

		ref_ok(f, h->from);
		ref_ok(f, h->from_rdns);
		ref_ok(f, h->from_ip);
		ref_ok(f, h->by);
		ref_ok(f, h->with);
		ref_ok(f, h->id);
		ref_ok(f, h->for_addr);
		ref_ok(f, h->ips);
	}
	SS_ASSERT(f->nauth_results <= MAIL_AUTH_HEADERS_KEEP);
	SS_ASSERT(f->ndkim <= MAIL_AUTH_HEADERS_KEEP);
	SS_ASSERT(f->narc <= MAIL_AUTH_HEADERS_KEEP);
	for (i = 0; i < f->nauth_results; i++)
		ref_ok(f, f->auth_results[i]);
	for (i = 0; i < f->ndkim; i++)
		ref_ok(f, f->dkim[i]);
	for (i = 0; i < f->narc; i++)
		ref_ok(f, f->arc[i]);

	SS_ASSERT(f->nparts <= l->parts_max);
	SS_ASSERT(f->nparts <= f->parts_total);
	SS_ASSERT(f->max_depth <= l->depth_max);
	for (i = 0; i < f->nparts; i++)
		part_ok(f, &f->parts[i], l);
	SS_ASSERT(f->nmembers <= f->members_cap);
	for (i = 0; i < f->nmembers; i++) {
		ref_ok(f, f->members[i].name);
		SS_ASSERT(f->members[i].size >= -1);
	}
	SS_ASSERT(f->decoded_bytes <= l->message_decoded_max);

	SS_ASSERT(f->body_text_len <= l->text_max);
	SS_ASSERT(mail_utf8_valid((const uint8_t *)f->body_text,
				  f->body_text_len));
	SS_ASSERT(f->nurls <= l->urls_max);
	SS_ASSERT(!f->urls_dropped ||
		  (f->anomalies >> MA_URLS_LIMIT & 1));
	for (i = 0; i < f->nurls; i++) {
		ref_ok(f, f->urls[i].url);
		ref_ok(f, f->urls[i].host);
		ref_ok(f, f->urls[i].anchor);
	}
}

/* Two texts of the facts are the same; if not, both go to stderr. */
static void same(const char *a, size_t alen, const char *b, size_t blen,
		 const char *what)
{
	if (alen == blen && memcmp(a, b, alen) == 0)
		return;
	fprintf(stderr, "fed whole:\n%s\n%s:\n%s\n", a, what, b);
	SS_ASSERT(!"the facts differ");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mail_msg *engine[NLIMITS];
	static char *whole, *cut, *fresh;
	static unsigned long runs;
	struct mail_limits lim;
	struct mail_msg *m;
	struct cut c;
	const uint8_t *msg;
	size_t len, wlen, clen;
	unsigned which;
	uint64_t fed;

	if (size < 3)
		return 0;
	if (!whole) {
		whole = malloc(OUT_MAX);
		cut = malloc(OUT_MAX);
		fresh = malloc(OUT_MAX);
		if (!whole || !cut || !fresh)
			abort();
	}
	msg = data + 3;
	len = size - 3;
	which = data[1] & 3;
	limits(&lim, which);
	memset(&c, 0, sizeof(c));
	c.c0 = data[0];
	c.complete = !(data[2] & 0x80);
	if (data[1] & 4) {
		c.gap_at = len * (data[1] >> 3) / 32;
		c.gap_len = (size_t)(data[2] & 0x7f) + 1;
	}
	fed = len;
	if (c.gap_len && c.gap_at < len)
		fed -= c.gap_len < len - c.gap_at ? c.gap_len
						  : len - c.gap_at;
	if (!engine[which]) {
		engine[which] = mail_msg_new(&lim, NULL);
		if (!engine[which])
			abort();
	}
	m = engine[which];

	feed(m, msg, len, &c, true);
	facts_ok(mail_msg_facts(m), &lim, fed, fed != len, c.complete);
	wlen = mail_print(mail_msg_facts(m), MAIL_PRINT_FULL, whole, OUT_MAX);
	/* Past the end nothing counts. */
	mail_msg_feed(m, msg, len);
	mail_msg_gap(m, 1);
	mail_msg_finish(m, true);
	clen = mail_print(mail_msg_facts(m), MAIL_PRINT_FULL, cut, OUT_MAX);
	same(whole, wlen, cut, clen, "after the end");

	feed(m, msg, len, &c, false);
	facts_ok(mail_msg_facts(m), &lim, fed, fed != len, c.complete);
	clen = mail_print(mail_msg_facts(m), MAIL_PRINT_FULL, cut, OUT_MAX);
	same(whole, wlen, cut, clen, "in pieces");

	if (++runs % FRESH_EVERY == 0) {
		struct mail_msg *n = mail_msg_new(&lim, NULL);

		if (!n)
			abort();
		feed(n, msg, len, &c, true);
		clen = mail_print(mail_msg_facts(n), MAIL_PRINT_FULL, fresh,
				  OUT_MAX);
		same(whole, wlen, fresh, clen, "to a new engine");
		mail_msg_free(n);
	}
	return 0;
}
