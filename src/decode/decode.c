#include "decode/decode.h"

#include <netinet/in.h>
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/log.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_PPPOE 0x8864

/* Past this many tags, labels or extension headers the frame is hostile. */
#define MAX_ENCAP_DEPTH 16

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

struct decoder {
	struct decode_config cfg;
	struct ipfrag *frag;
	struct decode_stats st;
};

static const char *const error_names[DERR__COUNT] = {
	[DERR_LINK_TRUNCATED] = "link_truncated",
	[DERR_VLAN_TRUNCATED] = "vlan_truncated",
	[DERR_MPLS_TRUNCATED] = "mpls_truncated",
	[DERR_PPPOE_TRUNCATED] = "pppoe_truncated",
	[DERR_IP_BAD_VERSION] = "ip_bad_version",
	[DERR_IPV4_TRUNCATED] = "ipv4_truncated",
	[DERR_IPV4_BAD_HEADER_LEN] = "ipv4_bad_header_len",
	[DERR_IPV4_BAD_TOTAL_LEN] = "ipv4_bad_total_len",
	[DERR_IPV6_TRUNCATED] = "ipv6_truncated",
	[DERR_IPV6_BAD_PAYLOAD_LEN] = "ipv6_bad_payload_len",
	[DERR_IPV6_EXT_TRUNCATED] = "ipv6_ext_truncated",
	[DERR_IPV6_EXT_CHAIN_TOO_LONG] = "ipv6_ext_chain_too_long",
	[DERR_FRAG_BAD] = "ip_fragment_bad",
	[DERR_TCP_TRUNCATED] = "tcp_truncated",
	[DERR_TCP_BAD_HEADER_LEN] = "tcp_bad_header_len",
};

const char *decode_error_name(enum decode_error e)
{
	return (unsigned)e < DERR__COUNT ? error_names[e] : "unknown";
}

void decode_config_defaults(struct decode_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->frag.max_datagrams = 256;
	cfg->frag.timeout_ns = 30LL * 1000000000LL;
}

struct decoder *decoder_new(const struct decode_config *cfg)
{
	struct decoder *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->cfg = *cfg;
	d->frag = ipfrag_new(&cfg->frag);
	if (!d->frag) {
		free(d);
		return NULL;
	}
	return d;
}

void decoder_free(struct decoder *d)
{
	if (!d)
		return;
	ipfrag_free(d->frag);
	free(d);
}

void decoder_expire(struct decoder *d, int64_t now_ns)
{
	ipfrag_expire(d->frag, now_ns);
}

const struct decode_stats *decoder_stats(const struct decoder *d)
{
	return &d->st;
}

const struct ipfrag_stats *decoder_frag_stats(const struct decoder *d)
{
	return ipfrag_stats(d->frag);
}

bool decode_linktype_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

static enum decode_status fail(struct decoder *d, enum decode_error e)
{
	d->st.by_kind[e]++;
	d->st.errors++;
	return DECODE_ERROR;
}

/* ---- TCP ----------------------------------------------------------------- */

static void parse_tcp_options(const uint8_t *p, size_t n,
			      struct tcp_options *o)
{
	size_t i = 0;

	while (i < n) {
		uint8_t kind = p[i], len;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n || p[i + 1] < 2 || i + p[i + 1] > n) {
			o->malformed = true;
			return;
		}
		len = p[i + 1];
		switch (kind) {
		case 2:
			if (len == 4)
				o->mss = (uint16_t)((p[i + 2] << 8) | p[i + 3]);
			else
				o->malformed = true;
			break;
		case 3:
			if (len == 3) {
				o->wscale = p[i + 2];
				o->has_wscale = true;
			} else {
				o->malformed = true;
			}
			break;
		case 4:
			o->sack_ok = true;
			break;
		case 5: {
			size_t k, blocks = (size_t)(len - 2) / 8;

			if ((len - 2) % 8) {
				o->malformed = true;
				break;
			}
			for (k = 0; k < blocks && o->nsack < TCP_MAX_SACK;
			     k++) {
				struct cursor c =
					cursor_make(p + i + 2 + k * 8, 8);

				o->sack[o->nsack][0] = cursor_be32(&c);
				o->sack[o->nsack][1] = cursor_be32(&c);
				o->nsack++;
			}
			break;
		}
		case 8:
			if (len == 10) {
				struct cursor c = cursor_make(p + i + 2, 8);

				o->has_ts = true;
				o->tsval = cursor_be32(&c);
				o->tsecr = cursor_be32(&c);
			} else {
				o->malformed = true;
			}
			break;
		default:
			break;
		}
		i += len;
	}
}

