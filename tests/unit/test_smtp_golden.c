/*
 * Golden transcripts for the SMTP parser: tests/smtp/NAME.in holds a
 * dialogue, tests/smtp/NAME.ref what the parser must make of it, both as
 * text a reviewer reads without opening C. Each dialogue is replayed whole
 * and cut into pieces of every size from 1 byte up; every replay must give
 * the .ref exactly.
 *
 * .in lines:
 *   C: text      client sends text CR LF
 *   S: text      server sends text CR LF
 *   C~ text      client sends text exactly, with \r \n \0 \\ \xNN escapes
 *   S~ text      same for the server
 *   C! N / S! N  N bytes of that side are missing (a capture gap)
 *   C. / S.      that side ends (FIN)
 *   #...         comment; "# implicit-tls" makes the session start in TLS,
 *                "# limit NAME=VALUE" changes a parser limit
 * Consecutive data lines of one side are sent as one piece.
 *
 * Run with a directory of .in files; with SMTPSCOPE_UPDATE_GOLDEN=1 it
 * writes the .ref files instead (review them before committing).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"

#include "body_tally.h"
#include "smtp/parser.h"

#define MAX_STEPS 4096
#define OUT_MAX (1u << 20)

struct step {
	char kind;     /* 'd' data, 'g' gap, 'e' end */
	int side;      /* SMTP_CLIENT / SMTP_SERVER */
	uint8_t *data;
	size_t len;
};

struct golden {
	struct step steps[MAX_STEPS];
	int n;
	bool implicit_tls;
	struct smtp_limits lim;
};

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
		olen += (size_t)n < OUT_MAX - olen ? (size_t)n : OUT_MAX - olen - 1;
}

/* Untrusted bytes as one line of C-escaped text. */
/* Quoted and escaped; text over 240 bytes shows its start and size. */
static void say_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	say("\"");
	for (i = 0; i < n && i < 240; i++) {
		unsigned char c = s[i];

		if (c == '\\' || c == '"')
			say("\\%c", c);
		else if (c == '\r')
			say("\\r");
		else if (c == '\n')
			say("\\n");
		else if (c < 0x20 || c >= 0x7f)
			say("\\x%02x", c);
		else
			say("%c", c);
	}
	say("\"");
	if (n > 240)
		say("...(%zu bytes)", n);
}

static void say_ref(const struct strpool *sp, struct strref r)
{
	say_bytes(strpool_at(sp, r), r.len);
}

/* ---- events as text ------------------------------------------------------ */

static void ev_command(void *ctx, const struct smtp_cmd_event *e)
{
	(void)ctx;
	say("C %s ", smtp_verb_name(e->verb));
	say_bytes(e->line, e->len);
	say(" %s\n", line_eol_name(e->eol));
}

static void ev_reply(void *ctx, const struct smtp_reply_event *e)
{
	(void)ctx;
	say("S %u answers %s lines %u ", e->code, smtp_verb_name(e->answers),
	    e->lines);
	say_bytes(e->text, e->len);
	say("\n");
}

static void ev_note(void *ctx, enum smtp_side side, const char *what,
		    int64_t ts)
{
	(void)ctx;
	(void)ts;
	say("%c note %s\n", side == SMTP_CLIENT ? 'C' : 'S', what);
}

static struct body_tally bodies;

static void ev_txn_begin(void *ctx, const struct smtp_txn *t)
{
	(void)ctx;
	say("txn %u begins\n", t->depth);
	body_tally_begin(&bodies, t);
}

static void ev_body(void *ctx, const struct smtp_txn *t, const uint8_t *p,
		    size_t n)
{
	(void)ctx;
	body_tally_add(&bodies, t, p, n);
}

