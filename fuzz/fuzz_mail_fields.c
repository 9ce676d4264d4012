/*
 * Fuzz target: the structured header fields of the message engine -
 * addresses (src/mail/addr.c), dates (date.c) and Received (received.c).
 * The whole input is one field value, given to each of the three parsers
 * in a heap buffer of its exact size so a read past its end is caught.
 *
 * Invariants checked after each parse:
 *   addresses  counts within their maxima; every text inside the list's
 *              buf and NUL-terminated; local_len / has_at consistent;
 *              display names collapsed; every flag named; a second parse
 *              gives the same list; an address with no flag, written
 *              alone as "<addr>", parses back to itself.
 *   dates      a date read lies in 1900..9999 with a zone under a day; so
 *              written back in RFC 5322 form (with its true day name) it
 *              reads back to the same instant and zone, with no flag.
 *   Received   every text field NUL-terminated within its array; IPs
 *              valid, distinct and within their cap; from_ip among them
 *              unless the cap was reached; date state consistent.
 *
 * Built with -fsanitize=fuzzer when meson -Dfuzzing=true; otherwise
 * linked with replay.c, which runs the files given on its command line.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "mail/addr.h"
#include "mail/date.h"
#include "mail/received.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *exact(const void *p, size_t n)
{
	char *c = malloc(n ? n : 1);

	if (!c)
		abort();
	if (n)
		memcpy(c, p, n);
	return c;
}

static void check_named(uint32_t v, const char *(*name)(uint32_t))
{
	for (int i = 0; i < 32; i++)
		if (v & (1u << i))
			SS_ASSERT(name(1u << i) != NULL);
}

static void check_text(const struct mail_addrlist *l, const char *p,
		       uint32_t len)
{
	SS_ASSERT(p >= l->buf && p < l->buf + l->used);
	SS_ASSERT(len <= MAIL_ADDR_TEXT_MAX);
	SS_ASSERT((size_t)(p - l->buf) + len < l->used);
	SS_ASSERT(p[len] == '\0');
}

static void check_collapsed(const char *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		SS_ASSERT(p[i] != '\t' && p[i] != '\r' && p[i] != '\n');
		if (p[i] == ' ')
			SS_ASSERT(i > 0 && i + 1 < len && p[i + 1] != ' ');
	}
}

static void check_list(const struct mail_addrlist *l)
{
	SS_ASSERT(l->n <= MAIL_ADDRS_MAX && l->n <= l->total);
	SS_ASSERT((l->total > MAIL_ADDRS_MAX) ==
		  ((l->flags & MAIL_ADDR_F_TOO_MANY) != 0));
	SS_ASSERT(l->used >= 1 && l->used <= MAIL_ADDRLIST_BUF);
	SS_ASSERT(l->buf[0] == '\0');
	check_named(l->flags, mail_addr_flag_name);
	for (uint32_t i = 0; i < l->n; i++) {
		const struct mail_addr *a = &l->a[i];

		check_text(l, a->display, a->display_len);
		check_text(l, a->addr, a->addr_len);
		check_text(l, a->group, a->group_len);
		check_collapsed(a->display, a->display_len);
		check_collapsed(a->group, a->group_len);
		SS_ASSERT(a->local_len <= a->addr_len);
		SS_ASSERT(a->has_at ? a->addr[a->local_len] == '@'
				    : a->local_len == a->addr_len);
		SS_ASSERT((a->flags & ~l->flags) == 0);
	}
}

/* Same addresses, same texts at the same offsets, same flags. */
static void check_same(const struct mail_addrlist *x,
		       const struct mail_addrlist *y)
{
	SS_ASSERT(x->n == y->n && x->total == y->total &&
		  x->flags == y->flags && x->used == y->used);
	SS_ASSERT(memcmp(x->buf, y->buf, x->used) == 0);
	for (uint32_t i = 0; i < x->n; i++) {
		const struct mail_addr *a = &x->a[i], *b = &y->a[i];

		SS_ASSERT(a->display - x->buf == b->display - y->buf);
		SS_ASSERT(a->addr - x->buf == b->addr - y->buf);
		SS_ASSERT(a->group - x->buf == b->group - y->buf);
		SS_ASSERT(a->display_len == b->display_len &&
			  a->addr_len == b->addr_len &&
			  a->group_len == b->group_len &&
			  a->local_len == b->local_len &&
			  a->has_at == b->has_at && a->flags == b->flags);
	}
}

/* A clean address written alone in angle brackets reads back as itself. */
static void check_reparse(const struct mail_addr *a,
			  struct mail_addrlist *scratch)
{
	char *v;

	if (a->flags != 0 || a->addr_len == 0)
		return;
	v = malloc(a->addr_len + 2);
	if (!v)
		abort();
	v[0] = '<';
	memcpy(v + 1, a->addr, a->addr_len);
	v[a->addr_len + 1] = '>';
	mail_addrlist_parse(scratch, v, a->addr_len + 2);
	free(v);
	SS_ASSERT(scratch->n == 1 && scratch->flags == 0);
	SS_ASSERT(scratch->a[0].addr_len == a->addr_len &&
		  memcmp(scratch->a[0].addr, a->addr, a->addr_len) == 0);
	SS_ASSERT(scratch->a[0].local_len == a->local_len &&
		  scratch->a[0].has_at == a->has_at);
}