/*
 * p/cap: captured bytes of the TCP segment; wire: its length per the IP
 * header (>= cap when the capture cut the frame).
 */
static enum decode_status decode_tcp(struct decoder *d, const uint8_t *p,
				     uint32_t cap, uint32_t wire,
				     struct packet *out)
{
	struct cursor c = cursor_make(p, cap);
	uint32_t hlen;
	uint8_t off_flags;

	if (cap < 20)
		return fail(d, DERR_TCP_TRUNCATED);
	out->sport = cursor_be16(&c);
	out->dport = cursor_be16(&c);
	out->seq = cursor_be32(&c);
	out->ack = cursor_be32(&c);
	off_flags = cursor_u8(&c);
	out->tcp_flags = cursor_u8(&c);
	out->window = cursor_be16(&c);
	hlen = (uint32_t)(off_flags >> 4) * 4;
	if (hlen < 20 || hlen > wire)
		return fail(d, DERR_TCP_BAD_HEADER_LEN);
	if (hlen > cap)
		return fail(d, DERR_TCP_TRUNCATED);
	memset(&out->opt, 0, sizeof(out->opt));
	if (hlen > 20) {
		parse_tcp_options(p + 20, hlen - 20, &out->opt);
		if (out->opt.malformed)
			d->st.tcp_bad_options++;
	}
	out->payload = p + hlen;
	out->payload_len = cap - hlen;
	out->payload_wire = wire - hlen;
	d->st.tcp++;
	return DECODE_TCP;
}

static enum decode_status decode_l4(struct decoder *d, uint8_t proto,
				    const uint8_t *p, uint32_t cap,
				    uint32_t wire, struct packet *out)
{
	out->l4proto = proto;
	switch (proto) {
	case IPPROTO_TCP:
		return decode_tcp(d, p, cap, wire, out);
	case IPPROTO_UDP:
		d->st.udp++;
		return DECODE_OTHER;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		d->st.icmp++;
		return DECODE_OTHER;
	default:
		d->st.other_l4++;
		return DECODE_OTHER;
	}
}

/* ---- IPv4 ---------------------------------------------------------------- */

static enum decode_status decode_ipv4(struct decoder *d, const uint8_t *p,
				      uint32_t cap, uint32_t missing, int64_t ts,
				      struct packet *out)
{
	uint32_t hlen, total, avail, wire;
	uint16_t frag;
	uint8_t proto;

	if (cap < 20)
		return fail(d, DERR_IPV4_TRUNCATED);
	if ((p[0] >> 4) != 4)
		return fail(d, DERR_IP_BAD_VERSION);
	d->st.ipv4++;
	hlen = (uint32_t)(p[0] & 0x0f) * 4;
	if (hlen < 20)
		return fail(d, DERR_IPV4_BAD_HEADER_LEN);
	if (hlen > cap)
		return fail(d, DERR_IPV4_TRUNCATED);
	total = ((uint32_t)p[2] << 8) | p[3];
	if (total == 0 && !missing) {
		/* Segmentation offload on the capturing host: the length
		 * field was left 0; the frame itself is the datagram. */
		total = cap;
	}
	if (total < hlen)
		return fail(d, DERR_IPV4_BAD_TOTAL_LEN);
	if (total > cap + missing) /* longer than the frame on the wire */
		return fail(d, DERR_IPV4_BAD_TOTAL_LEN);
	avail = total < cap ? total : cap; /* drop link-layer padding */
	wire = total;
	out->ip_len = total;
	out->ipver = 4;
	memset(out->src, 0, sizeof(out->src));
	memset(out->dst, 0, sizeof(out->dst));
	memcpy(out->src, p + 12, 4);
	memcpy(out->dst, p + 16, 4);
	proto = p[9];
	frag = (uint16_t)((p[6] << 8) | p[7]);

