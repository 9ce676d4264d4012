#include "mail/direction.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Split list at commas; call f on each trimmed item. */
static bool each_item(const char *list, char *err, size_t errlen,
		      bool (*f)(void *ctx, const char *item, char *err,
				size_t errlen),
		      void *ctx)
{
	const char *p = list;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char item[256];

		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0 || n >= sizeof(item)) {
			snprintf(err, errlen, "bad item in '%s'", list);
			return false;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		if (!f(ctx, item, err, errlen))
			return false;
		if (!e)
			break;
		p = e + 1;
	}
	return true;
}

static bool add_net(void *ctx, const char *item, char *err, size_t errlen)
{
	struct mail_local *l = ctx;
	struct mail_net nt;
	char addr[64];
	const char *slash = strchr(item, '/');
	size_t n = slash ? (size_t)(slash - item) : strlen(item);
	long prefix;
	char *end;

	memset(&nt, 0, sizeof(nt));
	if (l->nnets >= MAIL_LOCAL_MAX) {
		snprintf(err, errlen, "more than %d local networks",
			 MAIL_LOCAL_MAX);
		return false;
	}
	if (n >= sizeof(addr))
		goto bad;
	memcpy(addr, item, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, nt.addr) == 1)
		nt.ipver = 4;
	else if (inet_pton(AF_INET6, addr, nt.addr) == 1)
		nt.ipver = 6;
	else
		goto bad;
	prefix = nt.ipver == 4 ? 32 : 128;
	if (slash) {
		prefix = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || prefix < 0 ||
		    prefix > (nt.ipver == 4 ? 32 : 128))
			goto bad;
	}
	nt.prefix = (uint8_t)prefix;
	l->nets[l->nnets++] = nt;
	return true;
bad:
	snprintf(err, errlen,
		 "'%s' is not an address or network (192.0.2.0/24, "
		 "2001:db8::/32)",
		 item);
	return false;
}

static bool add_domain(void *ctx, const char *item, char *err, size_t errlen)
{
	struct mail_local *l = ctx;
	size_t i, n;
	char *d = l->domains[l->ndomains];

	if (l->ndomains >= MAIL_LOCAL_MAX) {
		snprintf(err, errlen, "more than %d local domains",
			 MAIL_LOCAL_MAX);
		return false;
	}
	if (item[0] == '@' || item[0] == '.')
		item++;
	n = strlen(item);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)item[i];

		if (c <= ' ' || c == '@' || c == ',' || c >= 0x7f) {
			snprintf(err, errlen, "'%s' is not a domain name",
				 item);
			return false;
		}
	}
	if (n == 0 || n >= sizeof(l->domains[0])) {
		snprintf(err, errlen, "'%s' is not a domain name", item);
		return false;
	}
	for (i = 0; i <= n; i++)
		d[i] = lower(item[i]);
	l->ndomains++;
	return true;
}

bool mail_local_add_nets(struct mail_local *l, const char *list, char *err,
			 size_t errlen)
{
	return each_item(list, err, errlen, add_net, l);
}

bool mail_local_add_domains(struct mail_local *l, const char *list,
			    char *err, size_t errlen)
{
	return each_item(list, err, errlen, add_domain, l);
}

bool mail_local_configured(const struct mail_local *l)
{
	return l->nnets || l->ndomains;
}

bool mail_local_ip(const struct mail_local *l, uint8_t ipver,
		   const uint8_t addr[16])
{
	uint32_t i;

	for (i = 0; i < l->nnets; i++) {
		const struct mail_net *nt = &l->nets[i];
		uint8_t full = nt->prefix / 8, rest = nt->prefix % 8;

		if (nt->ipver != ipver || memcmp(nt->addr, addr, full) != 0)
			continue;
		if (rest && ((nt->addr[full] ^ addr[full]) &
			     (uint8_t)(0xff << (8 - rest))))
			continue;
		return true;
	}
	return false;
}

bool mail_local_address(const struct mail_local *l, const char *addr,
			size_t n)
{
	const char *at = NULL;
	size_t i, dn;
	uint32_t k;

	for (i = 0; i < n; i++)
		if (addr[i] == '@')
			at = addr + i;
	if (!at)
		return false;
	at++;
	dn = n - (size_t)(at - addr);
	while (dn && at[dn - 1] == '.')
		dn--;
	for (k = 0; k < l->ndomains; k++) {
		const char *d = l->domains[k];
		size_t len = strlen(d), j;
		const char *tail;

		if (dn < len || (dn > len && at[dn - len - 1] != '.'))
			continue;
		tail = at + dn - len;
		for (j = 0; j < len && lower(tail[j]) == d[j]; j++)
			;
		if (j == len)
			return true;
	}
	return false;
}

enum mail_direction mail_direction_of(const struct mail_local *l,
				      const struct mail_direction_in *in)
{
	bool from, to;
	uint32_t i;

	if (!mail_local_configured(l))
		return MAIL_DIR_NONE;
	from = (in->sender &&
		mail_local_address(l, in->sender, in->sender_len)) ||
	       mail_local_ip(l, in->ipver, in->client);
	if (l->ndomains) {
		to = in->nrcpt > 0;
		for (i = 0; i < in->nrcpt; i++)
			if (!mail_local_address(l, in->rcpt[i],
						in->rcpt_len[i]))
				to = false;
	} else {
		to = mail_local_ip(l, in->ipver, in->server);
	}
	if (from && to)
		return MAIL_DIR_INTERNAL;
	if (from)
		return MAIL_DIR_OUTBOUND;
	if (to)
		return MAIL_DIR_INBOUND;
	return MAIL_DIR_NONE;
}

const char *mail_direction_name(enum mail_direction d)
{
	switch (d) {
	case MAIL_DIR_INBOUND:
		return "inbound";
	case MAIL_DIR_OUTBOUND:
		return "outbound";
	case MAIL_DIR_INTERNAL:
		return "internal";
	default:
		return NULL;
	}
}
