#include "mail/addr.h"

#include <stdint.h>
#include <string.h>

#include "mail/lex.h"

/*
 * The value is read as RFC 5322 tokens by lex(), which is stateless: a
 * token is found again from its start, so the parser can look ahead and
 * go back over a member without storing tokens. Each member is scanned a
 * bounded number of times (at most three: find, route attempt, build),
 * so the work stays linear in the value.
 */

enum tok_kind {
	T_END,
	T_WSP,     /* SP HTAB, and CR LF left by a bad unfolding */
	T_COMMENT, /* ( ... ), nested, with quoted-pairs */
	T_ATOM,    /* atext, '.', 8-bit bytes, and the odd stray */
	T_QUOTED,  /* " ... " */
	T_LITERAL, /* [ ... ] */
	T_SPECIAL, /* < > @ , ; : */
};

struct tok {
	enum tok_kind kind;
	uint8_t ch;     /* T_SPECIAL: which */
	bool open;      /* comment, quoted string or literal not closed */
	bool stray;     /* T_ATOM holds ')' or ']' */
	bool backslash; /* T_ATOM holds '\' */
	size_t b, e;    /* s[b..e) */
};

struct ctx {
	const uint8_t *s;
	size_t n;
	struct mail_addrlist *l;
	const char *group; /* the open group's name (in l->buf) or "" */
	uint32_t group_len;
	uint32_t group_count; /* addresses in the open group */
	bool in_group;
};

/* What one address is made of, found before anything is written. */
struct member {
	size_t start, end;       /* bytes of the member */
	size_t disp_b, disp_e;   /* display name */
	size_t addr_b, addr_e;   /* addr-spec (inside <> for name-addr) */
	struct tok comment;      /* first comment after the address */
	uint32_t fl;
	bool angle;
};

enum { R_NONE, R_ADDR, R_GROUP };

