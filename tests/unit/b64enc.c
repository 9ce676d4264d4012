#include "b64enc.h"

#include <stdint.h>

size_t b64enc(const void *src, size_t n, char *dst)
{
	static const char al[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const uint8_t *p = src;
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)(p[i] << 16 | p[i + 1] << 8 | p[i + 2]);

		dst[o++] = al[v >> 18];
		dst[o++] = al[(v >> 12) & 63];
		dst[o++] = al[(v >> 6) & 63];
		dst[o++] = al[v & 63];
	}
	if (n - i == 1) {
		dst[o++] = al[p[i] >> 2];
		dst[o++] = al[(p[i] & 3) << 4];
		dst[o++] = '=';
		dst[o++] = '=';
	} else if (n - i == 2) {
		dst[o++] = al[p[i] >> 2];
		dst[o++] = al[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		dst[o++] = al[(p[i + 1] & 15) << 2];
		dst[o++] = '=';
	}
	return o;
}
