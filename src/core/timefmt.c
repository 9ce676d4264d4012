#include "core/timefmt.h"

#include <stdio.h>
#include <time.h>

size_t timefmt_rfc3339(char *dst, size_t dstlen, int64_t ts_ns)
{
	int64_t sec = ts_ns / NS_PER_SEC;
	int64_t frac = ts_ns % NS_PER_SEC;
	time_t t;
	struct tm tm;
	int n;

	if (frac < 0) {
		frac += NS_PER_SEC;
		sec--;
	}
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0) {
		n = snprintf(dst, dstlen, "1970-01-01T00:00:00.000000Z");
		return n > 0 ? (size_t)n : 0;
	}
	n = snprintf(dst, dstlen, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, (int)(frac / NS_PER_US));
	return n > 0 ? (size_t)n : 0;
}

int64_t time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}