static inline bool is_wsp(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline bool is_special(uint8_t c)
{
	return c == '<' || c == '>' || c == '@' || c == ',' || c == ';' ||
	       c == ':';
}

static inline bool is_word(enum tok_kind k)
{
	return k == T_ATOM || k == T_QUOTED || k == T_LITERAL;
}

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* End of a delimited token ("...", [...]) opened at s[i]: the position
 * after the closing byte, or n with *open set. Quoted-pairs skipped. */
static size_t delimited(const uint8_t *s, size_t n, size_t i, uint8_t close,
			bool *open)
{
	for (i++; i < n && s[i] != close; i++)
		if (s[i] == '\\')
			i++;
	if (i >= n) {
		*open = true;
		return n;
	}
	return i + 1;
}

static struct tok lex(const struct ctx *x, size_t i)
{
	const uint8_t *s = x->s;
	size_t n = x->n;
	struct tok t = {.kind = T_END, .b = i, .e = i};

	if (i >= n)
		return t;
	switch (s[i]) {
	case ' ':
	case '\t':
	case '\r':
	case '\n':
		while (i < n && is_wsp(s[i]))
			i++;
		t.kind = T_WSP;
		break;
	case '(':
		t.kind = T_COMMENT;
		i = mail_comment_end(s, n, i, &t.open);
		break;
	case '"':
		t.kind = T_QUOTED;
		i = delimited(s, n, i, '"', &t.open);
		break;
	case '[':
		t.kind = T_LITERAL;
		i = delimited(s, n, i, ']', &t.open);
		break;
	case '<':
	case '>':
	case '@':
	case ',':
	case ';':
	case ':':
		t.kind = T_SPECIAL;
		t.ch = s[i++];
		break;
	default:
		t.kind = T_ATOM;
		for (; i < n; i++) {
			uint8_t c = s[i];

			if (is_wsp(c) || is_special(c) || c == '(' ||
			    c == '"' || c == '[')
				break;
			if (c == ')' || c == ']')
				t.stray = true;
			else if (c == '\\')
				t.backslash = true;
		}
		break;
	}
	t.e = i;
	return t;
}

static uint32_t tok_flags(const struct tok *t)
{
	uint32_t f = 0;

	if (t->open || t->stray)
		f |= MAIL_ADDR_F_UNBALANCED;
	if (t->backslash)
		f |= MAIL_ADDR_F_SYNTAX;
	if (t->kind == T_COMMENT)
		f |= MAIL_ADDR_F_COMMENT;
	return f;
}

/* The next token at *pos that is not white space or a comment; *pos is
 * moved to it. *gap: something was skipped. *comment (when given and not
 * yet set) gets the first comment skipped. */
static struct tok next_tok(const struct ctx *x, size_t *pos, bool *gap,
			   uint32_t *fl, struct tok *comment)
{
	for (;;) {
		struct tok t = lex(x, *pos);

		if (t.kind != T_WSP && t.kind != T_COMMENT)
			return t;
		*gap = true;
		*fl |= tok_flags(&t);
		if (t.kind == T_COMMENT && comment && comment->kind == T_END)
			*comment = t;
		*pos = t.e;
	}
}

static bool starts_dot(const struct ctx *x, const struct tok *t)
{
	return t->kind == T_ATOM && x->s[t->b] == '.';
}

static bool ends_dot(const struct ctx *x, const struct tok *t)
{
	return t->kind == T_ATOM && x->s[t->e - 1] == '.';
}

static uint32_t byte_flags(const uint8_t *s, size_t b, size_t e)
{
	uint32_t f = 0;

	for (; b < e; b++) {
		if (s[b] >= 0x80)
			f |= MAIL_ADDR_F_UTF8;
		else if ((s[b] < 0x20 && s[b] != '\t') || s[b] == 0x7f)
			f |= MAIL_ADDR_F_CONTROL_CHARS;
	}
	return f;
}

/* ---- writing texts into the list's buf ----------------------------- */

struct wr {
	struct mail_addrlist *l;
	uint32_t start, len, max;
	uint32_t vlen; /* bytes offered, kept or not */
	bool space;    /* a space is due before the next byte */
	bool dry;      /* the address is not kept: count only */
};

static void wr_begin(struct wr *w, struct mail_addrlist *l, bool dry)
{
	uint32_t room = MAIL_ADDRLIST_BUF - l->used;

	w->l = l;
	w->start = l->used;
	w->len = w->vlen = 0;
	w->space = false;
	w->dry = dry;
	/* one byte stays for the NUL */
	w->max = (dry || room == 0) ? 0 : room - 1;
	if (w->max > MAIL_ADDR_TEXT_MAX)
		w->max = MAIL_ADDR_TEXT_MAX;
}

static void wr_byte(struct wr *w, uint8_t c)
{
	w->vlen++;
	if (w->len < w->max)
		w->l->buf[w->start + w->len++] = (char)c;
}

/* Text with white space runs collapsed to one space, none at the ends. */
static void wr_text(struct wr *w, uint8_t c)
{
	if (is_wsp(c)) {
		w->space = w->vlen > 0;
		return;
	}
	if (w->space) {
		/* a cut text does not end in the space */
		if (w->len + 2 > w->max)
			w->max = w->len;
		wr_byte(w, ' ');
	}
	w->space = false;
	wr_byte(w, c);
}

static void wr_unescaped(struct wr *w, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\' && i + 1 < len)
			i++;
		wr_text(w, p[i]);
	}
}

static const char *wr_end(struct wr *w, uint32_t *len, uint32_t *fl)
{
	if (!w->dry && w->vlen > w->len)
		*fl |= MAIL_ADDR_F_TRUNCATED;
	*len = w->len;
	if (w->len == 0)
		return w->l->buf;
	w->l->buf[w->start + w->len] = '\0';
	w->l->used += w->len + 1;
	return w->l->buf + w->start;
}

/* A phrase (display or group name): words and their text, comments and
 * white space as one space. */
static void put_phrase(const struct ctx *x, struct wr *w, size_t b, size_t e,
		       uint32_t *fl)
{
	while (b < e) {
		struct tok t = lex(x, b);
		size_t te = t.e < e ? t.e : e;

		if (t.kind == T_END)
			break;
		*fl |= tok_flags(&t);
		if (t.kind == T_WSP || t.kind == T_COMMENT) {
			wr_text(w, ' ');
		} else if (t.kind == T_QUOTED) {
			size_t ce = t.open ? te : te - 1;

			wr_unescaped(w, x->s + t.b + 1, ce - t.b - 1);
		} else {
			for (size_t i = t.b; i < te; i++)
				wr_text(w, x->s[i]);
		}
		b = te;
	}
}

