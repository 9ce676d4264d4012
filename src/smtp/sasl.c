/*
 * SASL exchange decoder; see sasl.h for what it records and why.
 *
 * Every message goes the same way: count it, check the caps, decode the
 * base64 into a scratch buffer on this stack frame, hand it to the
 * mechanism's handler, wipe the scratch. Handlers read the scratch with
 * explicit bounds (struct cursor for the binary NTLM layout) and copy out
 * identities only, through struct tb, which bounds and flags every copy.
 *
 * Position in the exchange is counted per side (priv.cdata / priv.sdata)
 * rather than guessed from the content, so a server prompt or a client
 * message in the wrong place is flagged, never trusted to say where a
 * password is.
 */
#include "smtp/sasl.h"

#include <string.h>

#include "core/b64.h"
#include "core/cursor.h"
#include "core/log.h"
#include "smtp/command.h"

#define SASL_SCRATCH_MAX (SASL_LINE_MAX / 4 * 3)

/* NTLM negotiate flags we read (MS-NLMP 2.2.2.5). */
#define NTLM_UNICODE 0x00000001u
#define NTLM_OEM_DOMAIN_SUPPLIED 0x00001000u
#define NTLM_OEM_WORKSTATION_SUPPLIED 0x00002000u
#define NTLM_TARGET_INFO 0x00800000u

/* priv.stage bits for NTLM: which message types were seen. */
#define NTLM_SEEN1 1u
#define NTLM_SEEN2 2u
#define NTLM_SEEN3 4u

static void flag(struct sasl_state *st, uint32_t a)
{
	st->anomalies |= a;
	st->priv.raised |= a;
}

static void count(uint32_t *c)
{
	if (*c != UINT32_MAX)
		(*c)++;
}

static const uint8_t *find_byte(const uint8_t *p, size_t n, uint8_t c)
{
	return n ? memchr(p, c, n) : NULL;
}

/* ---- bounded text fields ------------------------------------------- */

/* A field being written: at most cap bytes, then NUL. */
struct tb {
	struct sasl_state *st;
	char *s;
	uint16_t *len;
	size_t cap;
	uint32_t trunc_flag;
	bool trunc;
};

static void tb_open(struct tb *t, struct sasl_state *st, char *s,
		    uint16_t *len, size_t cap, uint32_t trunc_flag)
{
	t->st = st;
	t->s = s;
	t->len = len;
	t->cap = cap;
	t->trunc_flag = trunc_flag;
	t->trunc = false;
	memset(s, 0, cap + 1);
	*len = 0;
}

/* Once a field was cut, nothing more goes in: a shorter piece that
 * would still fit must not land after the hole. */
static void tb_putn(struct tb *t, const void *p, size_t n)
{
	size_t room = t->cap - *t->len;

	SS_ASSERT(*t->len <= t->cap);
	if (t->trunc)
		return;
	if (n > room) {
		n = room;
		t->trunc = true;
	}
	if (n > 0)
		memcpy(t->s + *t->len, p, n);
	*t->len = (uint16_t)(*t->len + n);
}

static void tb_put(struct tb *t, uint8_t c)
{
	tb_putn(t, &c, 1);
}

