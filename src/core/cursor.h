/*
 * A bounds-checked reader over untrusted wire bytes (after tcpdump's
 * extract.h): every read states how many bytes it needs and fails, without
 * reading, when they are not there. Once a read fails the cursor stays
 * failed, so a decoder may do a run of reads and check once.
 */
#ifndef SMTPSCOPE_CORE_CURSOR_H
#define SMTPSCOPE_CORE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *p;
	size_t len; /* bytes left from p */
	bool bad;
};

static inline struct cursor cursor_make(const uint8_t *p, size_t len)
{
	struct cursor c = {p, len, false};
	return c;
}

static inline bool cursor_has(const struct cursor *c, size_t n)
{
	return !c->bad && c->len >= n;
}

static inline bool cursor_skip(struct cursor *c, size_t n)
{
	if (!cursor_has(c, n)) {
		c->bad = true;
		return false;
	}
	c->p += n;
	c->len -= n;
	return true;
}

static inline uint8_t cursor_u8(struct cursor *c)
{
	uint8_t v;

	if (!cursor_has(c, 1)) {
		c->bad = true;
		return 0;
	}
	v = c->p[0];
	c->p++;
	c->len--;
	return v;
}

static inline uint16_t cursor_be16(struct cursor *c)
{
	uint16_t v;

	if (!cursor_has(c, 2)) {
		c->bad = true;
		return 0;
	}
	v = (uint16_t)((c->p[0] << 8) | c->p[1]);
	c->p += 2;
	c->len -= 2;
	return v;
}

static inline uint16_t cursor_le16(struct cursor *c)
{
	uint16_t v;

	if (!cursor_has(c, 2)) {
		c->bad = true;
		return 0;
	}
	v = (uint16_t)((c->p[1] << 8) | c->p[0]);
	c->p += 2;
	c->len -= 2;
	return v;
}

static inline uint32_t cursor_be32(struct cursor *c)
{
	uint32_t v;

	if (!cursor_has(c, 4)) {
		c->bad = true;
		return 0;
	}
	v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) |
	    ((uint32_t)c->p[2] << 8) | c->p[3];
	c->p += 4;
	c->len -= 4;
	return v;
}

static inline uint32_t cursor_le32(struct cursor *c)
{
	uint32_t v;

	if (!cursor_has(c, 4)) {
		c->bad = true;
		return 0;
	}
	v = ((uint32_t)c->p[3] << 24) | ((uint32_t)c->p[2] << 16) |
	    ((uint32_t)c->p[1] << 8) | c->p[0];
	c->p += 4;
	c->len -= 4;
	return v;
}

/* Borrow n bytes (pointer into the original buffer) or NULL. */
static inline const uint8_t *cursor_take(struct cursor *c, size_t n)
{
	const uint8_t *p;

	if (!cursor_has(c, n)) {
		c->bad = true;
		return NULL;
	}
	p = c->p;
	c->p += n;
	c->len -= n;
	return p;
}

#endif
