#include "flow/bufpool.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"

/* The largest class holds a 64 KiB TCP segment plus its node header. */
static const uint32_t class_size[BUFPOOL_CLASSES] = {256, 2048, 4096, 16384,
						     65536 + 128};

void bufpool_init(struct bufpool *bp) { memset(bp, 0, sizeof(*bp)); }

uint32_t bufpool_max(void) { return class_size[BUFPOOL_CLASSES - 1]; }

void bufpool_trim(struct bufpool *bp)
{
	int c;

	for (c = 0; c < BUFPOOL_CLASSES; c++) {
		void *b = bp->free[c];

		while (b) {
			void *next;

			memcpy(&next, b, sizeof(next));
			free(b);
			b = next;
		}
		bp->free[c] = NULL;
		bp->kept_by_class[c] = 0;
	}
	bp->kept = 0;
}

void bufpool_destroy(struct bufpool *bp)
{
	bufpool_trim(bp);
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

void *bufpool_get(struct bufpool *bp, size_t need, uint32_t *cap)
{
	int c = class_of(need);
	void *b;

	SS_ASSERT(c >= 0);
	b = bp->free[c];
	if (b) {
		memcpy(&bp->free[c], b, sizeof(void *));
		bp->kept_by_class[c] -= class_size[c];
		bp->kept -= class_size[c];
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
	if (bp->kept_by_class[c] + cap > BUFPOOL_KEEP_BYTES) {
		free(block);
		return;
	}
	memcpy(block, &bp->free[c], sizeof(void *));
	bp->free[c] = block;
	bp->kept_by_class[c] += cap;
	bp->kept += cap;
}
