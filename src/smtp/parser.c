#include "smtp/parser_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/log.h"

/* ---- limits ---------------------------------------------------------------- */

struct limit_desc {
	const char *name;
	size_t off;
	uint32_t min, max;
};

#define LIM(n, lo, hi) {#n, offsetof(struct smtp_limits, n), lo, hi}
static const struct limit_desc limit_table[] = {
	LIM(line_max, 64, 1u << 20),
	LIM(reply_lines_max, 1, 100000),
	LIM(pending_max, 4, 1u << 20),
	LIM(rcpt_max, 1, 1u << 20),
	LIM(txn_max, 1, 1u << 30),
	LIM(caps_max, 1, 4096),
	LIM(hold_max, 1024, 1u << 26),
	LIM(candidates_max, 1, 4096),
	LIM(lookahead_max, 64, 1u << 20),
	LIM(text_max, 1024, 1u << 26),
	LIM(txn_text_max, 1024, 1u << 26),
};
#undef LIM

void smtp_limits_defaults(struct smtp_limits *l)
{
	l->line_max = 16384;
	l->reply_lines_max = 128;
	l->pending_max = 256;
	l->rcpt_max = 1000;
	l->txn_max = 10000;
	l->caps_max = 64;
	l->hold_max = 64 * 1024;
	l->candidates_max = 16;
	l->lookahead_max = 8192;
	l->text_max = 256 * 1024;
	l->txn_text_max = 512 * 1024;
}

bool smtp_limits_set(struct smtp_limits *l, const char *a, char *err,
		     size_t errlen)
{
	const char *eq = strchr(a, '=');
	size_t i;

	if (!eq) {
		snprintf(err, errlen, "'%s': expected NAME=VALUE", a);
		return false;
	}
	for (i = 0; i < sizeof(limit_table) / sizeof(limit_table[0]); i++) {
		const struct limit_desc *d = &limit_table[i];
		char *end;
		unsigned long long v;

		if (strlen(d->name) != (size_t)(eq - a) ||
		    strncmp(d->name, a, (size_t)(eq - a)) != 0)
			continue;
		v = strtoull(eq + 1, &end, 10);
		if (end == eq + 1 || *end || v < d->min || v > d->max) {
			snprintf(err, errlen, "%s: a number from %u to %u",
				 d->name, d->min, d->max);
			return false;
		}
		memcpy((char *)l + d->off, &(uint32_t){(uint32_t)v},
		       sizeof(uint32_t));
		return true;
	}
	snprintf(err, errlen, "unknown SMTP limit '%.*s' (known: %s)",
		 (int)(eq - a), a, smtp_limits_names());
	return false;
}

const char *smtp_limits_names(void)
{
	return "line_max, reply_lines_max, pending_max, rcpt_max, txn_max, "
	       "caps_max, hold_max, candidates_max, lookahead_max, text_max, "
	       "txn_text_max";
}

const char *smtp_auth_result_name(enum smtp_auth_result r)
{
	switch (r) {
	case SMTP_AUTH_SUCCESS: return "success";
	case SMTP_AUTH_FAILURE: return "failure";
	case SMTP_AUTH_CANCELLED: return "cancelled";
	case SMTP_AUTH_UNKNOWN: return "unknown";
	default: return "none";
	}
}

const char *smtp_txn_status_name(enum smtp_txn_status s)
{
	switch (s) {
	case SMTP_TXN_ACCEPTED: return "accepted";
	case SMTP_TXN_REJECTED: return "rejected";
	case SMTP_TXN_ABORTED: return "aborted";
	default: return "incomplete";
	}
}

/* ---- the parser ---------------------------------------------------------- */

void sp_anomaly(struct smtp_parser *p, enum smtp_anomaly a)
{
	smtp_anomaly_add(&p->f.anomalies, a);
}

void sp_set(struct smtp_parser *p, struct strref *r, const void *s, size_t n)
{
	strpool_set(&p->f.text, r, s, n);
	if (p->f.text.full)
		sp_anomaly(p, SA_STRINGS_FULL);
}

struct strref sp_keep(struct smtp_parser *p, const void *s, size_t n)
{
	struct strref r = {0, 0};

	sp_set(p, &r, s, n);
	return r;
}

struct strref sp_keep_txn(struct smtp_parser *p, struct txn *t,
			      const void *s, size_t n)
{
	struct strref r = strpool_add(&t->pub.text, s, n);

	if (t->pub.text.full)
		sp_anomaly(p, SA_STRINGS_FULL);
	return r;
}