	if (frag & 0x3fff) { /* MF set or a non-zero offset */
		struct ipfrag_key k;
		const uint8_t *whole;
		uint32_t wlen;
		uint8_t wproto;
		enum ipfrag_result r;

		if (avail < wire) /* cannot rebuild from a cut fragment */
			return fail(d, DERR_FRAG_BAD);
		memset(&k, 0, sizeof(k));
		k.ipver = 4;
		k.proto = proto;
		memcpy(k.src, out->src, 16);
		memcpy(k.dst, out->dst, 16);
		k.id = ((uint32_t)p[4] << 8) | p[5];
		r = ipfrag_add(d->frag, &k, ts, (uint32_t)(frag & 0x1fff) * 8,
			       (frag & 0x2000) != 0, proto, p + hlen,
			       avail - hlen, &whole, &wlen, &wproto);
		if (r == IPFRAG_BAD)
			return fail(d, DERR_FRAG_BAD);
		if (r == IPFRAG_HELD)
			return DECODE_HELD;
		out->reassembled = true;
		out->ip_len = hlen + wlen;
		return decode_l4(d, wproto, whole, wlen, wlen, out);
	}
	return decode_l4(d, proto, p + hlen, avail - hlen, wire - hlen, out);
}

/* ---- IPv6 ---------------------------------------------------------------- */

/*
 * Walk IPv6 extension headers from p[off] (next header nh) to the upper
 * layer. Run once on the packet and, after fragment reassembly, again on
 * the rebuilt payload, which holds the headers that followed the fragment
 * header (destination options, say) before TCP. A fragment header inside
 * a rebuilt payload is malformed.
 */
static enum decode_status ipv6_chain(struct decoder *d, uint8_t nh,
				     const uint8_t *p, uint32_t off,
				     uint32_t avail, uint32_t wire,
				     bool rebuilt, int64_t ts,
				     struct packet *out)
{
	int depth;

	for (depth = 0; depth < MAX_ENCAP_DEPTH; depth++) {
		uint32_t elen;

		switch (nh) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 139: /* HIP */
		case 140: /* shim6 */
			if (off + 2 > avail)
				return fail(d, DERR_IPV6_EXT_TRUNCATED);
			elen = ((uint32_t)p[off + 1] + 1) * 8;
			if (off + elen > avail)
				return fail(d, DERR_IPV6_EXT_TRUNCATED);
			nh = p[off];
			off += elen;
			break;
		case 51: /* AH */
			if (off + 2 > avail)
				return fail(d, DERR_IPV6_EXT_TRUNCATED);
			elen = ((uint32_t)p[off + 1] + 2) * 4;
			if (off + elen > avail)
				return fail(d, DERR_IPV6_EXT_TRUNCATED);
			nh = p[off];
			off += elen;
			break;
		case 44: { /* fragment */
			struct ipfrag_key k;
			const uint8_t *whole;
			uint32_t wlen, foff;
			uint8_t wproto;
			uint16_t fo;
			enum ipfrag_result r;

			if (off + 8 > avail)
				return fail(d, DERR_IPV6_EXT_TRUNCATED);
			fo = (uint16_t)((p[off + 2] << 8) | p[off + 3]);
			foff = (uint32_t)(fo & 0xfff8);
			if (foff == 0 && !(fo & 1)) {
				/* Atomic fragment (RFC 6946): not really
				 * fragmented, go on with the next header. */
				nh = p[off];
				off += 8;
				break;
			}
			if (rebuilt || avail < wire)
				return fail(d, DERR_FRAG_BAD);
			memset(&k, 0, sizeof(k));
			k.ipver = 6;
			memcpy(k.src, out->src, 16);
			memcpy(k.dst, out->dst, 16);
			k.id = ((uint32_t)p[off + 4] << 24) |
			       ((uint32_t)p[off + 5] << 16) |
			       ((uint32_t)p[off + 6] << 8) | p[off + 7];
			r = ipfrag_add(d->frag, &k, ts, foff, (fo & 1) != 0,
				       p[off], p + off + 8, avail - off - 8,
				       &whole, &wlen, &wproto);
			if (r == IPFRAG_BAD)
				return fail(d, DERR_FRAG_BAD);
			if (r == IPFRAG_HELD)
				return DECODE_HELD;
			out->reassembled = true;
			out->ip_len = off + wlen;
			return ipv6_chain(d, wproto, whole, 0, wlen, wlen, true,
					  ts, out);
		}
		default:
			return decode_l4(d, nh, p + off, avail - off, wire - off,
					 out);
		}
	}
	return fail(d, DERR_IPV6_EXT_CHAIN_TOO_LONG);
}

