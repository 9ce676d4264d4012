#include "smtp/smtp_consumer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/json.h"
#include "core/log.h"
#include "output/record.h"
#include "smtp/transcript.h"

/* Bytes of each side looked at to decide whether a flow on another port
 * is SMTP; past that it is not. */
#define PROBE_MAX 512

struct smtp_engine {
	struct smtp_config cfg;
	struct out_writer *out;
	struct jw jw;
	struct smtp_stats st;
	struct mail_msg **spare; /* message engines not in use */
	uint32_t nspare, spare_cap;
};

/* The message of a transaction whose data is being read. Pipelining and
 * one-sided captures can leave more than one transaction open; each has
 * its own. */
struct msg_slot {
	const struct smtp_txn *t;
	uint32_t depth;
	struct mail_msg *m;
};

struct probe {
	uint8_t buf[2][PROBE_MAX]; /* by enum stream_dir */
	uint32_t len[2];
};

struct smtp_session {
	struct smtp_engine *eng;
	struct smtp_parser *parser;
	struct session_record rec;   /* identity, for transaction records */
	bool swap;                   /* the flow's client is the SMTP server */
	bool by_content;
	struct probe *probe;         /* while deciding; NULL after */
	struct transcript *tr;
	uint64_t seen[2];            /* bytes received per direction */
	struct msg_slot *slots;
	uint32_t nslots, slots_cap;
};

/* ---- configuration ------------------------------------------------------ */

bool smtp_config_port_list(uint8_t map[PORT_MAP_BYTES], const char *list,
			   char *err, size_t errlen)
{
	uint8_t tmp[PORT_MAP_BYTES];
	const char *p = list;
	int n = 0;

	memset(tmp, 0, sizeof(tmp));
	while (*p) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || errno || v == 0 || v > 65535 ||
		    (*end && *end != ',')) {
			snprintf(err, errlen,
				 "bad port list '%s': ports are numbers "
				 "1-65535 separated by commas",
				 list);
			return false;
		}
		port_map_set(tmp, (uint16_t)v);
		n++;
		p = *end ? end + 1 : end;
	}
	if (n == 0) {
		snprintf(err, errlen, "empty port list");
		return false;
	}
	memcpy(map, tmp, sizeof(tmp));
	return true;
}

void smtp_config_defaults(struct smtp_config *cfg)
{
	char err[64];

	memset(cfg, 0, sizeof(*cfg));
	if (!smtp_config_port_list(cfg->server_ports, SMTP_DEFAULT_PORTS, err,
				   sizeof(err)) ||
	    !smtp_config_port_list(cfg->tls_ports, SMTP_DEFAULT_TLS_PORTS, err,
				   sizeof(err)))
		log_panic(__FILE__, __LINE__, "default ports: %s", err);
	cfg->any_port = true;
	cfg->transcript_max = 2000;
	smtp_limits_defaults(&cfg->limits);
	cfg->messages = true;
	mail_limits_defaults(&cfg->mail_limits);
}

/* ---- parser events --------------------------------------------------------- */

static void ev_command(void *ctx, const struct smtp_cmd_event *e)
{
	struct smtp_session *s = ctx;

	if (s->tr)
		transcript_add(s->tr, e->ts, SMTP_CLIENT, TR_COMMAND, e->line,
			       e->len);
}

static void ev_reply(void *ctx, const struct smtp_reply_event *e)
{
	struct smtp_session *s = ctx;
	char buf[TRANSCRIPT_TEXT_MAX];
	uint32_t i, o, start = 0, nth = 0;

	if (!s->tr)
		return;
	/* One entry per reply line, each with its code, as sent. */
	for (i = 0; i <= e->len; i++) {
		uint32_t n;

		if (i < e->len && e->text[i] != '\n')
			continue;
		o = (uint32_t)snprintf(buf, sizeof(buf), "%03u%c", e->code,
				       ++nth < e->lines ? '-' : ' ');
		n = i - start;
		if (n > sizeof(buf) - o)
			n = (uint32_t)(sizeof(buf) - o);
		memcpy(buf + o, e->text + start, n);
		o += n;
		transcript_add(s->tr, e->ts, SMTP_SERVER, TR_REPLY, buf, o);
		start = i + 1;
	}
}

static void ev_note(void *ctx, enum smtp_side side, const char *what,
		    int64_t ts)
{
	struct smtp_session *s = ctx;

	if (s->tr)
		transcript_add(s->tr, ts, side, TR_NOTE, what, strlen(what));
}

/* ---- messages ------------------------------------------------------------ */

static struct mail_msg *msg_take(struct smtp_engine *e)
{
	struct mail_msg *m;

	if (e->nspare)
		return e->spare[--e->nspare];
	m = mail_msg_new(&e->cfg.mail_limits, &e->cfg.extract);
	if (!m)
		log_fatal(1, "out of memory (message engine)");
	return m;
}

