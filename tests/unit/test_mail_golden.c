/*
 * Golden vectors for the message engine: tests/mail/NAME.eml (or .raw) is
 * a message, tests/mail/NAME.ref what the engine must make of it, printed
 * as text a reviewer reads without opening C. Each message is fed whole,
 * then cut into pieces of every size from 1 byte up to 300 and a few
 * larger ones; every run must print the .ref exactly.
 *
 * NAME.eml has its line ends turned into CR LF (as on the wire); NAME.raw
 * is fed byte for byte. Leading lines "#limit NAME=VALUE" change a mail
 * limit and "#gap N@OFFSET" makes bytes OFFSET to OFFSET+N-1 go missing;
 * they are not part of the message.
 *
 * Run with the directory; SMTPSCOPE_UPDATE_GOLDEN=1 writes the .ref files
 * instead (review them before committing).
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "mail/html.h"
#include "mail/message.h"
#include "mail/urlset.h"

#define OUT_MAX (1u << 20)

static char out[OUT_MAX];
static size_t olen;

static void say(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out + olen, OUT_MAX - olen, fmt, ap);
	va_end(ap);
	if (n > 0)
		olen += (size_t)n < OUT_MAX - olen ? (size_t)n
						   : OUT_MAX - olen - 1;
}

/* A kept string, quoted, non-printable bytes as \xNN, long ones cut. */
static void q(const struct mail_facts *f, struct strref r)
{
	const unsigned char *s =
		(const unsigned char *)strpool_at(&f->text, r);
	uint32_t i, n = r.len > 300 ? 300 : r.len;

	say("\"");
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			say("\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] == 0x7f)
			say("\\x%02x", s[i]);
		else
			say("%c", s[i]);
	}
	say(r.len > n ? "\"...(%u bytes)" : "\"", r.len);
}

static void addrs(const struct mail_facts *f, const char *name,
		  const struct mail_addr_field *a)
{
	uint32_t i;

	if (!a->fields)
		return;
	say("%s (%u fields, %u addresses):", name, a->fields, a->total);
	for (i = 0; i < a->n; i++) {
		say(" ");
		if (a->a[i].display.len) {
			q(f, a->a[i].display);
			say(" ");
		}
		say("<");
		q(f, a->a[i].addr);
		say(">");
	}
	say("\n");
}

static void opt(const struct mail_facts *f, const char *name,
		struct strref r)
{
	if (!r.len)
		return;
	say("%s ", name);
	q(f, r);
	say("\n");
}

static void anomalies(uint64_t set)
{
	int a;

	for (a = 0; a < MA__COUNT; a++)
		if (set & ((uint64_t)1 << a))
			say(" %s", mail_anomaly_name((enum mail_anomaly)a));
}

static void stamp(int64_t sec)
{
	char b[TIMEFMT_LEN];

	timefmt_rfc3339(b, sizeof(b), sec * 1000000000);
	say("%s", b);
}

