/* The server's side: replies, matched to commands, and the TLS hand-off. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/log.h"
#include "smtp/parser_int.h"

/* Bytes in TLS mode; before the first record, plaintext is residue. */
void sp_tls_bytes(struct smtp_parser *p, enum smtp_side side,
		      const uint8_t *d, size_t n)
{
	if (p->residue_check[side]) {
		size_t i = 0;

		while (i < n && !sp_looks_like_tls(d + i, n - i) &&
		       p->residue_seen[side] < RESIDUE_SCAN_MAX) {
			i++;
			p->residue_seen[side]++;
		}
		if (i > 0) {
			if (p->f.residue_bytes[side] == 0)
				p->f.residue[side] =
					sp_keep(p, d, i < RESIDUE_KEEP ? i
								   : RESIDUE_KEEP);
			p->f.residue_bytes[side] += i;
			sp_anomaly(p, side == SMTP_CLIENT
					   ? SA_STARTTLS_CLIENT_RESIDUE
					   : SA_STARTTLS_SERVER_RESIDUE);
		}
		if (i < n || p->residue_seen[side] >= RESIDUE_SCAN_MAX)
			p->residue_check[side] = false;
		d += i;
		n -= i;
	}
	if (n == 0)
		return;
	p->f.tls_bytes[side] += n;
	if (p->ev.tls)
		p->ev.tls(p->ev.ctx, side, d, n, p->now);
}

void sp_tls_begin(struct smtp_parser *p, enum smtp_tls_state how)
{
	p->f.tls = how;
	p->server_tls = true;
	if (how == SMTP_TLS_STARTTLS)
		p->residue_check[SMTP_CLIENT] = p->residue_check[SMTP_SERVER] =
			true;
	sp_note(p, SMTP_CLIENT, "TLS begins");
}

static void reply_add_line(struct smtp_parser *p,
			   const struct smtp_reply_line *rl)
{
	struct reply_acc *r = &p->r;
	uint32_t need = rl->text_len + 1;

	if (!r->active) {
		r->active = true;
		r->code = rl->code;
		r->lines = 0;
		r->len = 0;
		r->mismatch = false;
		r->cut = false;
	} else if (rl->code != r->code) {
		r->mismatch = true;
	}
	if (r->cut)
		return;
	if (r->lines >= p->lim.reply_lines_max ||
	    r->len + need > REPLY_TEXT_MAX) {
		/* The rest of the reply goes unread, even lines that fit. */
		sp_anomaly(p, SA_REPLY_TOO_MANY_LINES);
		r->cut = true;
		return;
	}
	r->text = grow_array(r->text, &r->cap, r->len + need, 512, 0, 1,
			     "reply");
	/* Lines joined by LF, which no line holds. */
	if (r->lines++ > 0)
		r->text[r->len++] = '\n';
	if (rl->text_len)
		memcpy(r->text + r->len, rl->text, rl->text_len);
	r->len += rl->text_len;
}

static void capabilities(struct smtp_parser *p)
{
	struct reply_acc *r = &p->r;
	const char *end = r->text + r->len, *s, *nl;
	uint32_t old = p->f.ncaps;

	/* A later EHLO reply replaces the list, in the same room. */
	p->f.ncaps = 0;
	/* The first line names the server; each further one is a keyword. */
	nl = r->len ? memchr(r->text, '\n', r->len) : NULL;
	while (nl) {
		uint32_t len;
		const uint8_t *u;

		s = nl + 1;
		nl = memchr(s, '\n', (size_t)(end - s));
		len = (uint32_t)((nl ? nl : end) - s);
		u = (const uint8_t *)s;

		if (smtp_ascii_prefix(u, len, "STARTTLS"))
			p->f.offers_starttls = true;
		else if (smtp_ascii_prefix(u, len, "PIPELINING"))
			p->f.offers_pipelining = true;
		else if (smtp_ascii_prefix(u, len, "CHUNKING"))
			p->f.offers_chunking = true;
		else if (smtp_ascii_prefix(u, len, "SMTPUTF8"))
			p->f.offers_smtputf8 = true;
		else if (smtp_ascii_prefix(u, len, "8BITMIME"))
			p->f.offers_8bitmime = true;
		else if (smtp_ascii_prefix(u, len, "AUTH"))
			p->f.offers_auth = true;
		if (p->f.ncaps >= p->lim.caps_max) {
			sp_anomaly(p, SA_TOO_MANY_CAPABILITIES);
			continue;
		}
		p->f.caps = grow_array(p->f.caps, &p->caps_cap,
				       p->f.ncaps + 1, 16, p->lim.caps_max,
				       sizeof(*p->f.caps), "capabilities");
		if (p->f.ncaps < old)
			sp_set(p, &p->f.caps[p->f.ncaps++], s, len);
		else
			p->f.caps[p->f.ncaps++] = sp_keep(p, s, len);
	}
}

