/*
 * The SASL exchange of one SMTP AUTH command (RFC 4954), decoded from the
 * outside: which mechanism, who logged in (where the mechanism carries a
 * name), what kind of secret crossed the wire, and what was odd about it.
 *
 * The SMTP parser drives it with the three things it sees:
 *   sasl_begin()   "AUTH <mech> [<initial-response>]"
 *   sasl_server()  the text of each 334 reply (base64, may be empty)
 *   sasl_client()  each client continuation line (base64, or "*")
 * and reads the results from the public fields of struct sasl_state.
 *
 * Ownership. The caller owns the state (a plain struct: nothing here
 * allocates, nothing is kept between calls but the struct). Input pointers
 * are borrowed for the duration of the call only. A zeroed struct is a
 * valid "no exchange" state; sasl_begin() resets it, so one struct can
 * serve every AUTH of a session.
 *
 * Secrets. Passwords, bearer tokens and the responses or proofs of
 * challenge-response mechanisms are NEVER copied into the state. Each
 * message is decoded into a scratch buffer on the stack, the identities
 * are copied out, and the scratch is wiped (explicit_bzero) before the
 * call returns. Only the *kind* of secret is recorded (st->secrets). User
 * names are kept (the output layer decides whether to write them) - but
 * not from a message whose shape leaves doubt about which field is the
 * user (PLAIN with one NUL, CRAM-MD5 without a hex digest, an open
 * quote in DIGEST-MD5, ...): there, a guess could keep a password.
 *
 * Text fields are raw decoded bytes, NUL-terminated for convenience but
 * possibly holding NUL or non-UTF-8 bytes: use the *_len fields, and let
 * the JSON writer escape them. NTLM names in UTF-16LE are converted to
 * UTF-8 (unpaired surrogates become U+FFFD and raise bad_text). A name
 * cut to fit raises a *_truncated anomaly; nothing is stripped silently.
 *
 * Limits: a base64 line longer than SASL_LINE_MAX, or one the caller
 * says was cut (its line framer may keep less than SASL_LINE_MAX), is not
 * decoded (line_too_long; the message still counts): a prefix of a
 * message could put a password where a name belongs. After
 * SASL_MESSAGES_MAX
 * messages in all, further ones are counted but not examined
 * (too_many_messages). Both bound the work per call to O(SASL_LINE_MAX).
 */
#ifndef SMTPSCOPE_SMTP_SASL_H
#define SMTPSCOPE_SMTP_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 4954 section 4 raises the line limit for AUTH and the lines of
 * its exchange to 12288 octets. */
#define SASL_LINE_MAX 12288
/* Messages (client + server, initial response included) examined. */
#define SASL_MESSAGES_MAX 16
/* RFC 4422 section 3.1: mechanism names are 1..20 characters. */
#define SASL_MECH_NAME_MAX 20
#define SASL_USER_MAX 256 /* user, authzid */
#define SASL_TEXT_MAX 128 /* realm/domain, workstation, server names */

enum sasl_mech {
	SASL_MECH_NONE = 0, /* no AUTH seen yet */
	SASL_MECH_PLAIN,
	SASL_MECH_LOGIN,
	SASL_MECH_CRAM_MD5,
	SASL_MECH_DIGEST_MD5,
	SASL_MECH_NTLM,
	SASL_MECH_XOAUTH2,
	SASL_MECH_OAUTHBEARER,
	SASL_MECH_SCRAM,    /* any SCRAM-*: exact name in mech_name */
	SASL_MECH_GSSAPI,
	SASL_MECH_EXTERNAL,
	SASL_MECH_ANONYMOUS,
	SASL_MECH_OTHER,    /* unknown: name kept in mech_name */
};

/* What kind of secret crossed the wire (st->secrets), set when the
 * message that carries it was seen - also when it could not be decoded
 * (it probably carried one) - and not for an empty password or token.
 * GSSAPI (Kerberos), EXTERNAL and ANONYMOUS set none. */
enum {
	SASL_SECRET_CLEARTEXT = 1u << 0, /* password: PLAIN, LOGIN */
	SASL_SECRET_BEARER = 1u << 1,    /* token: XOAUTH2, OAUTHBEARER */
	SASL_SECRET_CHALLENGE = 1u << 2, /* response to a challenge:
					    CRAM-MD5, DIGEST-MD5, NTLM,
					    SCRAM */
};

/* Anomalies (st->anomalies): data about the exchange, never errors. */
enum {
	SASL_A_BAD_BASE64 = 1u << 0,     /* not base64: message ignored */
	SASL_A_BASE64_LAX = 1u << 1,     /* decoded, but not canonical:
					    no padding, trailing blanks or
					    non-zero pad bits */
	SASL_A_MALFORMED = 1u << 2,      /* not the mechanism's syntax */
	SASL_A_UNEXPECTED = 1u << 3,     /* message out of the mechanism's
					    order, or after "*" */
	SASL_A_LINE_TOO_LONG = 1u << 4,  /* > SASL_LINE_MAX or cut: not
					    decoded */
	SASL_A_TOO_MANY_MESSAGES = 1u << 5, /* > SASL_MESSAGES_MAX */
	SASL_A_USER_TRUNCATED = 1u << 6,
	SASL_A_AUTHZID_TRUNCATED = 1u << 7,
	SASL_A_TEXT_TRUNCATED = 1u << 8, /* realm, workstation or a server
					    name cut to SASL_TEXT_MAX */
	SASL_A_BAD_MECHANISM = 1u << 9,  /* name empty, too long or not
					    [A-Z0-9_-] (RFC 4422) */
	SASL_A_BAD_TEXT = 1u << 10,      /* bad UTF-16 in an NTLM name */
	SASL_A_LOGIN_PROMPT = 1u << 11,  /* LOGIN prompt text disagrees
					    with the message order */
};

