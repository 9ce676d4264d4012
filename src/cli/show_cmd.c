/*
 * `smtpscope show`: SMTP sessions as a person reads them - who talked to
 * whom, then every command and reply with its time, the TLS hand-off, and
 * each transaction's outcome - like a mail server's log of the dialogue.
 *
 * Text from the wire is printed with every byte outside printable ASCII
 * escaped (\xNN), so nothing in a capture can drive the terminal.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/run.h"
#include "config.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "output/record.h"
#include "pipeline.h"

#define SHOW_TEXT_MAX 4096

/* Transactions wait here for the end of their session. */
struct pending_block {
	char session_id[SESSION_ID_LEN];
	char *text;
	size_t len, cap;
	struct pending_block *next;
};

struct show {
	const char *only;      /* session id (or a prefix of one) */
	unsigned long limit;   /* sessions to print, 0: all */
	unsigned long shown;
	struct pending_block *blocks;
	char buf[SHOW_TEXT_MAX * 4 + 16];
};

static bool wanted(const struct show *sh, const char *id)
{
	if (sh->limit && sh->shown >= sh->limit)
		return false;
	return !sh->only || strncmp(id, sh->only, strlen(sh->only)) == 0;
}

static const char *esc(struct show *sh, const void *p, size_t n)
{
	return log_escape(sh->buf, sizeof(sh->buf), p,
			  n > SHOW_TEXT_MAX ? SHOW_TEXT_MAX : n);
}

static const char *clock_of(int64_t ts, char *dst, size_t len)
{
	time_t t = (time_t)(ts / NS_PER_SEC);
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(dst, len, "?");
		return dst;
	}
	snprintf(dst, len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, (int)((ts % NS_PER_SEC) / NS_PER_MS));
	return dst;
}

static struct pending_block *block_for(struct show *sh, const char *id)
{
	struct pending_block *b;

	for (b = sh->blocks; b; b = b->next)
		if (strcmp(b->session_id, id) == 0)
			return b;
	b = calloc(1, sizeof(*b));
	if (!b)
		log_fatal(1, "out of memory");
	snprintf(b->session_id, sizeof(b->session_id), "%s", id);
	b->next = sh->blocks;
	sh->blocks = b;
	return b;
}

static void block_add(struct pending_block *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		size_t want = b->cap ? b->cap * 2 : 1024;
		char *nt;

		while (want < b->len + n + 1)
			want *= 2;
		nt = realloc(b->text, want);
		if (!nt)
			log_fatal(1, "out of memory");
		b->text = nt;
		b->cap = want;
	}
	memcpy(b->text + b->len, s, n + 1);
	b->len += n;
}

static void on_txn(void *ctx, const struct session_record *s,
		   const struct smtp_txn *t)
{
	struct show *sh = ctx;
	struct pending_block *b;
	char line[SHOW_TEXT_MAX * 4 + 256];
	uint32_t i;
	int n;

	if (!wanted(sh, s->session_id))
		return;
	b = block_for(sh, s->session_id);
	n = snprintf(line, sizeof(line), "   transaction %u: from <%s>",
		     t->depth,
		     t->have_mail ? esc(sh, strpool_at(&t->text, t->mail_from),
					t->mail_from.len)
				  : "(no MAIL)");
	block_add(b, line);
	for (i = 0; i < t->nrcpt; i++) {
		snprintf(line, sizeof(line), "%s <%s> %u", i ? "," : " to",
			 esc(sh, strpool_at(&t->text, t->rcpt[i].addr),
			     t->rcpt[i].addr.len),
			 t->rcpt[i].code);
		block_add(b, line);
	}
	if (t->rcpt_total > t->nrcpt) {
		snprintf(line, sizeof(line), " (+%u more)",
			 t->rcpt_total - t->nrcpt);
		block_add(b, line);
	}
	snprintf(line, sizeof(line),
		 "; %s %llu bytes%s; reply %u; %s\n",
		 t->data_mode == SMTP_DATA_BDAT   ? "BDAT"
		 : t->data_mode == SMTP_DATA_DATA ? "DATA"
						  : "no message,",
		 (unsigned long long)t->message_bytes,
		 t->gap_bytes ? " (partial)" : "", t->data_code,
		 smtp_txn_status_name(t->status));
	block_add(b, line);
	for (i = 0; i < t->ncand; i++) {
		const struct smtp_candidate *c = &t->cand[i];

		snprintf(line, sizeof(line),
			 "   ! lenient end of data %s at byte %llu%s\n",
			 c->eod.seq, (unsigned long long)c->eod.offset,
			 c->commands_follow ? ", SMTP commands follow it "
					      "(smuggling)"
					    : "");
		block_add(b, line);
		if (c->commands_follow && c->smuggled_from.len) {
			snprintf(line, sizeof(line),
				 "     smuggled MAIL FROM:<%s>\n",
				 esc(sh, strpool_at(&t->text, c->smuggled_from),
				     c->smuggled_from.len));
			block_add(b, line);
		}
	}
	(void)n;
}

