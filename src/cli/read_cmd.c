/*
 * `smtpscope read`: run the pipeline over capture files and write records.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/run.h"
#include "config.h"
#include "core/json.h"
#include "core/log.h"
#include "pipeline.h"

static void usage(FILE *out)
{
	fprintf(out,
"Usage: smtpscope read [OPTIONS] FILE...\n"
"\n"
"Read pcap or pcapng captures (plain or gzip-compressed; \"-\" reads\n"
"standard input) and write JSON lines: one smtp.transaction record per mail\n"
"transaction as it ends, one smtp.session record per SMTP session.\n"
"Several files are read as one capture, in the order given.\n"
"\n"
"Output:\n"
"  -o, --output FILE        write records to FILE (default: standard output)\n"
"      --stats-json FILE    write the end-of-run counters as one JSON object\n"
"  -q, --quiet              no progress line and no summary\n"
"      --no-progress        no progress line (it is shown only on a terminal)\n"
"      --transcript         add every command and reply to session records\n"
"\n");
	opt_pipeline_usage(out);
	fprintf(out,
"\n"
"  -h, --help               this help\n"
"  -V, --version            the version\n"
"\n"
"Exit status: 0 done; 1 runtime failure (e.g. the output cannot be written);\n"
"2 usage error, or an input that cannot be read at all; 130 or 143 when\n"
"stopped by SIGINT or SIGTERM (every record so far is written).\n");
}

enum {
	OPT_STATS_JSON = OPT_PIPELINE__END,
	OPT_NO_PROGRESS,
	OPT_TRANSCRIPT,
};

static const struct option long_opts[] = {
	{"output", required_argument, NULL, 'o'},
	{"stats-json", required_argument, NULL, OPT_STATS_JSON},
	{"quiet", no_argument, NULL, 'q'},
	{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
	{"transcript", no_argument, NULL, OPT_TRANSCRIPT},
	OPT_PIPELINE_LONG_OPTIONS,
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void write_stats_json(const char *path, const struct run_result *res,
			     const struct pipeline *p)
{
	const struct decode_stats *ds = pipeline_decode_stats(p);
	const struct ipfrag_stats *fs = pipeline_frag_stats(p);
	const struct flow_table_stats *ts = pipeline_flow_stats(p);
	const struct smtp_stats *ss = pipeline_smtp_stats(p);
	struct jw w;
	FILE *fp;
	int k;

	jw_init(&w);
	jw_obj_begin(&w);
	jw_ku64(&w, "files", res->files_read);
	jw_ku64(&w, "packets", ds->packets);
	jw_ku64(&w, "bytes", ds->bytes);
	jw_ku64(&w, "ipv4", ds->ipv4);
	jw_ku64(&w, "ipv6", ds->ipv6);
	jw_ku64(&w, "tcp", ds->tcp);
	jw_ku64(&w, "udp", ds->udp);
	jw_ku64(&w, "non_ip", ds->non_ip);
	jw_ku64(&w, "vlan_tagged", ds->vlan_tagged);
	jw_ku64(&w, "snap_truncated", ds->snap_truncated);
	jw_ku64(&w, "tcp_bad_options", ds->tcp_bad_options);
	jw_ku64(&w, "decode_errors", ds->errors);
	jw_kobj(&w, "decode_errors_by_kind");
	for (k = 0; k < DERR__COUNT; k++)
		if (ds->by_kind[k])
			jw_ku64(&w, decode_error_name((enum decode_error)k),
				ds->by_kind[k]);
	jw_obj_end(&w);
	jw_kobj(&w, "ip_fragments");
	jw_ku64(&w, "fragments", fs->fragments);
	jw_ku64(&w, "reassembled", fs->reassembled);
	jw_ku64(&w, "timeouts", fs->timeouts);
	jw_ku64(&w, "evicted", fs->evicted);
	jw_ku64(&w, "bad", fs->bad);
	jw_ku64(&w, "overlaps", fs->overlaps);
	jw_ku64(&w, "overlaps_differing", fs->overlaps_differing);
	jw_obj_end(&w);
	jw_ku64(&w, "flows", ts->flows);
	jw_ku64(&w, "flows_followed", ts->followed);
	jw_ku64(&w, "flows_peak", ts->peak_active);
	jw_ku64(&w, "flows_closed", ts->closed);
	jw_ku64(&w, "idle_timeouts", ts->idle_timeouts);
	jw_ku64(&w, "evictions", ts->evictions);
	jw_ku64(&w, "flows_reused", ts->reused);
	jw_ku64(&w, "memory_peak", ts->memory_peak);
	jw_ku64(&w, "smtp_sessions", ss->sessions);
	jw_ku64(&w, "smtp_sessions_by_content", ss->by_content);
	jw_ku64(&w, "smtp_transactions", ss->transactions);
	jw_ku64(&w, "smtp_attempts", ss->attempts);
	jw_ku64(&w, "stream_gaps", ss->gaps);
	jw_ku64(&w, "stream_overlaps_differing", ss->overlaps_differing);
	jw_key(&w, "seconds");
	{
		char b[32];
		int n = snprintf(b, sizeof(b), "%.6f", res->seconds);

		jw_raw(&w, b, (size_t)n);
	}
	jw_kbool(&w, "interrupted", res->signal != 0);
	jw_obj_end(&w);

	fp = fopen(path, "w");
	if (!fp || fprintf(fp, "%s\n", jw_data(&w)) < 0 || fclose(fp) != 0)
		log_error("%s: cannot write the statistics", path);
	jw_free(&w);
}

static void print_summary(const struct run_result *res,
			  const struct pipeline *p)
{
	const struct decode_stats *ds = pipeline_decode_stats(p);
	const struct ipfrag_stats *fs = pipeline_frag_stats(p);
	const struct flow_table_stats *ts = pipeline_flow_stats(p);
	const struct smtp_stats *ss = pipeline_smtp_stats(p);
	double secs = res->seconds > 0 ? res->seconds : 1e-9;
	char b1[16], b2[16];
	int k;

	fprintf(stderr,
		"smtpscope: %s%u file%s, %" PRIu64 " packets, %s in %.2f s "
		"(%s/s)\n",
		res->signal ? "interrupted after " : "", res->files_read,
		res->files_read == 1 ? "" : "s", ds->packets,
		opt_human_bytes(b1, sizeof(b1), (double)ds->bytes), secs,
		opt_human_bytes(b2, sizeof(b2), (double)ds->bytes / secs));
	fprintf(stderr,
		"smtpscope: %" PRIu64 " TCP flows, %" PRIu64
		" SMTP sessions (%" PRIu64 " found on other ports), %" PRIu64
		" transactions, %" PRIu64 " connection attempts without a "
		"session\n",
		ts->flows, ss->sessions, ss->by_content, ss->transactions,
		ss->attempts);
	fprintf(stderr,
		"smtpscope: decode errors %" PRIu64 ", evictions %" PRIu64
		", idle timeouts %" PRIu64 ", stream gaps %" PRIu64
		", differing overlaps %" PRIu64 "\n",
		ds->errors, ts->evictions, ts->idle_timeouts, ss->gaps,
		ss->overlaps_differing);
	if (ds->errors) {
		fprintf(stderr, "smtpscope: decode errors by kind:");
		for (k = 0; k < DERR__COUNT; k++)
			if (ds->by_kind[k])
				fprintf(stderr, " %s %" PRIu64,
					decode_error_name((enum decode_error)k),
					ds->by_kind[k]);
		fputc('\n', stderr);
	}
	if (fs->fragments)
		fprintf(stderr,
			"smtpscope: IP fragments %" PRIu64 ", datagrams "
			"reassembled %" PRIu64 ", timed out %" PRIu64
			", spoiled %" PRIu64 ", differing overlaps %" PRIu64
			"\n",
			fs->fragments, fs->reassembled, fs->timeouts, fs->bad,
			fs->overlaps_differing);
	if (log_suppressed_count())
		fprintf(stderr, "smtpscope: %" PRIu64
				" repeated warnings were not printed\n",
			log_suppressed_count());
}

int cmd_read(int argc, char **argv)
{
	struct pipeline_config cfg;
	const char *out_path = "-", *stats_path = NULL;
	bool quiet = false, no_progress = false;
	int c, rc = EXIT_OK;
	struct out_writer *out;
	struct pipeline *p;
	struct run_result res;
	char err[512];

	pipeline_config_defaults(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case OPT_STATS_JSON: stats_path = optarg; break;
		case 'q': quiet = true; break;
		case OPT_NO_PROGRESS: no_progress = true; break;
		case OPT_TRANSCRIPT:
			cfg.smtp.transcript = true;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf("smtpscope %s\n", SMTPSCOPE_VERSION); return 0;
		default:
			switch (opt_pipeline(c, optarg, &cfg, "read")) {
			case OPT_TAKEN: break;
			case OPT_BAD: return EXIT_USAGE;
			case OPT_NOT_MINE:
				fprintf(stderr,
					"Try 'smtpscope read --help'.\n");
				return EXIT_USAGE;
			}
		}
	}
	if (!opt_pipeline_done(&cfg, "read"))
		return EXIT_USAGE;
	if (optind >= argc) {
		log_warn("read: no capture file given");
		fprintf(stderr, "Usage: smtpscope read [OPTIONS] FILE...\n"
				"Try 'smtpscope read --help'.\n");
		return EXIT_USAGE;
	}
	out = out_open(out_path, err, sizeof(err));
	if (!out) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	p = pipeline_new(&cfg, out);
	if (!p) {
		log_error("out of memory");
		out_close(out);
		return EXIT_RUNTIME;
	}

	log_set_quiet(quiet);
	cli_run_inputs(p, argv + optind, argc - optind, !quiet && !no_progress,
		       &res);
	if (res.input_error)
		rc = EXIT_USAGE;
	if (!quiet)
		print_summary(&res, p);
	if (stats_path)
		write_stats_json(stats_path, &res, p);
	pipeline_free(p);
	if (!out_close(out))
		rc = EXIT_RUNTIME;
	if (log_error_count() && rc == EXIT_OK)
		rc = EXIT_RUNTIME;
	if (res.signal)
		rc = 128 + res.signal;
	return rc;
}