static void ev_txn_end(void *ctx, const struct smtp_txn *t)
{
	const struct body_slot *body;
	uint32_t i, k;

	(void)ctx;
	say("txn %u ends %s", t->depth, smtp_txn_status_name(t->status));
	if (t->have_mail) {
		say(" from ");
		say_ref(&t->text, t->mail_from);
		say(" mail_code %u", t->mail_code);
	}
	for (i = 0; i < t->nparams; i++) {
		say(" param ");
		say_ref(&t->text, t->params[i].name);
		if (t->params[i].has_value) {
			say("=");
			say_ref(&t->text, t->params[i].value);
		}
	}
	say("\n");
	for (i = 0; i < t->nrcpt; i++) {
		say("  rcpt ");
		say_ref(&t->text, t->rcpt[i].addr);
		say(" code %u %s", t->rcpt[i].code, t->rcpt[i].enhanced);
		for (k = 0; k < t->rcpt[i].nparams; k++) {
			say(" ");
			say_ref(&t->text, t->rcpt[i].params[k].name);
			if (t->rcpt[i].params[k].has_value) {
				say("=");
				say_ref(&t->text, t->rcpt[i].params[k].value);
			}
		}
		say("\n");
	}
	say("  rcpt_count %u accepted %u mode %u data_cmd %u data %u %s",
	    t->rcpt_total, t->rcpt_accepted, (unsigned)t->data_mode,
	    t->data_cmd_code, t->data_code, t->data_enhanced);
	body = body_slot(&bodies, t);
	if (!body) {
		fprintf(stderr, "transaction %u: body tally taken over\n",
			t->depth);
		exit(2);
	}
	say(" message %llu raw %llu body %llu/%08x chunks %u gaps %llu%s\n",
	    (unsigned long long)t->message_bytes,
	    (unsigned long long)t->raw_bytes,
	    (unsigned long long)body->bytes, body->hash, t->bdat_chunks,
	    (unsigned long long)t->gap_bytes, t->gap_bytes ? " partial" : "");
	if (t->data_mode == SMTP_DATA_DATA)
		say("  lines bare_lf %llu bare_cr %llu nul %llu longest %llu\n",
		    (unsigned long long)t->bare_lf,
		    (unsigned long long)t->bare_cr,
		    (unsigned long long)t->nul,
		    (unsigned long long)t->longest_line);
	for (i = 0; i < t->ncand; i++) {
		const struct smtp_candidate *c = &t->cand[i];

		say("  candidate at %llu %s after %lld commands %s",
		    (unsigned long long)c->eod.offset, c->eod.seq,
		    (long long)c->bytes_after,
		    c->commands_follow ? "yes" : "no");
		if (c->commands_follow) {
			say(" smuggled");
			if (c->smuggled_mail) {
				say(" from ");
				say_ref(&t->text, c->smuggled_from);
			}
			for (k = 0; k < c->nsmuggled_rcpt; k++) {
				say(" to ");
				say_ref(&t->text, c->smuggled_rcpt[k]);
			}
			say(c->smuggled_data ? " data" : " no-data");
		}
		say("\n");
	}
}

static uint64_t tls_bytes[2];

static void ev_tls(void *ctx, enum smtp_side side, const uint8_t *p, size_t n,
		   int64_t ts)
{
	(void)ctx;
	(void)p;
	(void)ts;
	tls_bytes[side] += n;
}

/* The names an AUTH attempt disclosed besides the user; notes by name. */
static void say_auth_detail(const struct strpool *sp,
			    const struct smtp_auth_detail *d)
{
	uint32_t b;

	say("  auth authzid ");
	say_ref(sp, d->authzid);
	say(" realm ");
	say_ref(sp, d->realm);
	say(" workstation ");
	say_ref(sp, d->workstation);
	say(" ntlm ");
	say_ref(sp, d->ntlm_target);
	say(" ");
	say_ref(sp, d->ntlm_nb_domain);
	say(" ");
	say_ref(sp, d->ntlm_nb_computer);
	say(" ");
	say_ref(sp, d->ntlm_dns_domain);
	say(" ");
	say_ref(sp, d->ntlm_dns_computer);
	say(" notes");
	for (b = 1; b; b <<= 1)
		if (d->notes & b)
			say(" %s", sasl_note_name(b) ? sasl_note_name(b) : "?");
	say("\n");
}

