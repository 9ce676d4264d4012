#include "mail/rfc2047.h"

#include "core/b64.h"
#include "mail/lex.h"

#include <stdbool.h>
#include <string.h>

#include "mail/charset.h"

static const char *const flag_names[] = {
	"encoded_word_malformed",       /* MAIL_2047_F_MALFORMED */
	"encoded_word_misplaced",       /* MAIL_2047_F_MISPLACED */
	"encoded_word_unknown_charset", /* MAIL_2047_F_UNKNOWN_CHARSET */
	"encoded_word_bad_base64",      /* MAIL_2047_F_BAD_B */
	"encoded_word_bad_q",           /* MAIL_2047_F_BAD_Q */
	"encoded_word_bad_text",        /* MAIL_2047_F_BAD_TEXT */
	"header_bad_utf8",              /* MAIL_2047_F_RAW_8BIT */
	"header_value_truncated",       /* MAIL_2047_F_TRUNCATED */
	"encoded_word_too_long",        /* MAIL_2047_F_LONG_WORD */
	"encoded_word_control_char",    /* MAIL_2047_F_CONTROL */
};

const char *mail_2047_flag_name(uint32_t bit)
{
	if (bit == MAIL_2047_N_DECODED)
		return "encoded_words";
	return mail_bit_name(flag_names,
			     sizeof(flag_names) / sizeof(flag_names[0]), bit);
}

/* A charset name with "*lang" is at most this long. */
#define CS_TOKEN_MAX 64
/* Decoded bytes of adjacent words waiting for charset conversion. */
#define ACC_MAX 4096

struct word {
	const uint8_t *cs; /* charset, "*lang" removed */
	size_t cslen;
	const uint8_t *text;
	size_t tlen;
	size_t end; /* index just past "?=" */
	bool b;
};

struct dec {
	char *out;
	size_t cap, len;
	uint32_t f;
	bool full;
	const uint8_t *cs; /* charset of acc */
	size_t cslen;
	size_t alen;
	uint8_t acc[ACC_MAX];
};

static inline uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Linear whitespace; CR and LF too, for a value passed still folded. */
static inline bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The encoded word at s[i] ("=?" known to be there): 1 with *w set, 0
 * when this is no word at all ("=?" followed by no charset and '?'), -1
 * when it starts like one ("=?charset?") but does not go on as one.
 */
static int parse_word(const uint8_t *s, size_t n, size_t i, struct word *w)
{
	size_t j = i + 2, k;
	const uint8_t *star;

	for (k = j; k < n && s[k] > 0x20 && s[k] < 0x7f && s[k] != '?'; k++)
		if (k - j > CS_TOKEN_MAX)
			return -1;
	if (k == n || s[k] != '?' || k == j)
		return 0;
	w->cs = s + j;
	w->cslen = k - j;
	star = memchr(w->cs, '*', w->cslen); /* RFC 2231 section 5 */
	if (star)
		w->cslen = (size_t)(star - w->cs);
	if (w->cslen == 0)
		return -1;
	j = k + 1;
	if (j + 1 >= n || s[j + 1] != '?')
		return -1;
	if (lower(s[j]) != 'b' && lower(s[j]) != 'q')
		return -1;
	w->b = lower(s[j]) == 'b';
	j += 2;
	for (k = j; k < n && s[k] > 0x20 && s[k] < 0x7f && s[k] != '?'; k++)
		;
	if (k + 1 >= n || s[k] != '?' || s[k + 1] != '=')
		return -1;
	w->text = s + j;
	w->tlen = k - j;
	w->end = k + 2;
	return 1;
}

/* ---- output --------------------------------------------------------- */

static void note_cs_flags(struct dec *d, uint32_t csf)
{
	if (csf & MAIL_CS_F_UNKNOWN)
		d->f |= MAIL_2047_F_UNKNOWN_CHARSET;
	if (csf & (MAIL_CS_F_INVALID | MAIL_CS_F_NOT_ASCII))
		d->f |= MAIL_2047_F_BAD_TEXT;
	if (csf & MAIL_CS_F_TRUNCATED) {
		d->f |= MAIL_2047_F_TRUNCATED;
		d->full = true;
	}
}

