/*
 * Streaming Content-Transfer-Encoding decoders (RFC 2045 section 6, and
 * uuencode as old mailers send it): the body of one MIME part goes in as
 * it was on the wire, in chunks of any size, and the decoded bytes come
 * out through a callback. The output is the same however the input is
 * split (the unit tests check every chunk size).
 *
 * Decoding is lenient, as mail user agents are: whatever can be decoded
 * is, and every departure from the RFC is recorded as a flag bit
 * (MAIL_CTE_F_*) instead of stopping. What each decoder does with bad
 * input is said at its flag below and in cte.c.
 *
 * Ownership. The caller owns struct mail_cte_dec (a plain struct of fixed
 * size: nothing here allocates). Input bytes are borrowed for the call.
 * Output bytes handed to the callback are borrowed for the callback only
 * (they may point into the caller's input for the pass-through encodings,
 * or into a buffer on the decoder's stack); the callback is never called
 * with n == 0. Work and stack per call are bounded: no allocation, output
 * batched in runs of up to MAIL_CTE_OUT_BATCH bytes.
 *
 * Output is never longer than the input, except for uuencode: a line cut
 * short (trailing spaces stripped in transit) is filled with zero bits,
 * so "M" alone gives 45 bytes (a bad line, flagged).
 *
 * Limits: uuencode lines are held up to MAIL_CTE_UU_LINE_MAX bytes (a
 * longer one is a bad line); quoted-printable keeps at most
 * MAIL_CTE_QP_WS_MAX bytes of whitespace waiting to learn whether it is
 * trailing (a longer run is emitted, as it cannot be transport padding
 * of a conforming line anyway).
 */
#ifndef SMTPSCOPE_MAIL_CTE_H
#define SMTPSCOPE_MAIL_CTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAIL_CTE_OUT_BATCH 4096
#define MAIL_CTE_UU_LINE_MAX 320
#define MAIL_CTE_QP_WS_MAX 64
/* RFC 2045 6.7 (5) and 6.8: encoded lines are at most 76 characters. */
#define MAIL_CTE_LINE_MAX 76

enum mail_cte {
	MAIL_CTE_7BIT,
	MAIL_CTE_8BIT,
	MAIL_CTE_BINARY,
	MAIL_CTE_BASE64,
	MAIL_CTE_QP,
	MAIL_CTE_UUENCODE,
	MAIL_CTE_UNKNOWN,
};

/* Anomalies (d->flags). Names for JSON: mail_cte_flag_name(). */
enum {
	/* base64: a byte outside the alphabet (whitespace excepted), or a
	 * stray '=' where no padding can be: skipped */
	MAIL_CTE_F_BAD_CHAR = 1u << 0,
	/* base64: data after the padding that ends a quantum: decoded as a
	 * new quantum (see cte.c for why) */
	MAIL_CTE_F_AFTER_PAD = 1u << 1,
	/* the encoding stopped midway: base64 ended inside a quantum
	 * (missing padding, or 6 bits left over), QP ended inside "=X",
	 * uuencode had no "end" line */
	MAIL_CTE_F_TRUNCATED = 1u << 2,
	/* base64 or QP line longer than MAIL_CTE_LINE_MAX characters */
	MAIL_CTE_F_LONG_LINE = 1u << 3,
	/* QP: '=' not followed by two hex digits nor a line break: kept
	 * literally */
	MAIL_CTE_F_BAD_ESCAPE = 1u << 4,
	/* QP: "=3d" (lower-case hex; RFC 2045 says upper): decoded */
	MAIL_CTE_F_LOWER_HEX = 1u << 5,
	/* QP: a byte that must be encoded came as is (control character
	 * other than TAB, a CR without LF, DEL, 8-bit): kept */
	MAIL_CTE_F_QP_RAW = 1u << 6,
	/* the Content-Transfer-Encoding was not understood: passed through
	 * undecoded */
	MAIL_CTE_F_UNKNOWN_CTE = 1u << 7,
	/* uuencode: a line between begin and end with a byte outside the
	 * alphabet (skipped) or fewer characters than its length says
	 * (decoded, the missing ones read as zero bits) */
	MAIL_CTE_F_UU_BAD_LINE = 1u << 8,
	/* uuencode: no "begin MODE NAME" line in the whole body */
	MAIL_CTE_F_UU_NO_BEGIN = 1u << 9,
};

typedef void (*mail_out_fn)(void *ctx, const uint8_t *p, size_t n);

struct mail_cte_dec {
	/* Results: read-only for the caller. */
	enum mail_cte cte;
	uint32_t flags;     /* MAIL_CTE_F_* */
	uint64_t in_bytes;  /* bytes fed */
	uint64_t out_bytes; /* bytes handed to the callback */
	/* uuencode: the file name of the "begin" line, NUL-terminated, cut
	 * to fit; raw bytes as sent (may be non-UTF-8: escape for output) */
	char uu_name[256];

	/* Private state. */
	struct {
		uint32_t col;      /* characters on the current line */
		uint32_t acc;      /* base64: sextets of the quantum */
		uint8_t nsext;     /* base64: sextets in acc (0..3) */
		uint8_t pad;       /* base64: padding state */
		uint8_t state;     /* QP / uuencode state */
		uint8_t hex;       /* QP: first hex digit of "=X" */
		uint8_t nws;       /* QP: whitespace held */
		uint8_t ws[MAIL_CTE_QP_WS_MAX];
		uint16_t llen;     /* uuencode: bytes in line[] */
		bool lcut;         /* uuencode: line longer than line[] */
		uint8_t line[MAIL_CTE_UU_LINE_MAX];
	} priv;
};

/*
 * The value of a Content-Transfer-Encoding header field (unfolded, as on
 * the wire): case-insensitive, surrounding whitespace and (comments)
 * ignored. "x-uuencode", "x-uue", "uuencode" and "uue" are uuencode;
 * another token is MAIL_CTE_UNKNOWN. An empty value is 7bit (the RFC
 * 2045 default, as if the field were absent). *unusual (may be NULL) is
 * set when the value is not exactly one RFC 2045 token (7bit, 8bit,
 * binary, quoted-printable, base64) with optional CFWS: an x- or unknown
 * token, an empty or quoted value, or text after the token.
 */
enum mail_cte mail_cte_parse(const char *s, size_t n, bool *unusual);

/* "7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode",
 * "unknown". */
const char *mail_cte_name(enum mail_cte cte);

/* Documented lower_snake_case name of one MAIL_CTE_F_* bit
 * ("base64_bad_char", ...), or NULL when bit is not exactly one known
 * flag. The strings are constants. */
const char *mail_cte_flag_name(uint32_t bit);

void mail_cte_init(struct mail_cte_dec *d, enum mail_cte cte);
/* Decode p[0..n) and hand out what is complete. */
void mail_cte_feed(struct mail_cte_dec *d, const uint8_t *p, size_t n,
		   mail_out_fn out, void *ctx);
/* The body ended: hand out what was held, flag what is left unfinished.
 * The decoder is then spent until mail_cte_init(). */
void mail_cte_finish(struct mail_cte_dec *d, mail_out_fn out, void *ctx);

#endif
