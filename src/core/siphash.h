/*
 * SipHash-1-3 (Aumasson & Bernstein), a keyed 64-bit hash. The flow table
 * keys it with a random secret so that crafted traffic cannot aim many
 * flows at one bucket; session identifiers key it with a fixed secret so
 * that they are the same on every run over the same input.
 */
#ifndef SMTPSCOPE_CORE_SIPHASH_H
#define SMTPSCOPE_CORE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0, k1;
};

uint64_t siphash13(const struct siphash_key *key, const void *data, size_t len);
/* A secret key from /dev/urandom (weaker, from the process, if that
 * cannot be read): for hash tables keyed by what the traffic chooses. */
void siphash_key_random(struct siphash_key *k);

#endif
