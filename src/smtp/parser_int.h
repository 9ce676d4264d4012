/*
 * Inside the SMTP parser: the state shared by its four files, which split
 * one job by side of the dialogue - parser.c (the session, transactions,
 * the pipeline queue, client bytes and gaps), parser_cmd.c (commands),
 * parser_data.c (DATA and the smuggling look-ahead), parser_reply.c
 * (replies and the TLS hand-off). Not for use outside src/smtp/parser*.c;
 * "sp_" is their private prefix.
 */
#ifndef SMTPSCOPE_SMTP_PARSER_INT_H
#define SMTPSCOPE_SMTP_PARSER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtp/parser.h"

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
	uint32_t rcpt_cap, cand_cap;
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
	bool cut;              /* lines or text over the cap: rest unread */
	uint32_t lines;
	char *text;            /* the lines' text, joined by LF */
	uint32_t len, cap;
};

struct lookahead {
	struct txn *txn;       /* NULL: stopped */
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

	/* server side */
	uint32_t caps_cap;
	bool server_tls;
	bool server_ended;
	bool server_seen;
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
	int64_t now;
};

/* An AUTH exchange is over: its outcome and what SASL read go to the facts. */
void sp_auth_end(struct smtp_parser *p, enum smtp_auth_result res);
void sp_anomaly(struct smtp_parser *p, enum smtp_anomaly a);
void sp_bdat_chunk_done(struct smtp_parser *p);
void sp_decide_implicit(struct smtp_parser *p, enum smtp_side side,
			const uint8_t *d, size_t n);
size_t sp_gap_probe(struct smtp_parser *p, enum smtp_side side,
		    const uint8_t *d, size_t n, bool flush, bool *decided);
void sp_replay_probe(struct smtp_parser *p, enum smtp_side side);
void sp_client_feed(struct smtp_parser *p, const uint8_t *d, size_t n);
void sp_client_line(struct smtp_parser *p, const struct line *l);
void sp_data_done(struct smtp_parser *p, bool ended);
struct pending *sp_head(struct smtp_parser *p);
void sp_hold_for(struct smtp_parser *p, enum hold_for why);
struct strref sp_keep(struct smtp_parser *p, const void *s, size_t n);
/* For a field that keeps its latest value (core/strpool.h strpool_set). */
void sp_set(struct smtp_parser *p, struct strref *r, const void *s, size_t n);
struct strref sp_keep_txn(struct smtp_parser *p, struct txn *t, const void *s,
			  size_t n);
void sp_lookahead_feed(struct smtp_parser *p, const uint8_t *d, size_t n,
		       uint64_t off);
void sp_lookahead_stop(struct smtp_parser *p);
bool sp_looks_like_tls(const uint8_t *d, size_t n);
void sp_note(struct smtp_parser *p, enum smtp_side side, const char *what);
void sp_on_body(void *ctx, const uint8_t *d, size_t n);
void sp_on_candidate(void *ctx, const struct eod_candidate *c);
void sp_pop(struct smtp_parser *p);
void sp_push(struct smtp_parser *p, enum smtp_verb v, struct txn *t,
	     int32_t rcpt, bool last);
void sp_release(struct smtp_parser *p, enum cmode m);
void sp_server_feed(struct smtp_parser *p, const uint8_t *d, size_t n);
void sp_server_line(struct smtp_parser *p, const struct line *l);
void sp_start_data(struct smtp_parser *p);
void sp_tls_begin(struct smtp_parser *p, enum smtp_tls_state how);
void sp_tls_bytes(struct smtp_parser *p, enum smtp_side side,
		  const uint8_t *d, size_t n);
void sp_txn_close(struct smtp_parser *p, struct txn *t, enum txn_close why);
struct txn *sp_txn_new(struct smtp_parser *p);

#endif