/* What writing an addr-spec found out. */
struct spec {
	uint32_t ats;          /* '@' written */
	uint32_t at;           /* offset of the last one */
	uint32_t first_quoted; /* offset of the first quoted string */
	uint32_t last_literal; /* offset of the last domain literal */
	bool quoted, literal;
};

/* The addr-spec in s[b..e) as written minus CFWS. CFWS is allowed around
 * '@' (and at the ends); anywhere else it is the obsolete form. */
static void put_spec(const struct ctx *x, struct wr *w, size_t b, size_t e,
		     uint32_t *fl, struct spec *sp)
{
	bool gap = false, prev_at = false;

	memset(sp, 0, sizeof(*sp));
	while (b < e) {
		struct tok t = lex(x, b);
		size_t te = t.e < e ? t.e : e;

		if (t.kind == T_END)
			break;
		b = te;
		*fl |= tok_flags(&t);
		if (t.kind == T_WSP || t.kind == T_COMMENT) {
			gap = w->vlen > 0;
			continue;
		}
		if (t.kind == T_SPECIAL && t.ch == '<') {
			*fl |= MAIL_ADDR_F_SYNTAX;
			continue;
		}
		if (gap && !prev_at && !(t.kind == T_SPECIAL && t.ch == '@'))
			*fl |= MAIL_ADDR_F_OBSOLETE_SYNTAX;
		gap = false;
		prev_at = t.kind == T_SPECIAL && t.ch == '@';
		if (prev_at) {
			sp->ats++;
			sp->at = w->vlen;
		} else if (t.kind == T_SPECIAL) {
			*fl |= MAIL_ADDR_F_SYNTAX;
		} else if (t.kind == T_QUOTED && !sp->quoted) {
			sp->quoted = true;
			sp->first_quoted = w->vlen;
		} else if (t.kind == T_LITERAL) {
			sp->literal = true;
			sp->last_literal = w->vlen;
		}
		for (size_t i = t.b; i < te; i++)
			wr_byte(w, x->s[i]);
	}
}

static inline bool addr_char(uint8_t c)
{
	return !is_wsp(c) && c != '"' && c != '\'' && c != '<' && c != '>' &&
	       c != '(' && c != ')' && c != '[' && c != ']' && c != ',' &&
	       c != ';' && c != ':' && c != 0;
}

static bool same_ci(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (lower((uint8_t)a[i]) != lower((uint8_t)b[i]))
			return false;
	return true;
}

/* Does the display name hold "x@y" that is not the address itself? Each
 * byte is looked at a bounded number of times. */
static bool other_address_in(const char *d, uint32_t dl, const char *a,
			     uint32_t al)
{
	uint32_t i = 0;

	while (i < dl) {
		uint32_t b = i, e;

		if (d[i] != '@') {
			i++;
			continue;
		}
		while (b > 0 && addr_char((uint8_t)d[b - 1]))
			b--;
		for (e = i + 1; e < dl && addr_char((uint8_t)d[e]); e++)
			;
		if (b < i && e > i + 1 && d[e - 1] != '@' &&
		    !same_ci(d + b, e - b, a, al))
			return true;
		i = e;
	}
	return false;
}

