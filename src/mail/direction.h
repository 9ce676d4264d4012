/*
 * Which way a message goes (ECS email.direction): inbound, outbound or
 * internal, judged from the networks and domains the user calls local.
 *
 * The sender is local when the envelope sender's domain (the From
 * domain when there was no MAIL FROM) is a local domain or one of its
 * subdomains, or when the SMTP client's address is in a local network.
 * The recipients are local when every accepted recipient's domain is
 * local, or - with no local domains given - when the SMTP server's
 * address is in a local network. Local sender and recipients: internal;
 * local sender only: outbound; local recipients only: inbound; neither:
 * no direction (relayed traffic this sensor only sees pass).
 *
 * Holds its lists (bounded by MAIL_LOCAL_MAX each, no allocation); no
 * pointer is kept from the inputs.
 */
#ifndef SMTPSCOPE_MAIL_DIRECTION_H
#define SMTPSCOPE_MAIL_DIRECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAIL_LOCAL_MAX 256

struct mail_net {
	uint8_t ipver;      /* 4 or 6 */
	uint8_t addr[16];
	uint8_t prefix;
};

struct mail_local {
	struct mail_net nets[MAIL_LOCAL_MAX];
	uint32_t nnets;
	char domains[MAIL_LOCAL_MAX][256]; /* lower-case */
	uint32_t ndomains;
};

enum mail_direction {
	MAIL_DIR_NONE,      /* nothing local configured, or neither side */
	MAIL_DIR_INBOUND,
	MAIL_DIR_OUTBOUND,
	MAIL_DIR_INTERNAL,
};

/* "10.0.0.0/8,2001:db8::/32,192.0.2.7" added to l; false with a message
 * naming the bad item. */
bool mail_local_add_nets(struct mail_local *l, const char *list, char *err,
			 size_t errlen);
/* "example.com,example.net" added to l. */
bool mail_local_add_domains(struct mail_local *l, const char *list,
			    char *err, size_t errlen);
bool mail_local_configured(const struct mail_local *l);

bool mail_local_ip(const struct mail_local *l, uint8_t ipver,
		   const uint8_t addr[16]);
/* The domain of an address (after its last '@'), n bytes. */
bool mail_local_address(const struct mail_local *l, const char *addr,
			size_t n);

/* One transaction's facts, borrowed for the call. */
struct mail_direction_in {
	uint8_t ipver;
	const uint8_t *client, *server;  /* 16 bytes each */
	const char *sender;              /* envelope or From; may be NULL */
	size_t sender_len;
	const char *const *rcpt;         /* accepted recipients */
	const size_t *rcpt_len;
	uint32_t nrcpt;
};

enum mail_direction mail_direction_of(const struct mail_local *l,
				      const struct mail_direction_in *in);
const char *mail_direction_name(enum mail_direction d);

#endif
