#include "mail/params.h"

#include "mail/lex.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "mail/charset.h"
#include "mail/rfc2047.h"

/* Parameters read from the value before they are decoded; RFC 2231
 * sections count one each, so this is well above MAIL_PARAMS_MAX. */
#define RAW_MAX 96
/* Bytes of one value between reading and decoding (the size of buf:
 * no decoded value can be longer). */
#define TMP_MAX sizeof(((struct mail_params *)0)->buf)

static const char *const flag_names[] = {
	"mime_value_missing",              /* MAIL_PARAMS_F_NO_VALUE */
	"mime_value_malformed",            /* MAIL_PARAMS_F_BAD_VALUE */
	"param_missing_equals",            /* MAIL_PARAMS_F_MISSING_EQ */
	"param_empty_value",               /* MAIL_PARAMS_F_EMPTY */
	"param_unterminated_quote",        /* MAIL_PARAMS_F_UNTERMINATED */
	"param_unquoted_specials",         /* MAIL_PARAMS_F_TSPECIALS */
	"param_junk",                      /* MAIL_PARAMS_F_JUNK */
	"param_raw_8bit",                  /* MAIL_PARAMS_F_RAW_8BIT */
	"param_invalid_text",              /* MAIL_PARAMS_F_BAD_TEXT */
	"param_unknown_charset",           /* MAIL_PARAMS_F_UNKNOWN_CHARSET */
	"param_rfc2231_malformed",         /* MAIL_PARAMS_F_2231_BAD */
	"param_rfc2231_missing_section",   /* MAIL_PARAMS_F_2231_MISSING */
	"param_rfc2231_duplicate_section", /* MAIL_PARAMS_F_2231_DUP */
	"param_rfc2231_out_of_order",      /* MAIL_PARAMS_F_2231_ORDER */
	"param_rfc2047",                   /* MAIL_PARAMS_F_RFC2047 */
	"param_duplicate",                 /* MAIL_PARAMS_F_DUPLICATE */
	"param_conflict",                  /* MAIL_PARAMS_F_CONFLICT */
	"param_control_char",              /* MAIL_PARAMS_F_CONTROL */
	"param_bidi_control",              /* MAIL_PARAMS_F_BIDI */
	"param_too_many",                  /* MAIL_PARAMS_F_TOO_MANY */
	"param_truncated",                 /* MAIL_PARAMS_F_TRUNCATED */
};

const char *mail_params_flag_name(uint32_t bit)
{
	return mail_bit_name(flag_names,
			     sizeof(flag_names) / sizeof(flag_names[0]), bit);
}

/* ---- characters ----------------------------------------------------- */

/* RFC 2045 tspecials */
static inline bool is_tspecial(uint8_t c)
{
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '@' ||
	       c == ',' || c == ';' || c == ':' || c == '\\' || c == '"' ||
	       c == '/' || c == '[' || c == ']' || c == '?' || c == '=';
}

/* RFC 2045 token character ('*' included, as RFC 2231 attributes have
 * it). */
static inline bool is_token(uint8_t c)
{
	return c > 0x20 && c < 0x7f && !is_tspecial(c);
}

