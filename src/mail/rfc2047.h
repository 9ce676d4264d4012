/*
 * RFC 2047 encoded words in header values, decoded to UTF-8.
 *
 * The input is one unfolded header value as raw bytes: ASCII with encoded
 * words ("=?charset?B?...?=", "=?charset?Q?...?=", and the RFC 2231
 * section 5 form "=?charset*lang?...?="), possibly raw UTF-8 (RFC 6532).
 * The output is that value with every encoded word decoded through its
 * charset (charset.h) and every other byte kept, all valid UTF-8: raw
 * bytes that are not UTF-8 become U+FFFD.
 *
 * Lenient as mail programs are, and every leniency is a flag:
 * - whitespace between two adjacent encoded words is dropped (RFC 2047
 *   section 6.2); their decoded bytes are joined before charset
 *   conversion when the charsets agree, so a character split across two
 *   words (which senders do) comes out whole;
 * - an encoded word glued to other text, inside a quoted string, or glued
 *   to another encoded word is decoded anyway (MISPLACED);
 * - a word that does not parse is left as it is (MALFORMED);
 * - B text with bytes outside the alphabet or missing padding, and Q text
 *   with a bad "=" escape, is decoded as far as it goes (BAD_B, BAD_Q);
 * - an encoded word longer than 75 characters (LONG_WORD) is decoded.
 * The quote tracking cannot know the field: in an unstructured field
 * (Subject) a '"' is just a character, and a word after an odd number of
 * them is flagged MISPLACED all the same.
 *
 * Nothing is allocated; the caller owns both buffers. Work is linear in
 * the input, stack use bounded (a few KiB).
 */
#ifndef SMTPSCOPE_MAIL_RFC2047_H
#define SMTPSCOPE_MAIL_RFC2047_H

#include <stddef.h>
#include <stdint.h>

/* RFC 2047 section 2: an encoded word is at most 75 characters. */
#define MAIL_2047_WORD_MAX 75

/* Flags (*flags |= ...). Every bit but MAIL_2047_N_DECODED is an anomaly.
 * Names for JSON: mail_2047_flag_name(). */
enum {
	MAIL_2047_F_MALFORMED = 1u << 0,  /* "=?cs?" that is no word: kept */
	MAIL_2047_F_MISPLACED = 1u << 1,  /* glued to text or another word,
					     or in a quoted string */
	MAIL_2047_F_UNKNOWN_CHARSET = 1u << 2, /* ASCII kept, rest U+FFFD */
	MAIL_2047_F_BAD_B = 1u << 3,      /* B text not clean base64 */
	MAIL_2047_F_BAD_Q = 1u << 4,      /* Q text with a bad escape */
	MAIL_2047_F_BAD_TEXT = 1u << 5,   /* decoded bytes invalid in the
					     charset: U+FFFD */
	MAIL_2047_F_RAW_8BIT = 1u << 6,   /* raw bytes not UTF-8: U+FFFD */
	MAIL_2047_F_TRUNCATED = 1u << 7,  /* output cut to the room given */
	MAIL_2047_F_LONG_WORD = 1u << 8,  /* word > MAIL_2047_WORD_MAX */
	MAIL_2047_F_CONTROL = 1u << 9,    /* a word decoded to a control
					     character (NUL, CR, LF, ...):
					     kept, the JSON writer escapes */
	MAIL_2047_N_DECODED = 1u << 30,   /* note: some word was decoded */
};

#define MAIL_2047_ANOMALIES (~(uint32_t)MAIL_2047_N_DECODED)

/* Decode in[0..n) into out[0..outcap) as UTF-8; returns the bytes
 * written (never more than outcap, never a cut character, no NUL
 * added). Flags are ORed into *flags (may be NULL). */
size_t mail_2047_decode(const char *in, size_t n, char *out, size_t outcap,
			uint32_t *flags);

/* Documented lower_snake_case name of one flag bit, or NULL when bit is
 * not exactly one known flag. The strings are constants. */
const char *mail_2047_flag_name(uint32_t bit);

#endif
