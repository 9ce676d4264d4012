/*
 * The pipeline: decode -> flow table -> SMTP consumer -> records, wired
 * together for one thread. Used by `smtpscope read`, the fuzz targets
 * and the end-to-end unit tests alike, so all of them run the same code.
 */
#ifndef SMTPSCOPE_PIPELINE_H
#define SMTPSCOPE_PIPELINE_H

#include "capture/source.h"
#include "decode/decode.h"
#include "flow/flow_table.h"
#include "output/writer.h"
#include "mail/direction.h"
#include "smtp/smtp_consumer.h"

struct pipeline_config {
	struct decode_config decode;
	struct flow_config flow;
	struct smtp_config smtp;
	struct mail_local local; /* smtp.local points here when set */
};

void pipeline_config_defaults(struct pipeline_config *cfg);

struct pipeline;
struct pipeline *pipeline_new(const struct pipeline_config *cfg,
			      struct out_writer *out);
void pipeline_packet(struct pipeline *p, const struct capture_packet *cp);
/* End of input: finish every flow (records are written). */
void pipeline_finish(struct pipeline *p);
void pipeline_free(struct pipeline *p);

const struct decode_stats *pipeline_decode_stats(const struct pipeline *p);
const struct ipfrag_stats *pipeline_frag_stats(const struct pipeline *p);
const struct flow_table_stats *pipeline_flow_stats(const struct pipeline *p);
const struct smtp_stats *pipeline_smtp_stats(const struct pipeline *p);

#endif
