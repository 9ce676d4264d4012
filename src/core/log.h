/*
 * Diagnostics in tiers, after Postfix's msg(3):
 *   info   - progress worth telling a person (suppressed by --quiet)
 *   warn   - something odd in the input; processing goes on
 *   error  - a runtime failure the caller handles; counted
 *   fatal  - the world is not as required (bad file, no memory): exit
 *   panic  - the code is wrong (a broken invariant): abort, even in release
 *
 * All output goes to stderr. Untrusted text must be escaped by the caller
 * (see log_escape()) before it reaches a format string argument.
 * Repeated warnings from one call site are rate limited with a
 * struct log_limit; what was suppressed is counted and reported once.
 */
#ifndef SMTPSCOPE_CORE_LOG_H
#define SMTPSCOPE_CORE_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#if defined(__GNUC__)
#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_PRINTF(a, b)
#endif

/* Per call-site limiter: the first LOG_LIMIT_BURST messages print. */
struct log_limit {
	uint64_t seen;
};
#define LOG_LIMIT_BURST 5

void log_set_progname(const char *name);
void log_set_quiet(int quiet);
/* Called before any message is printed (e.g. to clear a progress line). */
void log_set_before_print(void (*hook)(void));

void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warn_limited(struct log_limit *lim, const char *fmt, ...)
	LOG_PRINTF(2, 3);
void log_error(const char *fmt, ...) LOG_PRINTF(1, 2);
noreturn void log_fatal(int exit_code, const char *fmt, ...) LOG_PRINTF(2, 3);
noreturn void log_panic(const char *file, int line, const char *fmt, ...)
	LOG_PRINTF(3, 4);

uint64_t log_error_count(void);
uint64_t log_suppressed_count(void);

/*
 * Copy untrusted bytes into dst as printable ASCII: bytes outside 0x20..0x7e
 * become \xNN, the result is cut at dstlen-1 with "..." when it did not fit.
 * Always NUL-terminates (dstlen > 0). Returns dst.
 */
char *log_escape(char *dst, size_t dstlen, const void *src, size_t srclen);

/* An invariant that must hold in every build; failure is a bug. */
#define SS_ASSERT(cond)                                                       \
	((cond) ? (void)0                                                     \
		: log_panic(__FILE__, __LINE__, "assertion failed: %s", #cond))

#endif