static void header(struct show *sh, const struct session_record *r)
{
	const struct smtp_session_facts *f = r->smtp;
	char c[64], s[64], t0[TIMEFMT_LEN];
	int a;

	flow_addr_str(&r->info, &r->info.client, c, sizeof(c));
	flow_addr_str(&r->info, &r->info.server, s, sizeof(s));
	timefmt_rfc3339(t0, sizeof(t0), r->info.first_ts);
	printf("== session %s  %s%s%s:%u -> %s%s%s:%u\n", r->session_id,
	       r->info.ipver == 6 ? "[" : "", c, r->info.ipver == 6 ? "]" : "",
	       r->info.client.port, r->info.ipver == 6 ? "[" : "", s,
	       r->info.ipver == 6 ? "]" : "", r->info.server.port);
	printf("   %s, %.3f s, ended by %s; client sent %llu bytes, server "
	       "%llu\n",
	       t0, (double)(r->end_ts - r->info.first_ts) / 1e9,
	       flow_end_reason_name(r->end),
	       (unsigned long long)r->dir[DIR_C2S].delivered,
	       (unsigned long long)r->dir[DIR_S2C].delivered);
	if (!f)
		return;
	printf("   %s%s", f->have_helo ? smtp_verb_name(f->helo_verb) : "no HELO",
	       f->have_helo ? " " : "");
	if (f->have_helo)
		printf("%s", esc(sh, strpool_at(&f->text, f->helo), f->helo.len));
	printf("; TLS %s", f->tls == SMTP_TLS_NONE ? "no"
			   : f->tls == SMTP_TLS_IMPLICIT ? "implicit"
							 : "after STARTTLS");
	if (f->auth_attempts) {
		printf("; AUTH %s", f->auth_mech[0] ? f->auth_mech : "?");
		if (f->auth_user.len && !r->hide_auth_user)
			printf(" %s", esc(sh, strpool_at(&f->text, f->auth_user),
					  f->auth_user.len));
		printf(" %s (%u attempt%s)", smtp_auth_result_name(f->auth_result),
		       f->auth_attempts, f->auth_attempts == 1 ? "" : "s");
	}
	printf("; %u transaction%s\n", f->transactions,
	       f->transactions == 1 ? "" : "s");
	if (f->anomalies.bits) {
		printf("   anomalies:");
		for (a = 0; a < SA__COUNT; a++)
			if (f->anomalies.bits & (1ULL << a))
				printf(" %s",
				       smtp_anomaly_name((enum smtp_anomaly)a));
		printf("\n");
	}
}