static void facts(const struct smtp_session_facts *f)
{
	uint32_t i;
	int a;

	say("session");
	if (f->have_banner) {
		say(" banner %u ", f->banner_code);
		say_ref(&f->text, f->banner);
	}
	if (f->have_helo) {
		say(" %s ", smtp_verb_name(f->helo_verb));
		say_ref(&f->text, f->helo);
	}
	say("\n  caps");
	for (i = 0; i < f->ncaps; i++) {
		say(" ");
		say_ref(&f->text, f->caps[i]);
	}
	say("\n  starttls offered %d attempted %d code %u ok %d tls %d "
	    "tls_bytes %llu/%llu residue %llu/%llu\n",
	    f->offers_starttls, f->starttls_attempted, f->starttls_code,
	    f->starttls_succeeded, (int)f->tls,
	    (unsigned long long)f->tls_bytes[0],
	    (unsigned long long)f->tls_bytes[1],
	    (unsigned long long)f->residue_bytes[0],
	    (unsigned long long)f->residue_bytes[1]);
	if (f->residue_bytes[0]) {
		say("  client residue ");
		say_ref(&f->text, f->residue[0]);
		say("\n");
	}
	if (f->auth_attempts) {
		say("  auth %s user ", f->auth_mech);
		say_ref(&f->text, f->auth_user);
		say(" result %s attempts %u ok %u failed %u exchanges %u "
		    "secrets %x\n",
		    smtp_auth_result_name(f->auth_result), f->auth_attempts,
		    f->auth_successes, f->auth_failures, f->auth_exchanges,
		    f->auth_secrets);
		say_auth_detail(&f->text, &f->auth_detail);
	}
	if (f->nunknown || f->xclient.len || f->xforward.len) {
		say("  unknown");
		for (i = 0; i < f->nunknown; i++) {
			say(" ");
			say_ref(&f->text, f->unknown_verbs[i]);
		}
		say(" xclient ");
		say_ref(&f->text, f->xclient);
		say(" xforward ");
		say_ref(&f->text, f->xforward);
		say("\n");
	}
	say("  commands %llu replies %llu unmatched %llu", 
	    (unsigned long long)f->commands,
	    (unsigned long long)f->replies,
	    (unsigned long long)f->unmatched_replies);
	for (i = 0; i < f->nunmatched; i++)
		say(" %u", f->unmatched_codes[i]);
	say(" transactions %u quit %d\n  anomalies", f->transactions,
	    f->quit);
	for (a = 0; a < SA__COUNT; a++)
		if (f->anomalies.bits & (1ULL << a))
			say(" %s", smtp_anomaly_name((enum smtp_anomaly)a));
	say("\n");
}

/* ---- reading .in files --------------------------------------------------- */

static size_t unescape(const char *s, uint8_t *dst)
{
	size_t n = 0;

	while (*s) {
		if (*s != '\\') {
			dst[n++] = (uint8_t)*s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'r': dst[n++] = '\r'; s++; break;
		case 'n': dst[n++] = '\n'; s++; break;
		case '0': dst[n++] = '\0'; s++; break;
		case 't': dst[n++] = '\t'; s++; break;
		case '\\': dst[n++] = '\\'; s++; break;
		case 'x': {
			unsigned v = 0;
			int k;

			s++;
			for (k = 0; k < 2 && *s; k++, s++)
				v = v * 16 + (unsigned)(*s <= '9' ? *s - '0'
							: (*s | 32) - 'a' + 10);
			dst[n++] = (uint8_t)v;
			break;
		}
		default: dst[n++] = '\\'; break;
		}
	}
	return n;
}

/* Join each run of data steps of one side, so a replay also hands the
 * parser several lines in one call and the chunk sweep cuts across them. */
static void merge_steps(struct golden *g)
{
	int i, n = 0;

	for (i = 0; i < g->n; i++) {
		struct step *st = &g->steps[i], *last = n ? &g->steps[n - 1] : NULL;

		if (last && last->kind == 'd' && st->kind == 'd' &&
		    last->side == st->side) {
			last->data = realloc(last->data, last->len + st->len);
			if (!last->data)
				abort();
			memcpy(last->data + last->len, st->data, st->len);
			last->len += st->len;
			free(st->data);
			continue;
		}
		g->steps[n++] = *st;
	}
	g->n = n;
}

