#include "mail/cte.h"

#include "mail/lex.h"

#include <string.h>

/* ---- output batching ------------------------------------------------ */

struct sink {
	struct mail_cte_dec *d;
	mail_out_fn fn;
	void *ctx;
	size_t k;
	uint8_t buf[MAIL_CTE_OUT_BATCH];
};

static void sink_flush(struct sink *s)
{
	if (s->k == 0)
		return;
	s->fn(s->ctx, s->buf, s->k);
	s->d->out_bytes += s->k;
	s->k = 0;
}

static inline void put(struct sink *s, uint8_t c)
{
	if (s->k == sizeof(s->buf))
		sink_flush(s);
	s->buf[s->k++] = c;
}

static void sink_init(struct sink *s, struct mail_cte_dec *d, mail_out_fn fn,
		      void *ctx)
{
	s->d = d;
	s->fn = fn;
	s->ctx = ctx;
	s->k = 0;
}

/* ---- names and the header value ------------------------------------ */

static const char *const cte_names[] = {
	[MAIL_CTE_7BIT] = "7bit",
	[MAIL_CTE_8BIT] = "8bit",
	[MAIL_CTE_BINARY] = "binary",
	[MAIL_CTE_BASE64] = "base64",
	[MAIL_CTE_QP] = "quoted-printable",
	[MAIL_CTE_UUENCODE] = "x-uuencode",
	[MAIL_CTE_UNKNOWN] = "unknown",
};

const char *mail_cte_name(enum mail_cte cte)
{
	return (unsigned)cte <= MAIL_CTE_UNKNOWN ? cte_names[cte] : "unknown";
}

static const char *const flag_names[] = {
	"base64_bad_char",     /* MAIL_CTE_F_BAD_CHAR */
	"base64_after_padding", /* MAIL_CTE_F_AFTER_PAD */
	"encoding_truncated",  /* MAIL_CTE_F_TRUNCATED */
	"encoded_line_too_long", /* MAIL_CTE_F_LONG_LINE */
	"qp_bad_escape",       /* MAIL_CTE_F_BAD_ESCAPE */
	"qp_lowercase_hex",    /* MAIL_CTE_F_LOWER_HEX */
	"qp_unencoded_char",   /* MAIL_CTE_F_QP_RAW */
	"cte_unknown",         /* MAIL_CTE_F_UNKNOWN_CTE */
	"uu_bad_line",         /* MAIL_CTE_F_UU_BAD_LINE */
	"uu_no_begin",         /* MAIL_CTE_F_UU_NO_BEGIN */
};

const char *mail_cte_flag_name(uint32_t bit)
{
	return mail_bit_name(flag_names,
			     sizeof(flag_names) / sizeof(flag_names[0]), bit);
}

static bool token_is(const uint8_t *t, size_t n, const char *name)
{
	size_t i;

	if (strlen(name) != n)
		return false;
	for (i = 0; i < n; i++)
		if (mail_lower(t[i]) != (uint8_t)name[i])
			return false;
	return true;
}

enum mail_cte mail_cte_parse(const char *str, size_t n, bool *unusual)
{
	static const struct {
		const char *name;
		enum mail_cte cte;
		bool standard;
	} known[] = {
		{"7bit", MAIL_CTE_7BIT, true},
		{"8bit", MAIL_CTE_8BIT, true},
		{"binary", MAIL_CTE_BINARY, true},
		{"base64", MAIL_CTE_BASE64, true},
		{"quoted-printable", MAIL_CTE_QP, true},
		{"x-uuencode", MAIL_CTE_UUENCODE, false},
		{"x-uue", MAIL_CTE_UUENCODE, false},
		{"uuencode", MAIL_CTE_UUENCODE, false},
		{"uue", MAIL_CTE_UUENCODE, false},
	};
	const uint8_t *s = (const uint8_t *)str;
	const uint8_t *tok;
	size_t i, start, len;
	bool odd = false;
	enum mail_cte cte = MAIL_CTE_UNKNOWN;
	unsigned k;

