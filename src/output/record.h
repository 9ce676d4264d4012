/*
 * Records: plain structs that own their data, one per finished session
 * (later: per transaction, per alert), built by the protocol layer and
 * turned into JSON by record_*_json(). Every field they emit is listed in
 * docs/schema.md; a test fails when one is not.
 */
#ifndef SMTPSCOPE_OUTPUT_RECORD_H
#define SMTPSCOPE_OUTPUT_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/json.h"
#include "flow/flow_id.h"
#include "flow/stream.h"
#include "mail/message.h"
#include "smtp/parser.h"
#include "smtp/transcript.h"

struct session_record {
	char session_id[SESSION_ID_LEN];
	char community_id[COMMUNITY_ID_LEN];
	struct flow_info info;
	struct stream_dir_stats dir[2]; /* by enum stream_dir */
	int64_t end_ts;
	enum flow_end_reason end;
	bool handshake;
	/* Borrowed for the call that writes the record; NULL when absent. */
	const struct smtp_session_facts *smtp;
	const struct transcript *transcript;
	bool hide_auth_user;
};

/* Fill the flow part of a session record from a finished flow. */
void record_session_from_flow(struct session_record *r,
			      const struct flow_summary *sum);

/* Write the record as one JSON object (no newline) into w. */
void record_session_json(struct jw *w, const struct session_record *r);

/* One smtp.transaction record of the session r. */
/* One smtp.transaction record of the session r; msg is what the message
 * engine read of its message (NULL: no message, or not read), direction
 * its email.direction (NULL: none). */
void record_txn_json(struct jw *w, const struct session_record *r,
		     const struct smtp_txn *t, const struct mail_facts *msg,
		     const char *direction);

#endif
