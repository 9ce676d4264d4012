/*
 * The SMTP stream consumer: picks the TCP flows that are SMTP sessions
 * (server port in the configured list), follows their two byte streams,
 * and when a session ends writes its smtp.session record.
 *
 * Owns one small state per followed session (freed at close) and a JSON
 * buffer reused for every record. The SMTP dialogue parser (src/smtp/,
 * next) plugs in here.
 */
#ifndef SMTPSCOPE_SMTP_SMTP_CONSUMER_H
#define SMTPSCOPE_SMTP_SMTP_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include "flow/flow_table.h"
#include "flow/stream.h"
#include "output/writer.h"

#define SMTP_DEFAULT_PORTS "25,465,587,2525"

struct smtp_config {
	uint8_t server_ports[PORT_MAP_BYTES];
};

struct smtp_stats {
	uint64_t sessions; /* records written */
	uint64_t attempts; /* connection attempts with no handshake and no
			      payload: counted, no record */
	uint64_t gaps;     /* stream gaps over all sessions */
	uint64_t overlaps_differing;
};

void smtp_config_defaults(struct smtp_config *cfg);
/* Parse "25,587,2525" into the port set (replacing it). false with a
 * message in err on a bad list. */
bool smtp_config_set_ports(struct smtp_config *cfg, const char *list,
			   char *err, size_t errlen);

struct smtp_engine;
struct smtp_engine *smtp_engine_new(const struct smtp_config *cfg,
				    struct out_writer *out);
void smtp_engine_free(struct smtp_engine *e);
/* The consumer to give the flow table; valid while e lives. */
struct stream_consumer smtp_engine_consumer(struct smtp_engine *e);
const struct smtp_stats *smtp_engine_stats(const struct smtp_engine *e);

#endif
