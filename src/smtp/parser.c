#include "smtp/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

/* RFC 5321 4.5.3.1: limits a conforming peer stays within. */
#define RFC_COMMAND_MAX 512  /* command line with CRLF */
#define RFC_REPLY_MAX 512    /* reply line with CRLF */
#define RFC_TEXT_LINE_MAX 1000
#define RFC_PATH_MAX 256
#define RFC_LOCAL_MAX 64
/* Bytes of a multi-line reply's text kept for events and capabilities. */
#define REPLY_TEXT_MAX (64u * 1024u)
/* Plaintext before a TLS handshake we keep looking through. */
#define RESIDUE_SCAN_MAX (64u * 1024u)
#define RESIDUE_KEEP 64
/* Lines examined after a lenient end-of-data candidate. */
#define LOOKAHEAD_LINES 16
#define LOOKAHEAD_LINE_MAX 512
/* Bytes looked at after a gap to decide whether they start a line. */
#define GAP_PROBE 16

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

enum cmode {
	CM_CMD,  /* commands */
	CM_HOLD, /* waiting for a reply to say what the next bytes are */
	CM_DATA, /* message after 354 */
	CM_BDAT, /* a chunk */
	CM_AUTH, /* a SASL line after 334 */
	CM_TLS,  /* after STARTTLS, or implicit TLS */
};

enum hold_for { HOLD_NONE, HOLD_DATA, HOLD_STARTTLS, HOLD_AUTH };

/* Why a transaction closes before its data reply. */
enum txn_close { TXN_DONE, TXN_ABORT, TXN_END };

/* A transaction with its bookkeeping. */
struct txn {
	struct smtp_txn pub;
	uint32_t pending;      /* queued commands that belong to it */
	bool closing;
	enum txn_close why;
	struct txn *next_live;
};

struct pending {
	enum smtp_verb verb;
	struct txn *txn;
	int32_t rcpt;          /* index in txn->pub.rcpt, or -1 */
	bool last;             /* BDAT LAST */
};

struct reply_acc {
	bool active;
	uint16_t code;
	bool mismatch;
	uint32_t lines;
	uint32_t *starts;      /* line starts in text */
	uint32_t starts_cap;
	char *text;
	uint32_t len, cap;
};

struct lookahead {
	bool active;
	struct txn *txn;
	uint32_t cand;         /* index in txn->pub.cand */
	uint64_t start;        /* raw DATA offset */
	uint64_t seen;
	uint32_t lines;
	uint8_t line[LOOKAHEAD_LINE_MAX];
	uint32_t len;
	bool last_cr;
};

struct smtp_parser {
	struct smtp_limits lim;
	struct smtp_events ev;
	struct smtp_session_facts f;

	/* client side */
	enum cmode cmode;
	enum hold_for hold_for;
	uint8_t *hold, *spare;
	uint32_t hold_len, hold_cap, spare_cap;
	struct line_framer cl;
	struct data_scan ds;
	struct txn *data_txn;  /* the transaction whose message is read */
	uint64_t bdat_left;
	bool bdat_last;
	bool client_ended;
	bool residue_check[2]; /* looking for the first TLS record */
	uint64_t residue_seen[2];
	bool implicit_pending; /* implicit TLS port, first bytes decide */
	uint64_t cmds_before_greeting;
	bool eol_crlf_seen, eol_lf_seen;

	/* server side */
	uint32_t caps_cap;
	bool server_tls;
	bool server_ended;
	bool server_seen;
	bool greeted;
	struct line_framer sl;
	struct reply_acc r;

	/* pipeline */
	struct pending *pend;
	uint32_t phead, pcount, pcap;
	bool gapped;
	/* After a gap: the first bytes, held to judge whether they begin a
	 * line (by side). */
	struct {
		bool on;
		uint8_t len;
		uint8_t buf[GAP_PROBE];
	} gp[2];

	struct txn *txn;       /* open for commands */
	struct txn *live;      /* every transaction not yet ended */
	struct lookahead *la;  /* from the first candidate on */
	const uint8_t *chunk;  /* the DATA bytes being scanned */
	uint64_t chunk_off;    /* their raw offset */
	size_t chunk_len;
	struct sasl_state *sasl; /* from the first AUTH on */
	bool auth_open;
	uint8_t *redact;       /* scratch for redacted lines */
	int64_t now;
};

static void anomaly(struct smtp_parser *p, enum smtp_anomaly a)
{
	smtp_anomaly_add(&p->f.anomalies, a);
}

static struct strref keep(struct smtp_parser *p, const void *s, size_t n)
{
	struct strref r = strpool_add(&p->f.text, s, n);

	if (p->f.text.full)
		anomaly(p, SA_STRINGS_FULL);
	return r;
}

static struct strref keep_txn(struct smtp_parser *p, struct txn *t,
			      const void *s, size_t n)
{
	struct strref r = strpool_add(&t->pub.text, s, n);

	if (t->pub.text.full)
		anomaly(p, SA_STRINGS_FULL);
	return r;
}