/* Things worth knowing that are not anomalies (st->notes). */
enum {
	SASL_N_INITIAL_RESPONSE = 1u << 0, /* AUTH line carried one */
	SASL_N_EMPTY_INITIAL = 1u << 1,    /* ... and it was "=" */
	SASL_N_SERVER_INFO = 1u << 2,      /* NTLM challenge disclosed
					      server names (st->ntlm) */
	SASL_N_CHANNEL_BINDING = 1u << 3,  /* SCRAM gs2 "p=" */
	SASL_N_SERVER_ERROR = 1u << 4,     /* OAuth error JSON or SCRAM
					      "e=" from the server */
	SASL_N_NTLM_V1 = 1u << 5,          /* 24-byte NT response */
	SASL_N_NTLM_ANONYMOUS = 1u << 6,   /* type 3 with no user and no
					      responses */
};

/* Names the server disclosed in an NTLM challenge (type 2). */
struct sasl_ntlm_server {
	char target[SASL_TEXT_MAX + 1];       /* TargetName */
	char nb_domain[SASL_TEXT_MAX + 1];    /* MsvAvNbDomainName */
	char nb_computer[SASL_TEXT_MAX + 1];  /* MsvAvNbComputerName */
	char dns_domain[SASL_TEXT_MAX + 1];   /* MsvAvDnsDomainName */
	char dns_computer[SASL_TEXT_MAX + 1]; /* MsvAvDnsComputerName */
	uint16_t target_len, nb_domain_len, nb_computer_len, dns_domain_len,
		dns_computer_len;
};

struct sasl_state {
	/* Results: read-only for the caller. */
	enum sasl_mech mech;
	char mech_name[SASL_MECH_NAME_MAX + 1]; /* upper-cased as sent; empty
						   when not a valid name */

	/* The authentication identity: PLAIN authcid, LOGIN first message,
	 * CRAM-MD5 / DIGEST-MD5 username, NTLM DOMAIN\user, XOAUTH2 user=,
	 * OAUTHBEARER a=, SCRAM n=. Empty when the mechanism has none. */
	char user[SASL_USER_MAX + 1];
	uint16_t user_len;
	bool have_user;
	/* The authorization identity when given and different from user:
	 * PLAIN authzid, DIGEST-MD5 authzid, SCRAM a=, EXTERNAL's
	 * initial response. (OAUTHBEARER's a= is its user.) */
	char authzid[SASL_USER_MAX + 1];
	uint16_t authzid_len;
	/* DIGEST-MD5 realm, NTLM domain. */
	char realm[SASL_TEXT_MAX + 1];
	uint16_t realm_len;
	/* NTLM workstation (type 3, else type 1). */
	char workstation[SASL_TEXT_MAX + 1];
	uint16_t workstation_len;
	struct sasl_ntlm_server ntlm;

	uint32_t client_msgs; /* initial response, lines, "*" */
	uint32_t server_msgs; /* 334 replies */
	bool cancelled;       /* the client sent "*" */
	uint32_t secrets;     /* SASL_SECRET_* */
	uint32_t anomalies;   /* SASL_A_* */
	uint32_t notes;       /* SASL_N_* */

	/* Private progress of the exchange. */
	struct {
		uint32_t cdata;      /* client messages examined ("*" not) */
		uint32_t sdata;      /* server messages examined */
		uint32_t ntlm_flags; /* last NTLM negotiate flags seen */
		uint32_t raised;     /* anomalies raised by this call */
		uint8_t stage;       /* mechanism-specific */
		bool login_pass_next;
	} priv;
};

/*
 * Start an exchange: resets *st, then records the mechanism (mech,
 * mechlen: the name as sent, any case) and the initial response when
 * initial is not NULL and initlen > 0 ("=" is the empty response).
 * cut: the AUTH line was cut before its end, so the initial response
 * (or, without one, whatever followed past the cut) is incomplete:
 * line_too_long. Each call returns the anomalies it raised (whether or
 * not an earlier message raised them too); st->anomalies collects them
 * all.
 */
uint32_t sasl_begin(struct sasl_state *st, const char *mech, size_t mechlen,
		    const char *initial, size_t initlen, bool cut);
/* The text of a 334 reply (after "334 "; no CRLF). */
uint32_t sasl_server(struct sasl_state *st, const char *text, size_t len);
/* A client continuation line (no CRLF): base64, or "*" to cancel; cut:
 * the line was cut before its end (then it is neither). */
uint32_t sasl_client(struct sasl_state *st, const char *line, size_t len,
		     bool cut);

/* Forget everything, wiping the identities. */
void sasl_reset(struct sasl_state *st);

/* Canonical name of a known mechanism ("SCRAM-*" for the family,
 * "OTHER" for unknown, "NONE"); st->mech_name is the one to report. */
const char *sasl_mech_str(enum sasl_mech m);
/*
 * Documented lower_snake_case name of one bit of st->secrets,
 * st->anomalies or st->notes ("cleartext_password", "bad_base64",
 * "server_info_disclosed", ...), or NULL when bit is not exactly one
 * known flag. The strings are constants.
 */
const char *sasl_secret_name(uint32_t bit);
const char *sasl_anomaly_name(uint32_t bit);
const char *sasl_note_name(uint32_t bit);

#endif
