/*
 * A size-class buffer pool for reassembly: out-of-order segments and
 * per-direction history rings. Every block is one malloc of its class's
 * size; a returned block goes to the free list of its class and is
 * reused, so no packet costs a malloc once traffic reaches its working
 * set. Each class keeps at most BUFPOOL_KEEP_BYTES of free blocks (one
 * class's free blocks never crowd out another's); past that, a returned
 * block goes back to the system.
 *
 * The pool's footprint is used + kept bytes (plus malloc's own overhead):
 * the flow table counts both against its memory cap, and calls
 * bufpool_trim() to give the free blocks back before it evicts a flow.
 */
#ifndef SMTPSCOPE_FLOW_BUFPOOL_H
#define SMTPSCOPE_FLOW_BUFPOOL_H

#include <stddef.h>
#include <stdint.h>

#define BUFPOOL_CLASSES 5
#define BUFPOOL_KEEP_BYTES (16u * 1024u * 1024u)

struct bufpool {
	void *free[BUFPOOL_CLASSES];
	uint64_t kept_by_class[BUFPOOL_CLASSES]; /* bytes in each free list */
	uint64_t used;       /* bytes handed out and not returned */
	uint64_t kept;       /* bytes in all free lists */
	uint64_t mallocs;    /* blocks obtained from the system */
};

void bufpool_init(struct bufpool *bp);
/* Free every free block; blocks still handed out are the caller's. */
void bufpool_destroy(struct bufpool *bp);
/* A block of at least `need` bytes; its real size goes to *cap. */
void *bufpool_get(struct bufpool *bp, size_t need, uint32_t *cap);
void bufpool_put(struct bufpool *bp, void *block, uint32_t cap);
/* Give every free block back to the system. */
void bufpool_trim(struct bufpool *bp);
/* Largest block the pool hands out. */
uint32_t bufpool_max(void);

#endif
