/* The client's commands: what each does to the session and transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/log.h"
#include "smtp/parser_int.h"

static void emit_command(struct smtp_parser *p, enum smtp_verb v,
			 const uint8_t *line, uint32_t len, enum line_eol eol)
{
	struct smtp_cmd_event e = {v, line, len, eol, p->now};

	if (p->ev.command)
		p->ev.command(p->ev.ctx, &e);
}

/* AUTH lines go out with their SASL payload replaced. */
static void emit_redacted(struct smtp_parser *p, enum smtp_verb v,
			  const uint8_t *prefix, uint32_t plen,
			  uint32_t secret_len, enum line_eol eol)
{
	char text[256];
	int n;

	if (plen > 128)
		plen = 128;
	n = snprintf(text, sizeof(text), "%.*s%s[%u bytes redacted]",
		     (int)plen, (const char *)prefix, plen ? " " : "",
		     secret_len);
	emit_command(p, v, (const uint8_t *)text,
		     (uint32_t)(n < (int)sizeof(text) ? n : (int)sizeof(text) - 1),
		     eol);
}

static void check_path(struct smtp_parser *p, const struct smtp_path *path)
{
	const uint8_t *at;

	if (path->lenient)
		sp_anomaly(p, SA_PATH_LENIENT);
	if (path->addr_len + 2 > RFC_PATH_MAX)
		sp_anomaly(p, SA_ADDRESS_TOO_LONG);
	at = path->addr_len ? memrchr(path->addr, '@', path->addr_len) : NULL;
	if (at && (uint32_t)(at - path->addr) > RFC_LOCAL_MAX)
		sp_anomaly(p, SA_LOCAL_PART_TOO_LONG);
}

static void cmd_mail(struct smtp_parser *p, const struct smtp_command *c)
{
	struct smtp_path path;
	struct txn *t;
	const uint8_t *q, *end;
	struct smtp_param prm;

	if (p->txn) {
		sp_anomaly(p, SA_NESTED_MAIL);
		sp_txn_close(p, p->txn, TXN_ABORT);
	}
	if (!p->f.have_helo)
		sp_anomaly(p, SA_NO_HELO);
	if (p->f.transactions >= p->lim.txn_max) {
		sp_anomaly(p, SA_TOO_MANY_TRANSACTIONS);
		sp_push(p, SMTP_V_MAIL, NULL, -1, false);
		return;
	}
	t = sp_txn_new(p);
	p->txn = t;
	if (!smtp_path_parse(c->arg, c->arg_len, "FROM", &path)) {
		sp_anomaly(p, SA_PATH_INVALID);
	} else {
		check_path(p, &path);
		t->pub.have_mail = true;
		t->pub.mail_from = sp_keep_txn(p, t, path.addr, path.addr_len);
		q = path.params;
		end = path.params + path.params_len;
		while (smtp_param_next(&q, end, &prm)) {
			struct smtp_param_ref *r;
			uint8_t i;

			for (i = 0; i < t->pub.nparams; i++) {
				struct strref nm = t->pub.params[i].name;

				if (smtp_ascii_eq(prm.name, prm.name_len,
						  strpool_at(&t->pub.text, nm),
						  nm.len))
					sp_anomaly(p, SA_PARAM_DUPLICATE);
			}
			if (t->pub.nparams >= SMTP_TXN_PARAMS_MAX)
				continue;
			r = &t->pub.params[t->pub.nparams++];
			r->name = sp_keep_txn(p, t, prm.name, prm.name_len);
			r->has_value = prm.value != NULL;
			if (prm.value)
				r->value = sp_keep_txn(p, t, prm.value,
						    prm.value_len);
		}
	}
	sp_push(p, SMTP_V_MAIL, t, -1, false);
	if (p->ev.txn_begin)
		p->ev.txn_begin(p->ev.ctx, &t->pub);
}

