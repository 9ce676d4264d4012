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

/* Writes the RFC 3339 form of ts into dst (dstlen >= TIMEFMT_LEN). Out
 * of the years 0 to 9999: the epoch. */
size_t timefmt_rfc3339(char *dst, size_t dstlen, int64_t ts_ns);

/* Size for "HH:MM:SS.mmm" and a NUL. */
#define TIMEFMT_CLOCK_LEN 16

/* Writes the UTC time of day of ts, to the millisecond, into dst
 * (dstlen >= TIMEFMT_CLOCK_LEN); times before 1970 count back from the
 * second before (-0.25 s is 23:59:59.750). */
size_t timefmt_clock(char *dst, size_t dstlen, int64_t ts_ns);

/* Wall clock, monotonic, in ns (for progress and rates only). */
int64_t time_mono_ns(void);

#endif
