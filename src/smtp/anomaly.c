#include "smtp/anomaly.h"

#include "core/log.h"

static const char *const names[SA__COUNT] = {
	[SA_COMMAND_TOO_LONG] = "command_too_long",
	[SA_REPLY_TOO_LONG] = "reply_too_long",
	[SA_LINE_CUT] = "line_cut",
	[SA_BARE_LF_COMMAND] = "bare_lf_in_command",
	[SA_CRCRLF_COMMAND] = "crcrlf_in_command",
	[SA_BARE_CR_COMMAND] = "bare_cr_in_command",
	[SA_NUL_COMMAND] = "nul_in_command",
	[SA_BINARY_COMMAND] = "binary_in_command",
	[SA_MIXED_LINE_ENDINGS] = "mixed_line_endings",
	[SA_BARE_LF_REPLY] = "bare_lf_in_reply",
	[SA_PREGREET] = "pregreet",
	[SA_NO_HELO] = "mail_before_helo",
	[SA_NESTED_MAIL] = "nested_mail",
	[SA_RCPT_WITHOUT_MAIL] = "rcpt_without_mail",
	[SA_DATA_WITHOUT_RCPT] = "data_without_rcpt",
	[SA_COMMAND_AFTER_QUIT] = "command_after_quit",
	[SA_UNKNOWN_COMMAND] = "unknown_command",
	[SA_NOT_A_COMMAND] = "not_a_command",
	[SA_PIPELINING_UNOFFERED] = "pipelining_unoffered",
	[SA_PIPELINING_AFTER_BARRIER] = "pipelining_after_barrier",
	[SA_STARTTLS_UNOFFERED] = "starttls_unoffered",
	[SA_AUTH_UNOFFERED] = "auth_unoffered",
	[SA_HELO_EMPTY] = "helo_empty",
	[SA_REPLY_WITHOUT_COMMAND] = "reply_without_command",
	[SA_REPLY_DURING_DATA] = "reply_during_data",
	[SA_REPLY_MALFORMED] = "reply_malformed",
	[SA_REPLY_CODE_MISMATCH] = "reply_code_mismatch",
	[SA_REPLY_TOO_MANY_LINES] = "reply_too_many_lines",
	[SA_NOT_SMTP_SERVER] = "not_smtp_server",
	[SA_TOO_MANY_PENDING] = "too_many_pending_commands",
	[SA_TOO_MANY_RECIPIENTS] = "too_many_recipients",
	[SA_TOO_MANY_TRANSACTIONS] = "too_many_transactions",
	[SA_TOO_MANY_CAPABILITIES] = "too_many_capabilities",
	[SA_HOLD_OVERFLOW] = "hold_overflow",
	[SA_STRINGS_FULL] = "strings_full",
	[SA_DATA_REPLY_NOT_SEEN] = "data_reply_not_seen",
	[SA_DATA_LINE_TOO_LONG] = "data_line_too_long",
	[SA_BARE_LF_DATA] = "bare_lf_in_data",
	[SA_BARE_CR_DATA] = "bare_cr_in_data",
	[SA_NUL_DATA] = "nul_in_data",
	[SA_LENIENT_EOD] = "lenient_eod_candidate",
	[SA_BDAT_INVALID] = "bdat_invalid",
	[SA_BDAT_TOO_LARGE] = "bdat_too_large",
	[SA_BDAT_WITHOUT_MAIL] = "bdat_without_mail",
	[SA_BDAT_AFTER_LAST] = "bdat_after_last",
	[SA_DATA_AND_BDAT] = "data_and_bdat",
	[SA_ADDRESS_TOO_LONG] = "address_too_long",
	[SA_LOCAL_PART_TOO_LONG] = "local_part_too_long",
	[SA_PATH_LENIENT] = "path_syntax_lenient",
	[SA_PATH_INVALID] = "path_syntax_invalid",
	[SA_PARAM_DUPLICATE] = "param_duplicate",
	[SA_STARTTLS_CLIENT_RESIDUE] = "starttls_client_residue",
	[SA_STARTTLS_SERVER_RESIDUE] = "starttls_server_residue",
	[SA_PLAINTEXT_ON_TLS_PORT] = "plaintext_on_tls_port",
	[SA_AUTH_CANCELLED] = "auth_cancelled",
	[SA_AUTH_MALFORMED] = "auth_malformed",
	[SA_CLIENT_GAP] = "client_stream_gap",
	[SA_SERVER_GAP] = "server_stream_gap",
};

/* Every anomaly has a name: a missing one is caught at compile time by
 * the size check and at run time here. */
_Static_assert(SA__COUNT <= 64, "anomaly bits must fit in 64");

const char *smtp_anomaly_name(enum smtp_anomaly a)
{
	if ((unsigned)a >= SA__COUNT || !names[a])
		log_panic(__FILE__, __LINE__, "anomaly %d has no name", (int)a);
	return names[a];
}