void sp_note(struct smtp_parser *p, enum smtp_side side, const char *what)
{
	if (p->ev.note)
		p->ev.note(p->ev.ctx, side, what, p->now);
}

/* ---- transactions --------------------------------------------------------- */

static enum smtp_txn_status final_status(const struct txn *t)
{
	const struct smtp_txn *x = &t->pub;

	if (x->data_ended)
		return x->data_code == 0 ? SMTP_TXN_INCOMPLETE
		       : x->data_code < 400 ? SMTP_TXN_ACCEPTED
					    : SMTP_TXN_REJECTED;
	if ((x->mail_code >= 400) || (x->data_cmd_code >= 400) ||
	    (x->rcpt_total > 0 && x->rcpt_accepted == 0 && x->nrcpt > 0 &&
	     x->rcpt[x->nrcpt - 1].code >= 400))
		return SMTP_TXN_REJECTED;
	return t->why == TXN_ABORT ? SMTP_TXN_ABORTED : SMTP_TXN_INCOMPLETE;
}

static void txn_free(struct txn *t)
{
	strpool_free(&t->pub.text);
	free(t->pub.rcpt);
	free(t->pub.cand);
	free(t);
}

static void txn_emit(struct smtp_parser *p, struct txn *t)
{
	struct txn **link = &p->live;

	t->pub.status = final_status(t);
	if (t->pub.end == 0)
		t->pub.end = p->now;
	if (p->la && p->la->txn == t)
		p->la->txn = NULL;
	if (p->data_txn == t)
		p->data_txn = NULL;
	if (p->ev.txn_end)
		p->ev.txn_end(p->ev.ctx, &t->pub);
	while (*link && *link != t)
		link = &(*link)->next_live;
	if (*link)
		*link = t->next_live;
	txn_free(t);
}

void sp_txn_close(struct smtp_parser *p, struct txn *t,
		      enum txn_close why)
{
	if (!t || t->closing)
		return;
	if (p->txn == t)
		p->txn = NULL;
	t->closing = true;
	t->why = why;
	t->pub.end = p->now;
	if (t->pending == 0)
		txn_emit(p, t);
}

struct txn *sp_txn_new(struct smtp_parser *p)
{
	struct txn *t = calloc(1, sizeof(*t));

	if (!t)
		log_fatal(1, "out of memory (transaction)");
	strpool_init(&t->pub.text, p->lim.txn_text_max);
	t->pub.depth = ++p->f.transactions;
	t->pub.start = p->now;
	t->next_live = p->live;
	p->live = t;
	return t;
}

/* ---- the pipeline queue ------------------------------------------------------ */

struct pending *sp_head(struct smtp_parser *p)
{
	return p->pcount ? &p->pend[p->phead] : NULL;
}

void sp_pop(struct smtp_parser *p)
{
	struct pending *h = sp_head(p);
	struct txn *t;

	if (!h)
		return;
	t = h->txn;
	p->phead = (p->phead + 1) % p->pcap;
	p->pcount--;
	if (t) {
		SS_ASSERT(t->pending > 0);
		t->pending--;
		if (t->closing && t->pending == 0)
			txn_emit(p, t);
	}
}

void sp_push(struct smtp_parser *p, enum smtp_verb v, struct txn *t,
		 int32_t rcpt, bool last)
{
	struct pending *e;

	if (p->pcount == p->pcap && p->pcap < p->lim.pending_max) {
		/* Grow the ring, oldest first in the new one. */
		uint32_t want = p->pcap ? p->pcap * 2 : 8, i;
		struct pending *np;

		if (want > p->lim.pending_max)
			want = p->lim.pending_max;
		np = malloc(want * sizeof(*np));
		if (!np)
			log_fatal(1, "out of memory (pipeline)");
		for (i = 0; i < p->pcount; i++)
			np[i] = p->pend[(p->phead + i) % p->pcap];
		free(p->pend);
		p->pend = np;
		p->pcap = want;
		p->phead = 0;
	}
	if (p->pcount == p->pcap) {
		/* Nobody answers (a one-sided capture, a flood): the oldest
		 * command will never be matched now. */
		sp_anomaly(p, SA_TOO_MANY_PENDING);
		sp_pop(p);
	}
	e = &p->pend[(p->phead + p->pcount) % p->pcap];
	e->verb = v;
	e->txn = t;
	e->rcpt = rcpt;
	e->last = last;
	if (t)
		t->pending++;
	p->pcount++;
}

/* ---- client bytes held for a reply ------------------------------------------ */

