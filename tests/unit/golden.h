/*
 * What the golden-vector tests share (test_smtp_golden, test_mail_golden):
 * each input file NAME.<ext> in a directory has NAME.ref beside it, the
 * output a reviewer reads; a test checks the output of one input against
 * its .ref, or writes the .ref when SMTPSCOPE_UPDATE_GOLDEN is set.
 */
#ifndef SMTPSCOPE_TESTS_GOLDEN_H
#define SMTPSCOPE_TESTS_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>

/* The whole file, NUL-terminated (caller frees); NULL when unreadable. */
char *golden_slurp(const char *path, size_t *n);

/* out[0..len) is what input name gives: written to ref with update, else
 * compared with it. 0 when equal (or written); 1, with a message, not. */
int golden_compare(const char *name, const char *ref, const char *out,
		   size_t len, bool update);

/* Runs check on every file of the directory (argv[1], else def_dir) whose
 * name ends in one of suffixes (NULL-terminated), in name order; prints
 * "N golden <what>, K failed". Returns main's exit status: nonzero on a
 * failure, or when there was no input at all. */
int golden_main(int argc, char **argv, const char *def_dir,
		const char *const *suffixes, const char *what,
		int (*check)(const char *dir, const char *name, bool update));

#endif