/* Write the address m describes into the list (or only count it). */
static void emit(struct ctx *x, struct member *m)
{
	struct mail_addrlist *l = x->l;
	bool keep = l->n < MAIL_ADDRS_MAX;
	struct mail_addr scratch, *a = keep ? &l->a[l->n] : &scratch;
	uint32_t fl = m->fl | byte_flags(x->s, m->start, m->end);
	struct spec sp;
	struct wr w;
	bool named;

	wr_begin(&w, l, !keep);
	put_spec(x, &w, m->addr_b, m->addr_e, &fl, &sp);
	a->addr = wr_end(&w, &a->addr_len, &fl);
	if (sp.ats == 0) {
		if (m->angle && w.vlen == 0)
			fl |= MAIL_ADDR_F_EMPTY_ADDR;
		else
			fl |= MAIL_ADDR_F_NO_DOMAIN;
	} else {
		if (sp.ats > 1)
			fl |= MAIL_ADDR_F_MULTIPLE_AT;
		if (sp.at + 1 == w.vlen)
			fl |= MAIL_ADDR_F_NO_DOMAIN;
		if (sp.at == 0)
			fl |= MAIL_ADDR_F_SYNTAX; /* empty local part */
		if (sp.literal && sp.last_literal > sp.at)
			fl |= MAIL_ADDR_F_IP_LITERAL;
	}
	if (sp.quoted && (sp.ats == 0 || sp.first_quoted < sp.at))
		fl |= MAIL_ADDR_F_QUOTED_LOCAL;
	a->has_at = sp.ats > 0 && sp.at < a->addr_len;
	a->local_len = a->has_at ? sp.at : a->addr_len;

	wr_begin(&w, l, !keep);
	put_phrase(x, &w, m->disp_b, m->disp_e, &fl);
	named = w.vlen > 0;
	if (!named && m->comment.kind == T_COMMENT) {
		const struct tok *c = &m->comment;

		wr_unescaped(&w, x->s + c->b + 1,
			     (c->open ? c->e : c->e - 1) - c->b - 1);
	}
	a->display = wr_end(&w, &a->display_len, &fl);
	if (named && !m->angle)
		fl |= MAIL_ADDR_F_MISSING_ANGLE;
	if (other_address_in(a->display, a->display_len, a->addr,
			     a->addr_len))
		fl |= MAIL_ADDR_F_DISPLAY_HAS_ADDRESS;

	a->group = x->in_group ? x->group : l->buf;
	a->group_len = x->in_group ? x->group_len : 0;
	a->flags = fl;
	l->flags |= fl;
	l->total++;
	if (keep)
		l->n++;
	else
		l->flags |= MAIL_ADDR_F_TOO_MANY;
	x->group_count++;
}

/* Closing '>' that nothing opened, after an address: consumed. */
static size_t stray_closes(const struct ctx *x, size_t pos, uint32_t *fl)
{
	for (;;) {
		size_t p = pos;
		bool gap = false;
		struct tok t = next_tok(x, &p, &gap, fl, NULL);

		if (t.kind != T_SPECIAL || t.ch != '>')
			return pos;
		*fl |= MAIL_ADDR_F_UNBALANCED;
		pos = t.e;
	}
}

/* What an obs-route "@a,@b:" is made of, before its ':'. */
static bool route_tok(const struct tok *t)
{
	return is_word(t->kind) ||
	       (t->kind == T_SPECIAL && (t->ch == '@' || t->ch == ','));
}

/* "<" [route] addr-spec ">" at lt; the display name is s[disp_b..lt). */
static size_t angle(struct ctx *x, struct member *m, size_t disp_b,
		    const struct tok *lt)
{
	size_t pos = lt->e, p, inner_b;
	bool gap = false;
	struct tok t;

	m->angle = true;
	m->disp_b = disp_b;
	m->disp_e = lt->b;
	/* obs-route: "@a,@b:" before the address, dropped */
	inner_b = pos;
	p = pos;
	t = next_tok(x, &p, &gap, &m->fl, NULL);
	if (t.kind == T_SPECIAL && t.ch == '@') {
		for (;;) {
			t = next_tok(x, &p, &gap, &m->fl, NULL);
			if (route_tok(&t)) {
				p = t.e;
				continue;
			}
			if (t.kind == T_SPECIAL && t.ch == ':') {
				m->fl |= MAIL_ADDR_F_OBSOLETE_ROUTE;
				inner_b = t.e;
			}
			break;
		}
	}
	/* the address, up to '>'; an unclosed one stops at ',' or ';' */
	m->addr_b = inner_b;
	for (p = inner_b;;) {
		t = lex(x, p);
		if (t.kind == T_END ||
		    (t.kind == T_SPECIAL && (t.ch == ',' || t.ch == ';'))) {
			m->fl |= MAIL_ADDR_F_UNBALANCED;
			m->addr_e = pos = t.b;
			break;
		}
		if (t.kind == T_SPECIAL && t.ch == '>') {
			m->addr_e = t.b;
			pos = t.e;
			break;
		}
		p = t.e;
	}
	t = next_tok(x, &pos, &gap, &m->fl, &m->comment);
	pos = stray_closes(x, pos, &m->fl);
	m->end = pos;
	emit(x, m);
	return pos;
}

