#!/bin/sh
# Submit one message to the unpacked Exim and have it deliver at once (-odf)
# to Postfix; Exim's transport debug output ("SMTP>> ", "SMTP|> ",
# "SMTP<< ") is the client log.
#   run_exim.sh EXIM_BINARY CONFIG FROM TO SUBJECT
#   run_exim.sh EXIM_BINARY CONFIG -bV          (version check)
#   run_exim.sh EXIM_BINARY SERVER_CONFIG -bdf  (Exim as a server)
# Exim runs in a private mount namespace where the work directory's passwd and
# group (which add the user Debian-exim) are bind-mounted over /etc's.
set -eu
exim=$1 conf=$2
shift 2
dir=$(dirname "$conf")
if [ "${INNER_EXIM:-}" != 1 ]; then
    exec env INNER_EXIM=1 unshare --mount --propagation private "$0" "$exim" "$conf" "$@"
fi
mount --bind "$dir/passwd" /etc/passwd
mount --bind "$dir/group" /etc/group
if [ "$1" = -bV ]; then
    exec "$exim" -C "$conf" -bV
fi
if [ "$1" = -bdf ]; then
    # foreground daemon; its debug output (every line it reads and writes,
    # "SMTP<<"/"SMTP>>") is the server log
    exec "$exim" -C "$conf" -bdf -d-all+receive
fi
from=$1 to=$2 subject=$3
msg=$dir/message.eml
{
    printf 'From: %s\nTo: %s\nSubject: %s\nDate: Mon, 01 Jan 2024 10:00:00 +0000\n' "$from" "$to" "$subject"
    printf 'Message-ID: <bdat@exim.example.test>\n\nSent by Exim with BDAT (CHUNKING).\n'
    i=1
    while [ $i -le 400 ]; do
        printf 'Line %03d of a body long enough for Exim to send it in several BDAT chunks.\n' $i
        i=$((i + 1))
    done
} >"$msg"
"$exim" -C "$conf" -bV | head -1
exec "$exim" -C "$conf" -odf -oi -d-all+transport -f "$from" "$to" <"$msg"
