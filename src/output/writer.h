/*
 * The JSON-lines output: one record per line, written whole.
 *
 * Lines are gathered in our own buffer and handed to write(2) only at
 * line boundaries, so a reader never sees half a record and a crash loses
 * at most what was not yet flushed. Flushing: after every line when the
 * output is a pipe or terminal (records appear as they happen); for a
 * file, when 256 KiB are buffered, after one second of wall time, and at
 * close.
 */
#ifndef SMTPSCOPE_OUTPUT_WRITER_H
#define SMTPSCOPE_OUTPUT_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct out_writer;

/* path "-" is standard output. On failure err names the file. */
struct out_writer *out_open(const char *path, char *err, size_t errlen);
/* Append one line (without its newline). false once output failed. */
bool out_line(struct out_writer *w, const char *line, size_t len);
bool out_flush(struct out_writer *w);
/* Flush and close; false (with a message logged) when anything failed. */
bool out_close(struct out_writer *w);
uint64_t out_lines(const struct out_writer *w);

#endif