static void note(struct smtp_parser *p, enum smtp_side side, const char *what)
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
	if (p->la && p->la->txn == t) {
		p->la->active = false;
		p->la->txn = NULL;
	}
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

static void txn_close(struct smtp_parser *p, struct txn *t,
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

static struct txn *txn_new(struct smtp_parser *p)
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

static struct pending *head(struct smtp_parser *p)
{
	return p->pcount ? &p->pend[p->phead] : NULL;
}

static void pop(struct smtp_parser *p)
{
	struct pending *h = head(p);
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

static void push(struct smtp_parser *p, enum smtp_verb v, struct txn *t,
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
		anomaly(p, SA_TOO_MANY_PENDING);
		pop(p);
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

static void client_feed(struct smtp_parser *p, const uint8_t *d, size_t n);

static void hold_bytes(struct smtp_parser *p, const uint8_t *d, size_t n)
{
	if (p->hold_len + n > p->hold_cap) {
		uint32_t want = p->hold_cap ? p->hold_cap : 4096;
		uint8_t *nb;

		while (want < p->hold_len + n)
			want *= 2;
		nb = realloc(p->hold, want);
		if (!nb)
			log_fatal(1, "out of memory (SMTP hold)");
		p->hold = nb;
		p->hold_cap = want;
	}
	memcpy(p->hold + p->hold_len, d, n);
	p->hold_len += (uint32_t)n;
}

static void start_data(struct smtp_parser *p);

/* The reply came (or we stop waiting): read what was held in mode m. */
static void release(struct smtp_parser *p, enum cmode m)
{
	uint8_t *buf = p->hold;
	uint32_t len = p->hold_len, cap = p->hold_cap;

	if (p->cmode != CM_HOLD)
		return;
	p->hold_for = HOLD_NONE;
	p->cmode = m;
	if (m == CM_DATA)
		start_data(p);
	/* Swap buffers: reading the held bytes may hold again. */
	p->hold = p->spare;
	p->hold_cap = p->spare_cap;
	p->hold_len = 0;
	p->spare = buf;
	p->spare_cap = cap;
	if (len) {
		if (p->server_seen)
			anomaly(p, SA_PIPELINING_AFTER_BARRIER);
		client_feed(p, buf, len);
	}
}

static bool looks_like_tls(const uint8_t *d, size_t n)
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
		anomaly(p, SA_DATA_REPLY_NOT_SEEN);
		release(p, CM_DATA);
		break;
	case HOLD_STARTTLS:
		release(p, looks_like_tls(p->hold, p->hold_len) ? CM_TLS
							      : CM_CMD);
		break;
	case HOLD_AUTH:
		release(p, looks_like_base64_line(p->hold, p->hold_len)
				   ? CM_AUTH
				   : CM_CMD);
		break;
	default:
		release(p, CM_CMD);
	}
}

static void hold_for(struct smtp_parser *p, enum hold_for why)
{
	p->cmode = CM_HOLD;
	p->hold_for = why;
}

/* ---- DATA ------------------------------------------------------------------------ */

static void lookahead_stop(struct smtp_parser *p)
{
	if (!p->la)
		return;
	p->la->active = false;
	p->la->txn = NULL;
}

static void on_body(void *ctx, const uint8_t *d, size_t n)
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
		lookahead_stop(p);
		return;
	}
	k->commands_follow = true;
	switch (c.verb) {
	case SMTP_V_MAIL:
		if (smtp_path_parse(c.arg, c.arg_len, "FROM", &path))
			k->smuggled_from = keep_txn(p, p->la->txn, path.addr,
						    path.addr_len);
		break;
	case SMTP_V_RCPT:
		if (k->nsmuggled_rcpt < 4 &&
		    smtp_path_parse(c.arg, c.arg_len, "TO", &path))
			k->smuggled_rcpt[k->nsmuggled_rcpt++] = keep_txn(
				p, p->la->txn, path.addr, path.addr_len);
		break;
	case SMTP_V_DATA:
	case SMTP_V_BDAT:
		k->smuggled_data = true;
		lookahead_stop(p);
		break;
	default:
		break;
	}
}

