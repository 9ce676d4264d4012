/*
 * Growing an array that only ever grows: doubling from a first size,
 * never past a maximum (the caller's cap; 0 for none). Out of memory is
 * fatal: it is the world, not the input, that is wrong then.
 */
#ifndef SMTPSCOPE_CORE_GROW_H
#define SMTPSCOPE_CORE_GROW_H

#include <stddef.h>
#include <stdint.h>

/* Returns the array (maybe moved) with room for at least `need` elements
 * of `elem` bytes, or for `max` when need is larger; *cap is updated. */
void *grow_array(void *buf, uint32_t *cap, uint32_t need, uint32_t first,
		 uint32_t max, size_t elem, const char *what);

#endif
