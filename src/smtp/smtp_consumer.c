#include "smtp/smtp_consumer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "output/record.h"

struct smtp_engine {
	struct smtp_config cfg;
	struct out_writer *out;
	struct jw jw;
	struct smtp_stats st;
};

struct smtp_session {
	struct smtp_engine *eng;
	uint64_t seen[2]; /* bytes received per direction, to check the
			     flow layer's own count */
};

void smtp_config_defaults(struct smtp_config *cfg)
{
	char err[64];

	memset(cfg, 0, sizeof(*cfg));
	if (!smtp_config_set_ports(cfg, SMTP_DEFAULT_PORTS, err, sizeof(err)))
		log_panic(__FILE__, __LINE__, "default ports: %s", err);
}

bool smtp_config_set_ports(struct smtp_config *cfg, const char *list,
			   char *err, size_t errlen)
{
	uint8_t map[PORT_MAP_BYTES];
	const char *p = list;
	int n = 0;

	memset(map, 0, sizeof(map));
	while (*p) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || errno || v == 0 || v > 65535 ||
		    (*end && *end != ',')) {
			snprintf(err, errlen,
				 "bad port list '%s': ports are numbers "
				 "1-65535 separated by commas",
				 list);
			return false;
		}
		port_map_set(map, (uint16_t)v);
		n++;
		p = *end ? end + 1 : end;
	}
	if (n == 0) {
		snprintf(err, errlen, "empty port list");
		return false;
	}
	memcpy(cfg->server_ports, map, sizeof(map));
	return true;
}

static void *on_open(void *ctx, const struct flow_info *fi)
{
	struct smtp_engine *e = ctx;
	struct smtp_session *s;

	if (!port_map_has(e->cfg.server_ports, fi->server.port))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		log_fatal(1, "out of memory (session)");
	s->eng = e;
	return s;
}

static bool on_data(void *st, enum stream_dir dir, const uint8_t *p,
		    size_t n, int64_t ts)
{
	struct smtp_session *s = st;

	(void)p;
	(void)ts;
	s->seen[dir] += n;
	return true;
}

static void on_gap(void *st, enum stream_dir dir, uint64_t n, int64_t ts)
{
	(void)st;
	(void)dir;
	(void)n;
	(void)ts;
}

static void on_end(void *st, enum stream_dir dir, int64_t ts)
{
	(void)st;
	(void)dir;
	(void)ts;
}

static void on_close(void *st, const struct flow_summary *sum)
{
	struct smtp_session *s = st;
	struct smtp_engine *e = s->eng;
	struct session_record rec;

	/* The consumer saw exactly what the flow layer says it delivered. */
	SS_ASSERT(s->seen[DIR_C2S] == sum->dir[DIR_C2S].delivered);
	SS_ASSERT(s->seen[DIR_S2C] == sum->dir[DIR_S2C].delivered);

	if (!sum->handshake && sum->dir[DIR_C2S].payload_bytes == 0 &&
	    sum->dir[DIR_S2C].payload_bytes == 0) {
		e->st.attempts++;
		free(s);
		return;
	}
	record_session_from_flow(&rec, sum);
	jw_reset(&e->jw);
	record_session_json(&e->jw, &rec);
	if (jw_failed(&e->jw))
		log_error("session %s: record too large, not written",
			  rec.session_id);
	else
		out_line(e->out, jw_data(&e->jw), jw_len(&e->jw));
	e->st.sessions++;
	e->st.gaps += sum->dir[0].gaps + sum->dir[1].gaps;
	e->st.overlaps_differing +=
		sum->dir[0].overlaps_differing + sum->dir[1].overlaps_differing;
	free(s);
}

struct smtp_engine *smtp_engine_new(const struct smtp_config *cfg,
				    struct out_writer *out)
{
	struct smtp_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->out = out;
	jw_init(&e->jw);
	return e;
}

void smtp_engine_free(struct smtp_engine *e)
{
	if (!e)
		return;
	jw_free(&e->jw);
	free(e);
}

struct stream_consumer smtp_engine_consumer(struct smtp_engine *e)
{
	struct stream_consumer c = {
		.ctx = e,
		.open = on_open,
		.data = on_data,
		.gap = on_gap,
		.end = on_end,
		.close = on_close,
	};

	return c;
}

const struct smtp_stats *smtp_engine_stats(const struct smtp_engine *e)
{
	return &e->st;
}
