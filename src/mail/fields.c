/* Header fields of an entity into the facts: the Content-* fields of every
 * entity, and for the message's own header the identity, routing and
 * authentication fields a record carries. Values arrive unfolded (the
 * line breaks of folding removed, the white space kept). */
#include "mail/message_int.h"

#include <string.h>

#include "mail/date.h"
#include "mail/rfc2047.h"

/* Fields RFC 5322 §3.6 allows at most once (and MIME-Version). */
static const char *const once_names[] = {
	"from", "sender", "reply-to", "to", "cc", "bcc", "subject", "date",
	"message-id", "in-reply-to", "references", "mime-version",
};
_Static_assert(sizeof(once_names) / sizeof(once_names[0]) <=
		       sizeof(((struct mail_msg *)0)->once_seen) /
			       sizeof(uint32_t),
	       "once_seen too small");

static bool name_is(const char *name, size_t n, const char *want)
{
	size_t i;

	if (strlen(want) != n)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != want[i])
			return false;
	}
	return true;
}

static bool name_prefix(const char *name, size_t n, const char *want)
{
	size_t k = strlen(want);

	return n >= k && name_is(name, k, want);
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* Decoded (RFC 2047) UTF-8 of an unstructured value into the pool. */
static struct strref keep_decoded(struct mail_msg *m, const char *v,
				  size_t n)
{
	uint32_t fl = 0;
	size_t k = mail_2047_decode(v, n, m->scratch, sizeof(m->scratch), &fl);

	if (fl & (MAIL_2047_F_MALFORMED | MAIL_2047_F_BAD_B |
		  MAIL_2047_F_BAD_Q | MAIL_2047_F_LONG_WORD))
		mm_anomaly(m, MA_ENCODED_WORD_MALFORMED);
	if (fl & MAIL_2047_F_MISPLACED)
		mm_anomaly(m, MA_ENCODED_WORD_MISPLACED);
	if (fl & MAIL_2047_F_UNKNOWN_CHARSET)
		mm_anomaly(m, MA_UNKNOWN_CHARSET);
	if (fl & (MAIL_2047_F_BAD_TEXT | MAIL_2047_F_RAW_8BIT))
		mm_anomaly(m, MA_INVALID_TEXT);
	return mm_keep(m, m->scratch, k);
}

static void addr_field(struct mail_msg *m, struct mail_addr_field *af,
		       const char *v, size_t n)
{
	struct mail_addrlist *l = &m->al;
	uint32_t i;

	af->fields++;
	mail_addrlist_parse(l, v, n);
	af->total += l->total;
	if (l->flags & MAIL_ADDR_F_TOO_MANY)
		mm_anomaly(m, MA_TOO_MANY_ADDRESSES);
	for (i = 0; i < l->n; i++) {
		const struct mail_addr *a = &l->a[i];
		struct mail_address *o;

		if (a->flags & (MAIL_ADDR_F_NO_DOMAIN |
				MAIL_ADDR_F_MULTIPLE_AT |
				MAIL_ADDR_F_UNBALANCED))
			mm_anomaly(m, MA_ADDRESS_MALFORMED);
		if (a->flags & MAIL_ADDR_F_DISPLAY_HAS_ADDRESS)
			mm_anomaly(m, MA_ADDRESS_DISPLAY_HAS_ADDRESS);
		if (a->flags & MAIL_ADDR_F_CONTROL_CHARS)
			mm_anomaly(m, MA_ADDRESS_CONTROL);
		if (af->n >= MAIL_FIELD_ADDRS) {
			mm_anomaly(m, MA_TOO_MANY_ADDRESSES);
			continue;
		}
		o = &af->a[af->n++];
		o->addr = mm_keep(m, a->addr, a->addr_len);
		o->display = keep_decoded(m, a->display, a->display_len);
	}
}

static void received(struct mail_msg *m, const char *v, size_t n)
{
	struct mail_received r;
	struct mail_hop *h;
	uint32_t i;

	if (m->f.received_total++ >= MAIL_RECEIVED_KEEP) {
		mm_anomaly(m, MA_TOO_MANY_RECEIVED);
		return;
	}
	mail_received_parse(&r, v, n);
	h = &m->f.received[m->f.nreceived++];
	memset(h, 0, sizeof(*h));
#define KEEP(dst, src) h->dst = mm_keep(m, r.src, strlen(r.src))
	KEEP(from, from);
	KEEP(from_rdns, from_rdns);
	KEEP(from_ip, from_ip);
	KEEP(by, by);
	KEEP(with, with);
	KEEP(id, id);
	KEEP(for_addr, for_addr);
#undef KEEP
	if (r.nips) {
		char *o = m->scratch;
		size_t len = 0;

		for (i = 0; i < r.nips; i++) {
			size_t k = strlen(r.ips[i]);

			if (len + k + 1 > sizeof(m->scratch))
				break;
			if (i)
				o[len++] = ',';
			memcpy(o + len, r.ips[i], k);
			len += k;
		}
		h->ips = mm_keep(m, o, len);
	}
	h->have_date = r.have_date;
	h->date = r.date;
}

static void keep_once(struct mail_msg *m, struct strref *dst, const char *v,
		      size_t n, bool decode)
{
	if (dst->len)
		return;
	*dst = decode ? keep_decoded(m, v, n) : mm_keep(m, v, n);
}

static void keep_list(struct mail_msg *m, struct strref *arr, uint32_t *n,
		      const char *v, size_t len)
{
	if (*n < MAIL_AUTH_HEADERS_KEEP)
		arr[(*n)++] = mm_keep(m, v, len);
}

static void param_flags(struct mail_msg *m, const struct mail_params *ps)
{
	if (ps->flags & (MAIL_PARAMS_F_NO_VALUE | MAIL_PARAMS_F_BAD_VALUE |
			 MAIL_PARAMS_F_MISSING_EQ | MAIL_PARAMS_F_EMPTY |
			 MAIL_PARAMS_F_UNTERMINATED |
			 MAIL_PARAMS_F_TSPECIALS | MAIL_PARAMS_F_JUNK))
		mm_anomaly(m, MA_PARAM_MALFORMED);
	if (ps->flags & (MAIL_PARAMS_F_2231_BAD | MAIL_PARAMS_F_2231_MISSING |
			 MAIL_PARAMS_F_2231_DUP | MAIL_PARAMS_F_2231_ORDER))
		mm_anomaly(m, MA_PARAM_RFC2231_BROKEN);
	if (ps->flags & MAIL_PARAMS_F_UNKNOWN_CHARSET)
		mm_anomaly(m, MA_UNKNOWN_CHARSET);
	if (ps->flags & MAIL_PARAMS_F_BAD_TEXT)
		mm_anomaly(m, MA_INVALID_TEXT);
}

/* Content-* fields: the first of each counts, as most readers do. */
static bool content_field(struct mail_msg *m, const char *name, size_t nlen,
			  const char *v, size_t n)
{
	struct mail_entity *e = &m->ent;
	bool unusual; /* spelling only: not a fact worth a field */

	if (name_is(name, nlen, "content-type")) {
		if (e->ct_count++) {
			mm_anomaly(m, MA_DUPLICATE_CONTENT_HEADER);
			return true;
		}
		mail_params_parse(&e->ct, v, n);
		param_flags(m, &e->ct);
		return true;
	}
	if (name_is(name, nlen, "content-transfer-encoding")) {
		if (e->cte_count++) {
			mm_anomaly(m, MA_DUPLICATE_CONTENT_HEADER);
			return true;
		}
		e->cte = mail_cte_parse(v, n, &unusual);
		if (e->cte == MAIL_CTE_UNKNOWN)
			mm_anomaly(m, MA_UNKNOWN_CTE);
		return true;
	}
	if (name_is(name, nlen, "content-disposition")) {
		if (e->cd_count++) {
			mm_anomaly(m, MA_DUPLICATE_CONTENT_HEADER);
			return true;
		}
		mail_params_parse(&e->cd, v, n);
		param_flags(m, &e->cd);
		return true;
	}
	return false;
}

static void once_check(struct mail_msg *m, const char *name, size_t nlen)
{
	size_t i;

	for (i = 0; i < sizeof(once_names) / sizeof(once_names[0]); i++) {
		if (!name_is(name, nlen, once_names[i]))
			continue;
		if (++m->once_seen[i] == 2) {
			/* The list of such names, rebuilt one longer. */
			struct strref *d = &m->f.duplicates;
			size_t k = d->len, w = strlen(once_names[i]);

			mm_anomaly(m, MA_DUPLICATE_HEADER);
			if (k + w + 1 > sizeof(m->scratch))
				return;
			memcpy(m->scratch, strpool_at(&m->f.text, *d), k);
			if (k)
				m->scratch[k++] = ',';
			memcpy(m->scratch + k, once_names[i], w);
			strpool_set(&m->f.text, d, m->scratch, k + w);
		}
		return;
	}
}

void mm_field(struct mail_msg *m, const char *f, size_t n)
{
	const char *colon = memchr(f, ':', n);
	const char *v;
	size_t nlen, vlen, i;
	bool eight = false, ctl = false;

	if (!colon)
		return; /* cut before its colon: nothing to read */
	nlen = (size_t)(colon - f);
	while (nlen && is_wsp(f[nlen - 1])) {
		nlen--;
		mm_anomaly(m, MA_HEADER_SPACE_BEFORE_COLON);
	}
	v = colon + 1;
	vlen = (size_t)(f + n - v);
	while (vlen && is_wsp(*v)) {
		v++;
		vlen--;
	}
	while (vlen && (is_wsp(v[vlen - 1]) || v[vlen - 1] == '\r'))
		vlen--;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f[i];

		if (c >= 0x80)
			eight = true;
		else if (c < 0x20 && c != '\t')
			ctl = true;
	}
	if (eight)
		mm_anomaly(m, MA_HEADER_8BIT);
	if (ctl)
		mm_anomaly(m, MA_HEADER_CONTROL);

	if (m->ent.top) {
		m->f.header_count++;
		m->f.header_bytes += n;
		if (m->f.nheader_names < MAIL_HEADER_NAMES_KEEP)
			m->f.header_names[m->f.nheader_names++] =
				mm_keep(m, f, nlen);
	}
	if (content_field(m, f, nlen, v, vlen) || !m->ent.top) {
		if (m->ent.top && name_is(f, nlen, "content-type"))
			keep_once(m, &m->f.content_type, v, vlen, false);
		return;
	}
	once_check(m, f, nlen);

	if (name_is(f, nlen, "from"))
		addr_field(m, &m->f.from, v, vlen);
	else if (name_is(f, nlen, "sender"))
		addr_field(m, &m->f.sender, v, vlen);
	else if (name_is(f, nlen, "reply-to"))
		addr_field(m, &m->f.reply_to, v, vlen);
	else if (name_is(f, nlen, "to"))
		addr_field(m, &m->f.to, v, vlen);
	else if (name_is(f, nlen, "cc"))
		addr_field(m, &m->f.cc, v, vlen);
	else if (name_is(f, nlen, "bcc"))
		addr_field(m, &m->f.bcc, v, vlen);
	else if (name_is(f, nlen, "return-path"))
		addr_field(m, &m->f.return_path, v, vlen);
	else if (name_is(f, nlen, "subject"))
		keep_once(m, &m->f.subject, v, vlen, true);
	else if (name_is(f, nlen, "message-id"))
		keep_once(m, &m->f.message_id, v, vlen, false);
	else if (name_is(f, nlen, "in-reply-to"))
		keep_once(m, &m->f.in_reply_to, v, vlen, false);
	else if (name_is(f, nlen, "references"))
		keep_once(m, &m->f.references, v, vlen, false);
	else if (name_is(f, nlen, "date")) {
		if (!m->f.date_raw.len) {
			uint32_t fl = 0;

			m->f.date_raw = mm_keep(m, v, vlen);
			m->f.have_date = mail_date_parse(v, vlen, &m->f.date,
							 &m->f.date_tz, &fl);
			if (!m->f.have_date)
				mm_anomaly(m, MA_BAD_DATE);
		}
	} else if (name_is(f, nlen, "received"))
		received(m, v, vlen);
	else if (name_is(f, nlen, "x-mailer"))
		keep_once(m, &m->f.x_mailer, v, vlen, true);
	else if (name_is(f, nlen, "user-agent"))
		keep_once(m, &m->f.user_agent, v, vlen, true);
	else if (name_is(f, nlen, "x-originating-ip"))
		keep_once(m, &m->f.x_originating_ip, v, vlen, false);
	else if (name_is(f, nlen, "list-unsubscribe"))
		keep_once(m, &m->f.list_unsubscribe, v, vlen, false);
	else if (name_is(f, nlen, "mime-version"))
		keep_once(m, &m->f.mime_version, v, vlen, false);
	else if (name_is(f, nlen, "authentication-results"))
		keep_list(m, m->f.auth_results, &m->f.nauth_results, v, vlen);
	else if (name_is(f, nlen, "dkim-signature"))
		keep_list(m, m->f.dkim, &m->f.ndkim, v, vlen);
	else if (name_prefix(f, nlen, "arc-"))
		keep_list(m, m->f.arc, &m->f.narc, f, n);
}

void mm_header_done_top(struct mail_msg *m)
{
	if (!m->f.from.fields)
		mm_anomaly(m, MA_MISSING_FROM);
	if (!m->f.date_raw.len)
		mm_anomaly(m, MA_MISSING_DATE);
}
