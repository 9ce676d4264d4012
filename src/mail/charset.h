/*
 * Text in a named charset to UTF-8, for header words, parameter values
 * and text bodies. Built on glibc's iconv; UTF-8, US-ASCII, UTF-16 and
 * UTF-32 byte-order detection are done here.
 *
 * The output is always valid UTF-8: a byte sequence that is not valid in
 * the charset becomes U+FFFD (MAIL_CS_F_INVALID), and UTF-8 input is
 * validated (overlong forms, surrogates and code points past U+10FFFF
 * are invalid). An unknown charset keeps ASCII and turns every other byte
 * into U+FFFD (MAIL_CS_F_UNKNOWN). Names are matched case-insensitively
 * with the aliases mail programs send (utf8, latin1, gb2312,
 * ks_c_5601-1987, x-sjis, ...); where a label names a subset of what
 * senders really use, the superset decodes it, as the WHATWG Encoding
 * Standard and mail programs do (ISO-8859-1 -> windows-1252, GB2312 ->
 * GB18030, EUC-KR -> CP949, Shift_JIS -> CP932, Big5 -> Big5-HKSCS).
 * US-ASCII with 8-bit bytes is read as UTF-8 where they form it (RFC
 * 6532 text mislabelled), flagged MAIL_CS_F_NOT_ASCII.
 *
 * Only the charsets of the alias table in charset.c, ISO-8859-N,
 * windows-125N and the DOS code pages are decoded; any other name is
 * unknown, even where glibc has a converter for it, so that hostile
 * text never reaches the hundreds of converters mail never uses. A name
 * with a byte outside [A-Za-z0-9._:+-] (no "//IGNORE" tricks) or longer
 * than MAIL_CS_NAME_MAX is unknown too.
 *
 * iconv handles are cached: MAIL_CS_CACHE handles keyed by normalised
 * name, least recently used evicted, one cache per thread (_Thread_local),
 * so a worker thread needs no lock; mail_charset_cache_clear() closes
 * them (at thread exit, and in tests). A stream borrows a handle for its
 * lifetime and gives it back at finish; while borrowed it is used by
 * nothing else.
 *
 * Ownership: callers own every buffer; nothing returned points into this
 * module except constant strings.
 */
#ifndef SMTPSCOPE_MAIL_CHARSET_H
#define SMTPSCOPE_MAIL_CHARSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail/cte.h" /* mail_out_fn */

#define MAIL_CS_NAME_MAX 40
#define MAIL_CS_CACHE 8

/* Flags (*flags |= ...). Names for JSON: mail_charset_flag_name(). */
enum {
	MAIL_CS_F_UNKNOWN = 1u << 0,   /* charset not known: ASCII kept */
	MAIL_CS_F_INVALID = 1u << 1,   /* bytes not valid in the charset
					  (or cut mid-character at the
					  end): U+FFFD */
	MAIL_CS_F_TRUNCATED = 1u << 2, /* output cut to the caller's room */
	MAIL_CS_F_NOT_ASCII = 1u << 3, /* 8-bit bytes in US-ASCII text */
};

const char *mail_charset_flag_name(uint32_t bit);

/*
 * Convert in[0..n), in charset (charset_len bytes, not NUL-terminated;
 * an empty name means US-ASCII, the RFC 2045 default), to UTF-8 in
 * out[0..outcap). Returns the bytes written: never more than outcap,
 * never a cut character, no NUL added. Flags are ORed into *flags (may
 * be NULL).
 */
size_t mail_utf8_from(const char *charset, size_t charset_len,
		      const uint8_t *in, size_t n, char *out, size_t outcap,
		      uint32_t *flags);

/* The same for UTF-8 input (no lookup, no iconv): valid sequences kept,
 * each maximal invalid subpart replaced with U+FFFD. */
size_t mail_utf8_sanitize(const uint8_t *in, size_t n, char *out,
			  size_t outcap, uint32_t *flags);

/* Whether p[0..n) is valid UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF). */
bool mail_utf8_valid(const uint8_t *p, size_t n);

/* Whether the charset is known (a cheap lookup; it may open an iconv
 * handle into the cache). */
bool mail_charset_known(const char *charset, size_t charset_len);

/* Close every cached iconv handle that no stream has borrowed. */
void mail_charset_cache_clear(void);

/*
 * Streaming conversion of a text body. A character split across feeds
 * is held (at most MAIL_CS_HOLD bytes) and completed by the next feed.
 * Output goes to out() in runs of up to 4 KiB, borrowed for the call,
 * never n == 0, never a cut character. Every init must be matched by a
 * finish, which flushes, gives back the borrowed iconv handle and leaves
 * the stream spent (a second finish does nothing).
 *
 * Input for iconv is handed to it in blocks of MAIL_CS_STAGE bytes at
 * fixed offsets of the text, whatever the feeds: glibc's stateful
 * decoders (UTF-7 at least) find an invalid sequence at a place that
 * depends on where their input ends, so the output would depend on the
 * feeds otherwise.
 */
#define MAIL_CS_HOLD 16
#define MAIL_CS_STAGE 1024

struct mail_utf8_stream {
	/* Results: read-only for the caller. */
	uint32_t flags;     /* MAIL_CS_F_* */
	uint64_t in_bytes;
	uint64_t out_bytes;

	/* Private state. */
	struct {
		void *cd;        /* borrowed iconv_t, or NULL */
		int slot;        /* cache slot borrowed, or -1 */
		uint8_t kind;    /* how to decode */
		uint8_t unit;    /* bytes to skip on an invalid sequence */
		uint8_t nhold;
		bool bom_done;   /* UTF-16/32: byte order settled */
		uint8_t hold[MAIL_CS_HOLD];
		bool staged;     /* iconv: input goes through stage */
		uint16_t nstage;
		uint8_t stage[MAIL_CS_STAGE];
	} priv;
};

void mail_utf8_stream_init(struct mail_utf8_stream *st, const char *charset,
			   size_t charset_len);
void mail_utf8_stream_feed(struct mail_utf8_stream *st, const uint8_t *in,
			   size_t n, mail_out_fn out, void *ctx);
void mail_utf8_stream_finish(struct mail_utf8_stream *st, mail_out_fn out,
			     void *ctx);

#endif
