#include "mail/received.h"

#include <arpa/inet.h>
#include <string.h>

#include "mail/date.h"
#include "mail/lex.h"

enum clause {
	C_NONE = -1,
	C_FROM,
	C_BY,
	C_VIA,
	C_WITH,
	C_ID,
	C_FOR,
	C_TLS, /* Exim writes "tls <cipher>" after "with": skipped */
	C_COUNT
};

static const char *const keywords[C_COUNT] = {
	"from", "by", "via", "with", "id", "for", "tls",
};

enum { K_END, K_WSP, K_COMMENT, K_STRAY, K_SEMI, K_WORD };

struct rtok {
	int kind;
	bool open; /* K_COMMENT not closed */
	size_t b, e;
};

/* What the from clause's comments said. */
struct from_info {
	const uint8_t *helo, *rdns;
	size_t helo_len, rdns_len;
	bool have_ip;
};

static inline bool is_wsp(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static inline bool is_hex(uint8_t c)
{
	c = lower(c);
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static inline bool ip_byte(uint8_t c)
{
	return is_hex(c) || c == ':' || c == '.';
}

static inline bool is_alnum(uint8_t c)
{
	uint8_t l = lower(c);

	return (c >= '0' && c <= '9') || (l >= 'a' && l <= 'z');
}

static bool eq_ci(const uint8_t *p, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len && word[i]; i++)
		if (lower(p[i]) != (uint8_t)word[i])
			return false;
	return i == len && word[i] == '\0';
}

static bool prefix_ci(const uint8_t *p, size_t len, const char *prefix)
{
	size_t k = strlen(prefix);

	return len >= k && eq_ci(p, k, prefix);
}

/* Tokens of the clause part: white space, nested comments, ';' (one
 * before the date's is out of place), and words (anything else up to
 * white space, a parenthesis or ';'). */
static struct rtok lex(const uint8_t *s, size_t n, size_t i)
{
	struct rtok t = {.kind = K_END, .b = i, .e = i};

	if (i >= n)
		return t;
	if (is_wsp(s[i])) {
		while (i < n && is_wsp(s[i]))
			i++;
		t.kind = K_WSP;
	} else if (s[i] == '(') {
		t.kind = K_COMMENT;
		i = mail_comment_end(s, n, i, &t.open);
	} else if (s[i] == ')' || s[i] == ';') {
		t.kind = s[i] == ')' ? K_STRAY : K_SEMI;
		i++;
	} else {
		t.kind = K_WORD;
		while (i < n && !is_wsp(s[i]) && s[i] != '(' && s[i] != ')' &&
		       s[i] != ';')
			i++;
	}
	t.e = i;
	return t;
}

static void copy(char *dst, size_t cap, const uint8_t *p, size_t len,
		 uint32_t *fl)
{
	if (len >= cap) {
		len = cap - 1;
		*fl |= MAIL_RCVD_F_TRUNCATED;
	}
	memcpy(dst, p, len);
	dst[len] = '\0';
}

/* " word" after what dst holds (with, via). */
static void append(char *dst, size_t cap, const uint8_t *p, size_t len,
		   uint32_t *fl)
{
	size_t have = strlen(dst);

	if (have + 1 >= cap) {
		*fl |= MAIL_RCVD_F_TRUNCATED;
		return;
	}
	dst[have] = ' ';
	copy(dst + have + 1, cap - have - 1, p, len, fl);
}

/* p[0..len) as an IP address: its inet_ntop() form in out[64], and its
 * bytes in bin[16] (with *af). A "%zone" suffix is ignored; before it,
 * only hex digits, ':' and '.'. "::" alone (no digit) is not taken: it
 * names no host, and is punctuation in text. */
static bool ip_text(const uint8_t *p, size_t len, char out[64], int *af,
		    uint8_t bin[16])
{
	char tmp[64];
	const uint8_t *pct = memchr(p, '%', len);
	bool hex = false;

	if (pct)
		len = (size_t)(pct - p);
	if (len < 2 || len >= sizeof(tmp))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!ip_byte(p[i])) /* a NUL would end tmp early */
			return false;
		hex |= is_hex(p[i]);
	}
	if (!hex)
		return false;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, bin) == 1)
		*af = AF_INET;
	else if (inet_pton(AF_INET6, tmp, bin) == 1)
		*af = AF_INET6;
	else
		return false;
	return inet_ntop(*af, bin, out, 64) != NULL;
}

