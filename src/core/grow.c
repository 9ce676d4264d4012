#include "core/grow.h"

#include <stdlib.h>

#include "core/log.h"

void *grow_array(void *buf, uint32_t *cap, uint32_t need, uint32_t first,
		 uint32_t max, size_t elem, const char *what)
{
	uint64_t want = *cap ? *cap : (first ? first : 1);
	void *nb;

	if (max && need > max)
		need = max;
	if (need <= *cap)
		return buf;
	while (want < need)
		want *= 2;
	if (max && want > max)
		want = max;
	nb = realloc(buf, (size_t)want * elem);
	if (!nb)
		log_fatal(1, "out of memory (%s)", what);
	*cap = (uint32_t)want;
	return nb;
}
