/*
 * MIME header parameters: the value of a Content-Type (RFC 2045 section
 * 5.1) or Content-Disposition (RFC 2183) field split into its main token
 * ("multipart/mixed", "attachment") and its parameters, each decoded to
 * UTF-8: quoted strings unescaped, RFC 2231 continuations assembled in
 * section order, RFC 2231 charsets and percent-escapes decoded (via
 * charset.h), and RFC 2047 encoded words inside values decoded as
 * Outlook and Thunderbird do for file names.
 *
 * One exception: the value of "boundary" (plain, quoted or in RFC 2231
 * sections without a charset) is the bytes as sent, unquoted only, even
 * when they are not UTF-8 or look like an encoded word, because the MIME
 * parser must match them byte for byte; escape it for output.
 *
 * Every variant is kept. Security analysis needs all of them: a part can
 * say name="a.pdf" and name*=UTF-8''a.exe, or filename twice, and mail
 * programs disagree on which wins. So a parameter that appears twice is
 * two entries (mail_params_get() walks them), a duplicate is flagged, and
 * a disagreement between values of one name is flagged apart. Values keep
 * what they decode to, NUL, CR, LF and bidi controls (U+202E) included,
 * and those are flagged: escaping is the output's job.
 *
 * Lenient, with a flag for each leniency: comments (RFC 822 CFWS) are
 * skipped; an unquoted value with tspecials or spaces ("file(1).pdf",
 * "a b.doc") runs to the next ';'; a missing '=', an empty value or an
 * unterminated quote is flagged and parsing goes on at the next ';'.
 *
 * Bounded: at most MAIL_PARAMS_MAX entries (more are counted in the
 * flag, not kept), names cut to 39 bytes, the main token to 127, and all
 * values share buf; a value that does not fit is cut at a character
 * boundary (MAIL_PARAMS_F_TRUNCATED). Work is linear in the input (the
 * RFC 2231 sections of one name are sorted among at most
 * MAIL_PARAMS_SECTIONS_MAX).
 *
 * Ownership: the caller owns struct mail_params (about 5 KiB: keep it off
 * small stacks); mail_param.value points into its buf and is valid as long
 * as the struct is and until the next mail_params_parse() on it. The
 * input is borrowed for the call only.
 */
#ifndef SMTPSCOPE_MAIL_PARAMS_H
#define SMTPSCOPE_MAIL_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#define MAIL_PARAMS_MAX 16
/* RFC 2231 sections of one parameter that are assembled. */
#define MAIL_PARAMS_SECTIONS_MAX 64

enum {
	MAIL_PARAM_PLAIN,       /* token */
	MAIL_PARAM_QUOTED,      /* quoted string */
	MAIL_PARAM_RFC2231,     /* name*=charset'lang'pct-encoded */
	MAIL_PARAM_RFC2231_CONT, /* name*0, name*1, ... assembled */
	MAIL_PARAM_RFC2047,     /* encoded words in the value, decoded */
};

/* Anomalies (ps->flags). Names for JSON: mail_params_flag_name(). */
enum {
	MAIL_PARAMS_F_NO_VALUE = 1u << 0,     /* no main token */
	MAIL_PARAMS_F_BAD_VALUE = 1u << 1,    /* main token quoted, spaced,
						 not ASCII, cut, or followed
						 by junk before the first ';' */
	MAIL_PARAMS_F_MISSING_EQ = 1u << 2,   /* attribute without '=' */
	MAIL_PARAMS_F_EMPTY = 1u << 3,        /* name= with no value */
	MAIL_PARAMS_F_UNTERMINATED = 1u << 4, /* quoted string without its
						 closing quote */
	MAIL_PARAMS_F_TSPECIALS = 1u << 5,    /* unquoted value with tspecials
						 or spaces */
	MAIL_PARAMS_F_JUNK = 1u << 6,         /* text after a quoted value, or
						 an attribute that is no
						 token: skipped */
	MAIL_PARAMS_F_RAW_8BIT = 1u << 7,     /* 8-bit bytes in a value */
	MAIL_PARAMS_F_BAD_TEXT = 1u << 8,     /* bytes invalid in their
						 charset: U+FFFD */
	MAIL_PARAMS_F_UNKNOWN_CHARSET = 1u << 9,
	MAIL_PARAMS_F_2231_BAD = 1u << 10,    /* bad '%' escape, no
						 charset'lang' on an extended
						 value, a quoted extended
						 value, a bad section number */
	MAIL_PARAMS_F_2231_MISSING = 1u << 11, /* a section number skipped */
	MAIL_PARAMS_F_2231_DUP = 1u << 12,    /* a section given twice (the
						 first is used) */
	MAIL_PARAMS_F_2231_ORDER = 1u << 13,  /* sections out of order */
	MAIL_PARAMS_F_RFC2047 = 1u << 14,     /* encoded words in a value */
	MAIL_PARAMS_F_DUPLICATE = 1u << 15,   /* a name given twice in one
						 form (plain/quoted/2047, or
						 RFC 2231) */
	MAIL_PARAMS_F_CONFLICT = 1u << 16,    /* two entries of one name with
						 different values */
	MAIL_PARAMS_F_CONTROL = 1u << 17,     /* a value holds a control
						 character (NUL, CR, LF, ...) */
	MAIL_PARAMS_F_BIDI = 1u << 18,        /* a value holds a bidi control
						 (U+202A-202E, U+2066-2069,
						 U+200E, U+200F, U+061C) */
	MAIL_PARAMS_F_TOO_MANY = 1u << 19,    /* more than MAIL_PARAMS_MAX
						 (or sections than
						 MAIL_PARAMS_SECTIONS_MAX) */
	MAIL_PARAMS_F_TRUNCATED = 1u << 20,   /* a name or value cut to fit */
};

struct mail_param {
	char name[40];     /* lower-case attribute, without '*' and section
			      numbers; NUL-terminated */
	const char *value; /* decoded UTF-8 (boundary: raw bytes) in the
			      owning mail_params' buf, NUL-terminated but
			      may hold NUL: use len */
	uint32_t len;
	uint8_t form;      /* MAIL_PARAM_* */
};

struct mail_params {
	char value[128];   /* main token lower-cased, NUL-terminated:
			      "multipart/mixed", "attachment"; printable
			      ASCII only (others become '?') */
	struct mail_param p[MAIL_PARAMS_MAX];
	uint32_t n;
	uint32_t flags;    /* MAIL_PARAMS_F_* */
	char buf[4096];
	uint32_t used;
};

/* Parse s[0..n), an unfolded header field value (after the colon). */
void mail_params_parse(struct mail_params *ps, const char *s, size_t n);

/* The next entry named name (any case) after `after` (NULL: the first),
 * or NULL. */
const struct mail_param *mail_params_get(const struct mail_params *ps,
					 const char *name,
					 const struct mail_param *after);

/* Documented lower_snake_case name of one flag bit, or NULL when bit is
 * not exactly one known flag. The strings are constants. */
const char *mail_params_flag_name(uint32_t bit);

#endif