static void hold_bytes(struct smtp_parser *p, const uint8_t *d, size_t n)
{
	p->hold = grow_array(p->hold, &p->hold_cap,
			     p->hold_len + (uint32_t)n, 4096, 0, 1, "SMTP hold");
	memcpy(p->hold + p->hold_len, d, n);
	p->hold_len += (uint32_t)n;
}

/* The reply came (or we stop waiting): read what was held in mode m. */
void sp_release(struct smtp_parser *p, enum cmode m)
{
	uint8_t *buf = p->hold;
	uint32_t len = p->hold_len, cap = p->hold_cap;

	if (p->cmode != CM_HOLD)
		return;
	p->hold_for = HOLD_NONE;
	p->cmode = m;
	if (m == CM_DATA)
		sp_start_data(p);
	/* Swap buffers: reading the held bytes may hold again. */
	p->hold = p->spare;
	p->hold_cap = p->spare_cap;
	p->hold_len = 0;
	p->spare = buf;
	p->spare_cap = cap;
	if (len) {
		if (p->server_seen)
			sp_anomaly(p, SA_PIPELINING_AFTER_BARRIER);
		sp_client_feed(p, buf, len);
	}
}

bool sp_looks_like_tls(const uint8_t *d, size_t n)
{
	return n >= 1 && d[0] == 0x16 && (n < 2 || d[1] == 0x03) &&
	       (n < 3 || d[2] <= 0x04);
}

static bool looks_like_base64_line(const uint8_t *d, size_t n)
{
	size_t i;

	for (i = 0; i < n && d[i] != '\r' && d[i] != '\n'; i++) {
		uint8_t c = d[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		      c == '=' || c == '*'))
			return false;
	}
	return true;
}

/* Stop waiting for a reply: take the most likely reading. */
static void release_guess(struct smtp_parser *p)
{
	switch (p->hold_for) {
	case HOLD_DATA:
		sp_anomaly(p, SA_DATA_REPLY_NOT_SEEN);
		sp_release(p, CM_DATA);
		break;
	case HOLD_STARTTLS:
		sp_release(p, sp_looks_like_tls(p->hold, p->hold_len) ? CM_TLS
							      : CM_CMD);
		break;
	case HOLD_AUTH:
		sp_release(p, looks_like_base64_line(p->hold, p->hold_len)
				   ? CM_AUTH
				   : CM_CMD);
		break;
	default:
		sp_release(p, CM_CMD);
	}
}

void sp_hold_for(struct smtp_parser *p, enum hold_for why)
{
	p->cmode = CM_HOLD;
	p->hold_for = why;
}

/* ---- the client byte stream --------------------------------------------------- */

void sp_decide_implicit(struct smtp_parser *p, enum smtp_side side,
			    const uint8_t *d, size_t n)
{
	bool plain;

	if (n == 0)
		return;
	if (side == SMTP_SERVER)
		plain = n >= 1 && d[0] >= '2' && d[0] <= '5';
	else
		plain = !sp_looks_like_tls(d, n) &&
			((d[0] >= 'A' && d[0] <= 'Z') ||
			 (d[0] >= 'a' && d[0] <= 'z'));
	p->implicit_pending = false;
	if (plain) {
		sp_anomaly(p, SA_PLAINTEXT_ON_TLS_PORT);
		p->cmode = CM_CMD;
		p->server_tls = false;
		p->f.tls = SMTP_TLS_NONE;
	} else {
		p->cmode = CM_TLS;
		sp_tls_begin(p, SMTP_TLS_IMPLICIT);
	}
}

/*
 * After a gap in the command or reply stream the bytes may start a line
 * or be the tail of one. Hold the first GAP_PROBE bytes (or up to a LF):
 * if they open a reply ("250 ", "354-") or a known command, reading goes
 * on from them; otherwise the rest of the broken line is dropped. Judged
 * on the held bytes only, so the result does not depend on how the bytes
 * were split.
 */
static bool opens_line(enum smtp_side side, const uint8_t *b, uint32_t n)
{
	struct smtp_command c;
	uint32_t i;

	if (side == SMTP_SERVER)
		return n >= 4 && b[0] >= '2' && b[0] <= '5' && b[1] >= '0' &&
		       b[1] <= '9' && b[2] >= '0' && b[2] <= '9' &&
		       (b[3] == ' ' || b[3] == '-' || b[3] == '\r' ||
			b[3] == '\n');
	for (i = 0; i < n && b[i] != ' ' && b[i] != '\r' && b[i] != '\n'; i++)
		;
	if (i == n)
		return false; /* the verb does not end in what we hold */
	return smtp_command_parse(b, i, &c) && c.verb != SMTP_V_UNKNOWN;
}

