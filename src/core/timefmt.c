#include "core/timefmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

/* ts as a UTC calendar time and the nanoseconds past its second (>= 0,
 * also before 1970); false when out of the years 0 to 9999. */
static bool split(int64_t ts_ns, struct tm *tm, int64_t *frac)
{
	int64_t sec = ts_ns / NS_PER_SEC;
	time_t t;

	*frac = ts_ns % NS_PER_SEC;
	if (*frac < 0) {
		*frac += NS_PER_SEC;
		sec--;
	}
	t = (time_t)sec;
	return gmtime_r(&t, tm) && tm->tm_year + 1900 <= 9999 &&
	       tm->tm_year + 1900 >= 0;
}

size_t timefmt_rfc3339(char *dst, size_t dstlen, int64_t ts_ns)
{
	struct tm tm;
	int64_t frac;
	int n;

	if (!split(ts_ns, &tm, &frac))
		n = snprintf(dst, dstlen, "1970-01-01T00:00:00.000000Z");
	else
		n = snprintf(dst, dstlen,
			     "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour, tm.tm_min, tm.tm_sec,
			     (int)(frac / NS_PER_US));
	return n > 0 ? (size_t)n : 0;
}

size_t timefmt_clock(char *dst, size_t dstlen, int64_t ts_ns)
{
	struct tm tm;
	int64_t frac;
	int n;

	if (!split(ts_ns, &tm, &frac))
		n = snprintf(dst, dstlen, "00:00:00.000");
	else
		n = snprintf(dst, dstlen, "%02d:%02d:%02d.%03d", tm.tm_hour,
			     tm.tm_min, tm.tm_sec, (int)(frac / NS_PER_MS));
	return n > 0 ? (size_t)n : 0;
}

int64_t time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}
