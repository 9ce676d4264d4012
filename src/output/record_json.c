#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"
#include "output/record.h"

void record_session_from_flow(struct session_record *r,
			      const struct flow_summary *sum)
{
	memset(r, 0, sizeof(*r));
	r->info = *sum->info;
	r->dir[DIR_C2S] = sum->dir[DIR_C2S];
	r->dir[DIR_S2C] = sum->dir[DIR_S2C];
	r->end_ts = sum->last_ts;
	r->end = sum->end;
	r->handshake = sum->handshake;
	flow_session_id(&r->info, r->session_id, sizeof(r->session_id));
	flow_community_id(&r->info, IPPROTO_TCP, 0, r->community_id,
			  sizeof(r->community_id));
}

static void kts(struct jw *w, const char *key, int64_t ts)
{
	char b[TIMEFMT_LEN];

	timefmt_rfc3339(b, sizeof(b), ts);
	jw_kstr(w, key, b);
}

static void endpoint(struct jw *w, const char *key,
		     const struct session_record *r,
		     const struct flow_endpoint *e,
		     const struct stream_dir_stats *st)
{
	char ip[64];

	flow_addr_str(&r->info, e, ip, sizeof(ip));
	jw_kobj(w, key);
	jw_kstr(w, "ip", ip);
	jw_ku64(w, "port", e->port);
	jw_ku64(w, "bytes", st->delivered);
	jw_ku64(w, "packets", st->packets);
	jw_obj_end(w);
}

static void dir_detail(struct jw *w, const char *key,
		       const struct stream_dir_stats *st)
{
	jw_kobj(w, key);
	jw_ku64(w, "ip_bytes", st->ip_bytes);
	jw_ku64(w, "payload_bytes", st->payload_bytes);
	jw_ku64(w, "gaps", st->gaps);
	jw_ku64(w, "gap_bytes", st->gap_bytes);
	jw_ku64(w, "retransmitted_bytes", st->retransmitted);
	jw_ku64(w, "overlaps_differing", st->overlaps_differing);
	jw_ku64(w, "overlap_bytes_differing", st->overlap_bytes_differing);
	jw_ku64(w, "overlap_bytes_unchecked", st->overlap_bytes_unchecked);
	jw_ku64(w, "out_of_order", st->out_of_order);
	jw_ku64(w, "out_of_window", st->out_of_window);
	jw_ku64(w, "rst_ignored", st->rst_ignored);
	jw_kbool(w, "syn", st->syn);
	jw_kbool(w, "fin", st->fin);
	jw_kbool(w, "rst", st->rst);
	jw_obj_end(w);
}

static const char *role_basis_name(enum flow_role_basis b)
{
	switch (b) {
	case ROLE_BY_SYN: return "syn";
	case ROLE_BY_PORT: return "port";
	default: return "guess";
	}
}

void record_session_json(struct jw *w, const struct session_record *r)
{
	const struct stream_dir_stats *c = &r->dir[DIR_C2S];
	const struct stream_dir_stats *s = &r->dir[DIR_S2C];
	char vlan[8];

	jw_obj_begin(w);
	kts(w, "@timestamp", r->info.first_ts);

	jw_kobj(w, "event");
	jw_kstr(w, "kind", "event");
	jw_kstr(w, "dataset", "smtp.session");
	jw_key(w, "category");
	jw_arr_begin(w);
	jw_str(w, "network");
	jw_str(w, "email");
	jw_arr_end(w);
	jw_key(w, "type");
	jw_arr_begin(w);
	jw_str(w, "connection");
	jw_arr_end(w);
	kts(w, "start", r->info.first_ts);
	kts(w, "end", r->end_ts);
	jw_ku64(w, "duration", (uint64_t)(r->end_ts >= r->info.first_ts
						  ? r->end_ts - r->info.first_ts
						  : 0));
	jw_obj_end(w);

	endpoint(w, "source", r, &r->info.client, c);
	endpoint(w, "destination", r, &r->info.server, s);

	jw_kobj(w, "network");
	jw_kstr(w, "transport", "tcp");
	jw_kstr(w, "type", r->info.ipver == 4 ? "ipv4" : "ipv6");
	jw_kstr(w, "iana_number", "6");
	jw_kstr(w, "community_id", r->community_id);
	if (r->info.nvlan > 0) {
		snprintf(vlan, sizeof(vlan), "%u", r->info.vlan[0]);
		jw_kobj(w, "vlan");
		jw_kstr(w, "id", vlan);
		jw_obj_end(w);
	}
	if (r->info.nvlan > 1) {
		snprintf(vlan, sizeof(vlan), "%u", r->info.vlan[1]);
		jw_kobj(w, "inner");
		jw_kobj(w, "vlan");
		jw_kstr(w, "id", vlan);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	jw_obj_end(w);

	jw_kobj(w, "smtp");
	jw_kstr(w, "session_id", r->session_id);
	jw_kobj(w, "stream");
	jw_ku64(w, "gaps", c->gaps + s->gaps);
	jw_ku64(w, "gap_bytes", c->gap_bytes + s->gap_bytes);
	jw_ku64(w, "overlaps_differing",
		c->overlaps_differing + s->overlaps_differing);
	jw_kstr(w, "overlap_policy", STREAM_OVERLAP_POLICY);
	jw_kbool(w, "handshake", r->handshake);
	jw_kstr(w, "end", flow_end_reason_name(r->end));
	jw_kstr(w, "role_basis", role_basis_name(r->info.role_basis));
	dir_detail(w, "client", c);
	dir_detail(w, "server", s);
	jw_obj_end(w);
	jw_obj_end(w);

	jw_obj_end(w);
}
