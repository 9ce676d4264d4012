#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "smtpscope";
static int quiet;
static void (*before_print)(void);
static uint64_t errors;
static uint64_t suppressed;

void log_set_progname(const char *name) { progname = name; }
void log_set_quiet(int q) { quiet = q; }
void log_set_before_print(void (*hook)(void)) { before_print = hook; }
uint64_t log_error_count(void) { return errors; }
uint64_t log_suppressed_count(void) { return suppressed; }

static void vemit(const char *tier, const char *fmt, va_list ap)
{
	if (before_print)
		before_print();
	if (tier)
		fprintf(stderr, "%s: %s: ", progname, tier);
	else
		fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vemit(NULL, fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit("warning", fmt, ap);
	va_end(ap);
}

void log_warn_limited(struct log_limit *lim, const char *fmt, ...)
{
	va_list ap;

	if (lim->seen++ >= LOG_LIMIT_BURST) {
		suppressed++;
		return;
	}
	va_start(ap, fmt);
	vemit("warning", fmt, ap);
	va_end(ap);
	if (lim->seen == LOG_LIMIT_BURST) {
		if (before_print)
			before_print();
		fprintf(stderr, "%s: (further warnings of this kind are "
				"counted, not printed)\n", progname);
	}
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	errors++;
	va_start(ap, fmt);
	vemit("error", fmt, ap);
	va_end(ap);
}

void log_fatal(int exit_code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit("error", fmt, ap);
	va_end(ap);
	exit(exit_code);
}

void log_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (before_print)
		before_print();
	fprintf(stderr, "%s: panic at %s:%d: ", progname, file, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

char *log_escape(char *dst, size_t dstlen, const void *src, size_t srclen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = src;
	size_t o = 0;
	size_t i;

	if (dstlen == 0)
		return dst;
	for (i = 0; i < srclen; i++) {
		unsigned char c = s[i];
		size_t need = (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;

		if (o + need + 1 > dstlen) {
			/* Leave room for the "..." marker when cut. */
			while (o > 0 && o + 4 > dstlen)
				o--;
			if (o + 4 <= dstlen) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 1) {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
	return dst;
}
