/*
 * JSON of what the message engine learnt (mail/message.h) for the
 * smtp.transaction record: the ECS email object, and the smtp.* keys of
 * header fields, Received chain, URLs and the MIME tree. The facts are
 * borrowed for the call.
 */
#ifndef SMTPSCOPE_OUTPUT_RECORD_MAIL_H
#define SMTPSCOPE_OUTPUT_RECORD_MAIL_H

#include "core/json.h"
#include "mail/message.h"

/* "email": {...}, written where a top-level key may go; m may be NULL
 * (no message) when there is a direction. */
void record_email_json(struct jw *w, const struct mail_facts *m,
		       const char *direction);
/* "headers", "header_addresses", "received", "urls", "mime": written
 * inside the record's smtp object. */
void record_mime_json(struct jw *w, const struct mail_facts *m);

#endif