/* addr-spec with '@' at `at`; its local part starts at local_b. Words
 * joined to it by dots, by touching, or by more '@' belong to it. */
static size_t at_spec(struct ctx *x, struct member *m, size_t local_b,
		      const struct tok *at)
{
	size_t pos = at->e, end = at->e, stop;
	bool expect = true, prev_dot = false;
	struct tok t;

	for (;;) {
		bool gap = false;

		t = next_tok(x, &pos, &gap, &m->fl, NULL);
		if (is_word(t.kind) &&
		    (expect || !gap || prev_dot || starts_dot(x, &t))) {
			expect = false;
			prev_dot = ends_dot(x, &t);
			end = pos = t.e;
			continue;
		}
		if (t.kind == T_SPECIAL && t.ch == '@') {
			expect = true;
			end = pos = t.e;
			continue;
		}
		break;
	}
	/* "service@paypal.com <x@evil>": all of it was a display name */
	if (t.kind == T_SPECIAL && t.ch == '<')
		return angle(x, m, m->start, &t);
	m->disp_b = m->start;
	m->disp_e = local_b;
	m->addr_b = local_b;
	m->addr_e = end;
	stop = end;
	{
		bool gap = false;

		next_tok(x, &stop, &gap, &m->fl, &m->comment);
	}
	stop = stray_closes(x, stop, &m->fl);
	m->end = stop;
	emit(x, m);
	return stop;
}

static void start_group(struct ctx *x, size_t b, size_t e, uint32_t *fl)
{
	struct wr w;

	wr_begin(&w, x->l, false);
	put_phrase(x, &w, b, e, fl);
	x->group = wr_end(&w, &x->group_len, fl);
	x->group_count = 0;
	x->in_group = true;
}

static void end_group(struct ctx *x, uint32_t *fl)
{
	if (x->group_count == 0)
		*fl |= MAIL_ADDR_F_EMPTY_GROUP;
	x->in_group = false;
	x->group = x->l->buf;
	x->group_len = 0;
}

/* One member from pos (a word, '<' or '@'): an address, or the opening
 * "name:" of a group. Returns where the caller goes on. */
static size_t parse_one(struct ctx *x, size_t pos, uint32_t fl, int *kind)
{
	struct member m = {.start = pos, .fl = fl};
	size_t run_b = SIZE_MAX, last_e = pos;
	bool prev_dot = false, brk = false;
	struct tok t;

	*kind = R_ADDR;
	/* the phrase: words, up to a special; run_b starts the last run of
	 * joined words (the local part if '@' follows) */
	for (;;) {
		bool gap = brk;

		brk = false;
		t = next_tok(x, &pos, &gap, &m.fl, NULL);
		if (is_word(t.kind)) {
			if (run_b == SIZE_MAX ||
			    (gap && !prev_dot && !starts_dot(x, &t)))
				run_b = t.b;
			m.fl |= tok_flags(&t);
			prev_dot = ends_dot(x, &t);
			last_e = pos = t.e;
			continue;
		}
		if (t.kind == T_SPECIAL && t.ch == '>') {
			m.fl |= MAIL_ADDR_F_UNBALANCED;
			brk = true;
			pos = t.e;
			continue;
		}
		break;
	}
	if (t.kind == T_SPECIAL && t.ch == '<')
		return angle(x, &m, m.start, &t);
	if (t.kind == T_SPECIAL && t.ch == '@')
		return at_spec(x, &m, run_b != SIZE_MAX ? run_b : t.b, &t);
	if (run_b == SIZE_MAX) {
		*kind = R_NONE;
		x->l->flags |= m.fl;
		return pos;
	}
	if (t.kind == T_SPECIAL && t.ch == ':' && !x->in_group) {
		*kind = R_GROUP;
		x->l->flags |= m.fl;
		start_group(x, m.start, t.b, &x->l->flags);
		return t.e;
	}
	/* no '@': the last run of words is the address, the rest a name */
	m.disp_b = m.start;
	m.disp_e = run_b;
	m.addr_b = run_b;
	m.addr_e = last_e;
	{
		size_t p = last_e;
		bool gap = false;

		next_tok(x, &p, &gap, &m.fl, &m.comment);
	}
	m.end = pos;
	emit(x, &m);
	return pos;
}