static void print(const struct mail_facts *f)
{
	uint32_t i, k;

	say("header fields %u bytes %llu\n", f->header_count,
	    (unsigned long long)f->header_bytes);
	say("names");
	for (i = 0; i < f->nheader_names; i++) {
		say(" ");
		q(f, f->header_names[i]);
	}
	say("\n");
	opt(f, "duplicates", f->duplicates);
	addrs(f, "from", &f->from);
	addrs(f, "sender", &f->sender);
	addrs(f, "reply-to", &f->reply_to);
	addrs(f, "to", &f->to);
	addrs(f, "cc", &f->cc);
	addrs(f, "bcc", &f->bcc);
	addrs(f, "return-path", &f->return_path);
	opt(f, "subject", f->subject);
	opt(f, "message-id", f->message_id);
	opt(f, "in-reply-to", f->in_reply_to);
	opt(f, "references", f->references);
	if (f->date_raw.len) {
		say("date ");
		q(f, f->date_raw);
		if (f->have_date) {
			say(" = ");
			stamp(f->date);
			say(" zone %+d min", f->date_tz);
		}
		say("\n");
	}
	opt(f, "x-mailer", f->x_mailer);
	opt(f, "user-agent", f->user_agent);
	opt(f, "x-originating-ip", f->x_originating_ip);
	opt(f, "list-unsubscribe", f->list_unsubscribe);
	opt(f, "content-type", f->content_type);
	for (i = 0; i < f->nreceived; i++) {
		const struct mail_hop *h = &f->received[i];

		say("received %u: from ", i);
		q(f, h->from);
		say(" rdns ");
		q(f, h->from_rdns);
		say(" ip ");
		q(f, h->from_ip);
		say(" by ");
		q(f, h->by);
		say(" with ");
		q(f, h->with);
		say(" id ");
		q(f, h->id);
		say(" for ");
		q(f, h->for_addr);
		say(" ips ");
		q(f, h->ips);
		if (h->have_date) {
			say(" at ");
			stamp(h->date);
		}
		say("\n");
	}
	say("auth-results %u dkim %u arc %u\n", f->nauth_results, f->ndkim,
	    f->narc);
	say("parts %u (kept %u) depth %u decoded %llu\n", f->parts_total,
	    f->nparts, f->max_depth, (unsigned long long)f->decoded_bytes);
	for (i = 0; i < f->nparts; i++) {
		const struct mail_part *p = &f->parts[i];

		say("part ");
		q(f, p->path);
		say(" depth %u ", p->depth);
		q(f, p->type);
		if (p->charset.len) {
			say(" charset ");
			q(f, p->charset);
		}
		if (p->disposition.len) {
			say(" disposition ");
			q(f, p->disposition);
		}
		if (p->cte.len) {
			say(" cte ");
			q(f, p->cte);
		}
		if (p->boundary.len) {
			say(" boundary ");
			q(f, p->boundary);
		}
		say("\n");
		if (p->leaf) {
			say("  %s%s encoded %llu decoded %llu%s", 
			    p->attachment ? "attachment" : "inline",
			    p->text ? " text" : "",
			    (unsigned long long)p->encoded_size,
			    (unsigned long long)p->decoded_size,
			    p->gap ? " partial" : "");
			for (k = 0; k < p->nfilename; k++) {
				say(" name ");
				q(f, p->filename[k]);
			}
			say("\n");
			if (p->hashed)
				say("  md5 %s sha1 %s\n  sha256 %s\n", p->md5,
				    p->sha1, p->sha256);
			say("  magic ");
			q(f, p->magic);
			say(" kind ");
			q(f, p->kind);
			say("\n");
			if (p->archive_format.len) {
				say("  archive ");
				q(f, p->archive_format);
				say(" members %u%s", p->archive_members,
				    p->archive_encrypted ? " encrypted" : "");
				for (k = 0; k < p->nmembers; k++) {
					const struct mail_archive_entry *e =
						&f->members[p->members_at + k];

					say(" ");
					q(f, e->name);
					say("/%lld%s", (long long)e->size,
					    e->encrypted ? "/enc" : "");
				}
				say("\n");
			}
		}
		if (p->anomalies) {
			say("  anomalies");
			anomalies(p->anomalies);
			say("\n");
		}
	}
	for (i = 0; i < f->nurls; i++) {
		const struct mail_url_fact *u = &f->urls[i];

		say("url ");
		q(f, u->url);
		say(" host ");
		q(f, u->host);
		if (u->anchor.len) {
			say(" anchor ");
			q(f, u->anchor);
		}
		say(" count %u sources %#x", u->count, u->sources);
		for (k = 0; k < 32; k++)
			if (u->flags & (1u << k))
				say(" %s", mail_url_flag_name(1u << k));
		say("\n");
	}
	if (f->urls_dropped)
		say("urls dropped %u\n", f->urls_dropped);
	if (f->html_flags) {
		say("html");
		for (k = 0; k < 32; k++)
			if (f->html_flags & (1u << k))
				say(" %s", mail_html_flag_name(1u << k));
		say("\n");
	}
	say("text %u bytes ", f->body_text_len);
	{
		struct mail_facts tmp = *f;
		struct strref r = {0, f->body_text_len < 200 ?
					      f->body_text_len : 200};

		tmp.text.buf = f->body_text;
		q(&tmp, r);
	}
	say("\n");
	say("body %llu%s\nanomalies", (unsigned long long)f->body_bytes,
	    f->partial ? " partial" : "");
	anomalies(f->anomalies);
	say("\n");
}

struct vector {
	uint8_t *msg;
	size_t len;
	struct mail_limits lim;
	uint64_t gap_at, gap_len;
};

static void run(struct vector *v, size_t chunk)
{
	static struct mail_msg *m;
	static struct mail_limits last;
	size_t off = 0;

	if (m && memcmp(&last, &v->lim, sizeof(last)) != 0) {
		mail_msg_free(m);
		m = NULL;
	}
	if (!m) {
		m = mail_msg_new(&v->lim, NULL);
		last = v->lim;
		if (!m) {
			fprintf(stderr, "mail_msg_new failed\n");
			exit(2);
		}
	}
	mail_msg_reset(m, "golden");
	while (off < v->len) {
		size_t n = chunk ? chunk : v->len - off;

		if (n > v->len - off)
			n = v->len - off;
		if (v->gap_len && off < v->gap_at && off + n > v->gap_at)
			n = (size_t)(v->gap_at - off);
		if (v->gap_len && off == v->gap_at) {
			/* These bytes never reach the engine. */
			mail_msg_gap(m, v->gap_len);
			off += v->gap_len;
			continue;
		}
		mail_msg_feed(m, v->msg + off, n);
		off += n;
	}
	mail_msg_finish(m, true);
	olen = 0;
	out[0] = '\0';
	print(mail_msg_facts(m));
}