/* Returns bytes of d taken into the probe; *decided when the held bytes
 * were judged (the framer is then set up to read them). */
size_t sp_gap_probe(struct smtp_parser *p, enum smtp_side side,
			const uint8_t *d, size_t n, bool flush, bool *decided)
{
	struct line_framer *f = side == SMTP_CLIENT ? &p->cl : &p->sl;
	size_t take = 0;

	*decided = false;
	while (take < n && p->gp[side].len < GAP_PROBE) {
		uint8_t c = d[take++];

		p->gp[side].buf[p->gp[side].len++] = c;
		if (c == '\n')
			break;
	}
	if (!flush && p->gp[side].len < GAP_PROBE &&
	    !memchr(p->gp[side].buf, '\n', p->gp[side].len))
		return take;
	p->gp[side].on = false;
	*decided = true;
	if (opens_line(side, p->gp[side].buf, p->gp[side].len))
		line_reset(f);
	else
		line_resync(f);
	return take;
}

/* Read the held probe bytes now that the framer knows what they are. */
void sp_replay_probe(struct smtp_parser *p, enum smtp_side side)
{
	uint8_t buf[GAP_PROBE];
	uint8_t n = p->gp[side].len;

	memcpy(buf, p->gp[side].buf, n);
	p->gp[side].len = 0;
	if (side == SMTP_CLIENT)
		sp_client_feed(p, buf, n);
	else
		sp_server_feed(p, buf, n);
}

void sp_client_feed(struct smtp_parser *p, const uint8_t *d, size_t n)
{
	if (p->implicit_pending)
		sp_decide_implicit(p, SMTP_CLIENT, d, n);
	while (n > 0) {
		size_t used = 0;

		switch (p->cmode) {
		case CM_TLS:
			sp_tls_bytes(p, SMTP_CLIENT, d, n);
			return;
		case CM_HOLD:
			if (p->hold_len + n > p->lim.hold_max) {
				sp_anomaly(p, SA_HOLD_OVERFLOW);
				release_guess(p);
				continue;
			}
			hold_bytes(p, d, n);
			return;
		case CM_DATA: {
			uint64_t off = p->ds.raw;

			p->chunk = d;
			p->chunk_off = off;
			p->chunk_len = n;
			used = data_scan_feed(&p->ds, d, n);
			if (p->la && p->la->txn)
				sp_lookahead_feed(p, d, used, off);
			if (p->ds.done) {
				p->cmode = CM_CMD;
				sp_data_done(p, true);
			}
			break;
		}
		case CM_BDAT: {
			uint64_t take = n < p->bdat_left ? n : p->bdat_left;

			if (p->data_txn) {
				p->data_txn->pub.message_bytes += take;
				p->data_txn->pub.raw_bytes += take;
				if (p->ev.body)
					p->ev.body(p->ev.ctx,
						   &p->data_txn->pub, d,
						   (size_t)take);
			}
			p->bdat_left -= take;
			used = (size_t)take;
			if (p->bdat_left == 0)
				sp_bdat_chunk_done(p);
			break;
		}
		case CM_CMD:
		case CM_AUTH: {
			struct line l;

			if (p->gp[SMTP_CLIENT].on) {
				bool decided;

				used = sp_gap_probe(p, SMTP_CLIENT, d, n, false,
						 &decided);
				if (decided)
					sp_replay_probe(p, SMTP_CLIENT);
				break;
			}
			if (line_next(&p->cl, d, n, &used, &l))
				sp_client_line(p, &l);
			break;
		}
		}
		d += used;
		n -= used;
	}
}

/* ---- the public face ----------------------------------------------------------- */

struct smtp_parser *smtp_parser_new(const struct smtp_limits *lim,
				    const struct smtp_events *ev,
				    bool implicit_tls)
{
	struct smtp_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->lim = *lim;
	if (ev)
		p->ev = *ev;
	strpool_init(&p->f.text, lim->text_max);
	line_framer_init(&p->cl, lim->line_max);
	line_framer_init(&p->sl, lim->line_max);
	p->cmode = CM_CMD;
	if (implicit_tls) {
		p->implicit_pending = true;
		p->f.tls = SMTP_TLS_IMPLICIT;
	}
	return p;
}

void smtp_parser_free(struct smtp_parser *p)
{
	if (!p)
		return;
	while (p->live) {
		struct txn *t = p->live;

		p->live = t->next_live;
		txn_free(t);
	}
	if (p->sasl) {
		sasl_reset(p->sasl);
		free(p->sasl);
	}
	strpool_free(&p->f.text);
	line_framer_free(&p->cl);
	line_framer_free(&p->sl);
	free(p->pend);
	free(p->f.caps);
	free(p->r.text);
	free(p->hold);
	free(p->spare);
	free(p->la);
	free(p);
}