/* One word of a from-clause comment, as an IP: "[ip]", "[IPv6:ip]",
 * "[ip]:port", "ip", "user@ip" (qmail). */
static bool word_ip(const uint8_t *w, size_t len, char out[64])
{
	uint8_t bin[16];
	int af;

	if (len > 0 && w[0] == '[') {
		const uint8_t *close = memchr(w, ']', len);

		len = close ? (size_t)(close - w) - 1 : len - 1;
		w++;
		if (prefix_ci(w, len, "ipv6:")) {
			w += 5;
			len -= 5;
		}
	} else {
		const uint8_t *at = memchr(w, '@', len);

		while (at) {
			len -= (size_t)(at - w) + 1;
			w = at + 1;
			at = memchr(w, '@', len);
		}
	}
	return ip_text(w, len, out, &af, bin);
}

/* The words of one comment of the from clause (nested comments, such as
 * Sendmail's "(may be forged)", skipped). */
static void from_comment(struct mail_received *r, struct from_info *fi,
			 const uint8_t *s, size_t n)
{
	const uint8_t *prev = NULL;
	size_t prev_len = 0, i = 0;
	bool want_helo = false;

	while (i < n) {
		struct rtok t = lex(s, n, i);
		const uint8_t *w = s + t.b;
		size_t len = t.e - t.b;
		char ip[64];

		i = t.e;
		if (t.kind == K_COMMENT) {
			prev = NULL;
			continue;
		}
		if (t.kind != K_WORD)
			continue;
		if (want_helo) {
			want_helo = false;
			if (!fi->helo) {
				fi->helo = w;
				fi->helo_len = len;
			}
		} else if (prefix_ci(w, len, "helo=")) {
			if (!fi->helo && len > 5) {
				fi->helo = w + 5;
				fi->helo_len = len - 5;
			}
			w = NULL;
		} else if (eq_ci(w, len, "helo")) {
			want_helo = true;
			w = NULL;
		} else if (word_ip(w, len, ip)) {
			if (!fi->have_ip) {
				fi->have_ip = true;
				copy(r->from_ip, sizeof(r->from_ip),
				     (const uint8_t *)ip, strlen(ip),
				     &r->flags);
				if (w[0] == '[' && prev && !fi->rdns) {
					fi->rdns = prev;
					fi->rdns_len = prev_len;
				}
			}
			w = NULL;
		}
		prev = w;
		prev_len = w ? len : 0;
	}
}

static void set_rdns(struct mail_received *r, const uint8_t *p, size_t len)
{
	const uint8_t *at = memchr(p, '@', len);

	while (at) { /* Sendmail's "ident@host" */
		len -= (size_t)(at - p) + 1;
		p = at + 1;
		at = memchr(p, '@', len);
	}
	if (len > 1 && p[len - 1] == '.')
		len--;
	copy(r->from_rdns, sizeof(r->from_rdns), p, len, &r->flags);
}

static void set_value(struct mail_received *r, enum clause c,
		      const uint8_t *p, size_t len)
{
	switch (c) {
	case C_FROM: copy(r->from, sizeof(r->from), p, len, &r->flags); break;
	case C_BY: copy(r->by, sizeof(r->by), p, len, &r->flags); break;
	case C_VIA: copy(r->via, sizeof(r->via), p, len, &r->flags); break;
	case C_WITH: copy(r->with, sizeof(r->with), p, len, &r->flags); break;
	case C_ID: copy(r->id, sizeof(r->id), p, len, &r->flags); break;
	case C_FOR:
		while (len > 0 && (p[len - 1] == '>' || p[len - 1] == ',' ||
				   p[len - 1] == ';'))
			len--;
		if (len > 0 && p[0] == '<') {
			p++;
			len--;
		}
		copy(r->for_addr, sizeof(r->for_addr), p, len, &r->flags);
		break;
	default: break;
	}
}

