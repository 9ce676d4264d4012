/* The message part of an smtp.transaction record: ECS email.* and the
 * smtp.* detail (header fields, Received chain, MIME tree, URLs). Every
 * field is in docs/schema.md. */
#include "output/record_mail.h"

#include <stdint.h>
#include <string.h>

#include "core/timefmt.h"
#include "mail/html.h"
#include "mail/urlset.h"

static void kref(struct jw *w, const char *key, const struct mail_facts *m,
		 struct strref r)
{
	jw_key(w, key);
	jw_strn(w, strpool_at(&m->text, r), r.len);
}

static void kopt(struct jw *w, const char *key, const struct mail_facts *m,
		 struct strref r)
{
	if (r.len)
		kref(w, key, m, r);
}

/* A date in seconds; one nanoseconds cannot hold (past 2262, a Date
 * field may say anything) is left out. */
static void ksec(struct jw *w, const char *key, int64_t sec)
{
	char b[TIMEFMT_LEN];

	if (sec > INT64_MAX / 1000000000 || sec < INT64_MIN / 1000000000)
		return;
	timefmt_rfc3339(b, sizeof(b), sec * 1000000000);
	jw_kstr(w, key, b);
}

static void addr_list(struct jw *w, const char *key,
		      const struct mail_facts *m,
		      const struct mail_addr_field *f)
{
	uint32_t i;

	jw_key(w, key);
	jw_arr_begin(w);
	for (i = 0; i < f->n; i++)
		jw_strn(w, strpool_at(&m->text, f->a[i].addr),
			f->a[i].addr.len);
	jw_arr_end(w);
}

/* email.<key>.address: one address (ECS keyword), or a list. */
static void ecs_addr(struct jw *w, const char *key,
		     const struct mail_facts *m,
		     const struct mail_addr_field *f, bool one)
{
	if (!f->n)
		return;
	jw_kobj(w, key);
	if (one)
		kref(w, "address", m, f->a[0].addr);
	else
		addr_list(w, "address", m, f);
	jw_obj_end(w);
}

static const char *extension_of(const char *s, size_t n, size_t *len)
{
	size_t i = n;

	while (i > 0 && s[i - 1] != '.' && s[i - 1] != '/' &&
	       s[i - 1] != '\\')
		i--;
	if (i == 0 || s[i - 1] != '.' || i == n || n - i > 16)
		return NULL;
	*len = n - i;
	return s + i;
}

static void hashes(struct jw *w, const struct mail_part *p)
{
	jw_kobj(w, "hash");
	jw_kstr(w, "md5", p->md5);
	jw_kstr(w, "sha1", p->sha1);
	jw_kstr(w, "sha256", p->sha256);
	jw_obj_end(w);
}

