/*
 * The SMTP session parser: both byte streams of one SMTP session in, a
 * faithful account of the dialogue out. Independent of capture: feed it
 * bytes and gaps per direction, in the order they were seen; it yields the
 * same events however the bytes are split.
 *
 * What it keeps (DETECTIONS.md part F):
 *  - every command and every reply, each final reply matched to its
 *    command through a pipeline queue (RFC 2920), the greeting apart;
 *  - line terminators as sent (CRLF, bare LF, CR CR LF), never normalised;
 *  - DATA read the strict RFC 5321 way (that drives the transaction) and,
 *    on the same bytes, every lenient end-of-data candidate, with whether
 *    SMTP commands follow it (and the smuggled envelope when they do);
 *  - BDAT chunks byte-exact; STARTTLS and implicit TLS hand-off, with any
 *    plaintext sent between the 220 and the handshake; AUTH exchanges
 *    through the SASL decoder (never a secret);
 *  - anomalies (smtp/anomaly.h) as data.
 *
 * Client bytes whose meaning depends on a reply not seen yet (after DATA,
 * STARTTLS, or an AUTH step) are held, up to hold_max bytes, until the
 * reply decides; past that, or when the server side is silent to the end,
 * the most likely reading is taken (the message, the handshake) and the
 * anomaly says so.
 *
 * Memory is bounded by struct smtp_limits; every breach is an anomaly.
 * Events borrow their pointers for the duration of the call.
 */
#ifndef SMTPSCOPE_SMTP_PARSER_H
#define SMTPSCOPE_SMTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strpool.h"
#include "smtp/anomaly.h"
#include "smtp/command.h"
#include "smtp/data.h"
#include "smtp/line.h"
#include "smtp/sasl.h"

enum smtp_side { SMTP_CLIENT = 0, SMTP_SERVER = 1 };

struct smtp_limits {
	uint32_t line_max;        /* bytes kept of a command or reply line */
	uint32_t reply_lines_max; /* lines kept of one multi-line reply */
	uint32_t pending_max;     /* commands awaiting their reply */
	uint32_t rcpt_max;        /* recipients kept per transaction */
	uint32_t txn_max;         /* transactions per session */
	uint32_t caps_max;        /* EHLO keywords kept */
	uint32_t hold_max;        /* client bytes held for a reply */
	uint32_t candidates_max;  /* lenient candidates kept per transaction */
	uint32_t lookahead_max;   /* bytes after a candidate searched for
				     smuggled commands */
	uint32_t text_max;        /* bytes of text kept per session */
	uint32_t txn_text_max;    /* bytes of text kept per transaction */
};

void smtp_limits_defaults(struct smtp_limits *l);
/* "name=value" for one limit; false with a message in err when unknown
 * or out of range. */
bool smtp_limits_set(struct smtp_limits *l, const char *assignment,
		     char *err, size_t errlen);
/* The names, for --help. */
const char *smtp_limits_names(void);

/* ---- what a session learns ------------------------------------------------ */

/* Codes kept of replies that answered no command (SMUG-03 evidence). */
#define SMTP_UNMATCHED_KEEP 16
/* Distinct unknown verbs kept, and how much of each. */
#define SMTP_UNKNOWN_KEEP 8
#define SMTP_VERB_KEEP 32

enum smtp_tls_state {
	SMTP_TLS_NONE,
	SMTP_TLS_STARTTLS, /* after a 220 to STARTTLS */
	SMTP_TLS_IMPLICIT, /* the session began in TLS (port 465) */
};

enum smtp_auth_result {
	SMTP_AUTH_NONE,      /* no AUTH */
	SMTP_AUTH_SUCCESS,   /* 235 */
	SMTP_AUTH_FAILURE,   /* 4xx/5xx */
	SMTP_AUTH_CANCELLED, /* "*" from the client, 501 */
	SMTP_AUTH_UNKNOWN,   /* no final reply seen */
};

const char *smtp_auth_result_name(enum smtp_auth_result r);