/* from / by / via / with / id / for in s[0..n), before the date. A
 * keyword starts a clause only where the previous one has its value, so a
 * HELO name "by" stays a name. */
static void clauses(struct mail_received *r, const uint8_t *s, size_t n)
{
	enum clause cur = C_NONE;
	bool seen[C_COUNT] = {false};
	bool have_val = false, after_comment = false, dup = false;
	struct from_info fi = {0};
	size_t i = 0;

	while (i < n) {
		struct rtok t = lex(s, n, i);
		const uint8_t *w = s + t.b;
		size_t len = t.e - t.b;
		int k;

		i = t.e;
		if (t.kind == K_WSP)
			continue;
		if (t.kind == K_STRAY || t.open)
			r->flags |= MAIL_RCVD_F_UNBALANCED;
		if (t.kind == K_SEMI)
			r->flags |= MAIL_RCVD_F_UNPARSED;
		if (t.kind == K_COMMENT) {
			if (cur == C_FROM && !dup)
				from_comment(r, &fi, w + 1,
					     t.open ? len - 1 : len - 2);
			after_comment = true;
			continue;
		}
		if (t.kind != K_WORD)
			continue;
		for (k = 0; k < C_COUNT; k++)
			if (eq_ci(w, len, keywords[k]))
				break;
		if (k < C_COUNT && (cur == C_NONE || have_val)) {
			dup = seen[k];
			if (dup)
				r->flags |= MAIL_RCVD_F_REPEATED;
			seen[k] = true;
			cur = (enum clause)k;
			have_val = after_comment = false;
		} else if (cur == C_NONE) {
			r->flags |= MAIL_RCVD_F_UNPARSED;
		} else if (!have_val) {
			if (!dup)
				set_value(r, cur, w, len);
			have_val = true;
		} else if ((cur == C_WITH || cur == C_VIA) && !after_comment) {
			if (!dup)
				append(cur == C_WITH ? r->with : r->via,
				       cur == C_WITH ? sizeof(r->with)
						     : sizeof(r->via),
				       w, len, &r->flags);
		} else if (cur != C_TLS) {
			r->flags |= MAIL_RCVD_F_UNPARSED;
		}
	}
	if (cur != C_NONE && !have_val)
		r->flags |= MAIL_RCVD_F_UNPARSED;
	if (!seen[C_FROM])
		r->flags |= MAIL_RCVD_F_NO_FROM;
	if (!seen[C_BY])
		r->flags |= MAIL_RCVD_F_NO_BY;

	/* who the from clause names, now that its comments are read */
	if (!fi.have_ip && r->from[0]) {
		char ip[64];

		if (word_ip((const uint8_t *)r->from, strlen(r->from), ip))
			copy(r->from_ip, sizeof(r->from_ip),
			     (const uint8_t *)ip, strlen(ip), &r->flags);
	}
	if (fi.helo) {
		if (r->from[0] && r->from[0] != '[')
			set_rdns(r, (const uint8_t *)r->from, strlen(r->from));
		copy(r->from, sizeof(r->from), fi.helo, fi.helo_len,
		     &r->flags);
	} else if (fi.rdns) {
		set_rdns(r, fi.rdns, fi.rdns_len);
	}
}

/* The last ';' outside comments; failing that, the last one anywhere. */
static size_t date_semicolon(const uint8_t *s, size_t n)
{
	size_t top = SIZE_MAX, any = SIZE_MAX;
	unsigned depth = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && depth > 0)
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && depth > 0)
			depth--;
		else if (s[i] == ';') {
			any = i;
			if (depth == 0)
				top = i;
		}
	}
	return top != SIZE_MAX ? top : any;
}

