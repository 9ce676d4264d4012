/* The facts of a message as text; see mail_print.h. */
#include "mail_print.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/timefmt.h"
#include "mail/html.h"
#include "mail/urlset.h"

struct printer {
	char *out;
	size_t len, cap;
	bool full;
};

static void say(struct printer *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct printer *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->out + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->cap - o->len ? (size_t)n
						      : o->cap - o->len - 1;
}

/* n bytes, quoted, non-printable bytes as \xNN, long ones cut. */
static void qbytes(struct printer *o, const char *str, uint32_t len,
		   uint32_t cut)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t i, n = !o->full && len > cut ? cut : len;

	say(o, "\"");
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			say(o, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] == 0x7f)
			say(o, "\\x%02x", s[i]);
		else
			say(o, "%c", s[i]);
	}
	if (len > n)
		say(o, "\"...(%u bytes)", len);
	else
		say(o, "\"");
}

/* A kept string. */
static void q(struct printer *o, const struct mail_facts *f, struct strref r)
{
	qbytes(o, strpool_at(&f->text, r), r.len, 300);
}

static void addrs(struct printer *o, const struct mail_facts *f,
		  const char *name, const struct mail_addr_field *a)
{
	uint32_t i;

	if (!a->fields)
		return;
	say(o, "%s (%u fields, %u addresses):", name, a->fields, a->total);
	for (i = 0; i < a->n; i++) {
		say(o, " ");
		if (a->a[i].display.len) {
			q(o, f, a->a[i].display);
			say(o, " ");
		}
		say(o, "<");
		q(o, f, a->a[i].addr);
		say(o, ">");
	}
	say(o, "\n");
}

static void opt(struct printer *o, const struct mail_facts *f,
		const char *name, struct strref r)
{
	if (!r.len)
		return;
	say(o, "%s ", name);
	q(o, f, r);
	say(o, "\n");
}

static void anomalies(struct printer *o, uint64_t set)
{
	int a;

	for (a = 0; a < MA__COUNT; a++)
		if (set & ((uint64_t)1 << a))
			say(o, " %s", mail_anomaly_name((enum mail_anomaly)a));
}

/* A parsed date; past 2262 (a year up to 9999 parses) seconds do not fit
 * nanoseconds in 64 bits, and are printed as seconds. */
static void stamp(struct printer *o, int64_t sec)
{
	char b[TIMEFMT_LEN];

	if (sec > INT64_MAX / NS_PER_SEC || sec < INT64_MIN / NS_PER_SEC) {
		say(o, "%llds", (long long)sec);
		return;
	}
	timefmt_rfc3339(b, sizeof(b), sec * NS_PER_SEC);
	say(o, "%s", b);
}

static void header(struct printer *o, const struct mail_facts *f)
{
	uint32_t i;

	say(o, "header fields %u bytes %llu\n", f->header_count,
	    (unsigned long long)f->header_bytes);
	say(o, "names");
	for (i = 0; i < f->nheader_names; i++) {
		say(o, " ");
		q(o, f, f->header_names[i]);
	}
	say(o, "\n");
	opt(o, f, "duplicates", f->duplicates);
	addrs(o, f, "from", &f->from);
	addrs(o, f, "sender", &f->sender);
	addrs(o, f, "reply-to", &f->reply_to);
	addrs(o, f, "to", &f->to);
	addrs(o, f, "cc", &f->cc);
	addrs(o, f, "bcc", &f->bcc);
	addrs(o, f, "return-path", &f->return_path);
	opt(o, f, "subject", f->subject);
	opt(o, f, "message-id", f->message_id);
	opt(o, f, "in-reply-to", f->in_reply_to);
	opt(o, f, "references", f->references);
	if (f->date_raw.len) {
		say(o, "date ");
		q(o, f, f->date_raw);
		if (f->have_date) {
			say(o, " = ");
			stamp(o, f->date);
			say(o, " zone %+d min", f->date_tz);
		}
		say(o, "\n");
	}
	opt(o, f, "x-mailer", f->x_mailer);
	opt(o, f, "user-agent", f->user_agent);
	opt(o, f, "x-originating-ip", f->x_originating_ip);
	opt(o, f, "list-unsubscribe", f->list_unsubscribe);
	opt(o, f, "content-type", f->content_type);
	for (i = 0; i < f->nreceived; i++) {
		const struct mail_hop *h = &f->received[i];

		say(o, "received %u: from ", i);
		q(o, f, h->from);
		say(o, " rdns ");
		q(o, f, h->from_rdns);
		say(o, " ip ");
		q(o, f, h->from_ip);
		say(o, " by ");
		q(o, f, h->by);
		say(o, " with ");
		q(o, f, h->with);
		say(o, " id ");
		q(o, f, h->id);
		say(o, " for ");
		q(o, f, h->for_addr);
		say(o, " ips ");
		q(o, f, h->ips);
		if (h->have_date) {
			say(o, " at ");
			stamp(o, h->date);
		}
		say(o, "\n");
	}
	say(o, "auth-results %u dkim %u arc %u\n", f->nauth_results, f->ndkim,
	    f->narc);
}