/* Engines kept for reuse (some 60 KiB each, more with big parts); more
 * are freed. Creating one costs far more than a message needs. */
#define SPARE_MAX 256

static void msg_give_back(struct smtp_engine *e, struct mail_msg *m)
{
	if (e->nspare >= SPARE_MAX) {
		mail_msg_free(m);
		return;
	}
	e->spare = grow_array(e->spare, &e->spare_cap, e->nspare + 1, 4, 0,
			      sizeof(*e->spare), "message engines");
	e->spare[e->nspare++] = m;
}

static struct msg_slot *slot_of(struct smtp_session *s,
				const struct smtp_txn *t)
{
	uint32_t i;

	for (i = 0; i < s->nslots; i++)
		if (s->slots[i].t == t && s->slots[i].depth == t->depth)
			return &s->slots[i];
	return NULL;
}

/* The message of t, its engine started on the first event. */
static struct msg_slot *slot_open(struct smtp_session *s,
				  const struct smtp_txn *t)
{
	struct msg_slot *sl = slot_of(s, t);
	char name[SESSION_ID_LEN + 16];

	if (sl)
		return sl;
	s->slots = grow_array(s->slots, &s->slots_cap, s->nslots + 1, 2, 0,
			      sizeof(*s->slots), "messages");
	sl = &s->slots[s->nslots++];
	sl->t = t;
	sl->depth = t->depth;
	sl->m = msg_take(s->eng);
	snprintf(name, sizeof(name), "%s-%u", s->rec.session_id, t->depth);
	mail_msg_reset(sl->m, name);
	return sl;
}

static void ev_body(void *ctx, const struct smtp_txn *t, const uint8_t *p,
		    size_t n)
{
	struct smtp_session *s = ctx;

	if (s->eng->cfg.messages)
		mail_msg_feed(slot_open(s, t)->m, p, n);
}

static void ev_body_gap(void *ctx, const struct smtp_txn *t, uint64_t n)
{
	struct smtp_session *s = ctx;

	if (s->eng->cfg.messages)
		mail_msg_gap(slot_open(s, t)->m, n);
}

/* email.direction of t, or NULL. */
static const char *direction(const struct smtp_session *s,
			     const struct smtp_txn *t,
			     const struct mail_facts *msg)
{
	const struct mail_local *l = s->eng->cfg.local;
	const char *rcpt[64];
	size_t len[64];
	struct mail_direction_in in;
	uint32_t i;

	if (!l || !mail_local_configured(l))
		return NULL;
	memset(&in, 0, sizeof(in));
	in.ipver = s->rec.info.ipver;
	in.client = s->rec.info.client.addr;
	in.server = s->rec.info.server.addr;
	if (t->have_mail && t->mail_from.len) {
		in.sender = strpool_at(&t->text, t->mail_from);
		in.sender_len = t->mail_from.len;
	} else if (msg && msg->from.n) {
		in.sender = strpool_at(&msg->text, msg->from.a[0].addr);
		in.sender_len = msg->from.a[0].addr.len;
	}
	/* The recipients the server took (or whose reply is not seen). */
	for (i = 0; i < t->nrcpt && in.nrcpt < 64; i++) {
		if (t->rcpt[i].code >= 400)
			continue;
		rcpt[in.nrcpt] = strpool_at(&t->text, t->rcpt[i].addr);
		len[in.nrcpt++] = t->rcpt[i].addr.len;
	}
	in.rcpt = rcpt;
	in.rcpt_len = len;
	return mail_direction_name(mail_direction_of(l, &in));
}

static void ev_txn_end(void *ctx, const struct smtp_txn *t)
{
	struct smtp_session *s = ctx;
	struct smtp_engine *e = s->eng;
	struct msg_slot *sl = slot_of(s, t);
	const struct mail_facts *msg = NULL;

	if (sl) {
		mail_msg_finish(sl->m, t->data_ended);
		msg = mail_msg_facts(sl->m);
		e->st.messages++;
	}
	e->st.transactions++;
	if (e->cfg.sink) {
		e->cfg.sink->transaction(e->cfg.sink->ctx, &s->rec, t, msg);
	} else {
		jw_reset(&e->jw);
		record_txn_json(&e->jw, &s->rec, t, msg,
				direction(s, t, msg));
		if (jw_failed(&e->jw))
			log_error("session %s: transaction record too large",
				  s->rec.session_id);
		else
			out_line(e->out, jw_data(&e->jw), jw_len(&e->jw));
	}
	if (sl) {
		uint32_t i;

		for (i = 0; msg && i < msg->nparts; i++)
			e->st.attachments += msg->parts[i].attachment;
		msg_give_back(e, sl->m);
		*sl = s->slots[--s->nslots];
	}
}