/* What the attempt ending now disclosed besides the user; each field
 * keeps the latest attempt's value. */
static void auth_detail(struct smtp_parser *p)
{
	const struct sasl_state *st = p->sasl;
	const struct sasl_ntlm_server *sv = &st->ntlm;
	struct smtp_auth_detail *d = &p->f.auth_detail;

#define SET(field, s, n) sp_set(p, &d->field, (s), (n))
	SET(authzid, st->authzid, st->authzid_len);
	SET(realm, st->realm, st->realm_len);
	SET(workstation, st->workstation, st->workstation_len);
	SET(ntlm_target, sv->target, sv->target_len);
	SET(ntlm_nb_domain, sv->nb_domain, sv->nb_domain_len);
	SET(ntlm_nb_computer, sv->nb_computer, sv->nb_computer_len);
	SET(ntlm_dns_domain, sv->dns_domain, sv->dns_domain_len);
	SET(ntlm_dns_computer, sv->dns_computer, sv->dns_computer_len);
#undef SET
	d->notes = st->notes;
}

void sp_auth_end(struct smtp_parser *p, enum smtp_auth_result res)
{
	p->f.auth_result = res;
	if (res == SMTP_AUTH_SUCCESS)
		p->f.auth_successes++;
	else if (res == SMTP_AUTH_FAILURE)
		p->f.auth_failures++;
	snprintf(p->f.auth_mech, sizeof(p->f.auth_mech), "%s",
		 p->sasl->mech_name);
	if (p->sasl->have_user)
		sp_set(p, &p->f.auth_user, p->sasl->user, p->sasl->user_len);
	p->f.auth_secrets |= p->sasl->secrets;
	p->f.auth_exchanges = p->sasl->client_msgs + p->sasl->server_msgs;
	auth_detail(p);
	p->auth_open = false;
}

static void auth_done(struct smtp_parser *p, uint16_t code)
{
	if (p->sasl->cancelled)
		sp_auth_end(p, SMTP_AUTH_CANCELLED);
	else if (code >= 200 && code < 300)
		sp_auth_end(p, SMTP_AUTH_SUCCESS);
	else
		sp_auth_end(p, SMTP_AUTH_FAILURE);
}

