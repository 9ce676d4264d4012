#include "cli/opts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

bool opt_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	errno = 0;
	if (!s || *s < '0' || *s > '9')
		return false;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mult = 1024ull; end++; break;
	case 'm': case 'M': mult = 1024ull * 1024; end++; break;
	case 'g': case 'G': mult = 1024ull * 1024 * 1024; end++; break;
	default: return false;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || (v && mult > UINT64_MAX / v))
		return false;
	v *= mult;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool opt_parse_seconds(const char *s, double min, double max, int64_t *out)
{
	char *end;
	double v;

	errno = 0;
	if (!s || *s == '\0')
		return false;
	v = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(v) || v < min || v > max)
		return false;
	*out = (int64_t)(v * 1e9);
	return true;
}

bool opt_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!opt_parse_size(s, min, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

const char *opt_human_bytes(char *dst, unsigned dstlen, double b)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
	int u = 0;

	while (b >= 1000.0 && u < 4) {
		b /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(dst, dstlen, "%.0f B", b);
	else
		snprintf(dst, dstlen, "%.1f %s", b, unit[u]);
	return dst;
}
