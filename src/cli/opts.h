/* Parsing of option values shared by the subcommands. */
#ifndef SMTPSCOPE_CLI_OPTS_H
#define SMTPSCOPE_CLI_OPTS_H

#include <stdbool.h>
#include <stdint.h>

/* "4096", "64K", "512M", "2G" (powers of 1024). */
bool opt_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* "30", "0.5" seconds, into nanoseconds. */
bool opt_parse_seconds(const char *s, double min, double max, int64_t *out);
bool opt_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* "1.5 MB", "2.0 GB": human figures for the summary (dst >= 16). */
const char *opt_human_bytes(char *dst, unsigned dstlen, double bytes);

#endif
