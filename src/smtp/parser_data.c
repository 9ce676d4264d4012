/* DATA: the message read strictly, and what follows a lenient end-of-data
 * candidate read the lax way (are those smuggled commands?). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/log.h"
#include "smtp/parser_int.h"

void sp_lookahead_stop(struct smtp_parser *p)
{
	if (p->la)
		p->la->txn = NULL;
}

void sp_on_body(void *ctx, const uint8_t *d, size_t n)
{
	struct smtp_parser *p = ctx;

	if (p->data_txn && p->ev.body)
		p->ev.body(p->ev.ctx, &p->data_txn->pub, d, n);
}

/* One line after a candidate, read the lenient way: is it SMTP? */
static void lookahead_line(struct smtp_parser *p)
{
	struct smtp_candidate *k = &p->la->txn->pub.cand[p->la->cand];
	struct smtp_command c;
	struct smtp_path path;

	if (p->la->len == 0)
		return;
	if (++p->la->lines > LOOKAHEAD_LINES ||
	    !smtp_command_parse(p->la->line, p->la->len, &c) ||
	    c.verb == SMTP_V_UNKNOWN) {
		sp_lookahead_stop(p);
		return;
	}
	k->commands_follow = true;
	switch (c.verb) {
	case SMTP_V_MAIL:
		if (!k->smuggled_mail &&
		    smtp_path_parse(c.arg, c.arg_len, "FROM", &path)) {
			k->smuggled_mail = true;
			k->smuggled_from = sp_keep_txn(p, p->la->txn, path.addr,
						    path.addr_len);
		}
		break;
	case SMTP_V_RCPT:
		if (k->nsmuggled_rcpt < 4 &&
		    smtp_path_parse(c.arg, c.arg_len, "TO", &path))
			k->smuggled_rcpt[k->nsmuggled_rcpt++] = sp_keep_txn(
				p, p->la->txn, path.addr, path.addr_len);
		break;
	case SMTP_V_DATA:
	case SMTP_V_BDAT:
		k->smuggled_data = true;
		sp_lookahead_stop(p);
		break;
	default:
		break;
	}
}

/* Raw DATA bytes d[0..n) starting at raw offset off. */
void sp_lookahead_feed(struct smtp_parser *p, const uint8_t *d, size_t n,
			   uint64_t off)
{
	size_t i = 0;

	if (off + n <= p->la->start)
		return;
	if (off < p->la->start) {
		i = (size_t)(p->la->start - off);
	}
	for (; i < n && p->la->txn; i++) {
		uint8_t c = d[i];

		if (++p->la->seen > p->lim.lookahead_max) {
			sp_lookahead_stop(p);
			break;
		}
		if (c == '\n' && p->la->last_cr) {
			p->la->last_cr = false;
			continue; /* the LF of a CR LF */
		}
		p->la->last_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			lookahead_line(p);
			p->la->len = 0;
			continue;
		}
		if (p->la->len < LOOKAHEAD_LINE_MAX)
			p->la->line[p->la->len++] = c;
	}
}

void sp_on_candidate(void *ctx, const struct eod_candidate *c)
{
	struct smtp_parser *p = ctx;
	struct txn *t = p->data_txn;
	struct smtp_candidate *k;

	sp_anomaly(p, SA_LENIENT_EOD);
	if (p->la && p->la->txn && c->offset > p->chunk_off) {
		/* Let the previous candidate's look-ahead see the bytes up
		 * to this one before it stops. */
		uint64_t upto = c->offset - p->chunk_off;

		sp_lookahead_feed(p, p->chunk,
			       upto < p->chunk_len ? (size_t)upto
						   : p->chunk_len,
			       p->chunk_off);
	}
	sp_lookahead_stop(p);
	if (!t)
		return;
	t->pub.cand_total++;
	if (t->pub.ncand >= p->lim.candidates_max)
		return;
	t->pub.cand = grow_array(t->pub.cand, &t->cand_cap, t->pub.ncand + 1, 4,
				 p->lim.candidates_max, sizeof(*k),
				 "candidates");
	k = &t->pub.cand[t->pub.ncand];
	memset(k, 0, sizeof(*k));
	k->eod = *c;
	k->bytes_after = -1;
	if (!p->la && !(p->la = malloc(sizeof(*p->la))))
		log_fatal(1, "out of memory (look-ahead)");
	memset(p->la, 0, sizeof(*p->la));
	p->la->txn = t;
	p->la->cand = t->pub.ncand;
	p->la->start = c->end;
	t->pub.ncand++;
}

void sp_start_data(struct smtp_parser *p)
{
	data_scan_init(&p->ds, sp_on_body, sp_on_candidate, p);
	sp_lookahead_stop(p);
}

/* The strict end of DATA was read (or the session ended inside it). */
void sp_data_done(struct smtp_parser *p, bool ended)
{
	struct txn *t = p->data_txn;
	char what[64];
	uint32_t i;

	if (p->ds.bare_lf)
		sp_anomaly(p, SA_BARE_LF_DATA);
	if (p->ds.bare_cr)
		sp_anomaly(p, SA_BARE_CR_DATA);
	if (p->ds.nul)
		sp_anomaly(p, SA_NUL_DATA);
	if (p->ds.longest_line + 2 > RFC_TEXT_LINE_MAX)
		sp_anomaly(p, SA_DATA_LINE_TOO_LONG);
	sp_lookahead_stop(p);
	if (!t)
		return;
	/* Added, not set: BDAT chunks may have come first. */
	t->pub.raw_bytes += p->ds.raw;
	t->pub.message_bytes += p->ds.msg;
	t->pub.gap_bytes += p->ds.gap_bytes;
	t->pub.bare_lf += p->ds.bare_lf;
	t->pub.bare_cr += p->ds.bare_cr;
	t->pub.nul += p->ds.nul;
	if (p->ds.longest_line > t->pub.longest_line)
		t->pub.longest_line = p->ds.longest_line;
	if (ended) {
		t->pub.data_ended = true;
		for (i = 0; i < t->pub.ncand; i++) {
			struct smtp_candidate *k = &t->pub.cand[i];
			int64_t after = (int64_t)p->ds.eod_dot - 2 -
					(int64_t)k->eod.end;

			k->bytes_after = after > 0 ? after : 0;
		}
		snprintf(what, sizeof(what), "message of %llu bytes",
			 (unsigned long long)p->ds.msg);
		sp_note(p, SMTP_CLIENT, what);
		sp_push(p, SMTP_V_EOD, t, -1, false);
		sp_txn_close(p, t, TXN_DONE);
	}
	p->data_txn = NULL;
}
