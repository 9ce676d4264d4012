#include "pipeline.h"

#include <stdlib.h>

#include "core/log.h"

struct pipeline {
	struct pipeline_config cfg;
	struct decoder *dec;
	struct smtp_engine *smtp;
	struct flow_table *flows;
	struct packet pkt;
	bool finished;
};

void pipeline_config_defaults(struct pipeline_config *cfg)
{
	decode_config_defaults(&cfg->decode);
	flow_config_defaults(&cfg->flow);
	smtp_config_defaults(&cfg->smtp);
}

struct pipeline *pipeline_new(const struct pipeline_config *cfg,
			      struct out_writer *out)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	struct stream_consumer c;
	struct flow_config fc;

	if (!p)
		return NULL;
	p->cfg = *cfg;
	p->dec = decoder_new(&p->cfg.decode);
	p->smtp = smtp_engine_new(&p->cfg.smtp, out);
	if (!p->dec || !p->smtp)
		goto fail;
	c = smtp_engine_consumer(p->smtp);
	fc = p->cfg.flow;
	fc.server_ports = p->cfg.smtp.server_ports;
	p->flows = flow_table_new(&fc, &c);
	if (!p->flows)
		goto fail;
	return p;
fail:
	pipeline_free(p);
	return NULL;
}

void pipeline_packet(struct pipeline *p, const struct capture_packet *cp)
{
	if (decode_packet(p->dec, cp, &p->pkt) == DECODE_TCP)
		flow_table_packet(p->flows, &p->pkt);
}

void pipeline_finish(struct pipeline *p)
{
	if (p->finished)
		return;
	p->finished = true;
	flow_table_finish_all(p->flows, FLOW_END_EOF);
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	if (p->flows)
		pipeline_finish(p);
	flow_table_free(p->flows);
	smtp_engine_free(p->smtp);
	decoder_free(p->dec);
	free(p);
}

const struct decode_stats *pipeline_decode_stats(const struct pipeline *p)
{
	return decoder_stats(p->dec);
}

const struct ipfrag_stats *pipeline_frag_stats(const struct pipeline *p)
{
	return decoder_frag_stats(p->dec);
}

const struct flow_table_stats *pipeline_flow_stats(const struct pipeline *p)
{
	return flow_table_stats(p->flows);
}

const struct smtp_stats *pipeline_smtp_stats(const struct pipeline *p)
{
	return smtp_engine_stats(p->smtp);
}