static void cmd_rcpt(struct smtp_parser *p, const struct smtp_command *c)
{
	struct txn *t = p->txn;
	struct smtp_path path;
	struct smtp_rcpt *r;
	const uint8_t *q, *end;
	struct smtp_param prm;
	bool ok = smtp_path_parse(c->arg, c->arg_len, "TO", &path);

	if (!ok)
		sp_anomaly(p, SA_PATH_INVALID);
	else
		check_path(p, &path);
	if (!t) {
		/* Recipients without a sender (probing, or a broken client)
		 * still make a transaction, one without MAIL. */
		sp_anomaly(p, SA_RCPT_WITHOUT_MAIL);
		if (p->f.transactions >= p->lim.txn_max) {
			sp_anomaly(p, SA_TOO_MANY_TRANSACTIONS);
			sp_push(p, SMTP_V_RCPT, NULL, -1, false);
			return;
		}
		t = sp_txn_new(p);
		p->txn = t;
		if (p->ev.txn_begin)
			p->ev.txn_begin(p->ev.ctx, &t->pub);
	}
	t->pub.rcpt_total++;
	if (t->pub.nrcpt >= p->lim.rcpt_max) {
		sp_anomaly(p, SA_TOO_MANY_RECIPIENTS);
		sp_push(p, SMTP_V_RCPT, t, -1, false);
		return;
	}
	t->pub.rcpt = grow_array(t->pub.rcpt, &t->rcpt_cap, t->pub.nrcpt + 1,
				 8, p->lim.rcpt_max, sizeof(*r), "recipients");
	r = &t->pub.rcpt[t->pub.nrcpt];
	memset(r, 0, sizeof(*r));
	if (ok) {
		r->addr = sp_keep_txn(p, t, path.addr, path.addr_len);
		q = path.params;
		end = path.params + path.params_len;
		while (smtp_param_next(&q, end, &prm) && r->nparams < 4) {
			struct smtp_param_ref *pr = &r->params[r->nparams++];

			pr->name = sp_keep_txn(p, t, prm.name, prm.name_len);
			pr->has_value = prm.value != NULL;
			if (prm.value)
				pr->value = sp_keep_txn(p, t, prm.value,
						     prm.value_len);
		}
	}
	sp_push(p, SMTP_V_RCPT, t, (int32_t)t->pub.nrcpt, false);
	t->pub.nrcpt++;
}

static void set_data_mode(struct smtp_parser *p, struct txn *t,
			  enum smtp_data_mode m)
{
	if (t->pub.data_mode != SMTP_DATA_NONE && t->pub.data_mode != m)
		sp_anomaly(p, SA_DATA_AND_BDAT);
	t->pub.data_mode = m;
}

static void cmd_data(struct smtp_parser *p)
{
	struct txn *t = p->txn;

	if (!t || t->pub.rcpt_total == 0)
		sp_anomaly(p, SA_DATA_WITHOUT_RCPT);
	if (t)
		set_data_mode(p, t, SMTP_DATA_DATA);
	p->data_txn = t;
	sp_push(p, SMTP_V_DATA, t, -1, false);
	sp_hold_for(p, HOLD_DATA);
}

void sp_bdat_chunk_done(struct smtp_parser *p)
{
	struct txn *t = p->data_txn;

	p->cmode = CM_CMD;
	if (!t)
		return;
	t->pub.bdat_chunks++;
	if (p->bdat_last) {
		t->pub.data_ended = true;
		sp_txn_close(p, t, TXN_DONE);
	}
	p->data_txn = NULL;
}

static void cmd_bdat(struct smtp_parser *p, const struct smtp_command *c)
{
	struct smtp_bdat b;
	struct txn *t = p->txn;

	smtp_bdat_parse(c->arg, c->arg_len, &b);
	if (!b.valid) {
		/* A syntax error, not part of a message: no chunk follows
		 * that anyone could delimit. */
		sp_anomaly(p, b.too_large ? SA_BDAT_TOO_LARGE : SA_BDAT_INVALID);
		sp_push(p, SMTP_V_BDAT, NULL, -1, false);
		return;
	}
	if (!t)
		/* p->bdat_last is still the previous BDAT's */
		sp_anomaly(p, p->bdat_last ? SA_BDAT_AFTER_LAST
					   : SA_BDAT_WITHOUT_MAIL);
	else
		set_data_mode(p, t, SMTP_DATA_BDAT);
	sp_push(p, SMTP_V_BDAT, t, -1, b.last);
	p->data_txn = t;
	p->bdat_left = b.size;
	p->bdat_last = b.last;
	p->cmode = CM_BDAT;
	if (b.size == 0)
		sp_bdat_chunk_done(p);
}