static bool load(const char *path, struct golden *g)
{
	FILE *f = fopen(path, "r");
	static char line[1 << 16];

	if (!f)
		return false;
	memset(g, 0, sizeof(*g));
	smtp_limits_defaults(&g->lim);
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		struct step *st;

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (line[0] == '#') {
			char err[128];

			if (strstr(line, "implicit-tls"))
				g->implicit_tls = true;
			if (strncmp(line, "# limit ", 8) == 0 &&
			    !smtp_limits_set(&g->lim, line + 8, err,
					     sizeof(err))) {
				fprintf(stderr, "%s: %s\n", path, err);
				exit(2);
			}
			continue;
		}
		if (g->n >= MAX_STEPS || len < 2 ||
		    (line[0] != 'C' && line[0] != 'S')) {
			fprintf(stderr, "%s: bad line: %s\n", path, line);
			exit(2);
		}
		st = &g->steps[g->n++];
		st->side = line[0] == 'C' ? SMTP_CLIENT : SMTP_SERVER;
		switch (line[1]) {
		case ':':
			st->kind = 'd';
			st->data = malloc(len + 2);
			st->len = len > 3 ? len - 3 : 0;
			memcpy(st->data, line + 3, st->len);
			st->data[st->len++] = '\r';
			st->data[st->len++] = '\n';
			break;
		case '~':
			st->kind = 'd';
			st->data = malloc(len + 1);
			st->len = unescape(len > 3 ? line + 3 : "", st->data);
			break;
		case '!':
			st->kind = 'g';
			st->len = (size_t)strtoull(line + 2, NULL, 10);
			break;
		case '.':
			st->kind = 'e';
			break;
		default:
			fprintf(stderr, "%s: bad line: %s\n", path, line);
			exit(2);
		}
	}
	fclose(f);
	merge_steps(g);
	return true;
}

static void run(const struct golden *g, size_t chunk)
{
	struct smtp_events ev = {
		.command = ev_command,
		.reply = ev_reply,
		.note = ev_note,
		.txn_begin = ev_txn_begin,
		.body = ev_body,
		.txn_end = ev_txn_end,
		.tls = ev_tls,
	};
	struct smtp_parser *p = smtp_parser_new(&g->lim, &ev, g->implicit_tls);
	int64_t ts = 1;
	int i;

	olen = 0;
	out[0] = '\0';
	tls_bytes[0] = tls_bytes[1] = 0;
	memset(&bodies, 0, sizeof(bodies));
	for (i = 0; i < g->n; i++) {
		const struct step *st = &g->steps[i];
		size_t off = 0;

		switch (st->kind) {
		case 'd':
			while (off < st->len) {
				size_t n = st->len - off;

				if (chunk && n > chunk)
					n = chunk;
				smtp_parser_data(p, (enum smtp_side)st->side,
						 st->data + off, n, ts++);
				off += n;
			}
			break;
		case 'g':
			smtp_parser_gap(p, (enum smtp_side)st->side, st->len,
					ts++);
			break;
		default:
			smtp_parser_end(p, (enum smtp_side)st->side, ts++);
		}
	}
	smtp_parser_finish(p, ts);
	facts(smtp_parser_facts(p));
	say("tls %llu/%llu\n", (unsigned long long)tls_bytes[0],
	    (unsigned long long)tls_bytes[1]);
	smtp_parser_free(p);
}

static int check(const char *dir, const char *name, bool update)
{
	static struct golden g;
	char in[4096], ref[4096];
	char *first;
	size_t flen, maxlen = 0, chunk;
	int i, bad = 0;

	snprintf(in, sizeof(in), "%s/%s", dir, name);
	snprintf(ref, sizeof(ref), "%s/%.*s.ref", dir,
		 (int)(strlen(name) - 3), name);
	if (!load(in, &g)) {
		fprintf(stderr, "%s: cannot read\n", in);
		return 1;
	}
	run(&g, 0);
	first = strdup(out);
	flen = olen;
	bad = golden_compare(name, ref, first, flen, update);
	for (i = 0; i < g.n; i++)
		if (g.steps[i].len > maxlen)
			maxlen = g.steps[i].len;
	for (chunk = 1; chunk < maxlen && !bad; chunk++) {
		run(&g, chunk);
		if (olen != flen || memcmp(out, first, flen) != 0) {
			fprintf(stderr,
				"FAIL %s: cut into %zu-byte pieces it gives:\n%s",
				name, chunk, out);
			bad = 1;
		}
	}
	for (i = 0; i < g.n; i++)
		free(g.steps[i].data);
	free(first);
	if (!bad)
		printf("ok %s (%zu chunk sizes)\n", name, maxlen);
	return bad;
}

int main(int argc, char **argv)
{
	static const char *const suffixes[] = {".in", NULL};

	return golden_main(argc, argv, "tests/smtp", suffixes, "transcripts", check);
}
