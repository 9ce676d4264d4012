#include "mail/lex.h"

size_t mail_comment_end(const uint8_t *s, size_t n, size_t i, bool *open)
{
	unsigned depth = 0;

	for (; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	if (open)
		*open = true;
	return n;
}

size_t mail_skip_cfws(const uint8_t *s, size_t n, size_t i)
{
	while (i < n) {
		if (mail_is_ws(s[i]))
			i++;
		else if (s[i] == '(')
			i = mail_comment_end(s, n, i, NULL);
		else
			break;
	}
	return i;
}

const char *mail_bit_name(const char *const *names, size_t count,
			  uint32_t bit)
{
	size_t i;

	for (i = 0; i < count && i < 32; i++)
		if (bit == 1u << i)
			return names[i];
	return NULL;
}