static enum decode_status decode_ipv6(struct decoder *d, const uint8_t *p,
				      uint32_t cap, uint32_t missing, int64_t ts,
				      struct packet *out)
{
	uint32_t plen, avail, wire;

	if (cap < 40)
		return fail(d, DERR_IPV6_TRUNCATED);
	if ((p[0] >> 4) != 6)
		return fail(d, DERR_IP_BAD_VERSION);
	d->st.ipv6++;
	plen = ((uint32_t)p[4] << 8) | p[5];
	if (plen == 0 && !missing)
		plen = cap - 40; /* offload or jumbogram: trust the frame */
	if (40 + plen > cap + missing)
		return fail(d, DERR_IPV6_BAD_PAYLOAD_LEN);
	wire = 40 + plen;
	out->ip_len = wire;
	avail = wire < cap ? wire : cap;
	out->ipver = 6;
	memcpy(out->src, p + 8, 16);
	memcpy(out->dst, p + 24, 16);
	return ipv6_chain(d, p[6], p, 40, avail, wire, false, ts, out);
}

static enum decode_status decode_ip(struct decoder *d, const uint8_t *p,
				    uint32_t cap, uint32_t missing, int64_t ts,
				    struct packet *out)
{
	if (cap < 1)
		return fail(d, DERR_IPV4_TRUNCATED);
	switch (p[0] >> 4) {
	case 4: return decode_ipv4(d, p, cap, missing, ts, out);
	case 6: return decode_ipv6(d, p, cap, missing, ts, out);
	default: return fail(d, DERR_IP_BAD_VERSION);
	}
}

/* ---- link layers --------------------------------------------------------- */

/* Dispatch on an EtherType, peeling VLAN tags, MPLS labels and PPPoE. */
static enum decode_status decode_ethertype(struct decoder *d, uint16_t type,
					   const uint8_t *p, uint32_t cap,
					   uint32_t missing, int64_t ts,
					   struct packet *out)
{
	int depth;

	for (depth = 0; depth < MAX_ENCAP_DEPTH; depth++) {
		switch (type) {
		case ETH_IPV4:
			return decode_ipv4(d, p, cap, missing, ts, out);
		case ETH_IPV6:
			return decode_ipv6(d, p, cap, missing, ts, out);
		case ETH_VLAN:
		case ETH_QINQ:
		case ETH_QINQ_OLD:
			if (cap < 4)
				return fail(d, DERR_VLAN_TRUNCATED);
			if (out->nvlan < PACKET_MAX_VLAN)
				out->vlan[out->nvlan++] =
					(uint16_t)(((p[0] << 8) | p[1]) & 0x0fff);
			if (out->nvlan == 1)
				d->st.vlan_tagged++;
			type = (uint16_t)((p[2] << 8) | p[3]);
			p += 4;
			cap -= 4;
			break;
		case ETH_MPLS:
		case ETH_MPLS_MC: {
			bool bottom = false;

			while (!bottom && depth < MAX_ENCAP_DEPTH) {
				if (cap < 4)
					return fail(d, DERR_MPLS_TRUNCATED);
				bottom = (p[2] & 1) != 0;
				p += 4;
				cap -= 4;
				depth++;
			}
			if (!bottom)
				return fail(d, DERR_MPLS_TRUNCATED);
			return decode_ip(d, p, cap, missing, ts, out);
		}
		case ETH_PPPOE: {
			uint16_t proto;

			if (cap < 8)
				return fail(d, DERR_PPPOE_TRUNCATED);
			proto = (uint16_t)((p[6] << 8) | p[7]);
			p += 8;
			cap -= 8;
			if (proto == 0x0021)
				return decode_ipv4(d, p, cap, missing, ts, out);
			if (proto == 0x0057)
				return decode_ipv6(d, p, cap, missing, ts, out);
			d->st.non_ip++;
			return DECODE_OTHER;
		}
		default:
			d->st.non_ip++;
			return DECODE_OTHER;
		}
	}
	return fail(d, DERR_VLAN_TRUNCATED);
}

