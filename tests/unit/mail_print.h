/*
 * The facts of one message (mail/message.h) as text, for the golden test
 * of the message engine (tests/mail/NAME.ref is this text) and for the
 * fuzz target, which compares the text of one message fed in different
 * ways. Every fact is printed, in a fixed order, so two facts that print
 * the same are the same as far as a record can tell.
 *
 * The caller owns the buffer; the text is cut at its size (and then ends
 * with a NUL like the rest). Strings are quoted with non-printable bytes
 * as \xNN; by default a string is cut at 300 bytes and the body text at
 * 200, which keeps .ref files readable; MAIL_PRINT_FULL prints them whole.
 */
#ifndef SMTPSCOPE_TESTS_MAIL_PRINT_H
#define SMTPSCOPE_TESTS_MAIL_PRINT_H

#include <stddef.h>

#include "mail/message.h"

#define MAIL_PRINT_FULL 1u

/* The text of f into out (cap bytes, cap > 0); returns its length. */
size_t mail_print(const struct mail_facts *f, unsigned flags, char *out,
		  size_t cap);

#endif
