/*
 * Identifiers for a connection.
 *
 * flow_community_id: the Community ID v1 flow hash (Corelight's public
 * specification, also emitted by Zeek, Suricata and Arkime), so records
 * can be joined with those tools' logs: "1:" + base64(SHA-1(seed, saddr,
 * daddr, proto, 0, sport, dport)) with the endpoints in a fixed order.
 *
 * flow_session_id: smtpscope's own session identifier: 24 hex digits from
 * a keyed hash of the 5-tuple and the first packet's time. The key is a
 * constant, so the same input gives the same identifiers on every run.
 */
#ifndef SMTPSCOPE_FLOW_FLOW_ID_H
#define SMTPSCOPE_FLOW_FLOW_ID_H

#include <stddef.h>

#include "flow/stream.h"

#define COMMUNITY_ID_LEN 32 /* "1:" + 28 base64 characters + NUL, rounded */
#define SESSION_ID_LEN 25   /* 24 hex digits + NUL */

void flow_community_id(const struct flow_info *fi, uint8_t proto,
		       uint16_t seed, char *dst, size_t dstlen);
void flow_session_id(const struct flow_info *fi, char *dst, size_t dstlen);

/* The address of an endpoint as text (inet_ntop); dstlen >= 46. */
void flow_addr_str(const struct flow_info *fi, const struct flow_endpoint *e,
		   char *dst, size_t dstlen);

#endif
