#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"
#include "output/record.h"
#include "output/record_mail.h"

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

/* ---- small pieces --------------------------------------------------------- */

static void kts(struct jw *w, const char *key, int64_t ts)
{
	char b[TIMEFMT_LEN];

	timefmt_rfc3339(b, sizeof(b), ts);
	jw_kstr(w, key, b);
}

static void kref(struct jw *w, const char *key, const struct strpool *sp,
		 struct strref r)
{
	jw_key(w, key);
	jw_strn(w, strpool_at(sp, r), r.len);
}

static void event(struct jw *w, const char *dataset, const char *category,
		  const char *type, int64_t start, int64_t end)
{
	jw_kobj(w, "event");
	jw_kstr(w, "kind", "event");
	jw_kstr(w, "dataset", dataset);
	jw_key(w, "category");
	jw_arr_begin(w);
	if (strcmp(category, "email") != 0)
		jw_str(w, category);
	jw_str(w, "email");
	jw_arr_end(w);
	jw_key(w, "type");
	jw_arr_begin(w);
	jw_str(w, type);
	jw_arr_end(w);
	kts(w, "start", start);
	kts(w, "end", end);
	jw_ku64(w, "duration", (uint64_t)(end >= start ? end - start : 0));
	jw_obj_end(w);
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
	if (st) {
		jw_ku64(w, "bytes", st->delivered);
		jw_ku64(w, "packets", st->packets);
	}
	jw_obj_end(w);
}

static void network(struct jw *w, const struct session_record *r)
{
	char vlan[8];

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
}

/* ---- the stream part of a session ---------------------------------------- */

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
	case ROLE_BY_CONTENT: return "content";
	default: return "guess";
	}
}

static void stream(struct jw *w, const struct session_record *r)
{
	const struct stream_dir_stats *c = &r->dir[DIR_C2S];
	const struct stream_dir_stats *s = &r->dir[DIR_S2C];

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
}

/* ---- the SMTP part of a session ------------------------------------------- */

/* key: [the name of each bit set in bits] */
static void flag_names(struct jw *w, const char *key, uint32_t bits,
		       const char *(*name_of)(uint32_t))
{
	uint32_t b;

	jw_key(w, key);
	jw_arr_begin(w);
	for (b = 1; b; b <<= 1)
		if (bits & b) {
			const char *n = name_of(b);

			if (n)
				jw_str(w, n);
		}
	jw_arr_end(w);
}

/* A text field of the record, left out when empty. */
static void kref_opt(struct jw *w, const char *key, const struct strpool *sp,
		     struct strref r)
{
	if (r.len)
		kref(w, key, sp, r);
}

/* What the last attempt disclosed besides the user. The authzid is a
 * user name too: hidden with the user. */
static void auth_detail(struct jw *w, const struct smtp_session_facts *f,
			bool hide_user)
{
	const struct smtp_auth_detail *d = &f->auth_detail;
	const struct strpool *sp = &f->text;

	if (!hide_user)
		kref_opt(w, "authzid", sp, d->authzid);
	kref_opt(w, "realm", sp, d->realm);
	kref_opt(w, "workstation", sp, d->workstation);
	if (d->ntlm_target.len || d->ntlm_nb_domain.len ||
	    d->ntlm_nb_computer.len || d->ntlm_dns_domain.len ||
	    d->ntlm_dns_computer.len) {
		jw_kobj(w, "ntlm");
		kref_opt(w, "server_target", sp, d->ntlm_target);
		kref_opt(w, "nb_domain", sp, d->ntlm_nb_domain);
		kref_opt(w, "nb_computer", sp, d->ntlm_nb_computer);
		kref_opt(w, "dns_domain", sp, d->ntlm_dns_domain);
		kref_opt(w, "dns_computer", sp, d->ntlm_dns_computer);
		jw_obj_end(w);
	}
	flag_names(w, "notes", d->notes, sasl_note_name);
}

static void residue(struct jw *w, const struct smtp_session_facts *f)
{
	if (!f->residue_bytes[SMTP_CLIENT] && !f->residue_bytes[SMTP_SERVER])
		return;
	jw_kobj(w, "plaintext_before_tls");
	jw_ku64(w, "client_bytes", f->residue_bytes[SMTP_CLIENT]);
	jw_ku64(w, "server_bytes", f->residue_bytes[SMTP_SERVER]);
	if (f->residue_bytes[SMTP_CLIENT])
		kref(w, "client_sample", &f->text, f->residue[SMTP_CLIENT]);
	if (f->residue_bytes[SMTP_SERVER])
		kref(w, "server_sample", &f->text, f->residue[SMTP_SERVER]);
	jw_obj_end(w);
}

