/*
 * A recording stream consumer for tests: keeps every byte delivered per
 * direction, with gaps written as '~' bytes, and counts the events.
 */
#ifndef SMTPSCOPE_TESTS_SINK_H
#define SMTPSCOPE_TESTS_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow/stream.h"

#define REC_MAX (1u << 20)

struct rec_dir {
	uint8_t *buf;       /* REC_MAX bytes */
	size_t len;
	uint64_t gaps, gap_bytes;
	int ends;
	int64_t last_ts;
};

struct rec_flow {
	struct rec_dir dir[2];
	struct flow_info info;
	struct flow_summary sum;
	int closes;
	bool detach_after_first; /* return false from the first data call */
	int data_calls;
};

struct recorder {
	struct rec_flow flows[64];
	int nflows;
	bool follow_all;      /* otherwise only server port 25 */
	bool detach_all;
	int closes;
};

void recorder_init(struct recorder *r);
void recorder_free(struct recorder *r);
struct stream_consumer recorder_consumer(struct recorder *r);
/* A consumer writing into one rec_flow, for the reassembler alone. */
struct stream_consumer rec_flow_consumer(struct rec_flow *f);
void rec_flow_init(struct rec_flow *f);
void rec_flow_free(struct rec_flow *f);

#endif
