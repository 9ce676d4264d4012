#include "smtp/transcript.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/log.h"

void transcript_init(struct transcript *t, uint32_t max_entries)
{
	memset(t, 0, sizeof(*t));
	t->max = max_entries;
	strpool_init(&t->text, max_entries * 256u + 4096u);
}

void transcript_free(struct transcript *t)
{
	free(t->e);
	strpool_free(&t->text);
	memset(t, 0, sizeof(*t));
}

void transcript_add(struct transcript *t, int64_t ts, int side,
		    enum transcript_kind kind, const void *text, size_t len)
{
	struct transcript_entry *x;

	if (t->n >= t->max || t->text.full) {
		t->dropped++;
		return;
	}
	t->e = grow_array(t->e, &t->cap, t->n + 1, 32, t->max, sizeof(*t->e),
			  "transcript");
	x = &t->e[t->n++];
	x->ts = ts;
	x->side = (uint8_t)side;
	x->kind = (uint8_t)kind;
	x->text = strpool_add(&t->text, text,
			      len > TRANSCRIPT_TEXT_MAX ? TRANSCRIPT_TEXT_MAX
							: len);
	x->cut = x->text.len < len; /* at the cap, or the store ran out */
}
