/*
 * A bounded string arena: copies of untrusted text a record needs (an
 * address, a banner, a capability), referenced by offset so the arena can
 * grow. Once `max` bytes are in it, further strings are refused and the
 * arena says it is full (the caller records the breach).
 */
#ifndef SMTPSCOPE_CORE_STRPOOL_H
#define SMTPSCOPE_CORE_STRPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strref {
	uint32_t off;
	uint32_t len;
};

struct strpool {
	char *buf;
	uint32_t len, cap, max;
	bool full;
};

void strpool_init(struct strpool *sp, uint32_t max);
void strpool_free(struct strpool *sp);
/* Copy at most n bytes (fewer when only that much room is left: the
 * reference says how many); an empty reference when the arena is full. */
struct strref strpool_add(struct strpool *sp, const void *p, size_t n);
/* For a field that keeps only its latest value: put n bytes where *r
 * was, in place when they fit or when *r is the newest string, else
 * anew. Repeated updates then take no more room than the longest. */
void strpool_set(struct strpool *sp, struct strref *r, const void *p,
		 size_t n);
static inline const char *strpool_at(const struct strpool *sp,
				     struct strref r)
{
	return r.len ? sp->buf + r.off : "";
}

#endif