void smtp_parser_data(struct smtp_parser *p, enum smtp_side side,
		      const uint8_t *data, size_t n, int64_t ts)
{
	p->now = ts;
	if (side == SMTP_CLIENT)
		sp_client_feed(p, data, n);
	else
		sp_server_feed(p, data, n);
}

void smtp_parser_gap(struct smtp_parser *p, enum smtp_side side, uint64_t n,
		     int64_t ts)
{
	p->now = ts;
	if ((side == SMTP_SERVER && p->server_tls) ||
	    (side == SMTP_CLIENT && p->cmode == CM_TLS)) {
		if (p->ev.tls_gap)
			p->ev.tls_gap(p->ev.ctx, side, n, ts);
	}
	if (side == SMTP_SERVER) {
		sp_anomaly(p, SA_SERVER_GAP);
		p->gapped = true;
		if (!p->server_tls) {
			line_reset(&p->sl);
			p->r.active = false;
			p->gp[SMTP_SERVER].on = true;
			p->gp[SMTP_SERVER].len = 0;
		}
		return;
	}
	sp_anomaly(p, SA_CLIENT_GAP);
	p->gapped = true;
	if (p->cmode == CM_HOLD)
		release_guess(p);
	switch (p->cmode) {
	case CM_DATA: {
		bool in_message = !p->ds.done;

		data_scan_gap(&p->ds, n); /* what it held goes out first */
		sp_lookahead_stop(p);
		if (in_message && p->data_txn && p->ev.body_gap)
			p->ev.body_gap(p->ev.ctx, &p->data_txn->pub, n);
		break;
	}
	case CM_BDAT:
		if (p->data_txn) {
			uint64_t lost = n < p->bdat_left ? n : p->bdat_left;

			p->data_txn->pub.gap_bytes += lost;
			if (p->ev.body_gap)
				p->ev.body_gap(p->ev.ctx, &p->data_txn->pub,
					       lost);
		}
		if (n < p->bdat_left) {
			p->bdat_left -= n;
		} else {
			sp_bdat_chunk_done(p);
			line_reset(&p->cl);
			p->gp[SMTP_CLIENT].on = true;
			p->gp[SMTP_CLIENT].len = 0;
		}
		break;
	case CM_TLS:
		break;
	default:
		line_reset(&p->cl);
		p->gp[SMTP_CLIENT].on = true;
		p->gp[SMTP_CLIENT].len = 0;
		break;
	}
}

void smtp_parser_end(struct smtp_parser *p, enum smtp_side side, int64_t ts)
{
	struct line l;

	p->now = ts;
	if (p->gp[side].on) {
		bool decided;

		sp_gap_probe(p, side, NULL, 0, true, &decided);
		sp_replay_probe(p, side);
	}
	if (side == SMTP_SERVER) {
		p->server_ended = true;
		if (!p->server_tls && line_flush(&p->sl, &l))
			sp_server_line(p, &l);
		if (p->cmode == CM_HOLD)
			release_guess(p);
		return;
	}
	p->client_ended = true;
	if ((p->cmode == CM_CMD || p->cmode == CM_AUTH) &&
	    line_flush(&p->cl, &l))
		sp_client_line(p, &l);
}

void smtp_parser_finish(struct smtp_parser *p, int64_t ts)
{
	p->now = ts;
	if (!p->client_ended)
		smtp_parser_end(p, SMTP_CLIENT, ts);
	if (!p->server_ended)
		smtp_parser_end(p, SMTP_SERVER, ts);
	if (p->cmode == CM_HOLD)
		release_guess(p);
	if (p->cmode == CM_DATA && !p->ds.done) {
		data_scan_finish(&p->ds);
		sp_data_done(p, false);
	}
	if (p->auth_open)
		sp_auth_end(p, p->sasl->cancelled ? SMTP_AUTH_CANCELLED
						  : SMTP_AUTH_UNKNOWN);
	sp_txn_close(p, p->txn, TXN_END);
	/* Whatever still waits for replies ends now. */
	while (p->live) {
		struct txn *t = p->live;

		if (!t->closing) {
			t->closing = true;
			t->why = TXN_END;
		}
		t->pending = 0;
		txn_emit(p, t);
	}
	p->pcount = 0;
}

const struct smtp_session_facts *smtp_parser_facts(const struct smtp_parser *p)
{
	return &p->f;
}