static void cmd_auth(struct smtp_parser *p, const struct smtp_command *c,
		     const struct line *l)
{
	struct smtp_auth_arg a;
	uint32_t an;

	smtp_auth_arg_parse(c->arg, c->arg_len, &a);
	if (!p->sasl && !(p->sasl = calloc(1, sizeof(*p->sasl))))
		log_fatal(1, "out of memory (AUTH)");
	if (!p->f.offers_auth && p->f.have_banner)
		sp_anomaly(p, SA_AUTH_UNOFFERED);
	an = sasl_begin(p->sasl, (const char *)a.mech, a.mech_len,
			(const char *)a.initial, a.initial_len, l->truncated);
	if (an & (SASL_A_BAD_BASE64 | SASL_A_MALFORMED | SASL_A_BAD_MECHANISM))
		sp_anomaly(p, SA_AUTH_MALFORMED);
	p->f.auth_attempts++;
	p->auth_open = true;
	/* Fail closed: all after the mechanism is hidden, and all after
	 * the verb when the mechanism is no mechanism name. */
	if ((an & SASL_A_BAD_MECHANISM) && c->arg_len)
		emit_redacted(p, SMTP_V_AUTH, l->p, c->word_len, c->arg_len,
			      l->eol);
	else if (a.initial)
		emit_redacted(p, SMTP_V_AUTH, l->p,
			      (uint32_t)(a.mech + a.mech_len - l->p),
			      (uint32_t)(c->arg + c->arg_len - a.initial),
			      l->eol);
	else
		emit_command(p, SMTP_V_AUTH, l->p, l->len, l->eol);
	sp_push(p, SMTP_V_AUTH, NULL, -1, false);
	sp_hold_for(p, HOLD_AUTH);
}

static void note_eol(struct smtp_parser *p, const struct line *l)
{
	p->f.client_eols |= (uint8_t)(1u << l->eol);
	switch (l->eol) {
	case EOL_LF:
		sp_anomaly(p, SA_BARE_LF_COMMAND);
		break;
	case EOL_CRCRLF:
		sp_anomaly(p, SA_CRCRLF_COMMAND);
		break;
	default:
		break;
	}
	if ((p->f.client_eols & (1u << EOL_LF)) &&
	    (p->f.client_eols & (1u << EOL_CRLF)))
		sp_anomaly(p, SA_MIXED_LINE_ENDINGS);
	if (l->bare_cr)
		sp_anomaly(p, SA_BARE_CR_COMMAND);
	if (l->nul)
		sp_anomaly(p, SA_NUL_COMMAND);
	if (l->truncated)
		sp_anomaly(p, SA_LINE_CUT);
	if (l->full_len + 2 > RFC_COMMAND_MAX)
		sp_anomaly(p, SA_COMMAND_TOO_LONG);
	if (l->full_len > p->f.longest_command)
		p->f.longest_command = l->full_len;
}

/* Keep the first few distinct unknown verbs, as sent. */
static void note_unknown(struct smtp_parser *p, const struct smtp_command *c)
{
	uint32_t i, n = c->word_len < SMTP_VERB_KEEP ? c->word_len
						     : SMTP_VERB_KEEP;

	for (i = 0; i < p->f.nunknown; i++)
		if (smtp_ascii_eq(strpool_at(&p->f.text, p->f.unknown_verbs[i]),
				  p->f.unknown_verbs[i].len, c->word, n))
			return;
	if (p->f.nunknown < SMTP_UNKNOWN_KEEP)
		p->f.unknown_verbs[p->f.nunknown++] = sp_keep(p, c->word, n);
}

static bool binary(const struct line *l)
{
	uint32_t i;

	for (i = 0; i < l->len; i++)
		if (l->p[i] < 0x20 ? l->p[i] != '\t' : l->p[i] == 0x7f)
			return true;
	return false;
}

