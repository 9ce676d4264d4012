/*
 * Fuzz target: the Content-Transfer-Encoding decoders (src/mail/cte.c).
 *
 * Input:
 *   SEL        SEL % 8: 0-6 the encoding (enum mail_cte), 7 the
 *              encoding named by the header value that follows
 *   [LEN HDR]  only for 7: a header value for mail_cte_parse()
 *   SEED       chooses the chunk sizes of the second pass
 *   BODY       the rest: the part's body as on the wire
 *
 * The body is decoded whole, then again cut into chunks of sizes drawn
 * from SEED (each chunk an exact-size heap copy, so a read past it is
 * caught), and, when short, one byte at a time. Checked: every pass gives
 * the same bytes, flags and file name; the output is never longer than
 * the input, but for uuencode, where a line cut short is filled with zero
 * bits (at most 45 bytes a line of 2); the callback never gets n == 0;
 * the counters add up; every flag has a name; uu_name is terminated.
 *
 * Built with -fsanitize=fuzzer when meson -Dfuzzing=true; otherwise
 * linked with replay.c, which runs the files given on its command line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "mail/cte.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX (1u << 20)

static uint8_t whole[OUT_MAX];

struct sink {
	size_t len;     /* bytes seen */
	bool compare;   /* check against whole[] instead of filling it */
	bool overflow;  /* more than OUT_MAX: not compared past it */
};

static void out_fn(void *ctx, const uint8_t *p, size_t n)
{
	struct sink *s = ctx;
	size_t k;

	SS_ASSERT(n > 0);
	k = s->len < OUT_MAX ? OUT_MAX - s->len : 0;
	if (k > n)
		k = n;
	if (s->compare)
		SS_ASSERT(memcmp(whole + s->len, p, k) == 0);
	else
		memcpy(whole + s->len, p, k);
	if (k < n)
		s->overflow = true;
	s->len += n;
}

static void check_flags(uint32_t f)
{
	int i;

	for (i = 0; i < 32; i++)
		if (f & (1u << i))
			SS_ASSERT(mail_cte_flag_name(1u << i) != NULL);
}

/* Decode body in chunks: size 0 means whole, SIZE_MAX means drawn from
 * *seed. */
static void pass(struct mail_cte_dec *d, enum mail_cte cte,
		 const uint8_t *body, size_t n, size_t chunk, uint32_t seed,
		 struct sink *s)
{
	size_t off = 0;

	mail_cte_init(d, cte);
	while (off < n) {
		size_t k = chunk;
		uint8_t *piece;

		if (chunk == 0) {
			k = n;
		} else if (chunk == SIZE_MAX) {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % ((seed >> 8 & 1) ? 7 : 300);
		}
		if (k > n - off)
			k = n - off;
		piece = malloc(k);
		if (!piece)
			abort();
		memcpy(piece, body + off, k);
		mail_cte_feed(d, piece, k, out_fn, s);
		free(piece);
		off += k;
	}
	mail_cte_finish(d, out_fn, s);
	SS_ASSERT(d->in_bytes == n);
	SS_ASSERT(d->out_bytes == s->len);
	if (cte == MAIL_CTE_UUENCODE)
		SS_ASSERT(s->len <= 45 * (n / 2 + 1));
	else
		SS_ASSERT(s->len <= n);
	SS_ASSERT(memchr(d->uu_name, '\0', sizeof(d->uu_name)) != NULL);
	check_flags(d->flags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct mail_cte_dec *a, *b;
	struct sink sa = {0, false, false}, sb;
	enum mail_cte cte;
	uint32_t seed;

	if (!init) {
		init = true;
		log_set_quiet(1);
	}
	if (size < 2)
		return 0;
	cte = (enum mail_cte)(data[0] % 8);
	data++;
	size--;
	if (cte == 7) {
		size_t hl = data[0] < size - 1 ? data[0] : size - 1;
		char *hdr = malloc(hl ? hl : 1);
		bool unusual;

		if (!hdr)
			abort();
		memcpy(hdr, data + 1, hl);
		cte = mail_cte_parse(hdr, hl, &unusual);
		free(hdr);
		SS_ASSERT((unsigned)cte <= MAIL_CTE_UNKNOWN);
		SS_ASSERT(mail_cte_name(cte) != NULL);
		if (cte == MAIL_CTE_UNKNOWN)
			SS_ASSERT(unusual);
		data += hl + 1;
		size -= hl + 1;
		if (size == 0)
			return 0;
	}
	seed = data[0];
	data++;
	size--;

	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	if (!a || !b)
		abort();
	pass(a, cte, data, size, 0, 0, &sa);
	if (cte == MAIL_CTE_UNKNOWN)
		SS_ASSERT(a->flags & MAIL_CTE_F_UNKNOWN_CTE);

	sb = (struct sink){0, true, false};
	pass(b, cte, data, size, SIZE_MAX, seed, &sb);
	SS_ASSERT(sb.len == sa.len && b->flags == a->flags);
	SS_ASSERT(strcmp(a->uu_name, b->uu_name) == 0);

	if (size <= 4096) {
		sb = (struct sink){0, true, false};
		pass(b, cte, data, size, 1, 0, &sb);
		SS_ASSERT(sb.len == sa.len && b->flags == a->flags);
		SS_ASSERT(strcmp(a->uu_name, b->uu_name) == 0);
	}
	free(a);
	free(b);
	return 0;
}
