/*
 * smtpscope: an SMTP network sensor. This file only dispatches to the
 * subcommands (src/cli/).
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "config.h"
#include "core/log.h"

static void usage(FILE *out)
{
	fprintf(out,
"Usage: smtpscope COMMAND [OPTIONS] [ARGS]\n"
"\n"
"smtpscope watches SMTP on the wire, rebuilds every session and reports.\n"
"\n"
"Commands:\n"
"  read FILE...   read pcap/pcapng captures, write JSON-lines records\n"
"  show FILE...   print SMTP sessions as readable dialogues\n"
"\n"
"Run 'smtpscope COMMAND --help' for the options of a command.\n"
"  -h, --help     this help\n"
"  -V, --version  the version\n");
}

int main(int argc, char **argv)
{
	log_set_progname("smtpscope");
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("smtpscope %s\n", SMTPSCOPE_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "read") == 0)
		return cmd_read(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return cmd_show(argc - 1, argv + 1);
	log_warn("unknown command '%s'", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