static int hexv(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = mail_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Index of the next ';' outside a quoted string from i, or n. */
static size_t next_semicolon(const uint8_t *s, size_t n, size_t i)
{
	bool q = false;

	for (; i < n; i++) {
		if (q && s[i] == '\\')
			i++;
		else if (s[i] == '"')
			q = !q;
		else if (s[i] == ';' && !q)
			break;
	}
	return i < n ? i : n;
}

/* ---- reading -------------------------------------------------------- */

struct raw {
	const uint8_t *name; /* attribute before any '*' */
	size_t nlen;
	const uint8_t *val;  /* as on the wire; quoted: between the quotes */
	size_t vlen;
	int section;         /* RFC 2231 section, or -1 */
	bool ext;            /* extended: charset'lang'pct, pct */
	bool quoted;
	bool done;           /* assembled with an earlier section */
};

struct reader {
	struct mail_params *ps;
	struct raw r[RAW_MAX];
	unsigned nr;
};

/* Split "name", "name*", "name*N", "name*N*". */
static void attribute(struct reader *rd, struct raw *r, const uint8_t *a,
		      size_t n)
{
	const uint8_t *star = memchr(a, '*', n);
	size_t i, k;

	r->name = a;
	r->nlen = n;
	r->section = -1;
	r->ext = false;
	if (!star)
		return;
	r->nlen = (size_t)(star - a);
	i = r->nlen + 1;
	if (i == n) {
		r->ext = true;
		return;
	}
	for (k = i; k < n && a[k] >= '0' && a[k] <= '9'; k++)
		;
	if (k == i || k - i > 3 || (k + 1 == n && a[k] != '*') ||
	    k + 1 < n) {
		rd->ps->flags |= MAIL_PARAMS_F_2231_BAD;
		return; /* kept under its base name, as a plain value */
	}
	r->section = 0;
	for (; i < k; i++)
		r->section = r->section * 10 + (a[i] - '0');
	r->ext = k < n;
}

static void add_raw(struct reader *rd, const uint8_t *a, size_t alen,
		    const uint8_t *v, size_t vlen, bool quoted)
{
	struct raw *r;

	if (rd->nr == RAW_MAX) {
		rd->ps->flags |= MAIL_PARAMS_F_TOO_MANY;
		return;
	}
	r = &rd->r[rd->nr++];
	attribute(rd, r, a, alen);
	r->val = v;
	r->vlen = vlen;
	r->quoted = quoted;
	r->done = false;
}

/* The main token; returns where the parameters start. */
static size_t main_value(struct mail_params *ps, const uint8_t *s, size_t n)
{
	size_t i = mail_skip_cfws(s, n, 0), k = 0, st;
	bool bad = false;

	if (i < n && s[i] == '"') {
		/* quoted: not a token, but take what it says */
		bad = true;
		st = ++i;
		while (i < n && s[i] != '"')
			i++;
		for (; st < i && k < sizeof(ps->value) - 1; st++)
			ps->value[k++] = (char)s[st];
		if (i < n)
			i++;
	} else {
		for (;;) {
			st = i;
			while (i < n && !mail_is_ws(s[i]) && s[i] != ';' &&
			       s[i] != '(' && s[i] != '"')
				i++;
			if (i > st && memchr(s + st, '=', i - st)) {
				/* "charset=x": a parameter, with no type
				 * before it or after "type/" */
				i = st;
				if (k == 0) {
					ps->flags |= MAIL_PARAMS_F_NO_VALUE;
					ps->value[0] = '\0';
					return st;
				}
				break;
			}
			while (st < i && k < sizeof(ps->value) - 1)
				ps->value[k++] = (char)s[st++];
			if (st < i)
				bad = true;
			st = mail_skip_cfws(s, n, i);
			/* "text / plain": join the halves around '/' */
			if (st < n && st > i && k > 0 &&
			    (s[st] == '/' || ps->value[k - 1] == '/')) {
				bad = true;
				i = st;
				continue;
			}
			break;
		}
	}
	ps->value[k] = '\0';
	for (st = 0; st < k; st++) {
		uint8_t c = (uint8_t)ps->value[st];

		if (c <= 0x20 || c >= 0x7f) {
			ps->value[st] = '?';
			bad = true;
		} else {
			ps->value[st] = (char)mail_lower(c);
		}
	}
	if (k == 0)
		ps->flags |= MAIL_PARAMS_F_NO_VALUE;
	i = mail_skip_cfws(s, n, i);
	if (i < n && s[i] != ';')
		bad = true; /* junk, or a ';' forgotten: read on as params */
	if (bad)
		ps->flags |= MAIL_PARAMS_F_BAD_VALUE;
	return i;
}

static void read_params(struct reader *rd, const uint8_t *s, size_t n,
			size_t i)
{
	struct mail_params *ps = rd->ps;

	while (i < n) {
		size_t a, alen, v, k;

		if (s[i] == ';')
			i++;
		i = mail_skip_cfws(s, n, i);
		if (i >= n)
			break;
		if (s[i] == ';')
			continue;
		a = i;
		while (i < n && is_token(s[i]))
			i++;
		alen = i - a;
		if (alen == 0) {
			ps->flags |= MAIL_PARAMS_F_JUNK;
			i = next_semicolon(s, n, i + 1);
			continue;
		}
		i = mail_skip_cfws(s, n, i);
		if (i >= n || s[i] != '=') {
			ps->flags |= MAIL_PARAMS_F_MISSING_EQ;
			i = next_semicolon(s, n, i);
			continue;
		}
		i = mail_skip_cfws(s, n, i + 1);
		if (i >= n || s[i] == ';') {
			ps->flags |= MAIL_PARAMS_F_EMPTY;
			add_raw(rd, s + a, alen, s + i, 0, false);
			continue;
		}
		if (s[i] == '"') {
			v = ++i;
			while (i < n && s[i] != '"')
				i += s[i] == '\\' ? 2 : 1;
			if (i >= n) {
				ps->flags |= MAIL_PARAMS_F_UNTERMINATED;
				add_raw(rd, s + a, alen, s + v, n - v, true);
				break;
			}
			add_raw(rd, s + a, alen, s + v, i - v, true);
			i = mail_skip_cfws(s, n, i + 1);
			if (i < n && s[i] != ';') {
				ps->flags |= MAIL_PARAMS_F_JUNK;
				i = next_semicolon(s, n, i);
			}
			continue;
		}
		v = i;
		while (i < n && (is_token(s[i]) || s[i] >= 0x80))
			i++;
		k = mail_skip_cfws(s, n, i);
		if (i > v && (k >= n || s[k] == ';')) {
			add_raw(rd, s + a, alen, s + v, i - v, false);
			i = k;
			continue;
		}
		/* tspecials or spaces in an unquoted value: up to the ';' */
		ps->flags |= MAIL_PARAMS_F_TSPECIALS;
		for (k = v; k < n && s[k] != ';'; k++)
			;
		i = k;
		while (k > v && mail_is_ws(s[k - 1]))
			k--;
		add_raw(rd, s + a, alen, s + v, k - v, false);
	}
}

/* ---- decoding ------------------------------------------------------- */

/* A byte string being assembled, bounded by TMP_MAX. */
struct bytes {
	size_t len;
	bool cut;
	uint8_t b[TMP_MAX];
};

static void bput(struct bytes *t, uint8_t c)
{
	if (t->len < sizeof(t->b))
		t->b[t->len++] = c;
	else
		t->cut = true;
}

static void unquote(struct bytes *t, const struct raw *r)
{
	size_t i;

	for (i = 0; i < r->vlen; i++) {
		if (r->quoted && r->val[i] == '\\' && i + 1 < r->vlen)
			i++;
		bput(t, r->val[i]);
	}
}

static void pct_decode(struct mail_params *ps, struct bytes *t,
		       const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int hi, lo;

		if (p[i] != '%') {
			if (p[i] == '\'' || !is_token(p[i]))
				ps->flags |= MAIL_PARAMS_F_2231_BAD;
			bput(t, p[i]);
			continue;
		}
		hi = i + 1 < n ? hexv(p[i + 1]) : -1;
		lo = i + 2 < n ? hexv(p[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			ps->flags |= MAIL_PARAMS_F_2231_BAD;
			bput(t, '%');
			continue;
		}
		bput(t, (uint8_t)(hi << 4 | lo));
		i += 2;
	}
}

/* Longest charset name kept from an RFC 2231 value; longer ones are
 * unknown to charset.c anyway. */
#define CS_KEEP 64

/* An extended value: "charset'lang'pct" (head set) or "pct". The
 * charset, when there is one, is copied to cs (CS_KEEP + 1 bytes). */
static void ext_value(struct mail_params *ps, struct bytes *t,
		      const struct raw *r, bool head, char *cs, size_t *cslen)
{
	const uint8_t *v = r->val, *q1, *q2;
	size_t n = r->vlen;
	struct bytes unq;

	if (r->quoted) {
		/* RFC 2231: extended values are never quoted */
		ps->flags |= MAIL_PARAMS_F_2231_BAD;
		unq.len = 0;
		unq.cut = false;
		unquote(&unq, r);
		v = unq.b;
		n = unq.len;
	}
	if (head) {
		q1 = n ? memchr(v, '\'', n) : NULL;
		q2 = q1 ? memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - v)) : NULL;
		if (!q2) {
			ps->flags |= MAIL_PARAMS_F_2231_BAD;
		} else {
			*cslen = (size_t)(q1 - v);
			if (*cslen > CS_KEEP)
				*cslen = CS_KEEP;
			memcpy(cs, v, *cslen);
			cs[*cslen] = '\0';
			n -= (size_t)(q2 + 1 - v);
			v = q2 + 1;
		}
	}
	pct_decode(ps, t, v, n);
}