/* BSD loopback: a host-order address family of the capturing machine. */
static enum decode_status decode_null(struct decoder *d, const uint8_t *p,
				      uint32_t cap, uint32_t missing, int64_t ts,
				      bool network_order, struct packet *out)
{
	uint32_t fam;

	if (cap < 4)
		return fail(d, DERR_LINK_TRUNCATED);
	if (network_order) {
		fam = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		      ((uint32_t)p[2] << 8) | p[3];
	} else {
		fam = ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) |
		      ((uint32_t)p[1] << 8) | p[0];
		if (fam > 0xffff) /* written on a machine of the other order */
			fam = __builtin_bswap32(fam);
	}
	switch (fam) {
	case 2:
		return decode_ipv4(d, p + 4, cap - 4, missing, ts, out);
	case 10: /* Linux */
	case 24: /* NetBSD, OpenBSD */
	case 28: /* FreeBSD */
	case 30: /* macOS */
		return decode_ipv6(d, p + 4, cap - 4, missing, ts, out);
	default:
		d->st.non_ip++;
		return DECODE_OTHER;
	}
}

enum decode_status decode_packet(struct decoder *d,
				 const struct capture_packet *cp,
				 struct packet *out)
{
	const uint8_t *p = cp->data;
	uint32_t cap = cp->caplen;
	uint32_t missing =
		cp->caplen < cp->wirelen ? cp->wirelen - cp->caplen : 0;

	d->st.packets++;
	d->st.bytes += cp->wirelen;
	if (missing)
		d->st.snap_truncated++;
	out->ts_ns = cp->ts_ns;
	out->wirelen = cp->wirelen;
	out->nvlan = 0;
	out->reassembled = false;
	out->l4proto = 0;
	out->payload = NULL;
	out->payload_len = out->payload_wire = 0;

	switch (cp->linktype) {
	case DLT_EN10MB:
		if (cap < 14)
			return fail(d, DERR_LINK_TRUNCATED);
		return decode_ethertype(d, (uint16_t)((p[12] << 8) | p[13]),
					p + 14, cap - 14, missing, cp->ts_ns, out);
	case DLT_LINUX_SLL:
		if (cap < 16)
			return fail(d, DERR_LINK_TRUNCATED);
		return decode_ethertype(d, (uint16_t)((p[14] << 8) | p[15]),
					p + 16, cap - 16, missing, cp->ts_ns, out);
	case DLT_LINUX_SLL2:
		if (cap < 20)
			return fail(d, DERR_LINK_TRUNCATED);
		return decode_ethertype(d, (uint16_t)((p[0] << 8) | p[1]),
					p + 20, cap - 20, missing, cp->ts_ns, out);
	case DLT_NULL:
		return decode_null(d, p, cap, missing, cp->ts_ns, false, out);
	case DLT_LOOP:
		return decode_null(d, p, cap, missing, cp->ts_ns, true, out);
	case DLT_RAW:
		return decode_ip(d, p, cap, missing, cp->ts_ns, out);
	case DLT_IPV4:
		return decode_ipv4(d, p, cap, missing, cp->ts_ns, out);
	case DLT_IPV6:
		return decode_ipv6(d, p, cap, missing, cp->ts_ns, out);
	default:
		return fail(d, DERR_LINK_TRUNCATED);
	}
}