/* A SASL line after a 334. */
static void client_auth_line(struct smtp_parser *p, const struct line *l)
{
	uint32_t an;

	note_eol(p, l);
	an = sasl_client(p->sasl, (const char *)l->p, l->len, l->truncated);
	if (an & (SASL_A_BAD_BASE64 | SASL_A_MALFORMED))
		sp_anomaly(p, SA_AUTH_MALFORMED);
	if (p->sasl->cancelled) {
		sp_anomaly(p, SA_AUTH_CANCELLED);
		emit_command(p, SMTP_V_AUTH_DATA, l->p, l->len, l->eol);
	} else {
		emit_redacted(p, SMTP_V_AUTH_DATA, NULL, 0, l->len, l->eol);
	}
	sp_hold_for(p, HOLD_AUTH);
}

void sp_client_line(struct smtp_parser *p, const struct line *l)
{
	struct smtp_command c;

	if (p->cmode == CM_AUTH) {
		client_auth_line(p, l);
		return;
	}
	note_eol(p, l);
	p->f.commands++;
	if (p->f.quit)
		sp_anomaly(p, SA_COMMAND_AFTER_QUIT);
	if (binary(l))
		sp_anomaly(p, SA_BINARY_COMMAND);
	if (!smtp_command_parse(l->p, l->len, &c)) {
		sp_anomaly(p, SA_NOT_A_COMMAND);
		emit_command(p, SMTP_V_UNKNOWN, l->p, l->len, l->eol);
		sp_push(p, SMTP_V_UNKNOWN, NULL, -1, false);
		return;
	}
	if (p->pcount > 0 && p->f.have_banner && !p->f.offers_pipelining &&
	    c.verb != SMTP_V_AUTH)
		sp_anomaly(p, SA_PIPELINING_UNOFFERED);
	if (c.verb == SMTP_V_AUTH) {
		cmd_auth(p, &c, l);
		return;
	}
	emit_command(p, c.verb, l->p, l->len, l->eol);
	switch (c.verb) {
	case SMTP_V_HELO:
	case SMTP_V_EHLO:
	case SMTP_V_LHLO:
		if (c.arg_len == 0)
			sp_anomaly(p, SA_HELO_EMPTY);
		if (!p->f.have_helo) {
			p->f.have_helo = true;
			p->f.helo_verb = c.verb;
			p->f.helo = sp_keep(p, c.arg, c.arg_len);
		}
		/* It resets the transaction only if the server accepts it
		 * (RFC 5321 4.1.4): decided at the reply. */
		sp_push(p, c.verb, p->txn, -1, false);
		break;
	case SMTP_V_MAIL:
		cmd_mail(p, &c);
		break;
	case SMTP_V_RCPT:
		cmd_rcpt(p, &c);
		break;
	case SMTP_V_DATA:
		cmd_data(p);
		break;
	case SMTP_V_BDAT:
		cmd_bdat(p, &c);
		break;
	case SMTP_V_RSET:
		sp_txn_close(p, p->txn, TXN_ABORT);
		sp_push(p, c.verb, NULL, -1, false);
		break;
	case SMTP_V_QUIT:
		p->f.quit = true;
		sp_txn_close(p, p->txn, TXN_ABORT);
		sp_push(p, c.verb, NULL, -1, false);
		break;
	case SMTP_V_STARTTLS:
		p->f.starttls_attempted = true;
		if (!p->f.offers_starttls && p->f.have_banner)
			sp_anomaly(p, SA_STARTTLS_UNOFFERED);
		sp_push(p, c.verb, NULL, -1, false);
		sp_hold_for(p, HOLD_STARTTLS);
		break;
	case SMTP_V_UNKNOWN:
		sp_anomaly(p, SA_UNKNOWN_COMMAND);
		note_unknown(p, &c);
		sp_push(p, c.verb, NULL, -1, false);
		break;
	case SMTP_V_XCLIENT:
		sp_set(p, &p->f.xclient, c.arg, c.arg_len);
		sp_push(p, c.verb, NULL, -1, false);
		break;
	case SMTP_V_XFORWARD:
		sp_set(p, &p->f.xforward, c.arg, c.arg_len);
		sp_push(p, c.verb, NULL, -1, false);
		break;
	default:
		sp_push(p, c.verb, NULL, -1, false);
		break;
	}
}