/* One code point as UTF-8, all or nothing. */
static void tb_put_cp(struct tb *t, uint32_t cp)
{
	uint8_t u[4];
	size_t k;

	if (cp < 0x80) {
		u[0] = (uint8_t)cp;
		k = 1;
	} else if (cp < 0x800) {
		u[0] = (uint8_t)(0xc0 | (cp >> 6));
		u[1] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		u[0] = (uint8_t)(0xe0 | (cp >> 12));
		u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		u[0] = (uint8_t)(0xf0 | (cp >> 18));
		u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (!t->trunc && k > t->cap - *t->len) {
		t->trunc = true;
		return;
	}
	tb_putn(t, u, k);
}

/*
 * Close the field. A cut that split a UTF-8 sequence drops the partial
 * sequence too, so the truncated name is still text where it was.
 */
static void tb_close(struct tb *t)
{
	size_t n = *t->len, i = n, need;
	unsigned char lead;

	if (t->trunc) {
		while (i > 0 && n - i < 3 &&
		       ((unsigned char)t->s[i - 1] & 0xc0) == 0x80)
			i--;
		if (i > 0) {
			lead = (unsigned char)t->s[i - 1];
			need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3
			     : lead >= 0xc0 ? 2 : 1;
			if (lead >= 0xc0 && n - (i - 1) < need) {
				memset(t->s + i - 1, 0, n - (i - 1));
				*t->len = (uint16_t)(i - 1);
			}
		}
		flag(t->st, t->trunc_flag);
	}
	t->s[*t->len] = '\0';
}

/* Drop what went into the field (it may hold a secret): empty, not cut. */
static void tb_discard(struct tb *t)
{
	explicit_bzero(t->s, t->cap + 1);
	*t->len = 0;
	t->trunc = false;
}

static void tb_user(struct tb *t, struct sasl_state *st)
{
	tb_open(t, st, st->user, &st->user_len, SASL_USER_MAX,
		SASL_A_USER_TRUNCATED);
}

static void tb_authzid(struct tb *t, struct sasl_state *st)
{
	tb_open(t, st, st->authzid, &st->authzid_len, SASL_USER_MAX,
		SASL_A_AUTHZID_TRUNCATED);
}

static void set_user(struct sasl_state *st, const uint8_t *p, size_t n)
{
	struct tb t;

	tb_user(&t, st);
	tb_putn(&t, p, n);
	tb_close(&t);
	st->have_user = true;
}

static void set_authzid(struct sasl_state *st, const uint8_t *p, size_t n)
{
	struct tb t;

	tb_authzid(&t, st);
	tb_putn(&t, p, n);
	tb_close(&t);
}

/* Keep the authzid only when it says something the user does not. */
static void drop_same_authzid(struct sasl_state *st)
{
	if (st->authzid_len == st->user_len &&
	    memcmp(st->authzid, st->user, st->user_len) == 0) {
		memset(st->authzid, 0, sizeof(st->authzid));
		st->authzid_len = 0;
	}
}

/* ---- base64 (RFC 4648 section 4, strict) ---------------------------- */

/*
 * Decode in[0..n) into out (room for n / 4 * 3 + 2 bytes). The whole
 * input is checked before anything is written. false: not base64
 * (a character outside the alphabet, '=' other than as final padding,
 * a length no encoder produces). *lax: decoded, but an encoder following
 * RFC 4648 would not have written it so: padding missing, non-zero pad
 * bits, or blanks after the text.
 */
static bool b64_decode(const char *in, size_t n, uint8_t *out,
		       size_t *outlen, bool *lax)
{
	size_t i, o = 0, pad = 0, rem;
	uint32_t acc = 0;
	int v = 0;

	*outlen = 0;
	*lax = false;
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t')) {
		n--;
		*lax = true;
	}
	while (pad < 2 && n > 0 && in[n - 1] == '=') {
		n--;
		pad++;
	}
	for (i = 0; i < n; i++)
		if (b64_digit((unsigned char)in[i]) < 0)
			return false;
	rem = n % 4;
	if (rem == 1 || (pad > 0 && pad != 4 - rem) ||
	    (rem == 0 && pad > 0))
		return false;
	if (rem != 0 && pad == 0)
		*lax = true;
	for (i = 0; i < n; i++) {
		v = b64_digit((unsigned char)in[i]);
		acc = (acc << 6) | (uint32_t)v;
		if (i % 4 == 3) {
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	if (rem == 2) {
		out[o++] = (uint8_t)(acc >> 4);
		if (v & 0x0f)
			*lax = true;
	} else if (rem == 3) {
		out[o++] = (uint8_t)(acc >> 10);
		out[o++] = (uint8_t)(acc >> 2);
		if (v & 0x03)
			*lax = true;
	}
	acc = 0;
	*outlen = o;
	return true;
}

/* ---- one message as the mechanisms see it --------------------------- */

struct msg {
	const uint8_t *p; /* decoded bytes (the scratch buffer) */
	size_t n;
	bool ok;          /* false: present, but its content is unknown */
	bool client;
	uint32_t idx;     /* 0-based among this side's examined messages */
};

/* PLAIN (RFC 4616): [authzid] NUL authcid NUL passwd, one message. */
static void mech_plain(struct sasl_state *st, const struct msg *m)
{
	const uint8_t *a, *b, *end;

	if (!m->client) {
		if (st->priv.cdata > 0 || m->idx > 0 || (m->ok && m->n > 0))
			flag(st, SASL_A_UNEXPECTED);
		return;
	}
	if (m->idx > 0) {
		flag(st, SASL_A_UNEXPECTED);
		return;
	}
	if (!m->ok) {
		st->secrets |= SASL_SECRET_CLEARTEXT;
		return;
	}
	end = m->p + m->n;
	a = find_byte(m->p, m->n, 0);
	b = a ? find_byte(a + 1, (size_t)(end - (a + 1)), 0) : NULL;
	if (!b) {
		/* One NUL or none: which part is the user is a guess, and a
		 * wrong guess would keep a password. Keep nothing. */
		flag(st, SASL_A_MALFORMED);
		if (m->n > 0)
			st->secrets |= SASL_SECRET_CLEARTEXT;
		return;
	}
	if (b == a + 1 || b + 1 == end || find_byte(b + 1,
	    (size_t)(end - (b + 1)), 0))
		flag(st, SASL_A_MALFORMED);
	if (b + 1 == end && a > m->p) {
		/* "x\0y\0": more likely user NUL password NUL than an
		 * authzid and an empty password. Keep nothing. */
		st->secrets |= SASL_SECRET_CLEARTEXT;
		return;
	}
	if (b + 1 < end)
		st->secrets |= SASL_SECRET_CLEARTEXT;
	set_user(st, a + 1, (size_t)(b - (a + 1)));
	set_authzid(st, m->p, (size_t)(a - m->p));
	drop_same_authzid(st);
}

/*
 * LOGIN (draft-murchison-sasl-login): the first client message is the
 * user, the second the password. The prompts ("Username:", "Password:")
 * vary by server, so the order decides; a prompt that asks for the
 * password where the user was due makes the next message a password
 * (never kept), and any disagreement is flagged.
 */
static void mech_login(struct sasl_state *st, const struct msg *m)
{
	if (!m->client) {
		uint32_t c = st->priv.cdata;

		if (c >= 2) {
			flag(st, SASL_A_UNEXPECTED);
			return;
		}
		if (!m->ok)
			return;
		if (smtp_ascii_prefix(m->p, m->n, "pass") && c == 0 &&
		    !st->priv.login_pass_next) {
			st->priv.login_pass_next = true;
			flag(st, SASL_A_LOGIN_PROMPT);
		} else if ((smtp_ascii_prefix(m->p, m->n, "user") ||
			    smtp_ascii_prefix(m->p, m->n, "login")) &&
			   (c == 1 || st->priv.login_pass_next)) {
			flag(st, SASL_A_LOGIN_PROMPT);
		}
		return;
	}
	if (m->idx >= 2 || (m->idx == 1 && st->priv.login_pass_next)) {
		flag(st, SASL_A_UNEXPECTED);
		return;
	}
	if (m->idx == 0 && !st->priv.login_pass_next) {
		if (m->ok)
			set_user(st, m->p, m->n);
		return;
	}
	if (!m->ok || m->n > 0)
		st->secrets |= SASL_SECRET_CLEARTEXT;
}

static bool is_hex(const uint8_t *p, size_t n, bool lower_only)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		      (p[i] >= 'a' && p[i] <= 'f') ||
		      (!lower_only && p[i] >= 'A' && p[i] <= 'F')))
			return false;
	return true;
}

/*
 * CRAM-MD5 (RFC 2195): challenge, then "user hexdigest". The user name
 * may hold spaces; the digest cannot: split at the last space. A tail
 * that is not 32 hex digits means the message is something else (a
 * password typed into the wrong place?), so no part of it is kept.
 */
