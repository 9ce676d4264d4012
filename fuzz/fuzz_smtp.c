/*
 * Fuzz target: the SMTP session parser alone, both directions
 * interleaved. The input is a list of records
 *     TAG LEN(2) BYTES
 * where TAG's low bit is the side (0 client, 1 server) and bits 1-2 the
 * kind: 0 data, 1 a gap of LEN bytes, 2 that side ends. The first byte
 * picks options: implicit TLS, and small limits (so every cap is hit).
 * The parser must survive anything and emit well-formed events; the
 * callbacks check the invariants they can (a transaction's message bytes
 * equal the body bytes it was handed).
 *
 * Built with -fsanitize=fuzzer when meson -Dfuzzing=true; otherwise
 * linked with replay.c, which runs the files given on its command line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "smtp/parser.h"
#include "../tests/unit/body_tally.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every byte handed out is read into this, so ASan checks its bounds. */
static volatile uint8_t sink;
static struct body_tally bodies;

static void on_txn_begin(void *ctx, const struct smtp_txn *t)
{
	(void)ctx;
	body_tally_begin(&bodies, t);
}

static void on_body(void *ctx, const struct smtp_txn *t, const uint8_t *p,
		    size_t n)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < n; i++)
		sink ^= p[i];
	body_tally_add(&bodies, t, p, n);
}

static void on_command(void *ctx, const struct smtp_cmd_event *e)
{
	uint32_t i;

	(void)ctx;
	for (i = 0; i < e->len; i++)
		sink ^= e->line[i];
}

static void on_reply(void *ctx, const struct smtp_reply_event *e)
{
	uint32_t i;

	(void)ctx;
	SS_ASSERT(e->code >= 200 && e->code <= 599);
	for (i = 0; i < e->len; i++)
		sink ^= e->text[i];
}

static void on_txn_end(void *ctx, const struct smtp_txn *t)
{
	const struct body_slot *body;
	uint32_t i;

	(void)ctx;
	SS_ASSERT(t->nrcpt <= t->rcpt_total);
	SS_ASSERT(t->rcpt_accepted <= t->rcpt_total);
	for (i = 0; i < t->ncand; i++)
		SS_ASSERT(t->cand[i].eod.end > t->cand[i].eod.offset);
	body = body_slot(&bodies, t);
	SS_ASSERT(!body || body->bytes == t->message_bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_events ev = {
		.command = on_command,
		.reply = on_reply,
		.txn_begin = on_txn_begin,
		.body = on_body,
		.txn_end = on_txn_end,
	};
	struct smtp_limits lim;
	struct smtp_parser *p;
	size_t i = 1;
	int64_t ts = 1;

	if (size < 1)
		return 0;
	log_set_quiet(1);
	smtp_limits_defaults(&lim);
	if (data[0] & 2) {
		lim.line_max = 64;
		lim.reply_lines_max = 2;
		lim.pending_max = 4;
		lim.rcpt_max = 2;
		lim.txn_max = 3;
		lim.caps_max = 2;
		lim.hold_max = 1024;
		lim.candidates_max = 1;
		lim.lookahead_max = 64;
		lim.text_max = 1024;
		lim.txn_text_max = 1024;
	}
	memset(&bodies, 0, sizeof(bodies));
	p = smtp_parser_new(&lim, &ev, data[0] & 1);
	if (!p)
		return 0;
	while (i + 3 <= size) {
		uint8_t tag = data[i];
		size_t len = (size_t)((data[i + 1] << 8) | data[i + 2]);
		enum smtp_side side = (tag & 1) ? SMTP_SERVER : SMTP_CLIENT;

		i += 3;
		switch ((tag >> 1) & 3) {
		case 0:
			if (len > size - i)
				len = size - i;
			smtp_parser_data(p, side, data + i, len, ts++);
			i += len;
			break;
		case 1:
			smtp_parser_gap(p, side, len, ts++);
			break;
		default:
			smtp_parser_end(p, side, ts++);
			break;
		}
	}
	smtp_parser_finish(p, ts);
	smtp_parser_free(p);
	return 0;
}
