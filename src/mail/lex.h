/*
 * Small pieces the header-field and body parsers of src/mail/ share:
 * RFC 5322 comments (nested, with quoted pairs), and the name of one flag
 * bit from a table indexed by bit number. No state, no allocation.
 */
#ifndef SMTPSCOPE_MAIL_LEX_H
#define SMTPSCOPE_MAIL_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint8_t mail_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* SP, HT, CR, LF. */
static inline bool mail_is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* s[i] is '(': the index just past the comment it opens (nested
 * comments and quoted pairs included), or n when it never closes
 * (*open is then set when open is not NULL). */
size_t mail_comment_end(const uint8_t *s, size_t n, size_t i, bool *open);

/* From i, past white space (SP, HT, CR, LF) and comments. */
size_t mail_skip_cfws(const uint8_t *s, size_t n, size_t i);

/* names[k] is the name of bit 1 << k; NULL for a bit not in the table
 * (or not a single bit). */
const char *mail_bit_name(const char *const *names, size_t count,
			  uint32_t bit);

#endif