static void fuzz_addr(const uint8_t *data, size_t size)
{
	struct mail_addrlist *l = malloc(sizeof(*l));
	struct mail_addrlist *m = malloc(sizeof(*m));
	char *v = exact(data, size);

	if (!l || !m)
		abort();
	memset(l, 0xa5, sizeof(*l));
	mail_addrlist_parse(l, v, size);
	check_list(l);
	memset(m, 0x5a, sizeof(*m));
	mail_addrlist_parse(m, v, size);
	check_same(l, m);
	for (uint32_t i = 0; i < l->n; i++)
		check_reparse(&l->a[i], m);
	free(v);
	free(l);
	free(m);
}

static void fuzz_date(const uint8_t *data, size_t size)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
					  "May", "Jun", "Jul", "Aug",
					  "Sep", "Oct", "Nov", "Dec"};
	static const char *const day[] = {"Sun", "Mon", "Tue", "Wed",
					  "Thu", "Fri", "Sat"};
	char *v = exact(data, size);
	int64_t t, t2;
	int tz, tz2;
	uint32_t fl, fl2;
	bool ok = mail_date_parse(v, size, &t, &tz, &fl);
	char out[64];
	time_t local;
	struct tm tm;
	int len;

	free(v);
	check_named(fl, mail_date_flag_name);
	if (!ok) {
		SS_ASSERT(t == 0 && tz == 0);
		return;
	}
	SS_ASSERT(!(fl & MAIL_DATE_F_OUT_OF_RANGE));
	SS_ASSERT(tz > -24 * 60 && tz < 24 * 60);
	SS_ASSERT(t >= -2208988800LL - 86400 && t <= 253402300800LL + 86400);
	local = (time_t)(t + (int64_t)tz * 60);
	SS_ASSERT(gmtime_r(&local, &tm) != NULL);
	if (tm.tm_year + 1900 > 9999) /* 31 Dec 9999 23:59:60 */
		return;
	len = snprintf(out, sizeof(out),
		       "%s, %d %s %d %02d:%02d:%02d %c%02d%02d",
		       day[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon],
		       tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		       tz < 0 ? '-' : '+', abs(tz) / 60, abs(tz) % 60);
	SS_ASSERT(len > 0 && (size_t)len < sizeof(out));
	v = exact(out, (size_t)len);
	SS_ASSERT(mail_date_parse(v, (size_t)len, &t2, &tz2, &fl2));
	free(v);
	SS_ASSERT(t2 == t && tz2 == tz && fl2 == 0);
}

static void check_field(const char *f, size_t cap)
{
	SS_ASSERT(memchr(f, '\0', cap) != NULL);
}

static bool valid_ip(const char *s)
{
	uint8_t bin[16];

	return inet_pton(AF_INET, s, bin) == 1 ||
	       inet_pton(AF_INET6, s, bin) == 1;
}

static void fuzz_received(const uint8_t *data, size_t size)
{
	struct mail_received *r = malloc(sizeof(*r));
	char *v = exact(data, size);
	bool listed = false;

	if (!r)
		abort();
	memset(r, 0xa5, sizeof(*r));
	mail_received_parse(r, v, size);
	free(v);
	check_field(r->from, sizeof(r->from));
	check_field(r->from_rdns, sizeof(r->from_rdns));
	check_field(r->from_ip, sizeof(r->from_ip));
	check_field(r->by, sizeof(r->by));
	check_field(r->via, sizeof(r->via));
	check_field(r->with, sizeof(r->with));
	check_field(r->id, sizeof(r->id));
	check_field(r->for_addr, sizeof(r->for_addr));
	SS_ASSERT(r->nips <= MAIL_RCVD_IPS_MAX);
	for (uint32_t i = 0; i < r->nips; i++) {
		check_field(r->ips[i], sizeof(r->ips[i]));
		SS_ASSERT(valid_ip(r->ips[i]));
		for (uint32_t j = 0; j < i; j++)
			SS_ASSERT(strcmp(r->ips[i], r->ips[j]) != 0);
		listed |= strcmp(r->ips[i], r->from_ip) == 0;
	}
	if (r->from_ip[0]) {
		SS_ASSERT(valid_ip(r->from_ip));
		SS_ASSERT(listed || r->nips == MAIL_RCVD_IPS_MAX);
	}
	SS_ASSERT(r->have_date ==
		  !(r->flags & (MAIL_RCVD_F_NO_DATE | MAIL_RCVD_F_BAD_DATE)));
	if (!r->have_date)
		SS_ASSERT(r->date == 0 && r->tz_minutes == 0);
	check_named(r->flags, mail_received_flag_name);
	check_named(r->date_flags, mail_date_flag_name);
	free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;

	if (!init) {
		init = true;
		log_set_quiet(1);
	}
	fuzz_addr(data, size);
	fuzz_date(data, size);
	fuzz_received(data, size);
	return 0;
}