static inline bool name_byte(uint8_t c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

static void add_ip(struct mail_received *r, const char *ip, int af,
		   const uint8_t bin[16], int seen_af[], uint8_t seen[][16])
{
	size_t len = af == AF_INET ? 4 : 16;

	for (uint32_t k = 0; k < r->nips; k++)
		if (seen_af[k] == af && memcmp(seen[k], bin, len) == 0)
			return;
	if (r->nips == MAIL_RCVD_IPS_MAX) {
		r->flags |= MAIL_RCVD_F_TRUNCATED;
		return;
	}
	seen_af[r->nips] = af;
	memcpy(seen[r->nips], bin, len);
	copy(r->ips[r->nips], sizeof(r->ips[0]), (const uint8_t *)ip,
	     strlen(ip), &r->flags);
	r->nips++;
}

/* Every IPv4 / IPv6 address standing alone in the field: a run of hex
 * digits, ':' and '.', not part of a longer name, after "IPv6:" or not,
 * "ip:port" read as ip. */
static void scan_ips(struct mail_received *r, const uint8_t *s, size_t n)
{
	int seen_af[MAIL_RCVD_IPS_MAX];
	uint8_t seen[MAIL_RCVD_IPS_MAX][16];
	size_t i = 0;

	while (i < n) {
		size_t b, e;
		uint8_t bin[16];
		char ip[64];
		int af;

		if (!ip_byte(s[i])) {
			i++;
			continue;
		}
		b = i;
		while (i < n && ip_byte(s[i]))
			i++;
		e = i;
		if (e - b > 2 && s[b] == '6' && s[b + 1] == ':' && b >= 3 &&
		    eq_ci(s + b - 3, 3, "ipv"))
			b += 2;
		else if (b > 0 && name_byte(s[b - 1]))
			continue;
		if (e < n && name_byte(s[e]))
			continue;
		while (e > b && s[e - 1] == '.')
			e--;
		if (ip_text(s + b, e - b, ip, &af, bin)) {
			add_ip(r, ip, af, bin, seen_af, seen);
		} else {
			const uint8_t *colon = memchr(s + b, ':', e - b);

			if (colon && memchr(s + b, '.', e - b) &&
			    ip_text(s + b, (size_t)(colon - (s + b)), ip, &af,
				    bin) &&
			    af == AF_INET)
				add_ip(r, ip, af, bin, seen_af, seen);
		}
	}
}

void mail_received_parse(struct mail_received *r, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t semi;

	memset(r, 0, sizeof(*r));
	if (!s)
		n = 0;
	semi = date_semicolon(p, n);
	clauses(r, p, semi == SIZE_MAX ? n : semi);
	if (semi == SIZE_MAX) {
		r->flags |= MAIL_RCVD_F_NO_DATE;
	} else {
		r->have_date = mail_date_parse(s + semi + 1, n - semi - 1,
					       &r->date, &r->tz_minutes,
					       &r->date_flags);
		if (!r->have_date)
			r->flags |= MAIL_RCVD_F_BAD_DATE;
	}
	scan_ips(r, p, n);
}

const char *mail_received_flag_name(uint32_t bit)
{
	switch (bit) {
	case MAIL_RCVD_F_NO_FROM: return "no_from";
	case MAIL_RCVD_F_NO_BY: return "no_by";
	case MAIL_RCVD_F_NO_DATE: return "no_date";
	case MAIL_RCVD_F_BAD_DATE: return "bad_date";
	case MAIL_RCVD_F_UNPARSED: return "unparsed";
	case MAIL_RCVD_F_TRUNCATED: return "truncated";
	case MAIL_RCVD_F_REPEATED: return "repeated_clause";
	case MAIL_RCVD_F_UNBALANCED: return "unbalanced";
	default: return NULL;
	}
}
