/*
 * SMTP protocol anomalies: the one list of names smtp.anomalies[] draws
 * from (docs/schema.md documents each). An anomaly is data on the record,
 * never an error of the program. Each session keeps a bit set.
 */
#ifndef SMTPSCOPE_SMTP_ANOMALY_H
#define SMTPSCOPE_SMTP_ANOMALY_H

#include <stdint.h>

enum smtp_anomaly {
	/* framing */
	SA_COMMAND_TOO_LONG,       /* > 512 bytes with CRLF (RFC 5321) */
	SA_REPLY_TOO_LONG,         /* reply line > 512 bytes */
	SA_LINE_CUT,               /* longer than the parser keeps */
	SA_BARE_LF_COMMAND,        /* command ended by a bare LF */
	SA_CRCRLF_COMMAND,         /* command ended by CR CR LF */
	SA_BARE_CR_COMMAND,        /* a CR inside a command */
	SA_NUL_COMMAND,            /* a NUL inside a command */
	SA_BINARY_COMMAND,         /* bytes outside printable ASCII */
	SA_MIXED_LINE_ENDINGS,     /* the client used CRLF and bare LF */
	SA_BARE_LF_REPLY,          /* reply ended by a bare LF */
	/* sequence */
	SA_PREGREET,               /* the client spoke before the greeting */
	SA_NO_HELO,                /* MAIL before any HELO/EHLO */
	SA_NESTED_MAIL,            /* MAIL inside a transaction */
	SA_RCPT_WITHOUT_MAIL,
	SA_DATA_WITHOUT_RCPT,
	SA_COMMAND_AFTER_QUIT,
	SA_UNKNOWN_COMMAND,
	SA_NOT_A_COMMAND,          /* a client line that is no command at all */
	SA_PIPELINING_UNOFFERED,   /* commands sent ahead without PIPELINING */
	SA_PIPELINING_AFTER_BARRIER, /* bytes sent before the reply to DATA,
					STARTTLS or AUTH decided their meaning */
	SA_STARTTLS_UNOFFERED,
	SA_AUTH_UNOFFERED,
	SA_HELO_EMPTY,
	/* replies */
	SA_REPLY_WITHOUT_COMMAND,
	SA_REPLY_DURING_DATA,      /* 2xx/3xx while the message is still open */
	SA_REPLY_MALFORMED,
	SA_REPLY_CODE_MISMATCH,    /* lines of one reply with other codes */
	SA_REPLY_TOO_MANY_LINES,
	SA_NOT_SMTP_SERVER,        /* the server's first bytes are no reply */
	/* limits */
	SA_TOO_MANY_PENDING,
	SA_TOO_MANY_RECIPIENTS,
	SA_TOO_MANY_TRANSACTIONS,
	SA_TOO_MANY_CAPABILITIES,
	SA_HOLD_OVERFLOW,          /* bytes after a DATA/STARTTLS/AUTH could
				      not wait for the reply any longer */
	SA_STRINGS_FULL,           /* the session's text store is full */
	/* DATA and BDAT */
	SA_DATA_REPLY_NOT_SEEN,    /* message assumed without a 354 */
	SA_DATA_LINE_TOO_LONG,     /* > 1000 bytes with CRLF */
	SA_BARE_LF_DATA,
	SA_BARE_CR_DATA,
	SA_NUL_DATA,
	SA_LENIENT_EOD,            /* a lenient end-of-data candidate */
	SA_BDAT_INVALID,
	SA_BDAT_TOO_LARGE,
	SA_BDAT_WITHOUT_MAIL,
	SA_BDAT_AFTER_LAST,
	SA_DATA_AND_BDAT,          /* both in one transaction */
	/* addresses */
	SA_ADDRESS_TOO_LONG,       /* path > 256 */
	SA_LOCAL_PART_TOO_LONG,    /* > 64 */
	SA_PATH_LENIENT,           /* no brackets, spaces at the colon */
	SA_PATH_INVALID,           /* no FROM:/TO: at all */
	SA_PARAM_DUPLICATE,
	/* TLS */
	SA_STARTTLS_CLIENT_RESIDUE, /* plaintext after STARTTLS (injection) */
	SA_STARTTLS_SERVER_RESIDUE,
	SA_PLAINTEXT_ON_TLS_PORT,
	/* AUTH */
	SA_AUTH_CANCELLED,
	SA_AUTH_MALFORMED,         /* a SASL message the mechanism rejects */
	/* stream */
	SA_CLIENT_GAP,
	SA_SERVER_GAP,
	SA__COUNT
};

const char *smtp_anomaly_name(enum smtp_anomaly a);

struct smtp_anomalies {
	uint64_t bits;          /* SA__COUNT <= 64 */
};

static inline void smtp_anomaly_add(struct smtp_anomalies *s,
				    enum smtp_anomaly a)
{
	s->bits |= 1ULL << a;
}

#endif