static void mech_cram(struct sasl_state *st, const struct msg *m)
{
	size_t sp;

	if (!m->client) {
		if (m->idx > 0 || st->priv.cdata > 0)
			flag(st, SASL_A_UNEXPECTED);
		else if (m->ok && m->n == 0)
			flag(st, SASL_A_MALFORMED);
		return;
	}
	if (m->idx > 0) {
		flag(st, SASL_A_UNEXPECTED);
		return;
	}
	if (st->priv.sdata == 0)
		flag(st, SASL_A_UNEXPECTED); /* a response with no challenge */
	if (!m->ok) {
		st->secrets |= SASL_SECRET_CHALLENGE;
		return;
	}
	if (m->n > 0)
		st->secrets |= SASL_SECRET_CHALLENGE;
	for (sp = m->n; sp > 0 && m->p[sp - 1] != ' '; sp--)
		;
	if (sp == 0 || m->n - sp != 32 || !is_hex(m->p + sp, 32, false)) {
		flag(st, SASL_A_MALFORMED);
		return;
	}
	if (sp == 1 || !is_hex(m->p + sp, 32, true))
		flag(st, SASL_A_MALFORMED);
	set_user(st, m->p, sp - 1);
}

/* ---- DIGEST-MD5 (RFC 2831) ------------------------------------------ */

static bool is_lws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * One directive's value at *c: a quoted-string (backslash quotes any
 * character) or a token. Written to t when t is not NULL. false when the
 * quoted-string is not closed.
 */
static bool digest_value(struct cursor *c, struct tb *t)
{
	if (cursor_has(c, 1) && c->p[0] == '"') {
		cursor_skip(c, 1);
		while (cursor_has(c, 1)) {
			uint8_t ch = cursor_u8(c);

			if (ch == '"')
				return true;
			if (ch == '\\') {
				if (!cursor_has(c, 1))
					return false;
				ch = cursor_u8(c);
			}
			if (t)
				tb_put(t, ch);
		}
		return false;
	}
	while (cursor_has(c, 1) && c->p[0] != ',' && !is_lws(c->p[0])) {
		uint8_t ch = cursor_u8(c);

		if (t)
			tb_put(t, ch);
	}
	return true;
}

/* A directive's name (kn bytes: at most a message) is want, any case. */
static bool key_is(const uint8_t *k, size_t kn, const char *want)
{
	return smtp_ascii_eq(k, (uint32_t)kn, want, (uint32_t)strlen(want));
}

/* true the first time, for keys that may occur once. */
static bool first_time(bool *seen)
{
	bool was = *seen;

	*seen = true;
	return !was;
}

static void digest_response(struct sasl_state *st, const uint8_t *p,
			    size_t n)
{
	struct cursor c = cursor_make(p, n);
	bool user = false, authz = false, realm = false, resp = false;
	bool bad = false;

	for (;;) {
		const uint8_t *k;
		size_t kn = 0;
		struct tb t, *tp = NULL;
		bool is_user = false, ok;

		while (cursor_has(&c, 1) && (c.p[0] == ',' || is_lws(c.p[0])))
			cursor_skip(&c, 1);
		if (!cursor_has(&c, 1))
			break;
		k = c.p;
		while (cursor_has(&c, 1) && c.p[0] != '=' && c.p[0] != ',' &&
		       !is_lws(c.p[0])) {
			cursor_skip(&c, 1);
			kn++;
		}
		while (cursor_has(&c, 1) && is_lws(c.p[0]))
			cursor_skip(&c, 1);
		if (!cursor_has(&c, 1) || c.p[0] != '=') {
			bad = true;
			break;
		}
		cursor_skip(&c, 1);
		while (cursor_has(&c, 1) && is_lws(c.p[0]))
			cursor_skip(&c, 1);
		/* username, realm, authzid and response occur at most once
		 * (RFC 2831 section 2.1.2); a repeat is not read. */
		if (kn == 0) {
			bad = true;
		} else if (key_is(k, kn, "username")) {
			if (first_time(&user)) {
				tp = &t;
				tb_user(tp, st);
				is_user = true;
			} else {
				bad = true;
			}
		} else if (key_is(k, kn, "authzid")) {
			if (first_time(&authz)) {
				tp = &t;
				tb_authzid(tp, st);
			} else {
				bad = true;
			}
		} else if (key_is(k, kn, "realm")) {
			if (first_time(&realm)) {
				tp = &t;
				tb_open(tp, st, st->realm, &st->realm_len,
					SASL_TEXT_MAX, SASL_A_TEXT_TRUNCATED);
			} else {
				bad = true;
			}
		} else if (key_is(k, kn, "response")) {
			if (!first_time(&resp))
				bad = true;
		}
		/* false: an open quote ran to the end of the message and may
		 * have swallowed the response: keep none of it. */
		ok = digest_value(&c, tp);
		if (tp && ok)
			tb_close(tp);
		else if (tp)
			tb_discard(tp);
		if (ok && is_user)
			st->have_user = true;
		if (!ok)
			bad = true;
		if (bad)
			break;
	}
	if (resp)
		st->secrets |= SASL_SECRET_CHALLENGE;
	if (bad || !user || !resp)
		flag(st, SASL_A_MALFORMED);
	drop_same_authzid(st);
}

/* Challenge, response, rspauth, empty response. A client with a cached
 * session may open with the response (RFC 2831 section 2.2). */
static void mech_digest(struct sasl_state *st, const struct msg *m)
{
	if (!m->client) {
		if (m->idx > 1)
			flag(st, SASL_A_UNEXPECTED);
		return;
	}
	if (m->idx == 0) {
		if (m->ok)
			digest_response(st, m->p, m->n);
		else
			st->secrets |= SASL_SECRET_CHALLENGE;
	} else if (m->idx > 1 || !m->ok || m->n > 0) {
		flag(st, SASL_A_UNEXPECTED);
	}
}

