/*
 * The body bytes each transaction was handed, for the SMTP parser's
 * tests and fuzz target. Transactions overlap (the next MAIL may come
 * before the reply that ends the last), so bytes are kept per
 * transaction, in a ring keyed by its depth; a slot taken over by a
 * later transaction reads as unknown.
 */
#ifndef SMTPSCOPE_TESTS_BODY_TALLY_H
#define SMTPSCOPE_TESTS_BODY_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtp/parser.h"

struct body_slot {
	uint32_t depth;  /* the transaction's; 0 for none */
	uint32_t hash;   /* FNV-1a of the bytes */
	uint64_t bytes;
};

struct body_tally {
	struct body_slot slot[64];
};

/* The transaction's slot, or NULL when another has taken it over. */
static inline struct body_slot *body_slot(struct body_tally *b,
					  const struct smtp_txn *t)
{
	struct body_slot *s = &b->slot[t->depth % 64];

	return s->depth == t->depth ? s : NULL;
}

static inline void body_tally_begin(struct body_tally *b,
				    const struct smtp_txn *t)
{
	struct body_slot *s = &b->slot[t->depth % 64];

	s->depth = t->depth;
	s->hash = 2166136261u;
	s->bytes = 0;
}

static inline void body_tally_add(struct body_tally *b,
				  const struct smtp_txn *t, const uint8_t *p,
				  size_t n)
{
	struct body_slot *s = body_slot(b, t);
	size_t i;

	if (!s)
		return;
	for (i = 0; i < n; i++)
		s->hash = (s->hash ^ p[i]) * 16777619u;
	s->bytes += n;
}

#endif
