/*
 * The SMTP stream consumer: picks the TCP flows that are SMTP sessions -
 * by server port, or on any other port by what the two sides say first
 * (a "220" greeting and an EHLO/HELO) - runs the SMTP parser over their
 * byte streams, and writes the records: one smtp.transaction per mail
 * transaction as it ends, one smtp.session when the session ends.
 *
 * Owns one state per followed flow (freed at close), including its parser
 * and, with --transcript, the dialogue; and a JSON buffer reused for every
 * record. A flow on another port that does not open like SMTP is let go
 * after its first bytes (the flow layer stops reassembling it).
 */
#ifndef SMTPSCOPE_SMTP_SMTP_CONSUMER_H
#define SMTPSCOPE_SMTP_SMTP_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include "flow/flow_table.h"
#include "flow/stream.h"
#include "output/writer.h"
#include "mail/direction.h"
#include "mail/message.h"
#include "smtp/parser.h"

struct session_record;

/* Where finished records go instead of JSON lines (smtpscope show).
 * Records are borrowed for the call. */
struct smtp_sink {
	void *ctx;
	void (*transaction)(void *ctx, const struct session_record *s,
			    const struct smtp_txn *t,
			    const struct mail_facts *msg);
	void (*session)(void *ctx, const struct session_record *s);
};

#define SMTP_DEFAULT_PORTS "25,465,587,2525"
#define SMTP_DEFAULT_TLS_PORTS "465"

struct smtp_config {
	uint8_t server_ports[PORT_MAP_BYTES];
	uint8_t tls_ports[PORT_MAP_BYTES]; /* sessions that begin in TLS */
	bool any_port;        /* recognise SMTP by content elsewhere */
	bool transcript;      /* smtp.transcript[] on session records */
	bool hide_auth_user;  /* leave AUTH user names out of records */
	uint32_t transcript_max;
	struct smtp_limits limits;
	bool messages;        /* run the message engine on each message */
	struct mail_limits mail_limits;
	struct mail_extract extract;
	const struct mail_local *local; /* email.direction; NULL: none */
	const struct smtp_sink *sink; /* NULL: JSON lines to the writer */
};

struct smtp_stats {
	uint64_t sessions;      /* session records written */
	uint64_t by_content;    /* ... of which found on another port */
	uint64_t attempts;      /* no handshake and no payload: no record */
	uint64_t transactions;  /* transaction records written */
	uint64_t messages;      /* ... with a message read */
	uint64_t attachments;
	uint64_t gaps;          /* stream gaps over all sessions */
	uint64_t overlaps_differing;
};

void smtp_config_defaults(struct smtp_config *cfg);
/* Parse "25,587,2525" into a port set (replacing it). false with a
 * message in err on a bad list. */
bool smtp_config_port_list(uint8_t map[PORT_MAP_BYTES], const char *list,
			   char *err, size_t errlen);

struct smtp_engine;
struct smtp_engine *smtp_engine_new(const struct smtp_config *cfg,
				    struct out_writer *out);
void smtp_engine_free(struct smtp_engine *e);
/* The consumer to give the flow table; valid while e lives. */
struct stream_consumer smtp_engine_consumer(struct smtp_engine *e);
const struct smtp_stats *smtp_engine_stats(const struct smtp_engine *e);

#endif