/* Whether p[0..n) holds a C0 control (TAB aside) or DEL. */
static bool has_control(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = (uint8_t)p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

/* Whether valid UTF-8 p[0..n) holds a bidi control: U+061C, U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069. */
static bool has_bidi(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] == 0xd8 && p[i + 1] == 0x9c)
			return true;
		if (p[i] != 0xe2 || i + 2 >= n)
			continue;
		if (p[i + 1] == 0x80 &&
		    (p[i + 2] == 0x8e || p[i + 2] == 0x8f ||
		     (p[i + 2] >= 0xaa && p[i + 2] <= 0xae)))
			return true;
		if (p[i + 1] == 0x81 && p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9)
			return true;
	}
	return false;
}

/* Room left in buf for one value and its NUL. */
static size_t room(const struct mail_params *ps)
{
	return ps->used < sizeof(ps->buf) - 1 ? sizeof(ps->buf) - 1 - ps->used
					      : 0;
}

/* Add an entry for the value being written at buf + used (k bytes). */
static void add_entry(struct mail_params *ps, const struct raw *r, size_t k,
		      uint8_t form)
{
	struct mail_param *p = &ps->p[ps->n++];
	size_t i, nl = r->nlen;

	if (nl > sizeof(p->name) - 1) {
		nl = sizeof(p->name) - 1;
		ps->flags |= MAIL_PARAMS_F_TRUNCATED;
	}
	for (i = 0; i < nl; i++)
		p->name[i] = (char)mail_lower(r->name[i]);
	p->name[nl] = '\0';
	p->len = (uint32_t)k;
	p->form = form;
	if (ps->used >= sizeof(ps->buf) - 1) {
		/* buf is full: the empty string at its end (k is 0) */
		p->value = ps->buf + sizeof(ps->buf) - 1;
		return;
	}
	p->value = ps->buf + ps->used;
	ps->buf[ps->used + k] = '\0';
	ps->used += (uint32_t)k + 1;
	if (has_control(p->value, k))
		ps->flags |= MAIL_PARAMS_F_CONTROL;
	if (has_bidi(p->value, k))
		ps->flags |= MAIL_PARAMS_F_BIDI;
}