static void on_session(void *ctx, const struct session_record *r)
{
	struct show *sh = ctx;
	struct pending_block **link = &sh->blocks, *b = NULL;
	uint32_t i;

	while (*link) {
		if (strcmp((*link)->session_id, r->session_id) == 0) {
			b = *link;
			*link = b->next;
			break;
		}
		link = &(*link)->next;
	}
	if (wanted(sh, r->session_id)) {
		sh->shown++;
		header(sh, r);
		for (i = 0; r->transcript && i < r->transcript->n; i++) {
			const struct transcript_entry *e = &r->transcript->e[i];
			char tm[32];

			clock_of(e->ts, tm, sizeof(tm));
			if (e->kind == TR_NOTE)
				printf("%s    -- %s --\n", tm,
				       esc(sh,
					   strpool_at(&r->transcript->text,
						      e->text),
					   e->text.len));
			else
				printf("%s %c: %s%s\n", tm,
				       e->side == SMTP_CLIENT ? 'C' : 'S',
				       esc(sh,
					   strpool_at(&r->transcript->text,
						      e->text),
					   e->text.len),
				       e->cut ? " [cut]" : "");
		}
		if (r->transcript && r->transcript->dropped)
			printf("   (%llu more lines not kept)\n",
			       (unsigned long long)r->transcript->dropped);
		if (b && b->text)
			fputs(b->text, stdout);
		printf("\n");
	}
	if (b) {
		free(b->text);
		free(b);
	}
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: smtpscope show [OPTIONS] FILE...\n"
"\n"
"Print SMTP sessions of pcap/pcapng captures as readable dialogues:\n"
"every command and reply with its time, the TLS hand-off, and each mail\n"
"transaction's envelope and outcome. The options that shape sessions are\n"
"those of smtpscope read: the same options find the same sessions, with\n"
"the same ids.\n"
"\n"
"  -s, --session ID         only the session whose smtp.session_id starts\n"
"                           with ID (as in the records of smtpscope read)\n"
"  -n, --max N              at most N sessions\n"
"  -h, --help               this help\n"
"\n");
	opt_pipeline_usage(out);
	fprintf(out,
"\n"
"Exit status: 0 done; 1 runtime failure (standard output cannot be\n"
"written, or an error was reported), or -s given and no session matched;\n"
"2 usage error, or an input that cannot be read at all; 130 or 143 when\n"
"stopped by SIGINT or SIGTERM.\n");
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{"session", required_argument, NULL, 's'},
		{"max", required_argument, NULL, 'n'},
		OPT_PIPELINE_LONG_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct pipeline_config cfg;
	struct show sh;
	struct smtp_sink sink = {&sh, on_txn, on_session};
	struct run_result res;
	struct pipeline *p;
	int c, rc = EXIT_OK;
	uint32_t max;

	memset(&sh, 0, sizeof(sh));
	pipeline_config_defaults(&cfg);
	cfg.smtp.transcript = true;
	cfg.smtp.sink = &sink;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sh.only = optarg; break;
		case 'n':
			if (!opt_parse_u32(optarg, 1, UINT32_MAX, &max))
				return opt_bad_value("show", "max", optarg,
						     "a number from 1 to "
						     "4294967295");
			sh.limit = max;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			switch (opt_pipeline(c, optarg, &cfg, "show")) {
			case OPT_TAKEN: break;
			case OPT_BAD: return EXIT_USAGE;
			case OPT_NOT_MINE:
				fprintf(stderr,
					"Try 'smtpscope show --help'.\n");
				return EXIT_USAGE;
			}
		}
	}
	if (optind >= argc) {
		log_warn("show: no capture file given");
		fprintf(stderr, "Try 'smtpscope show --help'.\n");
		return EXIT_USAGE;
	}
	p = pipeline_new(&cfg, NULL);
	if (!p) {
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	cli_run_inputs(p, argv + optind, argc - optind, false, &res);
	pipeline_free(p);
	while (sh.blocks) {
		struct pending_block *b = sh.blocks;

		sh.blocks = b->next;
		free(b->text);
		free(b);
	}
	/* As smtpscope read decides, with -s that matched nothing added. */
	if (res.input_error)
		rc = EXIT_USAGE;
	if (fflush(stdout) != 0) {
		log_error("standard output: write failed");
		rc = EXIT_RUNTIME;
	}
	if (log_error_count() && rc == EXIT_OK)
		rc = EXIT_RUNTIME;
	if (sh.only && sh.shown == 0 && rc == EXIT_OK) {
		log_warn("no session %s in the input", sh.only);
		rc = EXIT_RUNTIME;
	}
	if (res.signal)
		rc = 128 + res.signal;
	return rc;
}
