#include "cli/opts.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/log.h"

bool opt_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	errno = 0;
	if (!s || *s < '0' || *s > '9')
		return false;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mult = 1024ull; end++; break;
	case 'm': case 'M': mult = 1024ull * 1024; end++; break;
	case 'g': case 'G': mult = 1024ull * 1024 * 1024; end++; break;
	default: return false;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || (v && mult > UINT64_MAX / v))
		return false;
	v *= mult;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool opt_parse_seconds(const char *s, double min, double max, int64_t *out)
{
	char *end;
	double v;

	errno = 0;
	if (!s || *s == '\0')
		return false;
	v = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(v) || v < min || v > max)
		return false;
	*out = (int64_t)(v * 1e9);
	return true;
}

bool opt_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!s || *s < '0' || *s > '9')
		return false;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

const char *opt_human_bytes(char *dst, unsigned dstlen, double b)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
	int u = 0;

	while (b >= 1000.0 && u < 4) {
		b /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(dst, dstlen, "%.0f B", b);
	else
		snprintf(dst, dstlen, "%.1f %s", b, unit[u]);
	return dst;
}

int opt_bad_value(const char *cmd, const char *opt, const char *val,
		  const char *want)
{
	log_warn("%s: invalid value '%s' for --%s: %s", cmd, val, opt, want);
	fprintf(stderr, "Try 'smtpscope %s --help'.\n", cmd);
	return EXIT_USAGE;
}

void opt_pipeline_usage(FILE *out)
{
	fprintf(out,
"Sessions:\n"
"      --smtp-ports LIST    server ports of SMTP sessions, comma-separated\n"
"                           (default " SMTP_DEFAULT_PORTS ")\n"
"      --tls-ports LIST     ports whose sessions begin in TLS\n"
"                           (default " SMTP_DEFAULT_TLS_PORTS ")\n"
"      --no-content-detection\n"
"                           do not look for SMTP on other ports (by default\n"
"                           a \"220\" greeting answered by EHLO/HELO is SMTP)\n"
"      --no-auth-user       leave AUTH user names out of the output\n"
"      --smtp-limit NAME=VALUE\n"
"                           change a per-session cap (repeatable): line_max,\n"
"                           reply_lines_max, pending_max, rcpt_max, txn_max,\n"
"                           caps_max, hold_max, candidates_max,\n"
"                           lookahead_max, text_max, txn_text_max\n"
"\n"
"Messages:\n"
"      --no-messages        do not read messages (no email.*, no MIME)\n"
"      --mail-limit NAME=VALUE\n"
"                           change a per-message cap (repeatable):\n"
"                           header_line_max, headers_max, depth_max,\n"
"                           parts_max, part_decoded_max,\n"
"                           message_decoded_max, urls_max, text_max,\n"
"                           archive_max, strings_max\n"
"      --extract DIR        write each attachment to DIR, named by its\n"
"                           SHA-256 (never by the name the sender chose)\n"
"      --extract-eml        with --extract, also write each whole message\n"
"                           as DIR/SESSION-N.eml\n"
"      --local-nets LIST    addresses and networks that are ours, comma-\n"
"                           separated (10.0.0.0/8,2001:db8::/32): with\n"
"                           --local-domains, they give email.direction\n"
"      --local-domains LIST our mail domains (example.com, subdomains too)\n"
"\n"
"Flows and reassembly (capture time; SIZE takes K, M, G):\n"
"      --max-flows N        TCP flows tracked at once (default 1048576)\n"
"      --flow-memory SIZE   memory for flows and reassembly (default 1G)\n"
"      --idle-timeout SEC   end a flow after SEC without packets (default 300)\n"
"      --close-timeout SEC  keep a closed flow SEC for late packets (default 5)\n"
"      --tcp-ooo-max SIZE   out-of-order bytes held per direction (default 1M)\n"
"      --tcp-history SIZE   delivered bytes kept per direction to compare\n"
"                           resent data with (default 4K, 0 = off)\n"
"      --frag-max N         IP datagrams being reassembled at once (default 256)\n"
"      --frag-timeout SEC   drop an incomplete IP datagram after SEC (default 30)\n");
}

static const char *pipeline_opt_name(int c)
{
	static const struct option opts[] = {OPT_PIPELINE_LONG_OPTIONS};
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].val == c)
			return opts[i].name;
	return "?";
}

