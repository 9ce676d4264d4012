/*
 * Command-line options shared by the subcommands: parsers of option
 * values, and the options that shape the pipeline - which flows are
 * sessions, how they are reassembled, what the records leave out - taken
 * alike by `read` and `show`, so that the same options find the same
 * sessions, with the same ids, in both.
 */
#ifndef SMTPSCOPE_CLI_OPTS_H
#define SMTPSCOPE_CLI_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pipeline.h"

/* "4096", "64K", "512M", "2G" (powers of 1024). */
bool opt_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* "30", "0.5" seconds, into nanoseconds. */
bool opt_parse_seconds(const char *s, double min, double max, int64_t *out);
/* A plain decimal number ("1000"; no suffix). */
bool opt_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* "1.5 MB", "2.0 GB": human figures for the summary (dst >= 16). */
const char *opt_human_bytes(char *dst, unsigned dstlen, double bytes);

/* Says that val is no value for --opt of command cmd (want: what is),
 * and where help is. Returns the exit code for it. */
int opt_bad_value(const char *cmd, const char *opt, const char *val,
		  const char *want);

/* getopt_long values of the pipeline options; a command's own long
 * options take values from OPT_PIPELINE__END on. */
enum {
	OPT_SMTP_PORTS = 256,
	OPT_TLS_PORTS,
	OPT_NO_CONTENT,
	OPT_NO_AUTH_USER,
	OPT_SMTP_LIMIT,
	OPT_MAIL_LIMIT,
	OPT_NO_MESSAGES,
	OPT_EXTRACT,
	OPT_EXTRACT_EML,
	OPT_LOCAL_NETS,
	OPT_LOCAL_DOMAINS,
	OPT_MAX_FLOWS,
	OPT_FLOW_MEMORY,
	OPT_IDLE_TIMEOUT,
	OPT_CLOSE_TIMEOUT,
	OPT_OOO_MAX,
	OPT_HISTORY,
	OPT_FRAG_MAX,
	OPT_FRAG_TIMEOUT,
	OPT_PIPELINE__END,
};

/* Entries of a struct option table: put them in a command's table. */
#define OPT_PIPELINE_LONG_OPTIONS                                            \
	{"smtp-ports", required_argument, NULL, OPT_SMTP_PORTS},             \
	{"tls-ports", required_argument, NULL, OPT_TLS_PORTS},               \
	{"no-content-detection", no_argument, NULL, OPT_NO_CONTENT},         \
	{"no-auth-user", no_argument, NULL, OPT_NO_AUTH_USER},               \
	{"smtp-limit", required_argument, NULL, OPT_SMTP_LIMIT},             \
	{"mail-limit", required_argument, NULL, OPT_MAIL_LIMIT},             \
	{"no-messages", no_argument, NULL, OPT_NO_MESSAGES},                 \
	{"extract", required_argument, NULL, OPT_EXTRACT},                   \
	{"extract-eml", no_argument, NULL, OPT_EXTRACT_EML},                 \
	{"local-nets", required_argument, NULL, OPT_LOCAL_NETS},             \
	{"local-domains", required_argument, NULL, OPT_LOCAL_DOMAINS},       \
	{"max-flows", required_argument, NULL, OPT_MAX_FLOWS},               \
	{"flow-memory", required_argument, NULL, OPT_FLOW_MEMORY},           \
	{"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},         \
	{"close-timeout", required_argument, NULL, OPT_CLOSE_TIMEOUT},       \
	{"tcp-ooo-max", required_argument, NULL, OPT_OOO_MAX},               \
	{"tcp-history", required_argument, NULL, OPT_HISTORY},               \
	{"frag-max", required_argument, NULL, OPT_FRAG_MAX},                 \
	{"frag-timeout", required_argument, NULL, OPT_FRAG_TIMEOUT}

enum opt_taken { OPT_NOT_MINE, OPT_TAKEN, OPT_BAD };

/* Apply getopt_long's result c, with its argument, to cfg when it is a
 * pipeline option. OPT_BAD: the value was refused, and said so (naming
 * the command cmd). */
/* Options that only make sense together, checked once all are read:
 * false (after a message naming cmd) when they do not. */
bool opt_pipeline_done(const struct pipeline_config *cfg, const char *cmd);
enum opt_taken opt_pipeline(int c, const char *arg,
			    struct pipeline_config *cfg, const char *cmd);

/* The help text of the pipeline options. */
void opt_pipeline_usage(FILE *out);

#endif