/* ---- NTLM (MS-NLMP) ------------------------------------------------- */

/*
 * The security buffer (u16 len, u16 maxlen, u32 offset) at byte `at` of
 * the message, checked to lie inside it. An empty buffer's offset is not
 * looked at (implementations leave anything there).
 */
static bool ntlm_buf(const uint8_t *p, size_t n, size_t at,
		     const uint8_t **bp, size_t *blen)
{
	struct cursor c = cursor_make(p, n);
	uint16_t len;
	uint32_t off;

	*bp = NULL;
	*blen = 0;
	cursor_skip(&c, at);
	len = cursor_le16(&c);
	cursor_skip(&c, 2);
	off = cursor_le32(&c);
	if (c.bad)
		return false;
	if (len == 0)
		return true;
	if (len > n || off > n - len)
		return false;
	*bp = p + off;
	*blen = len;
	return true;
}

/* A name from the wire: UTF-16LE (converted to UTF-8) or OEM bytes. */
static void ntlm_text(struct tb *t, const uint8_t *p, size_t n,
		      bool unicode)
{
	size_t i;

	if (!unicode) {
		tb_putn(t, p, n);
		return;
	}
	if (n % 2)
		flag(t->st, SASL_A_BAD_TEXT);
	for (i = 0; i + 1 < n; i += 2) {
		uint32_t u = (uint32_t)(p[i] | (p[i + 1] << 8));

		if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
			uint32_t lo = (uint32_t)(p[i + 2] | (p[i + 3] << 8));

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				tb_put_cp(t, 0x10000 + ((u - 0xd800) << 10) +
						     (lo - 0xdc00));
				i += 2;
				continue;
			}
		}
		if (u >= 0xd800 && u <= 0xdfff) {
			flag(t->st, SASL_A_BAD_TEXT);
			u = 0xfffd;
		}
		tb_put_cp(t, u);
	}
}

static void ntlm_field(struct sasl_state *st, char *s, uint16_t *len,
		       const uint8_t *p, size_t n, bool unicode)
{
	struct tb t;

	tb_open(&t, st, s, len, SASL_TEXT_MAX, SASL_A_TEXT_TRUNCATED);
	ntlm_text(&t, p, n, unicode);
	tb_close(&t);
}

/* Type 1, NEGOTIATE: flags; OEM domain and workstation if supplied. */
static void ntlm_negotiate(struct sasl_state *st, const uint8_t *p, size_t n)
{
	struct cursor c = cursor_make(p, n);
	const uint8_t *bp;
	size_t bl;
	uint32_t flags;

	cursor_skip(&c, 12);
	flags = cursor_le32(&c);
	if (c.bad) {
		flag(st, SASL_A_MALFORMED);
		return;
	}
	st->priv.ntlm_flags = flags;
	if (!(flags & (NTLM_OEM_DOMAIN_SUPPLIED |
		       NTLM_OEM_WORKSTATION_SUPPLIED)))
		return;
	if (flags & NTLM_OEM_DOMAIN_SUPPLIED) {
		if (ntlm_buf(p, n, 16, &bp, &bl))
			ntlm_field(st, st->realm, &st->realm_len, bp, bl,
				   false);
		else
			flag(st, SASL_A_MALFORMED);
	}
	if (flags & NTLM_OEM_WORKSTATION_SUPPLIED) {
		if (ntlm_buf(p, n, 24, &bp, &bl))
			ntlm_field(st, st->workstation, &st->workstation_len,
				   bp, bl, false);
		else
			flag(st, SASL_A_MALFORMED);
	}
}

/* Type 2, CHALLENGE: the names the server gives away. */
static void ntlm_challenge(struct sasl_state *st, const uint8_t *p, size_t n)
{
	struct sasl_ntlm_server *sv = &st->ntlm;
	struct cursor c = cursor_make(p, n);
	const uint8_t *bp;
	size_t bl;
	uint32_t flags;
	bool eol = false, ti_flag, long_header;

	cursor_skip(&c, 20);
	flags = cursor_le32(&c);
	cursor_skip(&c, 8); /* server challenge */
	if (c.bad) {
		flag(st, SASL_A_MALFORMED);
		return;
	}
	st->priv.ntlm_flags = flags;
	ti_flag = (flags & NTLM_TARGET_INFO) != 0;
	if (!ntlm_buf(p, n, 12, &bp, &bl)) {
		flag(st, SASL_A_MALFORMED);
		long_header = false;
	} else {
		long_header = bl == 0 || bp - p >= 48;
		if (bl > 0) {
			ntlm_field(st, sv->target, &sv->target_len, bp, bl,
				   (flags & NTLM_UNICODE) != 0);
			st->notes |= SASL_N_SERVER_INFO;
		}
	}
	/*
	 * The target info field (bytes 40..47) came later than the 32-byte
	 * header; some servers send it without setting its flag (curl's
	 * test server does), so it is read whenever the header is long
	 * enough to hold it, but only called malformed when flagged.
	 */
	if (n < 48 || !(ti_flag || long_header))
		return;
	if (!ntlm_buf(p, n, 40, &bp, &bl)) {
		if (ti_flag)
			flag(st, SASL_A_MALFORMED);
		return;
	}
	c = cursor_make(bp, bl);
	while (cursor_has(&c, 4)) {
		uint16_t id = cursor_le16(&c), len = cursor_le16(&c);
		const uint8_t *v = cursor_take(&c, len);
		char *s = NULL;
		uint16_t *sl = NULL;

		if (!v)
			break;
		if (id == 0) { /* MsvAvEOL */
			eol = true;
			break;
		}
		switch (id) {
		case 1: s = sv->nb_computer; sl = &sv->nb_computer_len; break;
		case 2: s = sv->nb_domain; sl = &sv->nb_domain_len; break;
		case 3: s = sv->dns_computer; sl = &sv->dns_computer_len; break;
		case 4: s = sv->dns_domain; sl = &sv->dns_domain_len; break;
		default: break;
		}
		if (s && len > 0) {
			ntlm_field(st, s, sl, v, len, true);
			st->notes |= SASL_N_SERVER_INFO;
		}
	}
	if (bl > 0 && !eol && ti_flag)
		flag(st, SASL_A_MALFORMED);
}