/* Raw DATA bytes d[0..n) starting at raw offset off. */
static void lookahead_feed(struct smtp_parser *p, const uint8_t *d, size_t n,
			   uint64_t off)
{
	size_t i = 0;

	if (off + n <= p->la->start)
		return;
	if (off < p->la->start) {
		i = (size_t)(p->la->start - off);
	}
	for (; i < n && p->la->active; i++) {
		uint8_t c = d[i];

		if (++p->la->seen > p->lim.lookahead_max) {
			lookahead_stop(p);
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

static void on_candidate(void *ctx, const struct eod_candidate *c)
{
	struct smtp_parser *p = ctx;
	struct txn *t = p->data_txn;
	struct smtp_candidate *k;

	anomaly(p, SA_LENIENT_EOD);
	if (p->la && p->la->active && c->offset > p->chunk_off) {
		/* Let the previous candidate's look-ahead see the bytes up
		 * to this one before it stops. */
		uint64_t upto = c->offset - p->chunk_off;

		lookahead_feed(p, p->chunk,
			       upto < p->chunk_len ? (size_t)upto
						   : p->chunk_len,
			       p->chunk_off);
	}
	lookahead_stop(p);
	if (!t)
		return;
	t->pub.cand_total++;
	if (t->pub.ncand >= p->lim.candidates_max)
		return;
	if (!t->pub.cand) {
		t->pub.cand = calloc(p->lim.candidates_max, sizeof(*k));
		if (!t->pub.cand)
			log_fatal(1, "out of memory (candidates)");
	}
	k = &t->pub.cand[t->pub.ncand];
	memset(k, 0, sizeof(*k));
	k->eod = *c;
	k->bytes_after = -1;
	if (!p->la && !(p->la = malloc(sizeof(*p->la))))
		log_fatal(1, "out of memory (look-ahead)");
	memset(p->la, 0, sizeof(*p->la));
	p->la->active = true;
	p->la->txn = t;
	p->la->cand = t->pub.ncand;
	p->la->start = c->end;
	t->pub.ncand++;
}

static void start_data(struct smtp_parser *p)
{
	data_scan_init(&p->ds, on_body, on_candidate, p);
	lookahead_stop(p);
	if (p->data_txn)
		note(p, SMTP_CLIENT, "message begins");
}

/* The strict end of DATA was read (or the session ended inside it). */
static void data_done(struct smtp_parser *p, bool ended)
{
	struct txn *t = p->data_txn;
	char what[64];
	uint32_t i;

	if (p->ds.bare_lf)
		anomaly(p, SA_BARE_LF_DATA);
	if (p->ds.bare_cr)
		anomaly(p, SA_BARE_CR_DATA);
	if (p->ds.nul)
		anomaly(p, SA_NUL_DATA);
	if (p->ds.longest_line + 2 > RFC_TEXT_LINE_MAX)
		anomaly(p, SA_DATA_LINE_TOO_LONG);
	lookahead_stop(p);
	if (!t)
		return;
	t->pub.raw_bytes = p->ds.raw;
	t->pub.message_bytes = p->ds.msg;
	t->pub.gap_bytes = p->ds.gap_bytes;
	t->pub.bare_lf = p->ds.bare_lf;
	t->pub.bare_cr = p->ds.bare_cr;
	t->pub.nul = p->ds.nul;
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
		note(p, SMTP_CLIENT, what);
		push(p, SMTP_V_EOD, t, -1, false);
		txn_close(p, t, TXN_DONE);
	}
	p->data_txn = NULL;
}

/* ---- TLS --------------------------------------------------------------------- */

/* Bytes in TLS mode; before the first record, plaintext is residue. */
static void tls_bytes(struct smtp_parser *p, enum smtp_side side,
		      const uint8_t *d, size_t n)
{
	if (p->residue_check[side]) {
		size_t i = 0;

		while (i < n && !looks_like_tls(d + i, n - i) &&
		       p->residue_seen[side] < RESIDUE_SCAN_MAX) {
			i++;
			p->residue_seen[side]++;
		}
		if (i > 0) {
			if (p->f.residue_bytes[side] == 0)
				p->f.residue[side] =
					keep(p, d, i < RESIDUE_KEEP ? i
								   : RESIDUE_KEEP);
			p->f.residue_bytes[side] += i;
			anomaly(p, side == SMTP_CLIENT
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

static void tls_begin(struct smtp_parser *p, enum smtp_tls_state how)
{
	p->f.tls = how;
	p->server_tls = true;
	if (how == SMTP_TLS_STARTTLS)
		p->residue_check[SMTP_CLIENT] = p->residue_check[SMTP_SERVER] =
			true;
	note(p, SMTP_CLIENT, "TLS begins");
}

/* ---- commands ------------------------------------------------------------------ */

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
	int n;

	if (!p->redact) {
		p->redact = malloc(256);
		if (!p->redact)
			log_fatal(1, "out of memory");
	}
	if (plen > 128)
		plen = 128;
	n = snprintf((char *)p->redact, 256, "%.*s%s[%u bytes redacted]",
		     (int)plen, (const char *)prefix, plen ? " " : "",
		     secret_len);
	emit_command(p, v, p->redact, (uint32_t)(n < 256 ? n : 255), eol);
}

static void check_path(struct smtp_parser *p, const struct smtp_path *path)
{
	const uint8_t *at;

	if (path->lenient)
		anomaly(p, SA_PATH_LENIENT);
	if (path->addr_len + 2 > RFC_PATH_MAX)
		anomaly(p, SA_ADDRESS_TOO_LONG);
	at = NULL;
	for (uint32_t i = path->addr_len; i > 0; i--)
		if (path->addr[i - 1] == '@') {
			at = path->addr + i - 1;
			break;
		}
	if (at && (uint32_t)(at - path->addr) > RFC_LOCAL_MAX)
		anomaly(p, SA_LOCAL_PART_TOO_LONG);
}

static void cmd_mail(struct smtp_parser *p, const struct smtp_command *c)
{
	struct smtp_path path;
	struct txn *t;
	const uint8_t *q, *end;
	struct smtp_param prm;

	if (p->txn) {
		anomaly(p, SA_NESTED_MAIL);
		txn_close(p, p->txn, TXN_ABORT);
	}
	if (!p->f.have_helo)
		anomaly(p, SA_NO_HELO);
	if (p->f.transactions >= p->lim.txn_max) {
		anomaly(p, SA_TOO_MANY_TRANSACTIONS);
		push(p, SMTP_V_MAIL, NULL, -1, false);
		return;
	}
	t = txn_new(p);
	p->txn = t;
	if (!smtp_path_parse(c->arg, c->arg_len, "FROM", &path)) {
		anomaly(p, SA_PATH_INVALID);
	} else {
		check_path(p, &path);
		t->pub.have_mail = true;
		t->pub.mail_from = keep_txn(p, t, path.addr, path.addr_len);
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
					anomaly(p, SA_PARAM_DUPLICATE);
			}
			if (t->pub.nparams >= SMTP_TXN_PARAMS_MAX)
				continue;
			r = &t->pub.params[t->pub.nparams++];
			r->name = keep_txn(p, t, prm.name, prm.name_len);
			r->has_value = prm.value != NULL;
			if (prm.value)
				r->value = keep_txn(p, t, prm.value,
						    prm.value_len);
		}
	}
	push(p, SMTP_V_MAIL, t, -1, false);
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
		anomaly(p, SA_PATH_INVALID);
	else
		check_path(p, &path);
	if (!t) {
		/* Recipients without a sender (probing, or a broken client)
		 * still make a transaction, one without MAIL. */
		anomaly(p, SA_RCPT_WITHOUT_MAIL);
		if (p->f.transactions >= p->lim.txn_max) {
			anomaly(p, SA_TOO_MANY_TRANSACTIONS);
			push(p, SMTP_V_RCPT, NULL, -1, false);
			return;
		}
		t = txn_new(p);
		p->txn = t;
		if (p->ev.txn_begin)
			p->ev.txn_begin(p->ev.ctx, &t->pub);
	}
	t->pub.rcpt_total++;
	if (t->pub.nrcpt >= p->lim.rcpt_max) {
		anomaly(p, SA_TOO_MANY_RECIPIENTS);
		push(p, SMTP_V_RCPT, t, -1, false);
		return;
	}
	if (!t->pub.rcpt) {
		uint32_t n = p->lim.rcpt_max < 8 ? p->lim.rcpt_max : 8;

		t->pub.rcpt = calloc(n, sizeof(*r));
		if (!t->pub.rcpt)
			log_fatal(1, "out of memory (recipients)");
	} else if ((t->pub.nrcpt & (t->pub.nrcpt - 1)) == 0 &&
		   t->pub.nrcpt >= 8) {
		/* grow at powers of two, up to rcpt_max */
		uint32_t n = t->pub.nrcpt * 2;
		struct smtp_rcpt *nr;

		if (n > p->lim.rcpt_max)
			n = p->lim.rcpt_max;
		nr = realloc(t->pub.rcpt, n * sizeof(*nr));
		if (!nr)
			log_fatal(1, "out of memory (recipients)");
		t->pub.rcpt = nr;
	}
	r = &t->pub.rcpt[t->pub.nrcpt];
	memset(r, 0, sizeof(*r));
	if (ok) {
		r->addr = keep_txn(p, t, path.addr, path.addr_len);
		q = path.params;
		end = path.params + path.params_len;
		while (smtp_param_next(&q, end, &prm) && r->nparams < 4) {
			struct smtp_param_ref *pr = &r->params[r->nparams++];

			pr->name = keep_txn(p, t, prm.name, prm.name_len);
			pr->has_value = prm.value != NULL;
			if (prm.value)
				pr->value = keep_txn(p, t, prm.value,
						     prm.value_len);
		}
	}
	push(p, SMTP_V_RCPT, t, (int32_t)t->pub.nrcpt, false);
	t->pub.nrcpt++;
}

static void set_data_mode(struct smtp_parser *p, struct txn *t,
			  enum smtp_data_mode m)
{
	if (t->pub.data_mode != SMTP_DATA_NONE && t->pub.data_mode != m)
		anomaly(p, SA_DATA_AND_BDAT);
	t->pub.data_mode = m;
}

static void cmd_data(struct smtp_parser *p)
{
	struct txn *t = p->txn;

	if (!t || t->pub.rcpt_total == 0)
		anomaly(p, SA_DATA_WITHOUT_RCPT);
	if (t)
		set_data_mode(p, t, SMTP_DATA_DATA);
	p->data_txn = t;
	push(p, SMTP_V_DATA, t, -1, false);
	hold_for(p, HOLD_DATA);
}

static void bdat_chunk_done(struct smtp_parser *p)
{
	struct txn *t = p->data_txn;

	p->cmode = CM_CMD;
	if (!t)
		return;
	t->pub.bdat_chunks++;
	if (p->bdat_last) {
		t->pub.data_ended = true;
		t->pub.bdat_last = true;
		txn_close(p, t, TXN_DONE);
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
		anomaly(p, b.too_large ? SA_BDAT_TOO_LARGE : SA_BDAT_INVALID);
		push(p, SMTP_V_BDAT, NULL, -1, false);
		return;
	}
	if (!t)
		anomaly(p, SA_BDAT_WITHOUT_MAIL);
	else
		set_data_mode(p, t, SMTP_DATA_BDAT);
	push(p, SMTP_V_BDAT, t, -1, b.last);
	p->data_txn = t;
	p->bdat_left = b.size;
	p->bdat_last = b.last;
	p->cmode = CM_BDAT;
	if (b.size == 0)
		bdat_chunk_done(p);
}

static void cmd_auth(struct smtp_parser *p, const struct smtp_command *c,
		     const struct line *l)
{
	struct smtp_auth_arg a;
	uint32_t an;

	smtp_auth_arg_parse(c->arg, c->arg_len, &a);
	if (!p->sasl && !(p->sasl = calloc(1, sizeof(*p->sasl))))
		log_fatal(1, "out of memory (AUTH)");
	if (!p->f.offers_auth && p->greeted)
		anomaly(p, SA_AUTH_UNOFFERED);
	an = sasl_begin(p->sasl, (const char *)a.mech, a.mech_len,
			(const char *)a.initial, a.initial_len);
	if (an & (SASL_A_BAD_BASE64 | SASL_A_MALFORMED))
		anomaly(p, SA_AUTH_MALFORMED);
	p->f.auth_attempts++;
	p->auth_open = true;
	if (a.initial)
		emit_redacted(p, SMTP_V_AUTH, l->p,
			      (uint32_t)(a.initial - l->p) - 1, a.initial_len,
			      l->eol);
	else
		emit_command(p, SMTP_V_AUTH, l->p, l->len, l->eol);
	push(p, SMTP_V_AUTH, NULL, -1, false);
	hold_for(p, HOLD_AUTH);
}

static void note_eol(struct smtp_parser *p, const struct line *l)
{
	p->f.client_eols |= (uint8_t)(1u << l->eol);
	switch (l->eol) {
	case EOL_LF:
		anomaly(p, SA_BARE_LF_COMMAND);
		p->eol_lf_seen = true;
		break;
	case EOL_CRCRLF:
		anomaly(p, SA_CRCRLF_COMMAND);
		break;
	case EOL_CRLF:
		p->eol_crlf_seen = true;
		break;
	default:
		break;
	}
	if (p->eol_lf_seen && p->eol_crlf_seen)
		anomaly(p, SA_MIXED_LINE_ENDINGS);
	if (l->bare_cr)
		anomaly(p, SA_BARE_CR_COMMAND);
	if (l->nul)
		anomaly(p, SA_NUL_COMMAND);
	if (l->truncated)
		anomaly(p, SA_LINE_CUT);
	if (l->full_len + 2 > RFC_COMMAND_MAX)
		anomaly(p, SA_COMMAND_TOO_LONG);
	if (l->full_len > p->f.longest_command)
		p->f.longest_command = l->full_len;
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
	an = sasl_client(p->sasl, (const char *)l->p, l->len);
	if (an & (SASL_A_BAD_BASE64 | SASL_A_MALFORMED))
		anomaly(p, SA_AUTH_MALFORMED);
	if (p->sasl->cancelled) {
		anomaly(p, SA_AUTH_CANCELLED);
		emit_command(p, SMTP_V_AUTH_DATA, l->p, l->len, l->eol);
	} else {
		emit_redacted(p, SMTP_V_AUTH_DATA, NULL, 0, l->len, l->eol);
	}
	hold_for(p, HOLD_AUTH);
}

static void client_line(struct smtp_parser *p, const struct line *l)
{
	struct smtp_command c;

	if (p->cmode == CM_AUTH) {
		client_auth_line(p, l);
		return;
	}
	note_eol(p, l);
	p->f.commands++;
	if (!p->greeted)
		p->cmds_before_greeting++;
	if (p->f.quit)
		anomaly(p, SA_COMMAND_AFTER_QUIT);
	if (binary(l))
		anomaly(p, SA_BINARY_COMMAND);
	if (!smtp_command_parse(l->p, l->len, &c)) {
		anomaly(p, SA_NOT_A_COMMAND);
		emit_command(p, SMTP_V_UNKNOWN, l->p, l->len, l->eol);
		push(p, SMTP_V_UNKNOWN, NULL, -1, false);
		return;
	}
	if (p->pcount > 0 && p->greeted && !p->f.offers_pipelining &&
	    c.verb != SMTP_V_AUTH)
		anomaly(p, SA_PIPELINING_UNOFFERED);
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
			anomaly(p, SA_HELO_EMPTY);
		if (!p->f.have_helo) {
			p->f.have_helo = true;
			p->f.helo_verb = c.verb;
			p->f.helo = keep(p, c.arg, c.arg_len);
		}
		txn_close(p, p->txn, TXN_ABORT);
		push(p, c.verb, NULL, -1, false);
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
		txn_close(p, p->txn, TXN_ABORT);
		push(p, c.verb, NULL, -1, false);
		break;
	case SMTP_V_QUIT:
		p->f.quit = true;
		txn_close(p, p->txn, TXN_ABORT);
		push(p, c.verb, NULL, -1, false);
		break;
	case SMTP_V_STARTTLS:
		p->f.starttls_attempted = true;
		if (!p->f.offers_starttls && p->greeted)
			anomaly(p, SA_STARTTLS_UNOFFERED);
		push(p, c.verb, NULL, -1, false);
		hold_for(p, HOLD_STARTTLS);
		break;
	case SMTP_V_UNKNOWN:
		anomaly(p, SA_UNKNOWN_COMMAND);
		push(p, c.verb, NULL, -1, false);
		break;
	default:
		push(p, c.verb, NULL, -1, false);
		break;
	}
}

/* ---- the client byte stream --------------------------------------------------- */

static void decide_implicit(struct smtp_parser *p, enum smtp_side side,
			    const uint8_t *d, size_t n)
{
	bool plain;

	if (n == 0)
		return;
	if (side == SMTP_SERVER)
		plain = n >= 1 && d[0] >= '2' && d[0] <= '5';
	else
		plain = !looks_like_tls(d, n) &&
			((d[0] >= 'A' && d[0] <= 'Z') ||
			 (d[0] >= 'a' && d[0] <= 'z'));
	p->implicit_pending = false;
	if (plain) {
		anomaly(p, SA_PLAINTEXT_ON_TLS_PORT);
		p->cmode = CM_CMD;
		p->server_tls = false;
		p->f.tls = SMTP_TLS_NONE;
	} else {
		p->cmode = CM_TLS;
		tls_begin(p, SMTP_TLS_IMPLICIT);
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
static size_t gap_probe(struct smtp_parser *p, enum smtp_side side,
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

static void server_feed(struct smtp_parser *p, const uint8_t *d, size_t n);

/* Read the held probe bytes now that the framer knows what they are. */
static void replay_probe(struct smtp_parser *p, enum smtp_side side)
{
	uint8_t buf[GAP_PROBE];
	uint8_t n = p->gp[side].len;

	memcpy(buf, p->gp[side].buf, n);
	p->gp[side].len = 0;
	if (side == SMTP_CLIENT)
		client_feed(p, buf, n);
	else
		server_feed(p, buf, n);
}

static void client_feed(struct smtp_parser *p, const uint8_t *d, size_t n)
{
	if (p->implicit_pending)
		decide_implicit(p, SMTP_CLIENT, d, n);
	while (n > 0) {
		size_t used = 0;

		switch (p->cmode) {
		case CM_TLS:
			tls_bytes(p, SMTP_CLIENT, d, n);
			return;
		case CM_HOLD:
			if (p->hold_len + n > p->lim.hold_max) {
				anomaly(p, SA_HOLD_OVERFLOW);
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
			if (p->la && p->la->active)
				lookahead_feed(p, d, used, off);
			if (p->ds.done) {
				p->cmode = CM_CMD;
				data_done(p, true);
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
				bdat_chunk_done(p);
			break;
		}
		case CM_CMD:
		case CM_AUTH: {
			struct line l;

			if (p->gp[SMTP_CLIENT].on) {
				bool decided;

				used = gap_probe(p, SMTP_CLIENT, d, n, false,
						 &decided);
				if (decided)
					replay_probe(p, SMTP_CLIENT);
				break;
			}
			if (line_next(&p->cl, d, n, &used, &l))
				client_line(p, &l);
			break;
		}
		}
		d += used;
		n -= used;
	}
}

/* ---- replies ---------------------------------------------------------------- */

static void reply_add_line(struct smtp_parser *p, const struct line *l,
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
	} else if (rl->code != r->code) {
		r->mismatch = true;
	}
	if (r->lines >= p->lim.reply_lines_max) {
		anomaly(p, SA_REPLY_TOO_MANY_LINES);
		return;
	}
	if (r->len + need > REPLY_TEXT_MAX)
		return;
	if (r->lines == r->starts_cap) {
		uint32_t want = r->starts_cap ? r->starts_cap * 2 : 8;
		uint32_t *ns;

		if (want > p->lim.reply_lines_max)
			want = p->lim.reply_lines_max;
		ns = realloc(r->starts, want * sizeof(*ns));
		if (!ns)
			log_fatal(1, "out of memory (reply)");
		r->starts = ns;
		r->starts_cap = want;
	}
	if (r->len + need > r->cap) {
		uint32_t want = r->cap ? r->cap : 512;
		char *nb;

		while (want < r->len + need)
			want *= 2;
		nb = realloc(r->text, want);
		if (!nb)
			log_fatal(1, "out of memory (reply)");
		r->text = nb;
		r->cap = want;
	}
	if (r->lines > 0)
		r->text[r->len++] = '\n';
	r->starts[r->lines++] = r->len;
	memcpy(r->text + r->len, rl->text, rl->text_len);
	r->len += rl->text_len;
	(void)l;
}

static void capabilities(struct smtp_parser *p)
{
	struct reply_acc *r = &p->r;
	uint32_t i;

	p->f.ncaps = 0;
	for (i = 1; i < r->lines; i++) {
		const char *s = r->text + r->starts[i];
		uint32_t end = i + 1 < r->lines ? r->starts[i + 1] - 1 : r->len;
		uint32_t len = end - r->starts[i];
		const uint8_t *u = (const uint8_t *)s;

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
			anomaly(p, SA_TOO_MANY_CAPABILITIES);
			continue;
		}
		if (p->f.ncaps == p->caps_cap) {
			uint32_t want = p->caps_cap ? p->caps_cap * 2 : 16;
			struct strref *nc;

			if (want > p->lim.caps_max)
				want = p->lim.caps_max;
			nc = realloc(p->f.caps, want * sizeof(*nc));
			if (!nc)
				log_fatal(1, "out of memory (capabilities)");
			p->f.caps = nc;
			p->caps_cap = want;
		}
		p->f.caps[p->f.ncaps++] = keep(p, s, len);
	}
}

static void auth_done(struct smtp_parser *p, uint16_t code)
{
	enum smtp_auth_result res;

	if (p->sasl->cancelled)
		res = SMTP_AUTH_CANCELLED;
	else if (code >= 200 && code < 300)
		res = SMTP_AUTH_SUCCESS;
	else
		res = SMTP_AUTH_FAILURE;
	p->f.auth_result = res;
	if (res == SMTP_AUTH_SUCCESS)
		p->f.auth_successes++;
	else if (res == SMTP_AUTH_FAILURE)
		p->f.auth_failures++;
	snprintf(p->f.auth_mech, sizeof(p->f.auth_mech), "%s",
		 p->sasl->mech_name);
	if (p->sasl->have_user)
		p->f.auth_user = keep(p, p->sasl->user, p->sasl->user_len);
	p->f.auth_secrets |= p->sasl->secrets;
	p->auth_open = false;
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
		anomaly(p, SA_REPLY_CODE_MISMATCH);
	if (!p->greeted) {
		p->greeted = true;
		p->f.have_banner = true;
		p->f.banner_code = r->code;
		p->f.banner = keep(p, r->text, r->len);
		if (p->cmds_before_greeting)
			anomaly(p, SA_PREGREET);
		e.answers = SMTP_V_GREETING;
		if (p->ev.reply)
			p->ev.reply(p->ev.ctx, &e);
		return;
	}
	h = head(p);
	if (!h) {
		if (p->f.nunmatched < SMTP_UNMATCHED_KEEP)
			p->f.unmatched_codes[p->f.nunmatched++] = r->code;
		p->f.unmatched_replies++;
		if (!p->gapped)
			anomaly(p, (p->cmode == CM_DATA && r->code < 400)
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
				release(p, CM_AUTH);
			else if (p->cmode == CM_CMD)
				p->cmode = CM_AUTH;
			return; /* the exchange goes on */
		}
		pop(p);
		auth_done(p, r->code);
		if (p->cmode == CM_HOLD)
			release(p, CM_CMD);
		else if (p->cmode == CM_AUTH)
			p->cmode = CM_CMD;
		return;
	case SMTP_V_DATA:
		if (t)
			t->pub.data_cmd_code = r->code;
		pop(p);
		if (r->code != 354 && p->cmode != CM_DATA)
			p->data_txn = NULL; /* refused: no message follows */
		if (p->cmode == CM_HOLD && p->hold_for == HOLD_DATA)
			release(p, r->code == 354 ? CM_DATA : CM_CMD);
		return;
	case SMTP_V_EOD:
	case SMTP_V_BDAT:
		if (t && (h->verb == SMTP_V_EOD || h->last)) {
			t->pub.data_code = r->code;
			memcpy(t->pub.data_enhanced, enh, sizeof(enh));
			t->pub.data_text = keep_txn(p, t, r->text, r->len);
		} else if (t && r->code >= 400 && t->pub.data_code == 0) {
			/* a refused chunk: the transaction fails */
			t->pub.data_code = r->code;
			memcpy(t->pub.data_enhanced, enh, sizeof(enh));
			t->pub.data_text = keep_txn(p, t, r->text, r->len);
		}
		pop(p);
		return;
	case SMTP_V_STARTTLS:
		p->f.starttls_code = r->code;
		pop(p);
		if (r->code == 220) {
			p->f.starttls_succeeded = true;
			tls_begin(p, SMTP_TLS_STARTTLS);
			if (p->cmode == CM_HOLD)
				release(p, CM_TLS);
			else
				p->cmode = CM_TLS;
		} else if (p->cmode == CM_HOLD) {
			release(p, CM_CMD);
		}
		return;
	case SMTP_V_EHLO:
	case SMTP_V_LHLO:
		if (r->code >= 200 && r->code < 300)
			capabilities(p);
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
	pop(p);
}

static void server_line(struct smtp_parser *p, const struct line *l)
{
	struct smtp_reply_line rl;

	if (l->eol == EOL_LF)
		anomaly(p, SA_BARE_LF_REPLY);
	if (l->full_len + 2 > RFC_REPLY_MAX)
		anomaly(p, SA_REPLY_TOO_LONG);
	smtp_reply_line_parse(l->p, l->len, &rl);
	if (!rl.valid) {
		anomaly(p, p->greeted || p->r.active ? SA_REPLY_MALFORMED
						     : SA_NOT_SMTP_SERVER);
		return;
	}
	reply_add_line(p, l, &rl);
	if (!rl.more)
		reply_done(p);
}

static void server_feed(struct smtp_parser *p, const uint8_t *d, size_t n)
{
	if (n)
		p->server_seen = true;
	if (p->implicit_pending)
		decide_implicit(p, SMTP_SERVER, d, n);
	while (n > 0) {
		struct line l;
		size_t used;

		if (p->server_tls) {
			tls_bytes(p, SMTP_SERVER, d, n);
			return;
		}
		if (p->gp[SMTP_SERVER].on) {
			bool decided;

			used = gap_probe(p, SMTP_SERVER, d, n, false, &decided);
			if (decided)
				replay_probe(p, SMTP_SERVER);
		} else if (line_next(&p->sl, d, n, &used, &l)) {
			server_line(p, &l);
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
	free(p->r.starts);
	free(p->r.text);
	free(p->hold);
	free(p->spare);
	free(p->redact);
	free(p->la);
	free(p);
}

void smtp_parser_data(struct smtp_parser *p, enum smtp_side side,
		      const uint8_t *data, size_t n, int64_t ts)
{
	p->now = ts;
	if (side == SMTP_CLIENT)
		client_feed(p, data, n);
	else
		server_feed(p, data, n);
}

void smtp_parser_gap(struct smtp_parser *p, enum smtp_side side, uint64_t n,
		     int64_t ts)
{
	p->now = ts;
	if (side == SMTP_SERVER) {
		anomaly(p, SA_SERVER_GAP);
		p->gapped = true;
		if (!p->server_tls) {
			line_reset(&p->sl);
			p->r.active = false;
			p->gp[SMTP_SERVER].on = true;
			p->gp[SMTP_SERVER].len = 0;
		}
		return;
	}
	anomaly(p, SA_CLIENT_GAP);
	p->gapped = true;
	if (p->cmode == CM_HOLD)
		release_guess(p);
	switch (p->cmode) {
	case CM_DATA:
		data_scan_gap(&p->ds, n);
		lookahead_stop(p);
		if (p->data_txn)
			p->data_txn->pub.partial = true;
		break;
	case CM_BDAT:
		if (p->data_txn) {
			p->data_txn->pub.partial = true;
			p->data_txn->pub.gap_bytes +=
				n < p->bdat_left ? n : p->bdat_left;
		}
		if (n < p->bdat_left) {
			p->bdat_left -= n;
		} else {
			bdat_chunk_done(p);
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

		gap_probe(p, side, NULL, 0, true, &decided);
		replay_probe(p, side);
	}
	if (side == SMTP_SERVER) {
		p->server_ended = true;
		if (!p->server_tls && line_flush(&p->sl, &l))
			server_line(p, &l);
		if (p->cmode == CM_HOLD)
			release_guess(p);
		return;
	}
	p->client_ended = true;
	if ((p->cmode == CM_CMD || p->cmode == CM_AUTH) &&
	    line_flush(&p->cl, &l))
		client_line(p, &l);
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
		data_done(p, false);
	}
	if (p->auth_open) {
		p->f.auth_result = p->sasl->cancelled ? SMTP_AUTH_CANCELLED
						     : SMTP_AUTH_UNKNOWN;
		snprintf(p->f.auth_mech, sizeof(p->f.auth_mech), "%s",
			 p->sasl->mech_name);
		if (p->sasl->have_user)
			p->f.auth_user =
				keep(p, p->sasl->user, p->sasl->user_len);
		p->f.auth_secrets |= p->sasl->secrets;
		p->auth_open = false;
	}
	txn_close(p, p->txn, TXN_END);
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
