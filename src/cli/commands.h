/* The subcommands of the smtpscope program. Each returns an exit code. */
#ifndef SMTPSCOPE_CLI_COMMANDS_H
#define SMTPSCOPE_CLI_COMMANDS_H

enum exit_code {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1, /* a runtime failure: output not writable, ... */
	EXIT_USAGE = 2,   /* bad usage, or input that cannot be read */
};

int cmd_read(int argc, char **argv);
int cmd_show(int argc, char **argv);

#endif