/*
 * Type 3, AUTHENTICATE: LM@12 NT@20 Domain@28 User@36 Workstation@44
 * SessionKey@52 Flags@60. The flags field exists only when the payload
 * starts after it (early implementations end the header at 52); when it
 * does not, the flags negotiated in type 2 (or 1) say the encoding.
 */
enum { T3_LM, T3_NT, T3_DOM, T3_USER, T3_WS, T3_BUFS };

static void ntlm_authenticate(struct sasl_state *st, const uint8_t *p,
			      size_t n)
{
	static const size_t at[T3_BUFS] = {12, 20, 28, 36, 44};
	const uint8_t *b[T3_BUFS];
	size_t bl[T3_BUFS], min_off = n, i;
	bool ok[T3_BUFS], all_ok = true, unicode;
	uint32_t flags = st->priv.ntlm_flags;
	struct tb t;

	if (n < 52) {
		flag(st, SASL_A_MALFORMED);
		st->secrets |= SASL_SECRET_CHALLENGE;
		return;
	}
	for (i = 0; i < T3_BUFS; i++) {
		ok[i] = ntlm_buf(p, n, at[i], &b[i], &bl[i]);
		all_ok = all_ok && ok[i];
		if (b[i] && (size_t)(b[i] - p) < min_off)
			min_off = (size_t)(b[i] - p);
	}
	if (!all_ok)
		flag(st, SASL_A_MALFORMED);
	if (n >= 64 && min_off >= 64) {
		struct cursor c = cursor_make(p + 60, 4);

		flags = cursor_le32(&c);
	}
	unicode = (flags & NTLM_UNICODE) != 0;

	if (bl[T3_NT] == 24)
		st->notes |= SASL_N_NTLM_V1;
	if (bl[T3_NT] > 0 || bl[T3_LM] > 1 || !ok[T3_LM] || !ok[T3_NT])
		st->secrets |= SASL_SECRET_CHALLENGE;
	else if (bl[T3_USER] == 0)
		st->notes |= SASL_N_NTLM_ANONYMOUS;
	if (ok[T3_DOM])
		ntlm_field(st, st->realm, &st->realm_len, b[T3_DOM],
			   bl[T3_DOM], unicode);
	if (ok[T3_WS] && bl[T3_WS] > 0)
		ntlm_field(st, st->workstation, &st->workstation_len,
			   b[T3_WS], bl[T3_WS], unicode);
	if (!ok[T3_USER] || bl[T3_USER] == 0)
		return;
	tb_user(&t, st);
	if (ok[T3_DOM] && bl[T3_DOM] > 0) {
		ntlm_text(&t, b[T3_DOM], bl[T3_DOM], unicode);
		tb_put(&t, '\\');
	}
	ntlm_text(&t, b[T3_USER], bl[T3_USER], unicode);
	tb_close(&t);
	st->have_user = true;
}

static void mech_ntlm(struct sasl_state *st, const struct msg *m)
{
	struct cursor c = cursor_make(m->p, m->n);
	const uint8_t *sig;
	uint32_t type;

	if (!m->ok) {
		if (m->client && m->idx > 0)
			st->secrets |= SASL_SECRET_CHALLENGE;
		return;
	}
	if (m->n == 0) {
		/* The server may open with an empty 334; nothing else is
		 * empty in NTLM. */
		if (m->client || m->idx > 0 || st->priv.cdata > 0)
			flag(st, SASL_A_MALFORMED);
		return;
	}
	sig = cursor_take(&c, 8);
	type = cursor_le32(&c);
	if (!sig || c.bad || memcmp(sig, "NTLMSSP", 8) != 0) {
		flag(st, SASL_A_MALFORMED);
		return;
	}
	if (m->client && type == 1) {
		if (st->priv.stage & (NTLM_SEEN1 | NTLM_SEEN3))
			flag(st, SASL_A_UNEXPECTED);
		st->priv.stage |= NTLM_SEEN1;
		ntlm_negotiate(st, m->p, m->n);
	} else if (!m->client && type == 2) {
		if ((st->priv.stage & (NTLM_SEEN2 | NTLM_SEEN3)) ||
		    !(st->priv.stage & NTLM_SEEN1))
			flag(st, SASL_A_UNEXPECTED);
		st->priv.stage |= NTLM_SEEN2;
		ntlm_challenge(st, m->p, m->n);
	} else if (m->client && type == 3) {
		if ((st->priv.stage & NTLM_SEEN3) ||
		    !(st->priv.stage & NTLM_SEEN2))
			flag(st, SASL_A_UNEXPECTED);
		st->priv.stage |= NTLM_SEEN3;
		ntlm_authenticate(st, m->p, m->n);
	} else {
		flag(st, SASL_A_MALFORMED);
	}
}

/* ---- the OAuth mechanisms ------------------------------------------- */

/*
 * "key=value" pairs separated by 0x01, ending with an empty pair: the
 * shape of both XOAUTH2 and OAUTHBEARER's client message after its gs2
 * header. The user= value goes to the user when want_user. true when
 * the end (0x01 0x01, or 0x01 at the start of the remainder) was found.
 */