/* ---- following a flow ------------------------------------------------------- */

static void start_parser(struct smtp_session *s)
{
	struct smtp_engine *e = s->eng;
	struct smtp_events ev = {
		.ctx = s,
		.command = ev_command,
		.reply = ev_reply,
		.note = ev_note,
		.body = ev_body,
		.body_gap = ev_body_gap,
		.txn_end = ev_txn_end,
	};
	bool tls = port_map_has(e->cfg.tls_ports, s->rec.info.server.port);

	s->parser = smtp_parser_new(&e->cfg.limits, &ev, tls);
	if (!s->parser)
		log_fatal(1, "out of memory (SMTP session)");
	if (e->cfg.transcript) {
		s->tr = calloc(1, sizeof(*s->tr));
		if (!s->tr)
			log_fatal(1, "out of memory (transcript)");
		transcript_init(s->tr, e->cfg.transcript_max);
	}
}

/* The identity the records carry, with the sides as SMTP sees them. */
static void set_identity(struct smtp_session *s, const struct flow_info *fi)
{
	struct flow_summary sum;

	memset(&sum, 0, sizeof(sum));
	sum.info = fi;
	record_session_from_flow(&s->rec, &sum);
	if (s->swap) {
		struct flow_endpoint t = s->rec.info.client;

		s->rec.info.client = s->rec.info.server;
		s->rec.info.server = t;
		s->rec.info.role_basis = ROLE_BY_CONTENT;
		flow_session_id(&s->rec.info, s->rec.session_id,
				sizeof(s->rec.session_id));
	}
}

static void *on_open(void *ctx, const struct flow_info *fi)
{
	struct smtp_engine *e = ctx;
	struct smtp_session *s;
	bool port = port_map_has(e->cfg.server_ports, fi->server.port);

	if (!port && !e->cfg.any_port)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		log_fatal(1, "out of memory (session)");
	s->eng = e;
	set_identity(s, fi);
	if (port) {
		start_parser(s);
	} else {
		s->probe = calloc(1, sizeof(*s->probe));
		if (!s->probe)
			log_fatal(1, "out of memory (session)");
	}
	return s;
}

static enum smtp_side side_of(const struct smtp_session *s,
			      enum stream_dir dir)
{
	return (dir == DIR_C2S) != s->swap ? SMTP_CLIENT : SMTP_SERVER;
}

static bool is_greeting(const uint8_t *p, uint32_t n)
{
	return n >= 4 && p[0] == '2' && p[1] == '2' && p[2] == '0' &&
	       (p[3] == ' ' || p[3] == '-');
}

static bool is_hello(const uint8_t *p, uint32_t n)
{
	return n >= 5 && (smtp_ascii_prefix(p, n, "EHLO ") ||
			  smtp_ascii_prefix(p, n, "HELO ") ||
			  smtp_ascii_prefix(p, n, "LHLO ") ||
			  smtp_ascii_prefix(p, n, "MAIL FROM:"));
}

enum verdict { V_MORE, V_SMTP, V_NOT };

/*
 * An SMTP session on another port: one side greets with "220" and the
 * other says EHLO/HELO (FTP greets with 220 too, then says USER). The
 * side that greets is the server, whatever the SYN said.
 */
static enum verdict judge(struct smtp_session *s)
{
	const struct probe *pr = s->probe;
	int d;

	for (d = 0; d < 2; d++) {
		const uint8_t *b = pr->buf[d];
		uint32_t n = pr->len[d];

		if (n && memchr(b, '\n', n) && !is_greeting(b, n) &&
		    !is_hello(b, n))
			return V_NOT;
		if (is_hello(b, n)) {
			s->swap = d == DIR_S2C;
			return V_SMTP;
		}
	}
	if (pr->len[0] >= PROBE_MAX || pr->len[1] >= PROBE_MAX)
		return V_NOT;
	return V_MORE;
}

static bool probe_data(struct smtp_session *s, enum stream_dir dir,
		       const uint8_t *p, size_t n, int64_t ts)
{
	struct probe *pr = s->probe;
	uint32_t room = PROBE_MAX - pr->len[dir];
	uint32_t take = n < room ? (uint32_t)n : room;
	enum verdict v;
	int first;

	memcpy(pr->buf[dir] + pr->len[dir], p, take);
	pr->len[dir] += take;
	v = judge(s);
	if (v == V_MORE)
		return true;
	if (v == V_NOT)
		return false; /* not SMTP: the flow layer lets it go */
	/* It is SMTP: replay what was looked at, the greeter first. */
	s->by_content = true;
	if (s->swap) {
		/* The identity so far is the flow's view: turn it round. */
		struct flow_info fi = s->rec.info;

		set_identity(s, &fi);
	}
	s->probe = NULL;
	start_parser(s);
	first = s->swap ? DIR_C2S : DIR_S2C;
	smtp_parser_data(s->parser, side_of(s, (enum stream_dir)first),
			 pr->buf[first], pr->len[first], ts);
	smtp_parser_data(s->parser, side_of(s, (enum stream_dir)!first),
			 pr->buf[!first], pr->len[!first], ts);
	if (take < n)
		smtp_parser_data(s->parser, side_of(s, dir), p + take, n - take,
				 ts);
	free(pr);
	return true;
}