static size_t convert(struct mail_params *ps, const char *cs, size_t cslen,
		      const struct bytes *t)
{
	uint32_t f = 0;
	size_t k;

	k = mail_utf8_from(cs, cslen, t->b, t->len,
			   ps->buf + ps->used, room(ps), &f);
	if (f & MAIL_CS_F_UNKNOWN)
		ps->flags |= MAIL_PARAMS_F_UNKNOWN_CHARSET;
	if (f & (MAIL_CS_F_INVALID | MAIL_CS_F_NOT_ASCII))
		ps->flags |= MAIL_PARAMS_F_BAD_TEXT;
	if (f & MAIL_CS_F_TRUNCATED)
		ps->flags |= MAIL_PARAMS_F_TRUNCATED;
	return k;
}

/* Whether r's name is lit (lower-case), in any case. */
static bool name_is(const struct raw *r, const char *lit)
{
	size_t i;

	if (r->nlen != strlen(lit))
		return false;
	for (i = 0; i < r->nlen; i++)
		if (mail_lower(r->name[i]) != (uint8_t)lit[i])
			return false;
	return true;
}

/*
 * Plain or quoted text: encoded words decoded, raw bytes checked. But a
 * boundary is copied as it is: the MIME parser matches it byte for byte
 * against the body, and a decoded "=?..?=" or a U+FFFD there would make
 * it look for a delimiter the sender never wrote.
 */