static void reply_done(struct smtp_parser *p)
{
	struct reply_acc *r = &p->r;
	struct pending *h;
	struct smtp_reply_event e = {r->code, (const uint8_t *)r->text, r->len,
				     r->lines, SMTP_V_UNKNOWN, p->now};
	struct txn *t;
	char enh[12] = "";

	r->active = false;
	p->f.replies++;
	if (r->mismatch)
		sp_anomaly(p, SA_REPLY_CODE_MISMATCH);
	if (!p->f.have_banner) {
		p->f.have_banner = true;
		p->f.banner_code = r->code;
		p->f.banner = sp_keep(p, r->text, r->len);
		if (p->f.commands)
			sp_anomaly(p, SA_PREGREET);
		e.answers = SMTP_V_GREETING;
		if (p->ev.reply)
			p->ev.reply(p->ev.ctx, &e);
		return;
	}
	h = sp_head(p);
	if (!h) {
		if (p->f.nunmatched < SMTP_UNMATCHED_KEEP)
			p->f.unmatched_codes[p->f.nunmatched++] = r->code;
		p->f.unmatched_replies++;
		if (!p->gapped)
			sp_anomaly(p, (p->cmode == CM_DATA && r->code < 400)
					   ? SA_REPLY_DURING_DATA
					   : SA_REPLY_WITHOUT_COMMAND);
		if (p->ev.reply)
			p->ev.reply(p->ev.ctx, &e);
		return;
	}
	e.answers = h->verb;
	if (p->ev.reply)
		p->ev.reply(p->ev.ctx, &e);
	smtp_enhanced_status((const uint8_t *)r->text, r->len, enh,
			     sizeof(enh));
	t = h->txn;

	switch (h->verb) {
	case SMTP_V_AUTH:
		if (r->code == 334 && !p->sasl->cancelled) {
			sasl_server(p->sasl, r->text, r->len);
			if (p->cmode == CM_HOLD)
				sp_release(p, CM_AUTH);
			else if (p->cmode == CM_CMD)
				p->cmode = CM_AUTH;
			return; /* the exchange goes on */
		}
		sp_pop(p);
		auth_done(p, r->code);
		if (p->cmode == CM_HOLD)
			sp_release(p, CM_CMD);
		else if (p->cmode == CM_AUTH)
			p->cmode = CM_CMD;
		return;
	case SMTP_V_DATA:
		if (t)
			t->pub.data_cmd_code = r->code;
		sp_pop(p);
		if (r->code != 354 && p->cmode != CM_DATA)
			p->data_txn = NULL; /* refused: no message follows */
		if (p->cmode == CM_HOLD && p->hold_for == HOLD_DATA)
			sp_release(p, r->code == 354 ? CM_DATA : CM_CMD);
		return;
	case SMTP_V_EOD:
	case SMTP_V_BDAT:
		if (t && (h->verb == SMTP_V_EOD || h->last)) {
			t->pub.data_code = r->code;
			memcpy(t->pub.data_enhanced, enh, sizeof(enh));
			t->pub.data_text = sp_keep_txn(p, t, r->text, r->len);
		} else if (t && r->code >= 400 && t->pub.data_code == 0) {
			/* a refused chunk: the transaction fails */
			t->pub.data_code = r->code;
			memcpy(t->pub.data_enhanced, enh, sizeof(enh));
			t->pub.data_text = sp_keep_txn(p, t, r->text, r->len);
		}
		sp_pop(p);
		return;
	case SMTP_V_STARTTLS:
		p->f.starttls_code = r->code;
		sp_pop(p);
		if (r->code == 220) {
			p->f.starttls_succeeded = true;
			sp_tls_begin(p, SMTP_TLS_STARTTLS);
			if (p->cmode == CM_HOLD)
				sp_release(p, CM_TLS);
			else
				p->cmode = CM_TLS;
		} else if (p->cmode == CM_HOLD) {
			sp_release(p, CM_CMD);
		}
		return;
	case SMTP_V_HELO:
	case SMTP_V_EHLO:
	case SMTP_V_LHLO:
		if (r->code >= 200 && r->code < 300) {
			if (h->verb != SMTP_V_HELO)
				capabilities(p);
			if (t && t == p->txn)
				sp_txn_close(p, t, TXN_ABORT);
		}
		break;
	case SMTP_V_MAIL:
		if (t) {
			t->pub.mail_code = r->code;
			memcpy(t->pub.mail_enhanced, enh, sizeof(enh));
		}
		break;
	case SMTP_V_RCPT:
		if (t && h->rcpt >= 0) {
			struct smtp_rcpt *rc = &t->pub.rcpt[h->rcpt];

			rc->code = r->code;
			memcpy(rc->enhanced, enh, sizeof(enh));
			if (r->code < 400)
				t->pub.rcpt_accepted++;
		} else if (t && r->code < 400) {
			t->pub.rcpt_accepted++;
		}
		break;
	default:
		break;
	}
	sp_pop(p);
}

void sp_server_line(struct smtp_parser *p, const struct line *l)
{
	struct smtp_reply_line rl;

	if (l->eol == EOL_LF)
		sp_anomaly(p, SA_BARE_LF_REPLY);
	if (l->full_len + 2 > RFC_REPLY_MAX)
		sp_anomaly(p, SA_REPLY_TOO_LONG);
	smtp_reply_line_parse(l->p, l->len, &rl);
	if (!rl.valid) {
		sp_anomaly(p, p->f.have_banner || p->r.active ? SA_REPLY_MALFORMED
						     : SA_NOT_SMTP_SERVER);
		return;
	}
	reply_add_line(p, &rl);
	if (!rl.more)
		reply_done(p);
}

void sp_server_feed(struct smtp_parser *p, const uint8_t *d, size_t n)
{
	if (n)
		p->server_seen = true;
	if (p->implicit_pending)
		sp_decide_implicit(p, SMTP_SERVER, d, n);
	while (n > 0) {
		struct line l;
		size_t used;

		if (p->server_tls) {
			sp_tls_bytes(p, SMTP_SERVER, d, n);
			return;
		}
		if (p->gp[SMTP_SERVER].on) {
			bool decided;

			used = sp_gap_probe(p, SMTP_SERVER, d, n, false, &decided);
			if (decided)
				sp_replay_probe(p, SMTP_SERVER);
		} else if (line_next(&p->sl, d, n, &used, &l)) {
			sp_server_line(p, &l);
		}
		d += used;
		n -= used;
	}
}
