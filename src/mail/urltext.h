/*
 * URLs in plain text, found the way a mail client makes them clickable,
 * streaming: text is fed in chunks of any size and the same URLs come
 * out however it is cut.
 *
 * What is found: http://, https://, ftp:// and file:// URLs (any case)
 * not glued to a preceding letter or digit; bare "www.name" (offered
 * with http:// in front and flagged www); UNC paths "\\host\share". A
 * URL runs to the end of its word: a word ends at ASCII blanks and
 * controls, at < > " `, at invalid UTF-8 and at Unicode spaces,
 * zero-width characters, quotation marks and CJK punctuation. Then
 * trailing . , ; : ! ? ' " ) ] > are cut (a ")" or "]" only while the
 * URL has more of them than of "(" or "["), as Thunderbird and
 * linkify-it do. "<http://x>" and "<URL:http://x>" give http://x.
 * mailto: is not looked for; a URL wrapped over lines inside angle
 * brackets (RFC 3986 appendix C) is found only up to the line break.
 *
 * Ownership. The caller owns the struct (no allocation here) and the
 * set the URLs go to; input is borrowed for the call.
 *
 * Limits. State is fixed-size: a URL is held while its word goes on, up
 * to MAIL_URL_LEN_MAX + 1 bytes; a longer one is offered cut at that
 * length, which the set refuses as too long. Work is linear in the
 * input.
 */
#ifndef SMTPSCOPE_MAIL_URLTEXT_H
#define SMTPSCOPE_MAIL_URLTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail/urlset.h"

#define MAIL_URLTEXT_LOOK 16 /* bytes of a word kept before a URL starts */

struct mail_urltext {
	/* Private. */
	uint32_t len;        /* bytes of the URL in buf */
	uint32_t word;       /* bytes of the current word so far (capped) */
	uint8_t kind;        /* 0 none, else what started the URL */
	bool overflow;       /* the URL went past buf */
	uint8_t u8[4];       /* a UTF-8 character not complete yet */
	uint8_t u8_len, u8_need;
	uint8_t look_len;
	char look[MAIL_URLTEXT_LOOK]; /* last bytes of the word, as found */
	char buf[MAIL_URL_LEN_MAX + 1];
};

void mail_urltext_init(struct mail_urltext *t);
/* Look for URLs in p[0..n) and offer them to s (MAIL_URL_TEXT). */
void mail_urltext_feed(struct mail_urltext *t, const char *p, size_t n,
		       struct mail_urlset *s);
/* The text ended: offer a URL still open; t is then ready for the next
 * text, as after mail_urltext_init(). */
void mail_urltext_finish(struct mail_urltext *t, struct mail_urlset *s);

#endif
