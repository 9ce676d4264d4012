/*
 * A size-class buffer pool for reassembly: out-of-order segments and
 * per-direction history rings. Small classes are carved from 1 MiB slabs;
 * freed blocks go back to a free list of their class and are reused, so
 * no packet costs a malloc once traffic reaches its working set. `used`
 * counts live bytes for the flow table's memory cap; the largest class's
 * free list keeps at most BUFPOOL_KEEP_BYTES (free blocks of the smaller
 * classes do not count against that).
 */
#ifndef SMTPSCOPE_FLOW_BUFPOOL_H
#define SMTPSCOPE_FLOW_BUFPOOL_H

#include <stddef.h>
#include <stdint.h>

#define BUFPOOL_CLASSES 5
#define BUFPOOL_KEEP_BYTES (64u * 1024u * 1024u)

struct slab;

struct bufpool {
	void *free[BUFPOOL_CLASSES];
	struct slab *slabs;
	uint64_t used;       /* bytes handed out and not returned */
	uint64_t kept;       /* bytes sitting in free lists */
	uint64_t kept_last;  /* ... of which in the largest class's */
	uint64_t mallocs;    /* slabs and blocks obtained from the system */
};

void bufpool_init(struct bufpool *bp);
void bufpool_destroy(struct bufpool *bp);
/* A block of at least `need` bytes; its real size goes to *cap. */
void *bufpool_get(struct bufpool *bp, size_t need, uint32_t *cap);
void bufpool_put(struct bufpool *bp, void *block, uint32_t cap);
/* Largest block the pool hands out. */
uint32_t bufpool_max(void);

#endif