static size_t plain_text(struct mail_params *ps, const struct raw *r,
			 const struct bytes *t, uint8_t *form)
{
	uint32_t f = 0;
	size_t k;

	if (name_is(r, "boundary")) {
		k = t->len < room(ps) ? t->len : room(ps);
		if (k < t->len)
			ps->flags |= MAIL_PARAMS_F_TRUNCATED;
		memcpy(ps->buf + ps->used, t->b, k);
		return k;
	}
	k = mail_2047_decode((const char *)t->b, t->len, ps->buf + ps->used,
			     room(ps), &f);
	if (f & MAIL_2047_N_DECODED) {
		*form = MAIL_PARAM_RFC2047;
		ps->flags |= MAIL_PARAMS_F_RFC2047;
	}
	if (f & MAIL_2047_F_UNKNOWN_CHARSET)
		ps->flags |= MAIL_PARAMS_F_UNKNOWN_CHARSET;
	if (f & (MAIL_2047_F_BAD_TEXT | MAIL_2047_F_RAW_8BIT |
		 MAIL_2047_F_BAD_B | MAIL_2047_F_BAD_Q))
		ps->flags |= MAIL_PARAMS_F_BAD_TEXT;
	if (f & MAIL_2047_F_TRUNCATED)
		ps->flags |= MAIL_PARAMS_F_TRUNCATED;
	return k;
}

static bool has_8bit(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] >= 0x80)
			return true;
	return false;
}

static bool same_name(const struct raw *a, const struct raw *b)
{
	size_t i;

	if (a->nlen != b->nlen)
		return false;
	for (i = 0; i < a->nlen; i++)
		if (mail_lower(a->name[i]) != mail_lower(b->name[i]))
			return false;
	return true;
}

/* One parameter with no sections. */
static void single(struct mail_params *ps, struct raw *r, struct bytes *t)
{
	char cs[CS_KEEP + 1] = "";
	size_t cslen = 0, k;
	uint8_t form;

	t->len = 0;
	t->cut = false;
	if (has_8bit(r->val, r->vlen))
		ps->flags |= MAIL_PARAMS_F_RAW_8BIT;
	if (r->ext) {
		ext_value(ps, t, r, true, cs, &cslen);
		form = MAIL_PARAM_RFC2231;
		k = convert(ps, cs, cslen, t);
	} else {
		unquote(t, r);
		form = r->quoted ? MAIL_PARAM_QUOTED : MAIL_PARAM_PLAIN;
		k = plain_text(ps, r, t, &form);
	}
	if (t->cut)
		ps->flags |= MAIL_PARAMS_F_TRUNCATED;
	add_entry(ps, r, k, form);
}

/* Every section of r's name, assembled in section order. */
static void sections(struct mail_params *ps, struct reader *rd, unsigned a,
		     struct bytes *t)
{
	unsigned idx[MAIL_PARAMS_SECTIONS_MAX];
	unsigned ns = 0, i, j;
	char cs[CS_KEEP + 1] = "";
	size_t cslen = 0, k;
	bool any_ext = false;
	int expect = 0;
	uint8_t form = MAIL_PARAM_RFC2231_CONT;

