/*
 * Fuzz target: the links of a message (src/mail/urlset.c, urltext.c,
 * html.c).
 *
 * Input: CONF SEED then the rest, read as CONF & 3 says:
 *   0  records for the set itself, split at '\n': CTL BYTES...
 *        CTL % 6        the source
 *        CTL & 0x08     offered with the www flag
 *        CTL & 0x10     BYTES are also the anchor text
 *        CTL & 0x20     BYTES are resolved against the previous record
 *                       first (mail_urlset_resolve), as HTML does
 *   1  plain text for the URL finder
 *   2  HTML for the link scanner
 *   3  both: the same bytes as text and as HTML, into one set
 * CONF & 4: small limits (4 URLs of 64 bytes), else the defaults.
 * SEED drives the chunk sizes.
 *
 * Checked after each input:
 *   - text and HTML give the same set whole and cut into chunks of
 *     sizes drawn from SEED (URLs, order, counts, sources, flags,
 *     anchors, statistics, page flags);
 *   - every URL is bounded (length, anchor, host and scheme inside the
 *     URL), its flags and sources are known bits, the count never passes
 *     the cap, and the statistics add up;
 *   - normalising is idempotent: a kept URL offered again to an empty
 *     set comes out the same, with the same host.
 *
 * Built with -fsanitize=fuzzer when meson -Dfuzzing=true; otherwise
 * linked with replay.c, which runs the files given on its command line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "mail/html.h"
#include "mail/urlset.h"
#include "mail/urltext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SMALL_URLS 4
#define SMALL_LEN 64
#define KNOWN_URL_FLAGS ((MAIL_URL_F_ANCHOR_MISMATCH << 1) - 1)
#define KNOWN_HTML_FLAGS ((MAIL_HTML_F_LONG_VALUE << 1) - 1)

/* Kept across inputs and reset, as the message engine reuses them. */
static struct mail_urlset *sets[2][2]; /* [small][whole, chunked] */
static struct mail_urlset *again[2];
static struct mail_html *html[2];
static struct mail_urltext text[2];
static char resolved[MAIL_URL_LEN_MAX + 1];

static void setup(void)
{
	int i;

	if (sets[0][0])
		return;
	log_set_quiet(1);
	for (i = 0; i < 2; i++) {
		uint32_t u = i ? SMALL_URLS : 0, l = i ? SMALL_LEN : 0;

		sets[i][0] = mail_urlset_new(u, l);
		sets[i][1] = mail_urlset_new(u, l);
		again[i] = mail_urlset_new(u, l);
		html[i] = mail_html_new();
	}
}

/* Feed p[0..n) to one finder (text: 1, HTML: 2) in chunks of sizes
 * drawn from seed (0: whole). */
static void feed(int which, const uint8_t *p, size_t n, uint32_t seed,
		 struct mail_urlset *s, struct mail_html *h,
		 struct mail_urltext *t)
{
	size_t i = 0;

	while (i < n) {
		size_t k = n - i;

		if (seed) {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % ((seed >> 8 & 1) ? 7 : 300);
			if (k > n - i)
				k = n - i;
		}
		if (which == 1)
			mail_urltext_feed(t, (const char *)p + i, k, s);
		else
			mail_html_feed(h, (const char *)p + i, k, s);
		i += k;
	}
	if (which == 1)
		mail_urltext_finish(t, s);
	else
		mail_html_finish(h, s);
}

/* The finders `which` asks for, text first, then HTML. */
static void scan(int which, const uint8_t *p, size_t n, uint32_t seed,
		 struct mail_urlset *s, struct mail_html *h,
		 struct mail_urltext *t)
{
	mail_html_reset(h);
	mail_urltext_init(t);
	if (which & 1)
		feed(1, p, n, seed, s, h, t);
	if (which & 2)
		feed(2, p, n, seed, s, h, t);
}

static void check_url(const struct mail_url *u, uint32_t max_len)
{
	uint32_t b;

	SS_ASSERT(u->len > 0);
	SS_ASSERT(u->len <= max_len || u->len <= MAIL_URL_DATA_KEEP);
	SS_ASSERT(u->count >= 1);
	SS_ASSERT(u->sources != 0 &&
		  (u->sources >> MAIL_URL_SRC_COUNT) == 0);
	SS_ASSERT((u->flags & ~(uint32_t)KNOWN_URL_FLAGS) == 0);
	SS_ASSERT(u->scheme == u->url && u->scheme_len < u->len);
	SS_ASSERT(u->scheme_len > 0 || (u->flags & MAIL_URL_F_BAD));
	SS_ASSERT(u->host >= u->url &&
		  u->host + u->host_len <= u->url + u->len);
	SS_ASSERT(u->host_len == 0 || !(u->flags & MAIL_URL_F_BAD));
	SS_ASSERT(memchr(u->ipv4, '\0', sizeof(u->ipv4)) != NULL);
	SS_ASSERT(u->ipv4[0] == '\0' || (u->flags & MAIL_URL_F_IP_HOST));
	SS_ASSERT((u->anchor == NULL) == (u->anchor_len == 0));
	SS_ASSERT(u->anchor_len <= MAIL_URL_ANCHOR_MAX);
	for (b = 0; b < u->len; b++)
		(void)*(volatile const char *)(u->url + b);
	for (b = 0; b < u->anchor_len; b++)
		(void)*(volatile const char *)(u->anchor + b);
}