static void flush_acc(struct dec *d)
{
	uint32_t csf = 0;
	size_t k, i;

	if (d->alen == 0 || d->full) {
		d->alen = 0;
		return;
	}
	k = mail_utf8_from((const char *)d->cs, d->cslen, d->acc, d->alen,
			   d->out + d->len, d->cap - d->len, &csf);
	for (i = d->len; i < d->len + k; i++) {
		uint8_t c = (uint8_t)d->out[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			d->f |= MAIL_2047_F_CONTROL;
	}
	d->len += k;
	d->alen = 0;
	note_cs_flags(d, csf);
}

static void acc_put(struct dec *d, uint8_t c)
{
	if (d->alen == sizeof(d->acc))
		flush_acc(d); /* only a word over 4 KiB gets here */
	d->acc[d->alen++] = c;
}

static void emit_raw(struct dec *d, const uint8_t *p, size_t n)
{
	uint32_t csf = 0;

	if (n == 0 || d->full)
		return;
	d->len += mail_utf8_sanitize(p, n, d->out + d->len, d->cap - d->len,
				     &csf);
	if (csf & MAIL_CS_F_INVALID)
		d->f |= MAIL_2047_F_RAW_8BIT;
	if (csf & MAIL_CS_F_TRUNCATED) {
		d->f |= MAIL_2047_F_TRUNCATED;
		d->full = true;
	}
}

/* ---- B and Q -------------------------------------------------------- */

static void b_decode(struct dec *d, const uint8_t *t, size_t n)
{
	uint32_t acc = 0;
	unsigned k = 0, need = 0;
	bool padded = false;
	size_t i;

	for (i = 0; i < n; i++) {
		int v;

		if (t[i] == '=') {
			if (k == 2) {
				acc_put(d, (uint8_t)(acc >> 4));
				need = 1;
				padded = true;
			} else if (k == 3) {
				acc_put(d, (uint8_t)(acc >> 10));
				acc_put(d, (uint8_t)(acc >> 2));
				need = 0;
				padded = true;
			} else if (k == 0 && need > 0) {
				need--;
			} else {
				d->f |= MAIL_2047_F_BAD_B; /* stray, or x= */
			}
			k = 0;
			acc = 0;
			continue;
		}
		v = b64_digit(t[i]);
		if (v < 0) {
			d->f |= MAIL_2047_F_BAD_B;
			continue;
		}
		if (padded) {
			/* data after padding: decoded on, as in cte.c */
			d->f |= MAIL_2047_F_BAD_B;
			padded = false;
			need = 0;
		}
		acc = acc << 6 | (uint32_t)v;
		if (++k == 4) {
			acc_put(d, (uint8_t)(acc >> 16));
			acc_put(d, (uint8_t)(acc >> 8));
			acc_put(d, (uint8_t)acc);
			k = 0;
			acc = 0;
		}
	}
	/* unpadded: what the bits make, flagged */
	if (k == 2)
		acc_put(d, (uint8_t)(acc >> 4));
	else if (k == 3) {
		acc_put(d, (uint8_t)(acc >> 10));
		acc_put(d, (uint8_t)(acc >> 2));
	}
	if (k != 0 || need != 0)
		d->f |= MAIL_2047_F_BAD_B;
}

static int hexv(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void q_decode(struct dec *d, const uint8_t *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i] == '_') {
			acc_put(d, ' ');
		} else if (t[i] == '=') {
			int hi = i + 1 < n ? hexv(t[i + 1]) : -1;
			int lo = i + 2 < n ? hexv(t[i + 2]) : -1;

			if (hi >= 0 && lo >= 0) {
				acc_put(d, (uint8_t)(hi << 4 | lo));
				i += 2;
			} else {
				d->f |= MAIL_2047_F_BAD_Q;
				acc_put(d, '=');
			}
		} else {
			acc_put(d, t[i]);
		}
	}
}

static bool same_charset(const struct dec *d, const struct word *w)
{
	size_t i;

	if (d->cslen != w->cslen)
		return false;
	for (i = 0; i < w->cslen; i++)
		if (lower(d->cs[i]) != lower(w->cs[i]))
			return false;
	return true;
}

static void add_word(struct dec *d, const struct word *w)
{
	if (d->alen > 0 && !same_charset(d, w))
		flush_acc(d);
	d->cs = w->cs;
	d->cslen = w->cslen;
	if (w->b)
		b_decode(d, w->text, w->tlen);
	else
		q_decode(d, w->text, w->tlen);
}

/* ---- the value ------------------------------------------------------ */

static bool all_blank(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_blank(p[i]))
			return false;
	return true;
}

size_t mail_2047_decode(const char *in, size_t n, char *out, size_t outcap,
			uint32_t *flags)
{
	const uint8_t *s = (const uint8_t *)in;
	struct dec d;
	size_t i = 0, raw = 0, last_end = (size_t)-1;
	bool inq = false;

	d.out = out;
	d.cap = outcap;
	d.len = 0;
	d.f = 0;
	d.full = false;
	d.cs = NULL;
	d.cslen = 0;
	d.alen = 0;
	while (i < n && !d.full) {
		struct word w;
		bool adjacent, misplaced;
		int r;

		if (s[i] == '"') {
			inq = !inq;
		} else if (s[i] == '\\' && inq) {
			i += 2; /* quoted pair */
			continue;
		}
		if (s[i] != '=' || i + 1 >= n || s[i + 1] != '?') {
			i++;
			continue;
		}
		r = parse_word(s, n, i, &w);
		if (r <= 0) {
			if (r < 0)
				d.f |= MAIL_2047_F_MALFORMED;
			i++;
			continue;
		}
		/* RFC 2047 6.2: only whitespace since the last word */
		adjacent = last_end == raw && all_blank(s + raw, i - raw);
		misplaced = inq || (adjacent && i == raw) ||
			    (!adjacent && i > 0 && !is_blank(s[i - 1]) &&
			     s[i - 1] != '(') ||
			    (w.end < n && !is_blank(s[w.end]) &&
			     s[w.end] != ')');
		if (misplaced)
			d.f |= MAIL_2047_F_MISPLACED;
		if (w.end - i > MAIL_2047_WORD_MAX)
			d.f |= MAIL_2047_F_LONG_WORD;
		if (!adjacent) {
			flush_acc(&d);
			emit_raw(&d, s + raw, i - raw);
		}
		d.f |= MAIL_2047_N_DECODED;
		add_word(&d, &w);
		i = w.end;
		raw = i;
		last_end = i;
	}
	flush_acc(&d);
	if (raw < n)
		emit_raw(&d, s + raw, n - raw);
	if (flags)
		*flags |= d.f;
	return d.len;
}