	for (i = a; i < rd->nr; i++) {
		struct raw *r = &rd->r[i];

		if (r->done || r->section < 0 || !same_name(r, &rd->r[a]))
			continue;
		r->done = true;
		if (ns == MAIL_PARAMS_SECTIONS_MAX) {
			ps->flags |= MAIL_PARAMS_F_TOO_MANY;
			continue;
		}
		/* insertion by section number; equal ones keep their order */
		for (j = ns; j > 0 && rd->r[idx[j - 1]].section > r->section;
		     j--)
			idx[j] = idx[j - 1];
		if (j != ns)
			ps->flags |= MAIL_PARAMS_F_2231_ORDER;
		idx[j] = i;
		ns++;
	}
	t->len = 0;
	t->cut = false;
	for (i = 0; i < ns; i++) {
		const struct raw *r = &rd->r[idx[i]];

		if (r->section < expect) {
			ps->flags |= MAIL_PARAMS_F_2231_DUP;
			continue;
		}
		if (r->section > expect)
			ps->flags |= MAIL_PARAMS_F_2231_MISSING;
		expect = r->section + 1;
		if (has_8bit(r->val, r->vlen))
			ps->flags |= MAIL_PARAMS_F_RAW_8BIT;
		if (r->ext) {
			any_ext = true;
			ext_value(ps, t, r, r->section == 0, cs, &cslen);
		} else {
			unquote(t, r);
		}
	}
	if (any_ext)
		k = convert(ps, cs, cslen, t);
	else
		k = plain_text(ps, &rd->r[a], t, &form);
	if (t->cut)
		ps->flags |= MAIL_PARAMS_F_TRUNCATED;
	add_entry(ps, &rd->r[a], k, form);
}

static bool form_2231(uint8_t f)
{
	return f == MAIL_PARAM_RFC2231 || f == MAIL_PARAM_RFC2231_CONT;
}

static void cross_check(struct mail_params *ps)
{
	uint32_t i, j;

	for (i = 0; i < ps->n; i++) {
		for (j = i + 1; j < ps->n; j++) {
			const struct mail_param *a = &ps->p[i], *b = &ps->p[j];

			if (strcmp(a->name, b->name) != 0)
				continue;
			if (form_2231(a->form) == form_2231(b->form))
				ps->flags |= MAIL_PARAMS_F_DUPLICATE;
			if (a->len != b->len ||
			    memcmp(a->value, b->value, a->len) != 0)
				ps->flags |= MAIL_PARAMS_F_CONFLICT;
		}
	}
}

void mail_params_parse(struct mail_params *ps, const char *str, size_t n)
{
	const uint8_t *s = (const uint8_t *)str;
	struct reader rd;
	struct bytes t;
	unsigned a;

	memset(ps, 0, offsetof(struct mail_params, buf));
	ps->used = 0;
	ps->buf[0] = '\0';
	ps->buf[sizeof(ps->buf) - 1] = '\0';
	rd.ps = ps;
	rd.nr = 0;
	read_params(&rd, s, n, main_value(ps, s, n));
	for (a = 0; a < rd.nr; a++) {
		struct raw *r = &rd.r[a];

		if (r->done)
			continue;
		if (ps->n == MAIL_PARAMS_MAX) {
			ps->flags |= MAIL_PARAMS_F_TOO_MANY;
			break;
		}
		if (r->section >= 0)
			sections(ps, &rd, a, &t);
		else
			single(ps, r, &t);
	}
	cross_check(ps);
}

const struct mail_param *mail_params_get(const struct mail_params *ps,
					 const char *name,
					 const struct mail_param *after)
{
	size_t i = 0, k, nl = strlen(name);

	if (after) {
		if (after < ps->p || after >= ps->p + ps->n)
			return NULL;
		i = (size_t)(after - ps->p) + 1;
	}
	for (; i < ps->n; i++) {
		const char *pn = ps->p[i].name;

		if (strlen(pn) != nl)
			continue;
		for (k = 0; k < nl; k++)
			if ((uint8_t)pn[k] != mail_lower((uint8_t)name[k]))
				break;
		if (k == nl)
			return &ps->p[i];
	}
	return NULL;
}