static void transcript(struct jw *w, const struct transcript *t)
{
	uint32_t i;

	jw_key(w, "transcript");
	jw_arr_begin(w);
	for (i = 0; i < t->n; i++) {
		const struct transcript_entry *e = &t->e[i];

		jw_obj_begin(w);
		kts(w, "ts", e->ts);
		jw_kstr(w, "dir", e->side == SMTP_CLIENT ? "client" : "server");
		jw_kstr(w, "kind", e->kind == TR_COMMAND ? "command"
				   : e->kind == TR_REPLY ? "reply"
							 : "note");
		kref(w, "text", &t->text, e->text);
		if (e->cut)
			jw_kbool(w, "cut", true);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (t->dropped)
		jw_ku64(w, "transcript_dropped", t->dropped);
}

static void smtp_facts(struct jw *w, const struct smtp_session_facts *f,
		       bool hide_user)
{
	uint32_t i;
	int a;

	if (f->have_banner) {
		kref(w, "banner", &f->text, f->banner);
		jw_ku64(w, "banner_code", f->banner_code);
	}
	if (f->have_helo) {
		kref(w, "helo", &f->text, f->helo);
		jw_kstr(w, "helo_verb", smtp_verb_name(f->helo_verb));
	}
	jw_key(w, "capabilities");
	jw_arr_begin(w);
	for (i = 0; i < f->ncaps; i++)
		jw_strn(w, strpool_at(&f->text, f->caps[i]), f->caps[i].len);
	jw_arr_end(w);
	jw_kobj(w, "starttls");
	jw_kbool(w, "offered", f->offers_starttls);
	jw_kbool(w, "attempted", f->starttls_attempted);
	if (f->starttls_attempted && f->starttls_code)
		jw_ku64(w, "reply_code", f->starttls_code);
	jw_kbool(w, "succeeded", f->starttls_succeeded);
	jw_obj_end(w);
	jw_kbool(w, "tls", f->tls != SMTP_TLS_NONE);
	if (f->tls != SMTP_TLS_NONE) {
		jw_kstr(w, "tls_mode",
			f->tls == SMTP_TLS_IMPLICIT ? "implicit" : "starttls");
		jw_ku64(w, "tls_client_bytes", f->tls_bytes[SMTP_CLIENT]);
		jw_ku64(w, "tls_server_bytes", f->tls_bytes[SMTP_SERVER]);
	}
	residue(w, f);
	if (f->auth_attempts) {
		jw_kobj(w, "auth");
		if (f->auth_mech[0])
			jw_kstr(w, "mechanism", f->auth_mech);
		if (f->auth_user.len && !hide_user)
			kref(w, "username", &f->text, f->auth_user);
		jw_kstr(w, "result", smtp_auth_result_name(f->auth_result));
		jw_ku64(w, "attempts", f->auth_attempts);
		jw_ku64(w, "exchanges", f->auth_exchanges);
		jw_ku64(w, "successes", f->auth_successes);
		jw_ku64(w, "failures", f->auth_failures);
		flag_names(w, "secrets", f->auth_secrets, sasl_secret_name);
		auth_detail(w, f, hide_user);
		jw_obj_end(w);
	}
	if (f->nunknown) {
		jw_key(w, "unknown_verbs");
		jw_arr_begin(w);
		for (i = 0; i < f->nunknown; i++)
			jw_strn(w, strpool_at(&f->text, f->unknown_verbs[i]),
				f->unknown_verbs[i].len);
		jw_arr_end(w);
	}
	if (f->xclient.len)
		kref(w, "xclient", &f->text, f->xclient);
	if (f->xforward.len)
		kref(w, "xforward", &f->text, f->xforward);
	jw_ku64(w, "command_count", f->commands);
	jw_ku64(w, "reply_count", f->replies);
	jw_ku64(w, "unmatched_replies", f->unmatched_replies);
	if (f->nunmatched) {
		jw_key(w, "unmatched_reply_codes");
		jw_arr_begin(w);
		for (i = 0; i < f->nunmatched; i++)
			jw_u64(w, f->unmatched_codes[i]);
		jw_arr_end(w);
	}
	jw_ku64(w, "transactions", f->transactions);
	jw_kbool(w, "quit", f->quit);
	jw_ku64(w, "longest_command", f->longest_command);
	jw_key(w, "anomalies");
	jw_arr_begin(w);
	for (a = 0; a < SA__COUNT; a++)
		if (f->anomalies.bits & (1ULL << a))
			jw_str(w, smtp_anomaly_name((enum smtp_anomaly)a));
	jw_arr_end(w);
}

void record_session_json(struct jw *w, const struct session_record *r)
{
	jw_obj_begin(w);
	kts(w, "@timestamp", r->info.first_ts);
	event(w, "smtp.session", "network", "connection", r->info.first_ts,
	      r->end_ts);
	endpoint(w, "source", r, &r->info.client, &r->dir[DIR_C2S]);
	endpoint(w, "destination", r, &r->info.server, &r->dir[DIR_S2C]);
	network(w, r);
	jw_kobj(w, "smtp");
	jw_kstr(w, "session_id", r->session_id);
	stream(w, r);
	if (r->smtp)
		smtp_facts(w, r->smtp, r->hide_auth_user);
	if (r->transcript)
		transcript(w, r->transcript);
	jw_obj_end(w);
	jw_obj_end(w);
}

/* ---- transactions ---------------------------------------------------------------- */

static void params(struct jw *w, const char *key, const struct strpool *sp,
		   const struct smtp_param_ref *p, uint32_t n)
{
	uint32_t i;

	jw_key(w, key);
	jw_arr_begin(w);
	for (i = 0; i < n; i++) {
		jw_obj_begin(w);
		kref(w, "name", sp, p[i].name);
		if (p[i].has_value)
			kref(w, "value", sp, p[i].value);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void candidates(struct jw *w, const struct smtp_txn *t)
{
	uint32_t i, k;

	jw_key(w, "eod_candidates");
	jw_arr_begin(w);
	for (i = 0; i < t->ncand; i++) {
		const struct smtp_candidate *c = &t->cand[i];

		jw_obj_begin(w);
		jw_ku64(w, "offset", c->eod.offset);
		jw_kstr(w, "sequence", c->eod.seq);
		jw_kbool(w, "commands_follow", c->commands_follow);
		if (c->bytes_after >= 0)
			jw_ku64(w, "bytes_after", (uint64_t)c->bytes_after);
		if (c->commands_follow) {
			jw_kobj(w, "smuggled");
			if (c->smuggled_mail)
				kref(w, "mail_from", &t->text,
				     c->smuggled_from);
			jw_key(w, "rcpt_to");
			jw_arr_begin(w);
			for (k = 0; k < c->nsmuggled_rcpt; k++)
				jw_strn(w,
					strpool_at(&t->text,
						   c->smuggled_rcpt[k]),
					c->smuggled_rcpt[k].len);
			jw_arr_end(w);
			jw_kbool(w, "data", c->smuggled_data);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (t->cand_total > t->ncand)
		jw_ku64(w, "eod_candidates_total", t->cand_total);
}

static const char *data_mode_name(enum smtp_data_mode m)
{
	switch (m) {
	case SMTP_DATA_DATA: return "data";
	case SMTP_DATA_BDAT: return "bdat";
	default: return "none";
	}
}

void record_txn_json(struct jw *w, const struct session_record *r,
		     const struct smtp_txn *t, const struct mail_facts *msg,
		     const char *direction)
{
	uint32_t i;

	jw_obj_begin(w);
	kts(w, "@timestamp", t->start);
	event(w, "smtp.transaction", "email", "info", t->start, t->end);
	endpoint(w, "source", r, &r->info.client, NULL);
	endpoint(w, "destination", r, &r->info.server, NULL);
	network(w, r);
	if (msg || direction)
		record_email_json(w, msg, direction);
	jw_kobj(w, "smtp");
	jw_kstr(w, "session_id", r->session_id);
	jw_ku64(w, "trans_depth", t->depth);
	if (t->have_mail)
		kref(w, "mail_from", &t->text, t->mail_from);
	if (t->mail_code)
		jw_ku64(w, "mail_code", t->mail_code);
	params(w, "mail_params", &t->text, t->params, t->nparams);
	jw_key(w, "rcpt_to");
	jw_arr_begin(w);
	for (i = 0; i < t->nrcpt; i++) {
		const struct smtp_rcpt *rc = &t->rcpt[i];

		jw_obj_begin(w);
		kref(w, "address", &t->text, rc->addr);
		if (rc->code)
			jw_ku64(w, "code", rc->code);
		if (rc->enhanced[0])
			jw_kstr(w, "enhanced_status", rc->enhanced);
		if (rc->nparams)
			params(w, "params", &t->text, rc->params,
			       rc->nparams);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_ku64(w, "rcpt_count", t->rcpt_total);
	jw_ku64(w, "rcpt_accepted", t->rcpt_accepted);
	jw_kstr(w, "data_mode", data_mode_name(t->data_mode));
	if (t->data_cmd_code)
		jw_ku64(w, "data_command_code", t->data_cmd_code);
	if (t->data_code) {
		jw_kobj(w, "data_reply");
		jw_ku64(w, "code", t->data_code);
		if (t->data_enhanced[0])
			jw_kstr(w, "enhanced_status", t->data_enhanced);
		kref(w, "text", &t->text, t->data_text);
		jw_obj_end(w);
	}
	jw_ku64(w, "message_bytes", t->message_bytes);
	if (t->data_mode == SMTP_DATA_BDAT)
		jw_ku64(w, "bdat_chunks", t->bdat_chunks);
	jw_kstr(w, "transaction_status", smtp_txn_status_name(t->status));
	if (t->gap_bytes) {
		jw_kbool(w, "partial", true);
		jw_ku64(w, "gap_bytes", t->gap_bytes);
	}
	if (t->data_mode == SMTP_DATA_DATA) {
		jw_kobj(w, "data_lines");
		jw_ku64(w, "bare_lf", t->bare_lf);
		jw_ku64(w, "bare_cr", t->bare_cr);
		jw_ku64(w, "nul", t->nul);
		jw_ku64(w, "longest", t->longest_line);
		jw_obj_end(w);
	}
	candidates(w, t);
	if (msg)
		record_mime_json(w, msg);
	jw_obj_end(w);
	jw_obj_end(w);
}