static bool load(const char *path, bool crlf, struct vector *v)
{
	FILE *f = fopen(path, "rb");
	char line[512];
	long size;
	uint8_t *raw;
	size_t n, i, start = 0;

	if (!f)
		return false;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	raw = malloc((size_t)size + 1);
	n = fread(raw, 1, (size_t)size, f);
	fclose(f);
	mail_limits_defaults(&v->lim);
	v->gap_len = 0;
	/* Directives. */
	while (start < n && raw[start] == '#') {
		size_t e = start;
		char err[256];

		while (e < n && raw[e] != '\n')
			e++;
		snprintf(line, sizeof(line), "%.*s", (int)(e - start),
			 (char *)raw + start);
		if (strncmp(line, "#limit ", 7) == 0) {
			if (!mail_limits_set(&v->lim, line + 7, err,
					     sizeof(err))) {
				fprintf(stderr, "%s: %s\n", path, err);
				exit(2);
			}
		} else if (strncmp(line, "#gap ", 5) == 0) {
			unsigned long long a, b;

			if (sscanf(line + 5, "%llu@%llu", &a, &b) == 2) {
				v->gap_len = a;
				v->gap_at = b;
			}
		}
		start = e + 1;
	}
	v->msg = malloc(2 * (n - start) + 1);
	v->len = 0;
	for (i = start; i < n; i++) {
		if (crlf && raw[i] == '\n' && (i == start || raw[i - 1] != '\r'))
			v->msg[v->len++] = '\r';
		v->msg[v->len++] = raw[i];
	}
	free(raw);
	return true;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)len + 1);
	*n = fread(b, 1, (size_t)len, f);
	b[*n] = '\0';
	fclose(f);
	return b;
}

static int check(const char *dir, const char *name, bool update)
{
	struct vector v;
	char in[4096], ref[4096];
	char *want, *first;
	size_t wlen, flen, chunk, stem = strlen(name) - 4;
	int bad = 0;

	snprintf(in, sizeof(in), "%s/%s", dir, name);
	snprintf(ref, sizeof(ref), "%s/%.*s.ref", dir, (int)stem, name);
	if (!load(in, strcmp(name + stem, ".eml") == 0, &v)) {
		fprintf(stderr, "%s: cannot read\n", in);
		return 1;
	}
	run(&v, 0);
	first = strdup(out);
	flen = olen;
	if (update) {
		FILE *f = fopen(ref, "w");

		fwrite(first, 1, flen, f);
		fclose(f);
		printf("wrote %s\n", ref);
	} else {
		want = slurp(ref, &wlen);
		if (!want || wlen != flen || memcmp(want, first, flen) != 0) {
			fprintf(stderr, "FAIL %s: output differs from %s:\n%s",
				name, ref, first);
			bad = 1;
		}
		free(want);
	}
	for (chunk = 1; chunk < v.len && !bad;
	     chunk = chunk < 300 ? chunk + 1 : chunk * 2) {
		run(&v, chunk);
		if (olen != flen || memcmp(out, first, flen) != 0) {
			fprintf(stderr,
				"FAIL %s: cut into %zu-byte pieces it gives:\n%s",
				name, chunk, out);
			bad = 1;
		}
	}
	free(v.msg);
	free(first);
	if (!bad)
		printf("ok %s\n", name);
	return bad;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/mail";
	bool update = getenv("SMTPSCOPE_UPDATE_GOLDEN") != NULL;
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[1024];
	int n = 0, i, bad = 0;

	if (!d) {
		fprintf(stderr, "%s: cannot open\n", dir);
		return 2;
	}
	while ((e = readdir(d)) && n < 1024) {
		size_t l = strlen(e->d_name);

		if (l > 4 && (strcmp(e->d_name + l - 4, ".eml") == 0 ||
			      strcmp(e->d_name + l - 4, ".raw") == 0))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (i = 0; i < n; i++) {
		bad += check(dir, names[i], update);
		free(names[i]);
	}
	printf("%d golden messages, %d failed\n", n, bad);
	return bad || n == 0;
}
