#include "flow/bufpool.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"

/* The largest class holds a 64 KiB TCP segment plus its node header. */
static const uint32_t class_size[BUFPOOL_CLASSES] = {256, 2048, 4096, 16384,
						     65536 + 128};
#define LAST (BUFPOOL_CLASSES - 1)

/*
 * Blocks of the smaller classes are carved from slabs of this size: one
 * malloc per slab, not per block (a history ring per connection direction
 * is a block, so a busy link would otherwise malloc for every new flow).
 * Slab blocks go back to their free list, never to the system, so the
 * pool's footprint is its peak use - which the flow table's memory cap
 * bounds. The largest class is malloc'd and freed past the keep limit.
 */
#define SLAB_BYTES (1u << 20)

struct slab {
	struct slab *next;
};

void bufpool_init(struct bufpool *bp) { memset(bp, 0, sizeof(*bp)); }

uint32_t bufpool_max(void) { return class_size[LAST]; }

void bufpool_destroy(struct bufpool *bp)
{
	void *b = bp->free[LAST];
	struct slab *s = bp->slabs;

	while (b) {
		void *next;

		memcpy(&next, b, sizeof(next));
		free(b);
		b = next;
	}
	while (s) {
		struct slab *next = s->next;

		free(s);
		s = next;
	}
	memset(bp, 0, sizeof(*bp));
}

static int class_of(size_t need)
{
	int c;

	for (c = 0; c < BUFPOOL_CLASSES; c++)
		if (need <= class_size[c])
			return c;
	return -1;
}

static void push(struct bufpool *bp, int c, void *b)
{
	memcpy(b, &bp->free[c], sizeof(void *));
	bp->free[c] = b;
	bp->kept += class_size[c];
	if (c == LAST)
		bp->kept_last += class_size[c];
}

/* Carve a new slab into blocks of class c. */
static void refill(struct bufpool *bp, int c)
{
	uint32_t bs = class_size[c];
	/* Keep blocks aligned for the segment nodes carved from them. */
	size_t head = (sizeof(struct slab) + 63) & ~(size_t)63;
	struct slab *s = malloc(SLAB_BYTES);
	size_t off;

	if (!s)
		log_fatal(1, "out of memory (reassembly buffers)");
	s->next = bp->slabs;
	bp->slabs = s;
	bp->mallocs++;
	for (off = head; off + bs <= SLAB_BYTES; off += bs)
		push(bp, c, (char *)s + off);
}

void *bufpool_get(struct bufpool *bp, size_t need, uint32_t *cap)
{
	int c = class_of(need);
	void *b;

	SS_ASSERT(c >= 0);
	if (!bp->free[c] && c != LAST)
		refill(bp, c);
	b = bp->free[c];
	if (b) {
		memcpy(&bp->free[c], b, sizeof(void *));
		bp->kept -= class_size[c];
		if (c == LAST)
			bp->kept_last -= class_size[c];
	} else {
		b = malloc(class_size[c]);
		if (!b)
			log_fatal(1, "out of memory (reassembly buffers)");
		bp->mallocs++;
	}
	bp->used += class_size[c];
	*cap = class_size[c];
	return b;
}

void bufpool_put(struct bufpool *bp, void *block, uint32_t cap)
{
	int c = class_of(cap);

	if (!block)
		return;
	SS_ASSERT(c >= 0 && class_size[c] == cap);
	bp->used -= cap;
	if (c == LAST && bp->kept_last + cap > BUFPOOL_KEEP_BYTES) {
		free(block);
		return;
	}
	push(bp, c, block);
}
