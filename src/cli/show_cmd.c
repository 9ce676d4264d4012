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

#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/run.h"
#include "config.h"
#include "core/grow.h"
#include "core/log.h"
#include "core/siphash.h"
#include "core/timefmt.h"
#include "output/record.h"
#include "pipeline.h"

#define SHOW_TEXT_MAX 4096
/* Text of one session's transactions held until the session ends. */
#define SHOW_BLOCK_MAX (16u * 1024 * 1024)

/* Transactions wait here for the end of their session. */
struct pending_block {
	char session_id[SESSION_ID_LEN];
	uint64_t hash;
	char *text;
	uint32_t len, cap;
	bool cut;              /* text past SHOW_BLOCK_MAX was left out */
};

/* The blocks by session id: open addressing, hashed with a secret key so
 * that a capture cannot pile its sessions onto one probe chain. */
struct pending {
	struct pending_block **slot;
	uint32_t nslots;       /* a power of two, or 0 */
	uint32_t count;
	struct siphash_key key;
};

struct show {
	const char *only;      /* session id (or a prefix of one) */
	unsigned long limit;   /* sessions to print, 0: all */
	unsigned long shown;
	struct pending pending;
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

/* ---- pending blocks -------------------------------------------------------- */

static struct pending_block **pending_find(struct pending *pd, const char *id,
					   uint64_t h)
{
	uint32_t mask = pd->nslots - 1, i = (uint32_t)h & mask;

	while (pd->slot[i] && (pd->slot[i]->hash != h ||
			       strcmp(pd->slot[i]->session_id, id) != 0))
		i = (i + 1) & mask;
	return &pd->slot[i];
}

static void pending_grow(struct pending *pd)
{
	struct pending_block **old = pd->slot;
	uint32_t n = pd->nslots, i;

	pd->nslots = n ? n * 2 : 64;
	pd->slot = calloc(pd->nslots, sizeof(*pd->slot));
	if (!pd->slot)
		log_fatal(1, "out of memory");
	for (i = 0; i < n; i++)
		if (old[i])
			*pending_find(pd, old[i]->session_id, old[i]->hash) =
				old[i];
	free(old);
}

static struct pending_block *block_for(struct pending *pd, const char *id)
{
	uint64_t h = siphash13(&pd->key, id, strlen(id));
	struct pending_block **sl;

	if ((pd->count + 1) * 2 > pd->nslots)
		pending_grow(pd);
	sl = pending_find(pd, id, h);
	if (!*sl) {
		*sl = calloc(1, sizeof(**sl));
		if (!*sl)
			log_fatal(1, "out of memory");
		snprintf((*sl)->session_id, sizeof((*sl)->session_id), "%s",
			 id);
		(*sl)->hash = h;
		pd->count++;
	}
	return *sl;
}

/* Take a session's block out (NULL: it has none). Blocks after it on its
 * probe chain move back into the hole when their home slot allows. */
static struct pending_block *block_take(struct pending *pd, const char *id)
{
	struct pending_block **sl, *b;
	uint32_t mask, i, j;

	if (!pd->count)
		return NULL;
	sl = pending_find(pd, id, siphash13(&pd->key, id, strlen(id)));
	b = *sl;
	if (!b)
		return NULL;
	mask = pd->nslots - 1;
	i = (uint32_t)(sl - pd->slot);
	for (j = (i + 1) & mask; pd->slot[j]; j = (j + 1) & mask) {
		uint32_t home = (uint32_t)pd->slot[j]->hash & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			pd->slot[i] = pd->slot[j];
			i = j;
		}
	}
	pd->slot[i] = NULL;
	pd->count--;
	return b;
}

static void block_free(struct pending_block *b)
{
	if (b) {
		free(b->text);
		free(b);
	}
}

static void pending_free(struct pending *pd)
{
	uint32_t i;

	for (i = 0; i < pd->nslots; i++)
		block_free(pd->slot[i]);
	free(pd->slot);
	memset(pd, 0, sizeof(*pd));
}

static void block_add(struct pending_block *b, const char *s)
{
	size_t n = strlen(s);

	if (b->cut || n > SHOW_BLOCK_MAX - b->len) {
		b->cut = true;
		return;
	}
	b->text = grow_array(b->text, &b->cap, b->len + (uint32_t)n, 1024,
			     SHOW_BLOCK_MAX, 1, "show");
	memcpy(b->text + b->len, s, n);
	b->len += (uint32_t)n;
}

/* The message in a few lines: who, what, and its attachments. */
static void message_lines(struct show *sh, struct pending_block *b,
			  const struct mail_facts *m)
{
	char line[SHOW_TEXT_MAX * 4 + 256];
	uint32_t i;

	if (m->from.n) {
		snprintf(line, sizeof(line), "     From: %s\n",
			 esc(sh, strpool_at(&m->text, m->from.a[0].addr),
			     m->from.a[0].addr.len));
		block_add(b, line);
	}
	if (m->subject.len) {
		snprintf(line, sizeof(line), "     Subject: %s\n",
			 esc(sh, strpool_at(&m->text, m->subject),
			     m->subject.len));
		block_add(b, line);
	}
	for (i = 0; i < m->nparts; i++) {
		const struct mail_part *p = &m->parts[i];
		struct strref type = p->magic.len ? p->magic : p->type;

		if (!p->leaf || !p->attachment)
			continue;
		snprintf(line, sizeof(line), "     attachment %s",
			 p->nfilename ?
				 esc(sh, strpool_at(&m->text, p->filename[0]),
				     p->filename[0].len) :
				 "(no name)");
		block_add(b, line);
		snprintf(line, sizeof(line), " (%s, %llu bytes%s%s)\n",
			 esc(sh, strpool_at(&m->text, type), type.len),
			 (unsigned long long)p->decoded_size,
			 p->hashed ? ", sha256 " : "",
			 p->hashed ? p->sha256 : "");
		block_add(b, line);
	}
}

static void on_txn(void *ctx, const struct session_record *s,
		   const struct smtp_txn *t, const struct mail_facts *msg)
{
	struct show *sh = ctx;
	struct pending_block *b;
	char line[SHOW_TEXT_MAX * 4 + 256];
	uint32_t i;

	if (!wanted(sh, s->session_id))
		return;
	b = block_for(&sh->pending, s->session_id);
	snprintf(line, sizeof(line), "   transaction %u: from <%s>",
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
	if (msg)
		message_lines(sh, b, msg);
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
	struct pending_block *b = block_take(&sh->pending, r->session_id);
	uint32_t i;

	if (wanted(sh, r->session_id)) {
		sh->shown++;
		header(sh, r);
		for (i = 0; r->transcript && i < r->transcript->n; i++) {
			const struct transcript_entry *e = &r->transcript->e[i];
			char tm[TIMEFMT_CLOCK_LEN];

			timefmt_clock(tm, sizeof(tm), e->ts);
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
		if (b && b->len)
			fwrite(b->text, 1, b->len, stdout);
		if (b && b->cut)
			printf("   (transactions past %u MB of text are not "
			       "shown)\n",
			       SHOW_BLOCK_MAX >> 20);
		printf("\n");
	}
	block_free(b);
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
	siphash_key_random(&sh.pending.key);
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
	if (!opt_pipeline_done(&cfg, "show"))
		return EXIT_USAGE;
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
	pending_free(&sh.pending);
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