void mail_addrlist_parse(struct mail_addrlist *l, const char *s, size_t n)
{
	struct ctx x = {(const uint8_t *)s, s ? n : 0, l, l->buf, 0, 0, false};
	bool after_comma = false, member = false;
	uint32_t lf;
	size_t pos = 0;

	l->n = l->total = l->flags = 0;
	l->buf[0] = '\0';
	l->used = 1;
	lf = byte_flags(x.s, 0, x.n);
	for (;;) {
		bool gap = false;
		struct tok t = next_tok(&x, &pos, &gap, &lf, NULL);
		size_t next;
		int kind;

		if (t.kind == T_END)
			break;
		if (t.kind == T_SPECIAL && t.ch != '<' && t.ch != '@') {
			if (t.ch == ',') {
				if (!member)
					lf |= MAIL_ADDR_F_EMPTY_MEMBER;
				after_comma = true;
			} else if (t.ch == ';') {
				if (!member && after_comma)
					lf |= MAIL_ADDR_F_EMPTY_MEMBER;
				if (x.in_group)
					end_group(&x, &lf);
				else
					lf |= MAIL_ADDR_F_SYNTAX;
				after_comma = false;
			} else if (t.ch == ':') {
				lf |= MAIL_ADDR_F_SYNTAX;
			} else {
				lf |= MAIL_ADDR_F_UNBALANCED; /* '>' */
			}
			if (t.ch != ':' && t.ch != '>')
				member = false;
			pos = t.e;
			continue;
		}
		next = parse_one(&x, pos,
				 member ? MAIL_ADDR_F_MISSING_COMMA : 0, &kind);
		if (kind == R_ADDR) {
			member = true;
		} else if (kind == R_GROUP) {
			member = false;
			after_comma = false;
		}
		/* every path consumes its first token; be sure of it */
		pos = next > pos ? next : t.e;
	}
	if (!member && after_comma)
		lf |= MAIL_ADDR_F_EMPTY_MEMBER;
	if (x.in_group) {
		lf |= MAIL_ADDR_F_UNBALANCED;
		end_group(&x, &lf);
	}
	l->flags |= lf;
}

const char *mail_addr_flag_name(uint32_t bit)
{
	switch (bit) {
	case MAIL_ADDR_F_NO_DOMAIN: return "no_domain";
	case MAIL_ADDR_F_MULTIPLE_AT: return "multiple_at";
	case MAIL_ADDR_F_MISSING_ANGLE: return "missing_angle";
	case MAIL_ADDR_F_UNBALANCED: return "unbalanced";
	case MAIL_ADDR_F_OBSOLETE_ROUTE: return "obsolete_route";
	case MAIL_ADDR_F_COMMENT: return "comment";
	case MAIL_ADDR_F_QUOTED_LOCAL: return "quoted_local";
	case MAIL_ADDR_F_IP_LITERAL: return "ip_literal";
	case MAIL_ADDR_F_EMPTY_MEMBER: return "empty_member";
	case MAIL_ADDR_F_UTF8: return "utf8";
	case MAIL_ADDR_F_DISPLAY_HAS_ADDRESS: return "display_has_address";
	case MAIL_ADDR_F_CONTROL_CHARS: return "control_chars";
	case MAIL_ADDR_F_TOO_MANY: return "too_many";
	case MAIL_ADDR_F_TRUNCATED: return "truncated";
	case MAIL_ADDR_F_EMPTY_ADDR: return "empty_addr";
	case MAIL_ADDR_F_SYNTAX: return "syntax";
	case MAIL_ADDR_F_MISSING_COMMA: return "missing_comma";
	case MAIL_ADDR_F_OBSOLETE_SYNTAX: return "obsolete_syntax";
	case MAIL_ADDR_F_EMPTY_GROUP: return "empty_group";
	default: return NULL;
	}
}