static bool on_data(void *st, enum stream_dir dir, const uint8_t *p, size_t n,
		    int64_t ts)
{
	struct smtp_session *s = st;

	s->seen[dir] += n;
	if (s->probe)
		return probe_data(s, dir, p, n, ts);
	smtp_parser_data(s->parser, side_of(s, dir), p, n, ts);
	return true;
}

static void on_gap(void *st, enum stream_dir dir, uint64_t n, int64_t ts)
{
	struct smtp_session *s = st;

	if (s->parser)
		smtp_parser_gap(s->parser, side_of(s, dir), n, ts);
}

static void on_end(void *st, enum stream_dir dir, int64_t ts)
{
	struct smtp_session *s = st;

	if (s->parser)
		smtp_parser_end(s->parser, side_of(s, dir), ts);
}

static void session_free(struct smtp_session *s)
{
	uint32_t i;

	smtp_parser_free(s->parser);
	for (i = 0; i < s->nslots; i++)
		msg_give_back(s->eng, s->slots[i].m);
	free(s->slots);
	if (s->tr) {
		transcript_free(s->tr);
		free(s->tr);
	}
	free(s->probe);
	free(s);
}

static void on_close(void *st, const struct flow_summary *sum)
{
	struct smtp_session *s = st;
	struct smtp_engine *e = s->eng;
	struct session_record rec;
	enum stream_dir c2s = s->swap ? DIR_S2C : DIR_C2S;

	/* The consumer saw exactly what the flow layer says it delivered. */
	if (sum->followed) {
		SS_ASSERT(s->seen[DIR_C2S] == sum->dir[DIR_C2S].delivered);
		SS_ASSERT(s->seen[DIR_S2C] == sum->dir[DIR_S2C].delivered);
	}
	if (!s->parser) {
		session_free(s); /* never turned out to be SMTP */
		return;
	}
	smtp_parser_finish(s->parser, sum->last_ts);
	if (!sum->handshake && sum->dir[DIR_C2S].payload_bytes == 0 &&
	    sum->dir[DIR_S2C].payload_bytes == 0) {
		e->st.attempts++;
		session_free(s);
		return;
	}
	/* The identity (ids included) is the one set_identity worked out. */
	rec = s->rec;
	rec.dir[DIR_C2S] = sum->dir[c2s];
	rec.dir[DIR_S2C] = sum->dir[!c2s];
	rec.end_ts = sum->last_ts;
	rec.end = sum->end;
	rec.handshake = sum->handshake;
	rec.smtp = smtp_parser_facts(s->parser);
	rec.transcript = s->tr;
	rec.hide_auth_user = e->cfg.hide_auth_user;
	if (e->cfg.sink) {
		e->cfg.sink->session(e->cfg.sink->ctx, &rec);
	} else {
		jw_reset(&e->jw);
		record_session_json(&e->jw, &rec);
		if (jw_failed(&e->jw))
			log_error("session %s: record too large, not written",
				  rec.session_id);
		else
			out_line(e->out, jw_data(&e->jw), jw_len(&e->jw));
	}
	e->st.sessions++;
	if (s->by_content)
		e->st.by_content++;
	e->st.gaps += sum->dir[0].gaps + sum->dir[1].gaps;
	e->st.overlaps_differing +=
		sum->dir[0].overlaps_differing + sum->dir[1].overlaps_differing;
	session_free(s);
}

/* ---- the engine ----------------------------------------------------------- */

struct smtp_engine *smtp_engine_new(const struct smtp_config *cfg,
				    struct out_writer *out)
{
	struct smtp_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->out = out;
	jw_init(&e->jw);
	return e;
}

void smtp_engine_free(struct smtp_engine *e)
{
	if (!e)
		return;
	while (e->nspare)
		mail_msg_free(e->spare[--e->nspare]);
	free(e->spare);
	jw_free(&e->jw);
	free(e);
}

struct stream_consumer smtp_engine_consumer(struct smtp_engine *e)
{
	struct stream_consumer c = {
		.ctx = e,
		.open = on_open,
		.data = on_data,
		.gap = on_gap,
		.end = on_end,
		.close = on_close,
	};

	return c;
}

const struct smtp_stats *smtp_engine_stats(const struct smtp_engine *e)
{
	return &e->st;
}