bool opt_pipeline_done(const struct pipeline_config *cfg, const char *cmd)
{
	if (cfg->smtp.extract.eml && !cfg->smtp.extract.dir) {
		log_warn("%s: --extract-eml needs --extract DIR", cmd);
		fprintf(stderr, "Try 'smtpscope %s --help'.\n", cmd);
		return false;
	}
	return true;
}

enum opt_taken opt_pipeline(int c, const char *arg,
			    struct pipeline_config *cfg, const char *cmd)
{
	struct flow_config *fc = &cfg->flow;
	const char *want = NULL;
	char err[256];
	uint64_t v;

	switch (c) {
	case OPT_SMTP_PORTS:
		if (!smtp_config_port_list(cfg->smtp.server_ports, arg, err,
					   sizeof(err)))
			want = err;
		break;
	case OPT_TLS_PORTS:
		if (!smtp_config_port_list(cfg->smtp.tls_ports, arg, err,
					   sizeof(err)))
			want = err;
		break;
	case OPT_NO_CONTENT:
		cfg->smtp.any_port = false;
		break;
	case OPT_NO_AUTH_USER:
		cfg->smtp.hide_auth_user = true;
		break;
	case OPT_SMTP_LIMIT:
		if (!smtp_limits_set(&cfg->smtp.limits, arg, err, sizeof(err)))
			want = err;
		break;
	case OPT_MAIL_LIMIT:
		if (!mail_limits_set(&cfg->smtp.mail_limits, arg, err,
				     sizeof(err)))
			want = err;
		break;
	case OPT_NO_MESSAGES:
		cfg->smtp.messages = false;
		break;
	case OPT_EXTRACT: {
		struct stat st;

		if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode))
			want = "an existing directory";
		else if (access(arg, W_OK | X_OK) != 0)
			want = "a directory this user can write to";
		else
			cfg->smtp.extract.dir = arg;
		break;
	}
	case OPT_EXTRACT_EML:
		cfg->smtp.extract.eml = true;
		break;
	case OPT_LOCAL_NETS:
		if (mail_local_add_nets(&cfg->local, arg, err, sizeof(err)))
			cfg->smtp.local = &cfg->local;
		else
			want = err;
		break;
	case OPT_LOCAL_DOMAINS:
		if (mail_local_add_domains(&cfg->local, arg, err, sizeof(err)))
			cfg->smtp.local = &cfg->local;
		else
			want = err;
		break;
	case OPT_MAX_FLOWS:
		if (!opt_parse_u32(arg, 2, 1u << 26, &fc->max_flows))
			want = "a number from 2 to 67108864";
		break;
	case OPT_FLOW_MEMORY:
		if (!opt_parse_size(arg, 1024 * 1024, 1ull << 40,
				    &fc->memory_cap))
			want = "a size from 1M to 1024G";
		break;
	case OPT_IDLE_TIMEOUT:
		if (!opt_parse_seconds(arg, 0.001, 86400 * 7,
				       &fc->idle_timeout_ns))
			want = "seconds, 0.001 to 604800";
		break;
	case OPT_CLOSE_TIMEOUT:
		if (!opt_parse_seconds(arg, 0, 3600, &fc->close_timeout_ns))
			want = "seconds, 0 to 3600";
		break;
	case OPT_OOO_MAX:
		if (opt_parse_size(arg, 4096, 1ull << 30, &v))
			fc->reasm.ooo_max = (uint32_t)v;
		else
			want = "a size from 4K to 1G";
		break;
	case OPT_HISTORY:
		if (opt_parse_size(arg, 0, 65536, &v))
			fc->reasm.hist_size = (uint32_t)v;
		else
			want = "a size from 0 to 64K";
		break;
	case OPT_FRAG_MAX:
		if (!opt_parse_u32(arg, 1, 65536,
				   &cfg->decode.frag.max_datagrams))
			want = "a number from 1 to 65536";
		break;
	case OPT_FRAG_TIMEOUT:
		if (!opt_parse_seconds(arg, 0.001, 3600,
				       &cfg->decode.frag.timeout_ns))
			want = "seconds, 0.001 to 3600";
		break;
	default:
		return OPT_NOT_MINE;
	}
	if (want) {
		opt_bad_value(cmd, pipeline_opt_name(c), arg, want);
		return OPT_BAD;
	}
	return OPT_TAKEN;
}
