/*
 * Reading capture files through a pipeline, shared by the subcommands:
 * opening each input (a clear message naming a file that cannot be read
 * or has an unsupported link type), the progress line on a terminal, and
 * stopping cleanly on SIGINT/SIGTERM. Input problems are reported as they
 * happen; the caller learns the exit status they call for.
 */
#ifndef SMTPSCOPE_CLI_RUN_H
#define SMTPSCOPE_CLI_RUN_H

#include <stdbool.h>

#include "pipeline.h"

struct run_result {
	unsigned files_read;   /* inputs that gave at least one packet, or
				  were well-formed and empty */
	bool input_error;      /* some input could not be read at all */
	int signal;            /* what stopped the run (SIGINT, SIGTERM), 0:
				  it ran to the end */
	double seconds;
};

/* Feed every file of files[0..n) to p, then finish p (every record is
 * written). progress: show the progress line if stderr is a terminal. */
void cli_run_inputs(struct pipeline *p, char **files, int n, bool progress,
		    struct run_result *res);

#endif