static void attachments(struct jw *w, const struct mail_facts *m)
{
	uint32_t i;

	jw_key(w, "attachments");
	jw_arr_begin(w);
	for (i = 0; i < m->nparts; i++) {
		const struct mail_part *p = &m->parts[i];

		if (!p->leaf || !p->attachment)
			continue;
		jw_obj_begin(w);
		jw_kobj(w, "file");
		if (p->nfilename) {
			const char *name = strpool_at(&m->text, p->filename[0]);
			size_t el;
			const char *ext =
				extension_of(name, p->filename[0].len, &el);

			kref(w, "name", m, p->filename[0]);
			if (ext) {
				char low[17];
				size_t k;

				for (k = 0; k < el; k++)
					low[k] = (char)(ext[k] >= 'A' &&
								ext[k] <= 'Z' ?
							ext[k] + 32 :
							ext[k]);
				jw_key(w, "extension");
				jw_strn(w, low, el);
			}
		}
		kref(w, "mime_type", m, p->type);
		jw_ku64(w, "size", p->decoded_size);
		if (p->hashed)
			hashes(w, p);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void record_email_json(struct jw *w, const struct mail_facts *m,
		       const char *direction)
{
	jw_kobj(w, "email");
	if (direction)
		jw_kstr(w, "direction", direction);
	if (!m) {
		jw_obj_end(w);
		return;
	}
	ecs_addr(w, "from", m, &m->from, false);
	ecs_addr(w, "sender", m, &m->sender, true);
	ecs_addr(w, "reply_to", m, &m->reply_to, false);
	ecs_addr(w, "to", m, &m->to, false);
	ecs_addr(w, "cc", m, &m->cc, false);
	ecs_addr(w, "bcc", m, &m->bcc, false);
	kopt(w, "subject", m, m->subject);
	kopt(w, "message_id", m, m->message_id);
	if (m->have_date)
		ksec(w, "origination_timestamp", m->date);
	kopt(w, "x_mailer", m, m->x_mailer);
	if (m->content_type.len) {
		const char *ct = strpool_at(&m->text, m->content_type);
		size_t n = 0;

		/* The media type alone, as ECS wants it. */
		while (n < m->content_type.len && ct[n] != ';' &&
		       ct[n] != ' ' && ct[n] != '\t')
			n++;
		jw_key(w, "content_type");
		jw_strn(w, ct, n);
	}
	attachments(w, m);
	jw_obj_end(w);
}

/* ---- smtp.* ----------------------------------------------------------- */

static void display_list(struct jw *w, const char *key,
			 const struct mail_facts *m,
			 const struct mail_addr_field *f)
{
	uint32_t i;

	if (!f->fields)
		return;
	jw_key(w, key);
	jw_arr_begin(w);
	for (i = 0; i < f->n; i++) {
		jw_obj_begin(w);
		kref(w, "address", m, f->a[i].addr);
		kopt(w, "display_name", m, f->a[i].display);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void ref_list(struct jw *w, const char *key, const struct mail_facts *m,
		     const struct strref *r, uint32_t n)
{
	uint32_t i;

	if (!n)
		return;
	jw_key(w, key);
	jw_arr_begin(w);
	for (i = 0; i < n; i++)
		jw_strn(w, strpool_at(&m->text, r[i]), r[i].len);
	jw_arr_end(w);
}

/* "a,b,c" as a JSON array. */
static void split_list(struct jw *w, const char *key,
		       const struct mail_facts *m, struct strref r)
{
	const char *s = strpool_at(&m->text, r);
	uint32_t i, start = 0;

	jw_key(w, key);
	jw_arr_begin(w);
	for (i = 0; i <= r.len; i++) {
		if (i < r.len && s[i] != ',')
			continue;
		if (i > start)
			jw_strn(w, s + start, i - start);
		start = i + 1;
	}
	jw_arr_end(w);
}

static void headers(struct jw *w, const struct mail_facts *m)
{
	jw_kobj(w, "headers");
	jw_ku64(w, "count", m->header_count);
	jw_ku64(w, "bytes", m->header_bytes);
	ref_list(w, "names", m, m->header_names, m->nheader_names);
	if (m->duplicates.len)
		split_list(w, "duplicates", m, m->duplicates);
	kopt(w, "date", m, m->date_raw);
	kopt(w, "in_reply_to", m, m->in_reply_to);
	kopt(w, "references", m, m->references);
	kopt(w, "user_agent", m, m->user_agent);
	kopt(w, "x_originating_ip", m, m->x_originating_ip);
	kopt(w, "list_unsubscribe", m, m->list_unsubscribe);
	kopt(w, "mime_version", m, m->mime_version);
	ref_list(w, "authentication_results", m, m->auth_results,
		 m->nauth_results);
	ref_list(w, "dkim_signature", m, m->dkim, m->ndkim);
	ref_list(w, "arc", m, m->arc, m->narc);
	jw_obj_end(w);

	jw_kobj(w, "header_addresses");
	display_list(w, "from", m, &m->from);
	display_list(w, "sender", m, &m->sender);
	display_list(w, "reply_to", m, &m->reply_to);
	display_list(w, "to", m, &m->to);
	display_list(w, "cc", m, &m->cc);
	display_list(w, "bcc", m, &m->bcc);
	display_list(w, "return_path", m, &m->return_path);
	jw_obj_end(w);
}

static void received(struct jw *w, const struct mail_facts *m)
{
	uint32_t i;

	if (!m->nreceived)
		return;
	jw_key(w, "received");
	jw_arr_begin(w);
	for (i = 0; i < m->nreceived; i++) {
		const struct mail_hop *h = &m->received[i];

		jw_obj_begin(w);
		kopt(w, "from", m, h->from);
		kopt(w, "from_rdns", m, h->from_rdns);
		kopt(w, "from_ip", m, h->from_ip);
		kopt(w, "by", m, h->by);
		kopt(w, "with", m, h->with);
		kopt(w, "id", m, h->id);
		kopt(w, "for", m, h->for_addr);
		if (h->have_date)
			ksec(w, "timestamp", h->date);
		if (h->ips.len)
			split_list(w, "ips", m, h->ips);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void flag_names(struct jw *w, const char *key, uint32_t flags,
		       const char *(*name)(uint32_t bit))
{
	uint32_t b;

	jw_key(w, key);
	jw_arr_begin(w);
	for (b = 0; b < 32; b++)
		if (flags & (1u << b))
			jw_str(w, name(1u << b));
	jw_arr_end(w);
}

static void urls(struct jw *w, const struct mail_facts *m)
{
	uint32_t i, b;

	jw_key(w, "urls");
	jw_arr_begin(w);
	for (i = 0; i < m->nurls; i++) {
		const struct mail_url_fact *u = &m->urls[i];

		jw_obj_begin(w);
		kref(w, "url", m, u->url);
		kopt(w, "domain", m, u->host);
		kopt(w, "anchor_text", m, u->anchor);
		jw_ku64(w, "count", u->count);
		jw_key(w, "sources");
		jw_arr_begin(w);
		for (b = 0; b < MAIL_URL_SRC_COUNT; b++)
			if (u->sources & (1u << b))
				jw_str(w, mail_url_src_name(
						  (enum mail_url_src)b));
		jw_arr_end(w);
		if (u->flags)
			flag_names(w, "flags", u->flags, mail_url_flag_name);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (m->urls_dropped)
		jw_ku64(w, "urls_dropped", m->urls_dropped);
}

static void anomalies(struct jw *w, uint64_t set)
{
	int a;

	jw_key(w, "anomalies");
	jw_arr_begin(w);
	for (a = 0; a < MA__COUNT; a++)
		if (set & ((uint64_t)1 << a))
			jw_str(w, mail_anomaly_name((enum mail_anomaly)a));
	jw_arr_end(w);
}

static void archive(struct jw *w, const struct mail_facts *m,
		    const struct mail_part *p)
{
	uint32_t i;

	jw_kobj(w, "archive");
	kref(w, "format", m, p->archive_format);
	jw_ku64(w, "members_total", p->archive_members);
	jw_kbool(w, "encrypted", p->archive_encrypted);
	jw_key(w, "members");
	jw_arr_begin(w);
	for (i = 0; i < p->nmembers; i++) {
		const struct mail_archive_entry *e =
			&m->members[p->members_at + i];

		jw_obj_begin(w);
		kref(w, "name", m, e->name);
		if (e->size >= 0)
			jw_ku64(w, "size", (uint64_t)e->size);
		jw_kbool(w, "encrypted", e->encrypted);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void part(struct jw *w, const struct mail_facts *m,
		 const struct mail_part *p)
{
	uint8_t i;

	jw_obj_begin(w);
	kref(w, "path", m, p->path);
	jw_ku64(w, "depth", p->depth);
	kref(w, "content_type", m, p->type);
	kopt(w, "charset", m, p->charset);
	kopt(w, "disposition", m, p->disposition);
	kopt(w, "transfer_encoding", m, p->cte);
	kopt(w, "boundary", m, p->boundary);
	if (p->leaf) {
		jw_kbool(w, "attachment", p->attachment);
		jw_kbool(w, "text", p->text);
		jw_ku64(w, "encoded_size", p->encoded_size);
		jw_kobj(w, "file");
		if (p->nfilename)
			kref(w, "name", m, p->filename[0]);
		jw_ku64(w, "size", p->decoded_size);
		if (p->hashed)
			hashes(w, p);
		jw_obj_end(w);
		if (p->nfilename > 1) {
			jw_key(w, "file_names");
			jw_arr_begin(w);
			for (i = 0; i < p->nfilename; i++)
				jw_strn(w, strpool_at(&m->text, p->filename[i]),
					p->filename[i].len);
			jw_arr_end(w);
		}
		kopt(w, "magic_type", m, p->magic);
		kopt(w, "kind", m, p->kind);
		if (p->archive_format.len)
			archive(w, m, p);
		kopt(w, "extracted", m, p->extracted);
		if (p->gap)
			jw_kbool(w, "partial", true);
	}
	if (p->anomalies)
		anomalies(w, p->anomalies);
	jw_obj_end(w);
}

void record_mime_json(struct jw *w, const struct mail_facts *m)
{
	uint32_t i;

	headers(w, m);
	received(w, m);
	urls(w, m);
	jw_kobj(w, "mime");
	jw_ku64(w, "parts_total", m->parts_total);
	jw_ku64(w, "max_depth", m->max_depth);
	jw_ku64(w, "decoded_bytes", m->decoded_bytes);
	jw_key(w, "parts");
	jw_arr_begin(w);
	for (i = 0; i < m->nparts; i++)
		part(w, m, &m->parts[i]);
	jw_arr_end(w);
	if (m->html_flags)
		flag_names(w, "html_flags", m->html_flags,
			   mail_html_flag_name);
	anomalies(w, m->anomalies);
	kopt(w, "eml", m, m->eml_path);
	jw_obj_end(w);
}