/* What an AUTH attempt disclosed besides the user (sasl.h says where each
 * comes from); empty where it had none. Names only, never a secret. */
struct smtp_auth_detail {
	struct strref authzid;     /* when not the user: a user name too */
	struct strref realm;       /* DIGEST-MD5 realm, NTLM domain */
	struct strref workstation; /* NTLM */
	/* Names the server gave in its NTLM challenge. */
	struct strref ntlm_target, ntlm_nb_domain, ntlm_nb_computer,
		ntlm_dns_domain, ntlm_dns_computer;
	uint32_t notes;            /* SASL_N_* */
};

struct smtp_session_facts {
	struct strpool text;          /* every string below */
	struct strref banner;         /* greeting text, lines joined by \n */
	uint16_t banner_code;
	bool have_banner;
	struct strref helo;           /* first HELO/EHLO argument */
	enum smtp_verb helo_verb;
	bool have_helo;
	struct strref *caps;          /* EHLO keywords with parameters */
	uint32_t ncaps;
	bool offers_starttls, offers_pipelining, offers_chunking,
		offers_smtputf8, offers_8bitmime, offers_auth;

	bool starttls_attempted;
	uint16_t starttls_code;
	bool starttls_succeeded;
	enum smtp_tls_state tls;
	uint64_t tls_bytes[2];        /* by smtp_side */
	uint64_t residue_bytes[2];    /* plaintext before the handshake */
	struct strref residue[2];     /* its first bytes */

	uint32_t auth_attempts;
	uint32_t auth_successes;
	uint32_t auth_failures;
	enum smtp_auth_result auth_result; /* of the last attempt */
	char auth_mech[SASL_MECH_NAME_MAX + 1]; /* of the last attempt */
	struct strref auth_user;      /* of the last attempt with a user */
	uint32_t auth_secrets;        /* SASL_SECRET_*, all attempts */
	uint32_t auth_exchanges;      /* SASL messages of the last attempt,
					 both sides, initial response included */
	struct smtp_auth_detail auth_detail; /* of the last attempt */

	struct strref unknown_verbs[SMTP_UNKNOWN_KEEP]; /* distinct, first ones */
	uint32_t nunknown;
	struct strref xclient;        /* arguments of the last XCLIENT */
	struct strref xforward;       /* ... and XFORWARD */
	uint64_t commands;
	uint64_t replies;
	uint64_t unmatched_replies;
	uint16_t unmatched_codes[SMTP_UNMATCHED_KEEP]; /* the first ones */
	uint32_t nunmatched;
	uint32_t transactions;
	bool quit;
	uint64_t longest_command;
	uint8_t client_eols;          /* bit per enum line_eol seen */
	struct smtp_anomalies anomalies;
};

/* ---- a mail transaction ---------------------------------------------------- */

enum smtp_txn_status {
	SMTP_TXN_ACCEPTED,   /* the message was taken (2xx after the data) */
	SMTP_TXN_REJECTED,   /* refused: MAIL, every RCPT, DATA or the data */
	SMTP_TXN_ABORTED,    /* RSET, QUIT, HELO or a new MAIL before the end */
	SMTP_TXN_INCOMPLETE, /* the session ended or went dark first */
};

const char *smtp_txn_status_name(enum smtp_txn_status s);

enum smtp_data_mode { SMTP_DATA_NONE, SMTP_DATA_DATA, SMTP_DATA_BDAT };

struct smtp_param_ref {
	struct strref name, value;
	bool has_value;
};

struct smtp_rcpt {
	struct strref addr;
	struct smtp_param_ref params[4];
	uint8_t nparams;
	uint16_t code;        /* 0: no reply seen */
	char enhanced[12];
};

struct smtp_candidate {
	struct eod_candidate eod;
	bool commands_follow;     /* SMTP commands come after it */
	bool smuggled_data;       /* ... up to DATA or BDAT */
	bool smuggled_mail;       /* ... with a MAIL FROM: smuggled_from */
	struct strref smuggled_from; /* empty for the null sender too */
	struct strref smuggled_rcpt[4];
	uint8_t nsmuggled_rcpt;
	int64_t bytes_after;      /* raw bytes from its end to the strict
				     end; -1 when DATA never ended */
};