	i = mail_skip_cfws(s, n, 0);
	if (i < n && s[i] == '"') {
		/* Not allowed (a token), but some senders quote it. */
		odd = true;
		start = ++i;
		while (i < n && s[i] != '"')
			i++;
		tok = s + start;
		len = i - start;
		if (i < n)
			i++;
	} else {
		start = i;
		while (i < n && !mail_is_ws(s[i]) && s[i] != '(' && s[i] != ';')
			i++;
		tok = s + start;
		len = i - start;
	}
	if (mail_skip_cfws(s, n, i) != n)
		odd = true;
	if (len == 0) {
		cte = MAIL_CTE_7BIT;
		odd = true;
	} else {
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
			if (token_is(tok, len, known[k].name)) {
				cte = known[k].cte;
				odd |= !known[k].standard;
				break;
			}
		}
		if (cte == MAIL_CTE_UNKNOWN)
			odd = true;
	}
	if (unusual)
		*unusual = odd;
	return cte;
}

/* ---- base64 --------------------------------------------------------- */

/* Table values: a sextet (0..63), or one of these. */
#define B64_WS 0x40
#define B64_PAD 0x41
#define B64_BAD 0x80

#define B64V(c)                                                              \
	((c) >= 'A' && (c) <= 'Z'   ? (c) - 'A'                              \
	 : (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26                         \
	 : (c) >= '0' && (c) <= '9' ? (c) - '0' + 52                         \
	 : (c) == '+'               ? 62                                     \
	 : (c) == '/'               ? 63                                     \
	 : (c) == '='               ? B64_PAD                                \
	 : (c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n' ? B64_WS  \
				    : B64_BAD)
#define B64U(c) ((uint8_t)(B64V(c)))
#define B64R4(c) B64U(c), B64U((c) + 1), B64U((c) + 2), B64U((c) + 3)
#define B64R16(c) B64R4(c), B64R4((c) + 4), B64R4((c) + 8), B64R4((c) + 12)
#define B64R64(c)                                                            \
	B64R16(c), B64R16((c) + 16), B64R16((c) + 32), B64R16((c) + 48)

static const uint8_t b64_val[256] = {
	B64R64(0), B64R64(64), B64R64(128), B64R64(192),
};

/* Padding state (priv.pad). */
enum { PAD_NONE, PAD_NEED1, PAD_DONE };

static void line_long(struct mail_cte_dec *d)
{
	if (d->priv.col > MAIL_CTE_LINE_MAX) {
		d->flags |= MAIL_CTE_F_LONG_LINE;
		d->priv.col = MAIL_CTE_LINE_MAX + 1; /* no overflow later */
	}
}

/*
 * Data after padding. RFC 2045 6.8 says padding ends the data; Python's
 * email package and mutt stop there, Thunderbird decodes every quartet
 * that follows. We go on, as a new quantum: a scanner that stops at the
 * padding would miss a payload that a user's mail program shows (an
 * archive glued behind "YWI="), and the flag tells the analyst the two
 * readings differ.
 */
static void b64_slow(struct mail_cte_dec *d, struct sink *s, uint8_t c)
{
	uint8_t v = b64_val[c];

	if (v < 64) {
		d->priv.col++;
		if (d->priv.pad != PAD_NONE) {
			d->flags |= MAIL_CTE_F_AFTER_PAD;
			d->priv.pad = PAD_NONE;
		}
		d->priv.acc = d->priv.acc << 6 | v;
		if (++d->priv.nsext == 4) {
			put(s, (uint8_t)(d->priv.acc >> 16));
			put(s, (uint8_t)(d->priv.acc >> 8));
			put(s, (uint8_t)d->priv.acc);
			d->priv.nsext = 0;
			d->priv.acc = 0;
		}
		return;
	}
	if (v == B64_WS) {
		if (c == '\n') {
			line_long(d);
			d->priv.col = 0;
		} else if (c != '\r') {
			d->priv.col++;
		}
		return;
	}
	d->priv.col++;
	if (v == B64_BAD) {
		d->flags |= MAIL_CTE_F_BAD_CHAR;
		return;
	}
	/* '=' */
	switch (d->priv.nsext) {
	case 0:
		if (d->priv.pad == PAD_NEED1)
			d->priv.pad = PAD_DONE;
		else
			d->flags |= MAIL_CTE_F_BAD_CHAR; /* stray or extra */
		break;
	case 1: /* "x=": 6 bits cannot make a byte */
		d->flags |= MAIL_CTE_F_TRUNCATED;
		d->priv.pad = PAD_DONE;
		break;
	case 2:
		put(s, (uint8_t)(d->priv.acc >> 4));
		d->priv.pad = PAD_NEED1;
		break;
	default:
		put(s, (uint8_t)(d->priv.acc >> 10));
		put(s, (uint8_t)(d->priv.acc >> 2));
		d->priv.pad = PAD_DONE;
		break;
	}
	d->priv.nsext = 0;
	d->priv.acc = 0;
}

static void b64_feed(struct mail_cte_dec *d, struct sink *s, const uint8_t *p,
		     size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (d->priv.nsext == 0 && d->priv.pad == PAD_NONE) {
			/* Whole quanta of alphabet bytes, as many as both
			 * the input and the output batch hold. */
			size_t q = (n - i) / 4;
			size_t room = (sizeof(s->buf) - s->k) / 3;
			uint8_t *o = s->buf + s->k;
			const uint8_t *in = p + i;
			size_t j;

			if (room == 0) {
				sink_flush(s);
				continue;
			}
			if (q > room)
				q = room;
			for (j = 0; j < q; j++) {
				uint32_t a = b64_val[in[0]], b = b64_val[in[1]];
				uint32_t c = b64_val[in[2]], e = b64_val[in[3]];
				uint32_t v;

				if ((a | b | c | e) & 0xc0)
					break;
				v = a << 18 | b << 12 | c << 6 | e;
				o[0] = (uint8_t)(v >> 16);
				o[1] = (uint8_t)(v >> 8);
				o[2] = (uint8_t)v;
				o += 3;
				in += 4;
			}
			s->k += 3 * j;
			i += 4 * j;
			d->priv.col += (uint32_t)(4 * j);
			line_long(d);
			if (j == q && j > 0)
				continue;
			if (i >= n)
				break;
		}
		b64_slow(d, s, p[i++]);
	}
	line_long(d);
}

static void b64_finish(struct mail_cte_dec *d, struct sink *s)
{
	line_long(d);
	switch (d->priv.nsext) {
	case 0:
		break;
	case 1:
		d->flags |= MAIL_CTE_F_TRUNCATED;
		break;
	case 2: /* padding missing: decode what the bits make */
		put(s, (uint8_t)(d->priv.acc >> 4));
		d->flags |= MAIL_CTE_F_TRUNCATED;
		break;
	default:
		put(s, (uint8_t)(d->priv.acc >> 10));
		put(s, (uint8_t)(d->priv.acc >> 2));
		d->flags |= MAIL_CTE_F_TRUNCATED;
		break;
	}
	if (d->priv.pad == PAD_NEED1)
		d->flags |= MAIL_CTE_F_TRUNCATED;
	d->priv.nsext = 0;
	d->priv.pad = PAD_DONE;
}

/* ---- quoted-printable ----------------------------------------------- */

/*
 * Hard line breaks are kept as they came: CRLF stays CRLF and a bare LF
 * stays LF. A decoded part is hashed, and the hashes must match what
 * mail programs save: Thunderbird's decoder and Python's email package
 * both copy the line break bytes through rather than write the platform
 * newline, so a normalised break would give a hash nobody else gets.
 */
enum {
	QP_TEXT,
	QP_CR,     /* CR seen: a line break if LF follows */
	QP_EQ,     /* '=' seen */
	QP_EQ_HEX, /* "=X" seen, X hex (priv.hex) */
	QP_EQ_WS,  /* '=' then whitespace (transport padding?) */
	QP_EQ_CR,  /* '=' [whitespace] CR */
};

static inline int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = mail_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Bytes RFC 2045 6.7 (2) lets stand for themselves, minus '=' and
 * whitespace, which the state machine handles. */
static inline bool qp_plain(uint8_t c)
{
	return c >= 33 && c <= 126 && c != '=';
}

static void qp_ws_flush(struct mail_cte_dec *d, struct sink *s)
{
	uint8_t i;

	for (i = 0; i < d->priv.nws; i++)
		put(s, d->priv.ws[i]);
	d->priv.nws = 0;
}

/* Whitespace that may be trailing: held until the next byte says. */
static void qp_ws_push(struct mail_cte_dec *d, struct sink *s, uint8_t c)
{
	if (d->priv.nws == MAIL_CTE_QP_WS_MAX)
		qp_ws_flush(d, s);
	d->priv.ws[d->priv.nws++] = c;
}

static void qp_line_end(struct mail_cte_dec *d)
{
	line_long(d);
	d->priv.col = 0;
}

static void qp_byte(struct mail_cte_dec *d, struct sink *s, uint8_t c)
{
again:
	switch (d->priv.state) {
	case QP_TEXT:
		if (c == '=') {
			qp_ws_flush(d, s);
			d->priv.col++;
			d->priv.state = QP_EQ;
		} else if (c == ' ' || c == '\t') {
			d->priv.col++;
			qp_ws_push(d, s, c);
		} else if (c == '\n') {
			/* RFC 2045 6.7 (3): trailing whitespace goes */
			d->priv.nws = 0;
			qp_line_end(d);
			put(s, '\n');
		} else if (c == '\r') {
			d->priv.state = QP_CR;
		} else {
			qp_ws_flush(d, s);
			d->priv.col++;
			if (!qp_plain(c))
				d->flags |= MAIL_CTE_F_QP_RAW;
			put(s, c);
		}
		return;
	case QP_CR:
		d->priv.state = QP_TEXT;
		if (c == '\n') {
			d->priv.nws = 0;
			qp_line_end(d);
			put(s, '\r');
			put(s, '\n');
			return;
		}
		qp_ws_flush(d, s);
		d->priv.col++;
		d->flags |= MAIL_CTE_F_QP_RAW;
		put(s, '\r');
		goto again;
	case QP_EQ:
		if (hexval(c) >= 0) {
			d->priv.col++;
			d->priv.hex = c;
			d->priv.state = QP_EQ_HEX;
		} else if (c == '\n') {
			qp_line_end(d);
			d->priv.state = QP_TEXT;
		} else if (c == '\r') {
			d->priv.state = QP_EQ_CR;
		} else if (c == ' ' || c == '\t') {
			d->priv.col++;
			d->priv.ws[d->priv.nws++] = c; /* nws was 0 */
			d->priv.state = QP_EQ_WS;
		} else {
			d->flags |= MAIL_CTE_F_BAD_ESCAPE;
			put(s, '=');
			d->priv.state = QP_TEXT;
			goto again;
		}
		return;
	case QP_EQ_HEX:
		d->priv.state = QP_TEXT;
		if (hexval(c) >= 0) {
			d->priv.col++;
			if ((d->priv.hex >= 'a' && d->priv.hex <= 'f') ||
			    (c >= 'a' && c <= 'f'))
				d->flags |= MAIL_CTE_F_LOWER_HEX;
			put(s, (uint8_t)(hexval(d->priv.hex) << 4 | hexval(c)));
			return;
		}
		d->flags |= MAIL_CTE_F_BAD_ESCAPE;
		put(s, '=');
		put(s, d->priv.hex);
		goto again;
	case QP_EQ_WS:
		if (c == ' ' || c == '\t') {
			d->priv.col++;
			if (d->priv.nws < MAIL_CTE_QP_WS_MAX) {
				d->priv.ws[d->priv.nws++] = c;
				return;
			}
		} else if (c == '\n') {
			/* "=  LF": a soft break with transport padding */
			d->priv.nws = 0;
			qp_line_end(d);
			d->priv.state = QP_TEXT;
			return;
		} else if (c == '\r') {
			d->priv.state = QP_EQ_CR;
			return;
		}
		d->flags |= MAIL_CTE_F_BAD_ESCAPE;
		put(s, '=');
		qp_ws_flush(d, s);
		d->priv.state = QP_TEXT;
		goto again;
	default: /* QP_EQ_CR */
		if (c == '\n') {
			d->priv.nws = 0;
			qp_line_end(d);
			d->priv.state = QP_TEXT;
			return;
		}
		/* "=" CR x: a bad escape, then a bare CR */
		d->flags |= MAIL_CTE_F_BAD_ESCAPE;
		put(s, '=');
		qp_ws_flush(d, s);
		d->priv.state = QP_CR;
		goto again;
	}
}

static void qp_feed(struct mail_cte_dec *d, struct sink *s, const uint8_t *p,
		    size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		/* The common case, with no whitespace held: literal bytes,
		 * blanks that cannot be trailing (something other than
		 * whitespace follows them) and "=XX" escapes whole in p.
		 * The slow path would give the same bytes and flags. */
		while (d->priv.state == QP_TEXT && d->priv.nws == 0 && j < n) {
			uint8_t c = p[j];
			int hi, lo;

			if (s->k == sizeof(s->buf))
				sink_flush(s);
			if (qp_plain(c)) {
				s->buf[s->k++] = c;
				j++;
				continue;
			}
			if (c == ' ' && j + 1 < n && p[j + 1] != ' ' &&
			    p[j + 1] != '\t' && p[j + 1] != '\r' &&
			    p[j + 1] != '\n') {
				s->buf[s->k++] = c;
				j++;
				continue;
			}
			if (c != '=' || j + 2 >= n)
				break;
			hi = hexval(p[j + 1]);
			lo = hexval(p[j + 2]);
			if (hi < 0 || lo < 0)
				break;
			if ((p[j + 1] >= 'a' && p[j + 1] <= 'f') ||
			    (p[j + 2] >= 'a' && p[j + 2] <= 'f'))
				d->flags |= MAIL_CTE_F_LOWER_HEX;
			s->buf[s->k++] = (uint8_t)(hi << 4 | lo);
			j += 3;
		}
		if (j > i) {
			d->priv.col += (uint32_t)(j - i);
			line_long(d);
			i = j;
			continue;
		}
		qp_byte(d, s, p[i++]);
	}
	line_long(d);
}

/*
 * A '=' (or "= ", or "=" CR) at the very end is a soft line break whose
 * line break was the one the MIME parser removed before the boundary:
 * that is how encoders write a part that does not end in a newline, and
 * how Python's email package reads it. So it is not flagged. "=X" at the
 * end is cut mid-escape: kept literally and flagged.
 */
static void qp_finish(struct mail_cte_dec *d, struct sink *s)
{
	switch (d->priv.state) {
	case QP_TEXT:
		d->priv.nws = 0; /* trailing whitespace of the last line */
		break;
	case QP_CR:
		qp_ws_flush(d, s);
		d->flags |= MAIL_CTE_F_QP_RAW;
		put(s, '\r');
		break;
	case QP_EQ_HEX:
		d->flags |= MAIL_CTE_F_BAD_ESCAPE | MAIL_CTE_F_TRUNCATED;
		put(s, '=');
		put(s, d->priv.hex);
		break;
	default:
		d->priv.nws = 0;
		break;
	}
	d->priv.state = QP_TEXT;
	qp_line_end(d);
}

/* ---- uuencode ------------------------------------------------------- */

enum { UU_BEFORE, UU_BODY, UU_AFTER };

static inline bool uu_char(uint8_t c)
{
	return c >= 0x20 && c <= 0x60;
}

static inline uint8_t uu_val(uint8_t c)
{
	return (uint8_t)((c - 0x20) & 0x3f);
}

/* "begin MODE NAME": MODE one to four octal digits; the name is the rest
 * of the line (possibly empty). */
static bool uu_begin(struct mail_cte_dec *d, const uint8_t *l, size_t len)
{
	size_t i = 6, m;

	if (len < 6 || memcmp(l, "begin ", 6) != 0)
		return false;
	while (i < len && l[i] == ' ')
		i++;
	for (m = 0; i < len && l[i] >= '0' && l[i] <= '7'; m++)
		i++;
	if (m == 0 || m > 4 || (i < len && l[i] != ' '))
		return false;
	while (i < len && l[i] == ' ')
		i++;
	m = len - i;
	if (m > sizeof(d->uu_name) - 1)
		m = sizeof(d->uu_name) - 1;
	memcpy(d->uu_name, l + i, m);
	d->uu_name[m] = '\0';
	return true;
}

static void uu_line(struct mail_cte_dec *d, struct sink *s, const uint8_t *l,
		    size_t len, bool cut)
{
	size_t want, need, have, i;
	uint8_t q[4];

	if (len > 0 && l[len - 1] == '\r')
		len--;
	switch (d->priv.state) {
	case UU_BEFORE:
		if (uu_begin(d, l, len))
			d->priv.state = UU_BODY;
		return;
	case UU_AFTER:
		return;
	default:
		break;
	}
	if (len >= 3 && memcmp(l, "end", 3) == 0) {
		for (i = 3; i < len && (l[i] == ' ' || l[i] == '\t'); i++)
			;
		if (i == len) {
			d->priv.state = UU_AFTER;
			return;
		}
	}
	if (len == 0)
		return; /* a blank line carries nothing */
	if (cut || !uu_char(l[0])) {
		d->flags |= MAIL_CTE_F_UU_BAD_LINE;
		return;
	}
	want = uu_val(l[0]);
	need = (want + 2) / 3 * 4;
	have = len - 1 < need ? len - 1 : need;
	for (i = 1; i <= have; i++) {
		if (!uu_char(l[i])) {
			d->flags |= MAIL_CTE_F_UU_BAD_LINE;
			return;
		}
	}
	/* Trailing spaces are often stripped in transit: the missing
	 * characters read as zero bits, and the line is flagged. Extra
	 * characters (an old per-line checksum) are ignored. */
	if (have < need)
		d->flags |= MAIL_CTE_F_UU_BAD_LINE;
	for (i = 0; i < need && want > 0; i += 4) {
		uint32_t v;
		size_t k;

		for (k = 0; k < 4; k++)
			q[k] = i + k < have ? uu_val(l[1 + i + k]) : 0;
		v = (uint32_t)q[0] << 18 | (uint32_t)q[1] << 12 |
		    (uint32_t)q[2] << 6 | q[3];
		put(s, (uint8_t)(v >> 16));
		if (want > 1)
			put(s, (uint8_t)(v >> 8));
		if (want > 2)
			put(s, (uint8_t)v);
		want = want > 3 ? want - 3 : 0;
	}
}

static void uu_hold(struct mail_cte_dec *d, const uint8_t *p, size_t n)
{
	size_t room = sizeof(d->priv.line) - d->priv.llen;

	if (n > room) {
		n = room;
		d->priv.lcut = true;
	}
	memcpy(d->priv.line + d->priv.llen, p, n);
	d->priv.llen = (uint16_t)(d->priv.llen + n);
}

static void uu_feed(struct mail_cte_dec *d, struct sink *s, const uint8_t *p,
		    size_t n)
{
	while (n > 0) {
		const uint8_t *lf = memchr(p, '\n', n);
		size_t k = lf ? (size_t)(lf - p) : n;

		if (d->priv.state == UU_AFTER)
			return; /* nothing after "end" is read */
		if (!lf) {
			uu_hold(d, p, k);
			return;
		}
		if (d->priv.llen == 0 && !d->priv.lcut) {
			/* the whole line is here: no copy */
			uu_line(d, s, p, k < sizeof(d->priv.line) ? k :
				sizeof(d->priv.line),
				k > sizeof(d->priv.line));
		} else {
			uu_hold(d, p, k);
			uu_line(d, s, d->priv.line, d->priv.llen, d->priv.lcut);
		}
		d->priv.llen = 0;
		d->priv.lcut = false;
		p += k + 1;
		n -= k + 1;
	}
}

static void uu_finish(struct mail_cte_dec *d, struct sink *s)
{
	if (d->priv.llen > 0 || d->priv.lcut)
		uu_line(d, s, d->priv.line, d->priv.llen, d->priv.lcut);
	d->priv.llen = 0;
	d->priv.lcut = false;
	if (d->priv.state == UU_BEFORE)
		d->flags |= MAIL_CTE_F_UU_NO_BEGIN;
	else if (d->priv.state == UU_BODY)
		d->flags |= MAIL_CTE_F_TRUNCATED;
	d->priv.state = UU_AFTER;
}

/* ---- entry points --------------------------------------------------- */

void mail_cte_init(struct mail_cte_dec *d, enum mail_cte cte)
{
	memset(d, 0, sizeof(*d));
	if ((unsigned)cte > MAIL_CTE_UNKNOWN)
		cte = MAIL_CTE_UNKNOWN;
	d->cte = cte;
	if (cte == MAIL_CTE_UNKNOWN)
		d->flags |= MAIL_CTE_F_UNKNOWN_CTE;
}

void mail_cte_feed(struct mail_cte_dec *d, const uint8_t *p, size_t n,
		   mail_out_fn out, void *ctx)
{
	struct sink s;

	if (n == 0)
		return;
	d->in_bytes += n;
	switch (d->cte) {
	case MAIL_CTE_BASE64:
		sink_init(&s, d, out, ctx);
		b64_feed(d, &s, p, n);
		break;
	case MAIL_CTE_QP:
		sink_init(&s, d, out, ctx);
		qp_feed(d, &s, p, n);
		break;
	case MAIL_CTE_UUENCODE:
		sink_init(&s, d, out, ctx);
		uu_feed(d, &s, p, n);
		break;
	default:
		/* 7bit, 8bit, binary, unknown: the bytes as they are */
		out(ctx, p, n);
		d->out_bytes += n;
		return;
	}
	sink_flush(&s);
}

void mail_cte_finish(struct mail_cte_dec *d, mail_out_fn out, void *ctx)
{
	struct sink s;

	sink_init(&s, d, out, ctx);
	switch (d->cte) {
	case MAIL_CTE_BASE64:
		b64_finish(d, &s);
		break;
	case MAIL_CTE_QP:
		qp_finish(d, &s);
		break;
	case MAIL_CTE_UUENCODE:
		uu_finish(d, &s);
		break;
	default:
		break;
	}
	sink_flush(&s);
}