static bool oauth_pairs(struct sasl_state *st, const uint8_t *p, size_t n,
			bool want_user, bool *auth, bool *user)
{
	const uint8_t *end = p + n;

	*auth = false;
	*user = false;
	while (p < end) {
		const uint8_t *sep = find_byte(p, (size_t)(end - p), 0x01);
		size_t fl = sep ? (size_t)(sep - p) : (size_t)(end - p);

		if (fl == 0) /* the empty pair: the end */
			return sep + 1 == end;
		if (smtp_ascii_prefix(p, fl, "auth=")) {
			if (*auth)
				flag(st, SASL_A_MALFORMED);
			*auth = true;
			if (fl == 5 ||
			    !smtp_ascii_prefix(p + 5, fl - 5, "bearer "))
				flag(st, SASL_A_MALFORMED);
			if (fl > 5)
				st->secrets |= SASL_SECRET_BEARER;
		} else if (want_user && smtp_ascii_prefix(p, fl, "user=")) {
			if (*user)
				flag(st, SASL_A_MALFORMED);
			else
				set_user(st, p + 5, fl - 5);
			*user = true;
		}
		if (!sep) /* the last pair was not closed by 0x01 */
			return false;
		p = sep + 1;
	}
	return false;
}

/* Server side of the bearer-token mechanisms (XOAUTH2, OAUTHBEARER):
 * an empty first challenge, or one JSON error after the token. */
static void bearer_server(struct sasl_state *st, const struct msg *m)
{
	if (st->priv.cdata == 0 && m->idx == 0 && m->ok && m->n == 0)
		return;
	if (st->priv.cdata == 1 && st->priv.stage == 0) {
		st->notes |= SASL_N_SERVER_ERROR;
		st->priv.stage = 1;
		return;
	}
	flag(st, SASL_A_UNEXPECTED);
}

/* XOAUTH2: "user=" U ^A "auth=Bearer " T ^A ^A. On a bad token the
 * server sends a JSON error in a 334 and the client an empty line. */
static void mech_xoauth2(struct sasl_state *st, const struct msg *m)
{
	bool auth, user;

	if (!m->client) {
		bearer_server(st, m);
		return;
	}
	if (m->idx == 0) {
		if (!m->ok) {
			st->secrets |= SASL_SECRET_BEARER;
			return;
		}
		if (!oauth_pairs(st, m->p, m->n, true, &auth, &user) ||
		    !auth || !user)
			flag(st, SASL_A_MALFORMED);
		return;
	}
	if (m->idx > 1 || st->priv.stage != 1 || !m->ok || m->n > 0)
		flag(st, SASL_A_UNEXPECTED);
}

/*
 * saslname (RFC 5802 section 5.1): ',' and '=' travel as =2C and =3D;
 * any other '=' is malformed (kept as is, so nothing is lost).
 */
static void saslname(struct sasl_state *st, struct tb *t, const uint8_t *p,
		     size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != '=') {
			tb_put(t, p[i]);
		} else if (n - i >= 3 && p[i + 1] == '2' && p[i + 2] == 'C') {
			tb_put(t, ',');
			i += 2;
		} else if (n - i >= 3 && p[i + 1] == '3' && p[i + 2] == 'D') {
			tb_put(t, '=');
			i += 2;
		} else {
			flag(st, SASL_A_MALFORMED);
			tb_put(t, '=');
		}
	}
}

/*
 * gs2-header = ("n" / "y" / "p=" cb-name) "," ["a=" saslname] ","
 * (RFC 5801). The a= value goes to *dst (the user for OAUTHBEARER, the
 * authzid for SCRAM). Returns the header's length, 0 if malformed.
 */
static size_t gs2_header(struct sasl_state *st, const uint8_t *p, size_t n,
			 bool to_user, char *cbflag)
{
	const uint8_t *c1, *c2, *end = p + n;
	struct tb t;

	*cbflag = 0;
	c1 = find_byte(p, n, ',');
	if (!c1)
		return 0;
	if (c1 - p == 1 && (p[0] == 'n' || p[0] == 'y'))
		*cbflag = (char)p[0];
	else if (c1 - p > 2 && p[0] == 'p' && p[1] == '=')
		*cbflag = 'p';
	else
		return 0;
	c2 = find_byte(c1 + 1, (size_t)(end - (c1 + 1)), ',');
	if (!c2)
		return 0;
	if (c2 > c1 + 1) {
		if (c2 - c1 < 3 || c1[1] != 'a' || c1[2] != '=')
			return 0;
		if (to_user) {
			tb_user(&t, st);
			st->have_user = true;
		} else {
			tb_authzid(&t, st);
		}
		saslname(st, &t, c1 + 3, (size_t)(c2 - (c1 + 3)));
		tb_close(&t);
	}
	return (size_t)(c2 + 1 - p);
}

/* OAUTHBEARER (RFC 7628): gs2 header, ^A, pairs, ^A. On failure the
 * server sends a JSON error and the client a lone ^A. */
static void mech_oauthbearer(struct sasl_state *st, const struct msg *m)
{
	bool auth, user;
	size_t h;
	char cb;

	if (!m->client) {
		bearer_server(st, m);
		return;
	}
	if (m->idx == 0) {
		if (!m->ok) {
			st->secrets |= SASL_SECRET_BEARER;
			return;
		}
		h = gs2_header(st, m->p, m->n, true, &cb);
		if (h == 0 || cb == 'p' || h >= m->n || m->p[h] != 0x01) {
			flag(st, SASL_A_MALFORMED);
			/* still look for the token, to say one was sent */
			if (find_byte(m->p, m->n, 0x01))
				h = (size_t)(find_byte(m->p, m->n, 0x01) -
					     m->p);
			else
				return;
		}
		if (!oauth_pairs(st, m->p + h + 1, m->n - h - 1, false, &auth,
				 &user) || !auth)
			flag(st, SASL_A_MALFORMED);
		return;
	}
	if (m->idx > 1 || st->priv.stage != 1 || !m->ok || m->n != 1 ||
	    m->p[0] != 0x01)
		flag(st, SASL_A_UNEXPECTED);
}

/* ---- SCRAM (RFC 5802, RFC 7677) ------------------------------------- */