#define SMTP_TXN_PARAMS_MAX 16

struct smtp_txn {
	uint32_t depth;           /* 1 for the first in the session */
	int64_t start, end;
	struct strpool text;
	bool have_mail;
	struct strref mail_from;
	struct smtp_param_ref params[SMTP_TXN_PARAMS_MAX];
	uint8_t nparams;
	uint16_t mail_code;
	char mail_enhanced[12];
	struct smtp_rcpt *rcpt;   /* first rcpt_max recipients */
	uint32_t nrcpt;           /* kept */
	uint32_t rcpt_total;      /* sent */
	uint32_t rcpt_accepted;
	enum smtp_data_mode data_mode;
	uint16_t data_cmd_code;   /* reply to DATA (354) */
	uint16_t data_code;       /* reply after the message */
	char data_enhanced[12];
	struct strref data_text;
	uint64_t message_bytes;   /* after dot-unstuffing; BDAT as sent */
	uint64_t raw_bytes;       /* DATA and BDAT bytes on the wire */
	uint64_t gap_bytes;       /* message bytes missing from capture; >0: partial */
	uint32_t bdat_chunks;
	bool data_ended;          /* strict end, or BDAT LAST */
	enum smtp_txn_status status;
	struct smtp_candidate *cand;
	uint32_t ncand;
	uint32_t cand_total;
	uint64_t bare_lf, bare_cr, nul, longest_line;
};

/* ---- events ---------------------------------------------------------------- */

struct smtp_cmd_event {
	enum smtp_verb verb;
	const uint8_t *line;  /* as sent, but AUTH secrets replaced */
	uint32_t len;
	enum line_eol eol;
	int64_t ts;
};

struct smtp_reply_event {
	uint16_t code;
	const uint8_t *text;  /* every line's text, joined by \n */
	uint32_t len;
	uint32_t lines;
	enum smtp_verb answers; /* what it answered (SMTP_V_UNKNOWN: none) */
	int64_t ts;
};

struct smtp_events {
	void *ctx;
	void (*command)(void *ctx, const struct smtp_cmd_event *e);
	void (*reply)(void *ctx, const struct smtp_reply_event *e);
	/* A mark in the dialogue: "message of N bytes", "TLS begins". */
	void (*note)(void *ctx, enum smtp_side side, const char *what,
		     int64_t ts);
	void (*txn_begin)(void *ctx, const struct smtp_txn *t);
	void (*body)(void *ctx, const struct smtp_txn *t, const uint8_t *p,
		     size_t n);
	/* n bytes of t's message are missing from the capture here. */
	void (*body_gap)(void *ctx, const struct smtp_txn *t, uint64_t n);
	void (*txn_end)(void *ctx, const struct smtp_txn *t);
	void (*tls)(void *ctx, enum smtp_side side, const uint8_t *p,
		    size_t n, int64_t ts);
	/* n bytes of that side's TLS stream are missing from the capture. */
	void (*tls_gap)(void *ctx, enum smtp_side side, uint64_t n,
			int64_t ts);
};

struct smtp_parser;

struct smtp_parser *smtp_parser_new(const struct smtp_limits *lim,
				    const struct smtp_events *ev,
				    bool implicit_tls);
void smtp_parser_free(struct smtp_parser *p);

void smtp_parser_data(struct smtp_parser *p, enum smtp_side side,
		      const uint8_t *data, size_t n, int64_t ts);
void smtp_parser_gap(struct smtp_parser *p, enum smtp_side side, uint64_t n,
		     int64_t ts);
/* That side is done (FIN or reset). */
void smtp_parser_end(struct smtp_parser *p, enum smtp_side side, int64_t ts);
/* The session is over: settle what was held, end the open transaction. */
void smtp_parser_finish(struct smtp_parser *p, int64_t ts);

const struct smtp_session_facts *smtp_parser_facts(const struct smtp_parser *p);

#endif
