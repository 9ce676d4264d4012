/*
 * A session's dialogue as a list, for `--transcript` and `smtpscope show`:
 * every command and reply in order, with times and marks ("message of N
 * bytes", "TLS begins"). AUTH secrets never reach it (the parser redacts
 * them). Bounded: at most `max` entries, each cut to TRANSCRIPT_TEXT_MAX
 * bytes; what does not fit is counted.
 */
#ifndef SMTPSCOPE_SMTP_TRANSCRIPT_H
#define SMTPSCOPE_SMTP_TRANSCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/strpool.h"

#define TRANSCRIPT_TEXT_MAX 1024

enum transcript_kind { TR_COMMAND, TR_REPLY, TR_NOTE };

struct transcript_entry {
	int64_t ts;
	uint8_t side;       /* enum smtp_side */
	uint8_t kind;       /* enum transcript_kind */
	bool cut;           /* text was longer */
	struct strref text;
};

struct transcript {
	struct transcript_entry *e;
	uint32_t n, cap, max;
	uint64_t dropped;   /* entries that did not fit */
	struct strpool text;
};

void transcript_init(struct transcript *t, uint32_t max_entries);
void transcript_free(struct transcript *t);
void transcript_add(struct transcript *t, int64_t ts, int side,
		    enum transcript_kind kind, const void *text, size_t len);

#endif