/* Is there an attribute "<a>=" in the comma list p[0..n)? */
static bool scram_has_attr(const uint8_t *p, size_t n, uint8_t a)
{
	const uint8_t *end = p + n;

	while (p < end) {
		const uint8_t *comma = find_byte(p, (size_t)(end - p), ',');
		size_t fl = comma ? (size_t)(comma - p) : (size_t)(end - p);

		if (fl >= 2 && p[0] == a && p[1] == '=')
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}

static void scram_client_first(struct sasl_state *st, const uint8_t *p,
			       size_t n)
{
	size_t h, nl, mn = strlen(st->mech_name);
	const uint8_t *bare, *comma, *end = p + n;
	bool plus = mn > 5 && memcmp(st->mech_name + mn - 5, "-PLUS", 5) == 0;
	struct tb t;
	char cb;

	h = gs2_header(st, p, n, false, &cb);
	if (h == 0) {
		flag(st, SASL_A_MALFORMED);
		return;
	}
	if (cb == 'p')
		st->notes |= SASL_N_CHANNEL_BINDING;
	if ((cb == 'p') != plus)
		flag(st, SASL_A_MALFORMED);
	bare = p + h;
	if (end - bare >= 2 && bare[0] == 'm' && bare[1] == '=') {
		/* reserved-mext: a client MUST NOT send it */
		flag(st, SASL_A_MALFORMED);
		comma = find_byte(bare, (size_t)(end - bare), ',');
		bare = comma ? comma + 1 : end;
	}
	if (end - bare < 2 || bare[0] != 'n' || bare[1] != '=') {
		flag(st, SASL_A_MALFORMED);
		return;
	}
	comma = find_byte(bare, (size_t)(end - bare), ',');
	nl = (comma ? (size_t)(comma - bare) : (size_t)(end - bare)) - 2;
	tb_user(&t, st);
	saslname(st, &t, bare + 2, nl);
	tb_close(&t);
	st->have_user = true;
	if (!comma || end - comma < 3 || comma[1] != 'r' || comma[2] != '=')
		flag(st, SASL_A_MALFORMED);
	drop_same_authzid(st);
}

/* client-first, server-first, client-final (with the proof p=),
 * server-final; then the empty response RFC 4954 asks for when the
 * server-final came in a 334. */
static void mech_scram(struct sasl_state *st, const struct msg *m)
{
	if (!m->client) {
		uint32_t c = st->priv.cdata;

		if (c == 0 && m->idx == 0 && m->ok && m->n == 0)
			return; /* empty prompt for the client-first */
		if (c == 0 || c > 2 || st->priv.stage >= c) {
			flag(st, SASL_A_UNEXPECTED);
			return;
		}
		st->priv.stage = (uint8_t)c;
		if (m->ok && m->n >= 2 && m->p[0] == 'e' && m->p[1] == '=')
			st->notes |= SASL_N_SERVER_ERROR;
		else if (m->ok && c == 1 && !scram_has_attr(m->p, m->n, 's'))
			flag(st, SASL_A_MALFORMED);
		return;
	}
	switch (m->idx) {
	case 0:
		if (m->ok)
			scram_client_first(st, m->p, m->n);
		break;
	case 1:
		if (!m->ok || scram_has_attr(m->p, m->n, 'p'))
			st->secrets |= SASL_SECRET_CHALLENGE;
		else
			flag(st, SASL_A_MALFORMED);
		if (st->priv.stage != 1)
			flag(st, SASL_A_UNEXPECTED);
		break;
	case 2:
		if (st->priv.stage != 2 || !m->ok || m->n > 0)
			flag(st, SASL_A_UNEXPECTED);
		break;
	default:
		flag(st, SASL_A_UNEXPECTED);
		break;
	}
}

/* ---- EXTERNAL, ANONYMOUS -------------------------------------------- */

/* One client message: EXTERNAL's is an authzid (RFC 4422 appendix A),
 * ANONYMOUS's trace information (RFC 4505), not kept. */
static void mech_one_message(struct sasl_state *st, const struct msg *m)
{
	if (!m->client) {
		if (st->priv.cdata > 0 || m->idx > 0 || (m->ok && m->n > 0))
			flag(st, SASL_A_UNEXPECTED);
		return;
	}
	if (m->idx > 0) {
		flag(st, SASL_A_UNEXPECTED);
		return;
	}
	if (m->ok && st->mech == SASL_MECH_EXTERNAL)
		set_authzid(st, m->p, m->n);
}

/* ---- dispatch ------------------------------------------------------- */

static void dispatch(struct sasl_state *st, const struct msg *m)
{
	switch (st->mech) {
	case SASL_MECH_PLAIN: mech_plain(st, m); break;
	case SASL_MECH_LOGIN: mech_login(st, m); break;
	case SASL_MECH_CRAM_MD5: mech_cram(st, m); break;
	case SASL_MECH_DIGEST_MD5: mech_digest(st, m); break;
	case SASL_MECH_NTLM: mech_ntlm(st, m); break;
	case SASL_MECH_XOAUTH2: mech_xoauth2(st, m); break;
	case SASL_MECH_OAUTHBEARER: mech_oauthbearer(st, m); break;
	case SASL_MECH_SCRAM: mech_scram(st, m); break;
	case SASL_MECH_EXTERNAL:
	case SASL_MECH_ANONYMOUS: mech_one_message(st, m); break;
	case SASL_MECH_GSSAPI:
	case SASL_MECH_OTHER:
	case SASL_MECH_NONE: break;
	}
}

/*
 * One message from either side. raw is the base64 as sent (or, with
 * is_empty, the "=" of an empty initial response); cut: raw is only the
 * start of it. Everything decoded lives in `scratch` and is wiped before
 * returning.
 */
static uint32_t message(struct sasl_state *st, bool client, const char *raw,
			size_t len, bool is_empty, bool cut)
{
	uint8_t scratch[SASL_SCRATCH_MAX + 4];
	struct msg m = {scratch, 0, false, client, 0};
	bool lax = false;

	st->priv.raised = 0;
	count(client ? &st->client_msgs : &st->server_msgs);
	if (st->mech == SASL_MECH_NONE || st->cancelled) {
		flag(st, SASL_A_UNEXPECTED);
		return st->priv.raised;
	}
	if ((uint64_t)st->client_msgs + st->server_msgs > SASL_MESSAGES_MAX) {
		flag(st, SASL_A_TOO_MANY_MESSAGES);
		return st->priv.raised;
	}
	if (is_empty) {
		m.ok = true;
	} else if (cut || len > SASL_LINE_MAX) {
		flag(st, SASL_A_LINE_TOO_LONG);
	} else if (b64_decode(raw ? raw : "", raw ? len : 0, scratch, &m.n,
			      &lax)) {
		m.ok = true;
		if (lax)
			flag(st, SASL_A_BASE64_LAX);
	} else {
		flag(st, SASL_A_BAD_BASE64);
	}
	m.idx = client ? st->priv.cdata : st->priv.sdata;
	dispatch(st, &m);
	count(client ? &st->priv.cdata : &st->priv.sdata);
	explicit_bzero(scratch, m.n);
	return st->priv.raised;
}

static const struct {
	const char *name;
	enum sasl_mech mech;
} mech_table[] = {
	{"PLAIN", SASL_MECH_PLAIN},
	{"LOGIN", SASL_MECH_LOGIN},
	{"CRAM-MD5", SASL_MECH_CRAM_MD5},
	{"DIGEST-MD5", SASL_MECH_DIGEST_MD5},
	{"NTLM", SASL_MECH_NTLM},
	{"XOAUTH2", SASL_MECH_XOAUTH2},
	{"OAUTHBEARER", SASL_MECH_OAUTHBEARER},
	{"GSSAPI", SASL_MECH_GSSAPI},
	{"EXTERNAL", SASL_MECH_EXTERNAL},
	{"ANONYMOUS", SASL_MECH_ANONYMOUS},
};

void sasl_reset(struct sasl_state *st)
{
	explicit_bzero(st, sizeof(*st));
}

uint32_t sasl_begin(struct sasl_state *st, const char *mech, size_t mechlen,
		    const char *initial, size_t initlen, bool cut)
{
	size_t i, n = mech ? mechlen : 0;
	bool valid = n > 0 && n <= SASL_MECH_NAME_MAX;

	sasl_reset(st);
	for (i = 0; i < n; i++) {
		uint8_t c = smtp_ascii_upper((uint8_t)mech[i]);

		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			valid = false;
		if (i < SASL_MECH_NAME_MAX)
			st->mech_name[i] = (char)c;
	}
	st->mech = SASL_MECH_OTHER;
	if (!valid) {
		/* Not a name: it may be a secret sent in the wrong place. */
		memset(st->mech_name, 0, sizeof(st->mech_name));
		flag(st, SASL_A_BAD_MECHANISM);
	} else if (n > 6 && memcmp(st->mech_name, "SCRAM-", 6) == 0) {
		st->mech = SASL_MECH_SCRAM;
	} else {
		for (i = 0; i < sizeof(mech_table) / sizeof(mech_table[0]);
		     i++)
			if (strcmp(st->mech_name, mech_table[i].name) == 0)
				st->mech = mech_table[i].mech;
	}
	if (!initial || initlen == 0) {
		/* Cut after the mechanism: an initial response may have
		 * been lost; none is counted, as none was seen. */
		if (cut)
			flag(st, SASL_A_LINE_TOO_LONG);
		return st->anomalies;
	}
	st->notes |= SASL_N_INITIAL_RESPONSE;
	if (initlen == 1 && initial[0] == '=' && !cut) {
		st->notes |= SASL_N_EMPTY_INITIAL;
		message(st, true, NULL, 0, true, false);
	} else {
		message(st, true, initial, initlen, false, cut);
	}
	return st->anomalies;
}

uint32_t sasl_server(struct sasl_state *st, const char *text, size_t len)
{
	return message(st, false, text, len, false, false);
}

uint32_t sasl_client(struct sasl_state *st, const char *line, size_t len,
		     bool cut)
{
	if (line && len == 1 && line[0] == '*' && !cut) {
		st->priv.raised = 0;
		count(&st->client_msgs);
		if (st->mech == SASL_MECH_NONE || st->cancelled)
			flag(st, SASL_A_UNEXPECTED);
		st->cancelled = true;
		return st->priv.raised;
	}
	return message(st, true, line, len, false, cut);
}

const char *sasl_mech_str(enum sasl_mech m)
{
	size_t i;

	switch (m) {
	case SASL_MECH_NONE: return "NONE";
	case SASL_MECH_SCRAM: return "SCRAM-*";
	case SASL_MECH_OTHER: return "OTHER";
	default: break;
	}
	for (i = 0; i < sizeof(mech_table) / sizeof(mech_table[0]); i++)
		if (mech_table[i].mech == m)
			return mech_table[i].name;
	return "OTHER";
}

static const char *bit_name(uint32_t bit, const char *const *names,
			    size_t count_names)
{
	size_t i;

	if (bit == 0 || (bit & (bit - 1)) != 0)
		return NULL;
	for (i = 0; i < count_names; i++)
		if (bit == (1u << i))
			return names[i];
	return NULL;
}

#define NAMES(a) (a), (sizeof(a) / sizeof((a)[0]))

const char *sasl_secret_name(uint32_t bit)
{
	static const char *const names[] = {
		"cleartext_password", "bearer_token", "challenge_response",
	};

	return bit_name(bit, NAMES(names));
}

const char *sasl_anomaly_name(uint32_t bit)
{
	static const char *const names[] = {
		"bad_base64",          "base64_lax",
		"malformed",           "unexpected_message",
		"line_too_long",       "too_many_messages",
		"user_truncated",      "authzid_truncated",
		"text_truncated",      "bad_mechanism",
		"bad_text",            "login_prompt_mismatch",
	};

	return bit_name(bit, NAMES(names));
}

const char *sasl_note_name(uint32_t bit)
{
	static const char *const names[] = {
		"initial_response",      "empty_initial_response",
		"server_info_disclosed", "channel_binding",
		"server_error",          "ntlm_v1",
		"ntlm_anonymous",
	};

	return bit_name(bit, NAMES(names));
}
