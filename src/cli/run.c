#include "cli/run.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "cli/opts.h"
#include "core/log.h"
#include "core/timefmt.h"

/* How often (in packets) the loop looks at the clock for progress. */
#define PROGRESS_EVERY 4096
#define PROGRESS_INTERVAL_NS (250 * NS_PER_MS)

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

struct progress {
	bool on;
	bool shown;
	int64_t start;
	int64_t last;
	uint64_t total;     /* bytes of all inputs, 0 when unknown */
	uint64_t done;      /* bytes of inputs finished */
};

static struct progress prog;

static void progress_clear(void)
{
	if (prog.shown) {
		fputs("\r\033[K", stderr);
		prog.shown = false;
	}
}

static void progress_show(const struct capture_source *src,
			  const struct decode_stats *ds)
{
	int64_t now = time_mono_ns();
	double secs = (double)(now - prog.start) / 1e9;
	char b1[16], b2[16], pct[16] = "";

	if (now - prog.last < PROGRESS_INTERVAL_NS)
		return;
	prog.last = now;
	if (prog.total)
		snprintf(pct, sizeof(pct), "%5.1f%%  ",
			 100.0 * (double)(prog.done + capture_offset(src)) /
				 (double)prog.total);
	if (secs <= 0)
		secs = 1e-9;
	fprintf(stderr,
		"\r\033[K%s%" PRIu64 " packets  %s  %s/s  %.0f packets/s",
		pct, ds->packets, opt_human_bytes(b1, sizeof(b1), (double)ds->bytes),
		opt_human_bytes(b2, sizeof(b2), (double)ds->bytes / secs),
		(double)ds->packets / secs);
	prog.shown = true;
}

static const char *linktype_label(int dlt, char *buf, size_t len)
{
	const char *name = pcap_datalink_val_to_name(dlt);
	const char *desc = pcap_datalink_val_to_description(dlt);

	snprintf(buf, len, "%s (%d%s%s)", name ? name : "unknown", dlt,
		 desc ? ", " : "", desc ? desc : "");
	return buf;
}

void cli_run_inputs(struct pipeline *p, char **files, int n, bool progress,
		    struct run_result *res)
{
	struct sigaction sa;
	char err[512];
	int64_t t0;
	int i;

	memset(res, 0, sizeof(*res));
	stop_signal = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	memset(&prog, 0, sizeof(prog));
	prog.on = progress && isatty(STDERR_FILENO);
	prog.start = prog.last = time_mono_ns();
	if (prog.on) {
		log_set_before_print(progress_clear);
		for (i = 0; i < n; i++) {
			struct stat st;

			if (strcmp(files[i], "-") == 0 ||
			    stat(files[i], &st) != 0 || !S_ISREG(st.st_mode)) {
				prog.total = 0;
				break;
			}
			prog.total += (uint64_t)st.st_size;
		}
	}
	t0 = time_mono_ns();

	for (i = 0; i < n && !stop_signal; i++) {
		struct capture_source *src = capture_open(files[i], err,
							  sizeof(err));
		struct capture_packet pkt;
		uint64_t count = 0;
		char lt[160];

		if (!src) {
			log_error("%s", err);
			res->input_error = true;
			continue;
		}
		if (!decode_linktype_supported(capture_linktype(src))) {
			log_error("%s: unsupported link type %s; smtpscope "
				  "reads Ethernet, Linux cooked (SLL, SLL2), "
				  "raw IP and BSD loopback captures",
				  capture_path(src),
				  linktype_label(capture_linktype(src), lt,
						 sizeof(lt)));
			capture_close(src);
			res->input_error = true;
			continue;
		}
		while (!stop_signal && capture_next(src, &pkt) == 1) {
			pipeline_packet(p, &pkt);
			if (prog.on && (++count % PROGRESS_EVERY) == 0)
				progress_show(src, pipeline_decode_stats(p));
		}
		if (capture_stats(src)->packets == 0 &&
		    (capture_stats(src)->damaged ||
		     capture_stats(src)->truncated)) {
			log_error("%s: no packet could be read",
				  capture_path(src));
			res->input_error = true;
		} else {
			res->files_read++;
		}
		if (capture_size(src))
			prog.done += capture_size(src);
		capture_close(src);
	}
	res->signal = (int)stop_signal;
	pipeline_finish(p);
	progress_clear();
	log_set_before_print(NULL);
	res->seconds = (double)(time_mono_ns() - t0) / 1e9;
}