static void leaf(struct printer *o, const struct mail_facts *f,
		 const struct mail_part *p)
{
	uint32_t k;

	say(o, "  %s%s encoded %llu decoded %llu%s",
	    p->attachment ? "attachment" : "inline", p->text ? " text" : "",
	    (unsigned long long)p->encoded_size,
	    (unsigned long long)p->decoded_size, p->gap ? " partial" : "");
	for (k = 0; k < p->nfilename; k++) {
		say(o, " name ");
		q(o, f, p->filename[k]);
	}
	say(o, "\n");
	if (p->hashed)
		say(o, "  md5 %s sha1 %s\n  sha256 %s\n", p->md5, p->sha1,
		    p->sha256);
	say(o, "  magic ");
	q(o, f, p->magic);
	say(o, " kind ");
	q(o, f, p->kind);
	say(o, "\n");
	if (p->archive_format.len) {
		say(o, "  archive ");
		q(o, f, p->archive_format);
		say(o, " members %u%s", p->archive_members,
		    p->archive_encrypted ? " encrypted" : "");
		for (k = 0; k < p->nmembers; k++) {
			const struct mail_archive_entry *e =
				&f->members[p->members_at + k];

			say(o, " ");
			q(o, f, e->name);
			say(o, "/%lld%s", (long long)e->size,
			    e->encrypted ? "/enc" : "");
		}
		say(o, "\n");
	}
}

static void parts(struct printer *o, const struct mail_facts *f)
{
	uint32_t i;

	say(o, "parts %u (kept %u) depth %u decoded %llu\n", f->parts_total,
	    f->nparts, f->max_depth, (unsigned long long)f->decoded_bytes);
	for (i = 0; i < f->nparts; i++) {
		const struct mail_part *p = &f->parts[i];

		say(o, "part ");
		q(o, f, p->path);
		say(o, " depth %u ", p->depth);
		q(o, f, p->type);
		if (p->charset.len) {
			say(o, " charset ");
			q(o, f, p->charset);
		}
		if (p->disposition.len) {
			say(o, " disposition ");
			q(o, f, p->disposition);
		}
		if (p->cte.len) {
			say(o, " cte ");
			q(o, f, p->cte);
		}
		if (p->boundary.len) {
			say(o, " boundary ");
			q(o, f, p->boundary);
		}
		say(o, "\n");
		if (p->leaf)
			leaf(o, f, p);
		if (p->anomalies) {
			say(o, "  anomalies");
			anomalies(o, p->anomalies);
			say(o, "\n");
		}
	}
}

static void urls(struct printer *o, const struct mail_facts *f)
{
	uint32_t i, k;

	for (i = 0; i < f->nurls; i++) {
		const struct mail_url_fact *u = &f->urls[i];

		say(o, "url ");
		q(o, f, u->url);
		say(o, " host ");
		q(o, f, u->host);
		if (u->anchor.len) {
			say(o, " anchor ");
			q(o, f, u->anchor);
		}
		say(o, " count %u sources %#x", u->count, u->sources);
		for (k = 0; k < 32; k++)
			if (u->flags & (1u << k))
				say(o, " %s", mail_url_flag_name(1u << k));
		say(o, "\n");
	}
	if (f->urls_dropped)
		say(o, "urls dropped %u\n", f->urls_dropped);
	if (f->html_flags) {
		say(o, "html");
		for (k = 0; k < 32; k++)
			if (f->html_flags & (1u << k))
				say(o, " %s", mail_html_flag_name(1u << k));
		say(o, "\n");
	}
}

size_t mail_print(const struct mail_facts *f, unsigned flags, char *out,
		  size_t cap)
{
	struct printer o = {out, 0, cap, (flags & MAIL_PRINT_FULL) != 0};
	uint32_t tlen = f->body_text_len;

	out[0] = '\0';
	header(&o, f);
	parts(&o, f);
	urls(&o, f);
	say(&o, "text %u bytes ", f->body_text_len);
	if (!o.full && tlen > 200)
		tlen = 200;
	qbytes(&o, f->body_text ? f->body_text : "", tlen, tlen);
	say(&o, "\n");
	say(&o, "body %llu%s%s\nanomalies", (unsigned long long)f->body_bytes,
	    f->partial ? " partial" : "", f->cut ? " cut" : "");
	anomalies(&o, f->anomalies);
	say(&o, "\n");
	return o.len;
}