/* Offered again alone, a URL normalises to itself. */
static void check_idempotent(struct mail_urlset *a, const struct mail_url *u)
{
	const struct mail_url *v;
	uint32_t keep = MAIL_URL_F_BAD | MAIL_URL_F_TRUNCATED;

	/* A bare www. name that did not parse was kept without the
	 * http:// it was offered with. */
	if ((u->flags & MAIL_URL_F_BAD) && (u->flags & MAIL_URL_F_WWW))
		return;
	mail_urlset_reset(a);
	SS_ASSERT(mail_urlset_add(a, u->url, u->len, MAIL_URL_TEXT, NULL, 0));
	v = mail_urlset_get(a, 0);
	if (v->len != u->len || memcmp(v->url, u->url, u->len) != 0) {
		fprintf(stderr, "not idempotent: \"%.*s\" -> \"%.*s\"\n",
			(int)u->len, u->url, (int)v->len, v->url);
		abort();
	}
	SS_ASSERT(v->host_len == u->host_len &&
		  memcmp(v->host, u->host, u->host_len) == 0);
	SS_ASSERT((v->flags & keep) == (u->flags & keep) ||
		  (u->flags & MAIL_URL_F_TRUNCATED));
	SS_ASSERT(strcmp(v->ipv4, u->ipv4) == 0);
}

static void check_set(struct mail_urlset *s, struct mail_urlset *a,
		      uint32_t max_urls, uint32_t max_len)
{
	struct mail_urlset_stats st;
	uint32_t i, n = mail_urlset_count(s);

	SS_ASSERT(n <= max_urls);
	SS_ASSERT(mail_urlset_get(s, n) == NULL);
	mail_urlset_stats(s, &st);
	SS_ASSERT(st.offered == n + st.duplicate + st.dropped + st.too_long +
				       st.not_url + st.skipped);
	SS_ASSERT(st.dropped == 0 || n == max_urls);
	SS_ASSERT(mail_urlset_dropped(s) == st.dropped);
	for (i = 0; i < n; i++) {
		const struct mail_url *u = mail_urlset_get(s, i);

		check_url(u, max_len);
		check_idempotent(a, u);
	}
}

static void same_sets(const struct mail_urlset *x, const struct mail_urlset *y)
{
	struct mail_urlset_stats a, b;
	uint32_t i, n = mail_urlset_count(x);

	SS_ASSERT(mail_urlset_count(y) == n);
	mail_urlset_stats(x, &a);
	mail_urlset_stats(y, &b);
	SS_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	for (i = 0; i < n; i++) {
		const struct mail_url *u = mail_urlset_get(x, i);
		const struct mail_url *v = mail_urlset_get(y, i);

		SS_ASSERT(u->len == v->len &&
			  memcmp(u->url, v->url, u->len) == 0);
		SS_ASSERT(u->count == v->count && u->sources == v->sources &&
			  u->flags == v->flags);
		SS_ASSERT(u->anchor_len == v->anchor_len &&
			  (u->anchor_len == 0 ||
			   memcmp(u->anchor, v->anchor, u->anchor_len) == 0));
	}
}

/* Mode 0: records straight into the set. */
static void records(struct mail_urlset *s, const uint8_t *p, size_t n)
{
	const char *prev = NULL;
	size_t prev_len = 0;

	while (n > 0) {
		const uint8_t *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) : n;
		const char *r = (const char *)p + 1;
		size_t rl = len ? len - 1 : 0;
		uint8_t ctl = len ? p[0] : 0;
		uint32_t flags = (ctl & 0x08) ? MAIL_URL_F_WWW : 0;

		if (len > 0) {
			if (ctl & 0x20) {
				size_t k = mail_urlset_resolve(
					s, prev, prev_len, r, rl, resolved,
					sizeof(resolved));

				SS_ASSERT(k <= sizeof(resolved));
				if (k)
					mail_urlset_add_flags(
						s, resolved, k,
						(enum mail_url_src)(ctl % 6),
						NULL, 0, flags);
			} else {
				mail_urlset_add_flags(
					s, r, rl, (enum mail_url_src)(ctl % 6),
					(ctl & 0x10) ? r : NULL, rl, flags);
			}
			prev = r;
			prev_len = rl;
		}
		if (!nl)
			break;
		p = nl + 1;
		n -= len + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int which, small;
	uint32_t seed, max_urls, max_len;
	struct mail_urlset *whole, *cut;

	if (size < 2)
		return 0;
	setup();
	which = data[0] & 3;
	small = (data[0] & 4) != 0;
	seed = (uint32_t)data[1] * 2654435761u | 1;
	data += 2;
	size -= 2;
	max_urls = small ? SMALL_URLS : MAIL_URLSET_DEFAULT_URLS;
	max_len = small ? SMALL_LEN : MAIL_URLSET_DEFAULT_LEN;
	whole = sets[small][0];
	cut = sets[small][1];
	mail_urlset_reset(whole);
	mail_urlset_reset(cut);

	if (which == 0) {
		records(whole, data, size);
	} else {
		scan(which, data, size, 0, whole, html[0], &text[0]);
		scan(which, data, size, seed, cut, html[1], &text[1]);
		same_sets(whole, cut);
		if (which & 2) {
			SS_ASSERT(mail_html_flags(html[0]) ==
				  mail_html_flags(html[1]));
			SS_ASSERT((mail_html_flags(html[0]) &
				   ~(uint32_t)KNOWN_HTML_FLAGS) == 0);
		}
	}
	check_set(whole, again[small], max_urls, max_len);
	return 0;
}
