/*
 * Timestamps. Everything inside smtpscope is nanoseconds since the Unix
 * epoch in an int64_t (capture time, not wall time, so that a capture file
 * gives the same output on every run). Records print RFC 3339 UTC with
 * microseconds.
 */
#ifndef SMTPSCOPE_CORE_TIMEFMT_H
#define SMTPSCOPE_CORE_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define NS_PER_SEC 1000000000LL
#define NS_PER_MS 1000000LL
#define NS_PER_US 1000LL

/* Size for "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" and a NUL, years up to 9999. */
#define TIMEFMT_LEN 32

/* Writes the RFC 3339 form of ts into dst (dstlen >= TIMEFMT_LEN). */
size_t timefmt_rfc3339(char *dst, size_t dstlen, int64_t ts_ns);

/* Wall clock, monotonic, in ns (for progress and rates only). */
int64_t time_mono_ns(void);

#endif
