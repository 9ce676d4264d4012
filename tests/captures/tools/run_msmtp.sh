#!/bin/sh
# Run msmtp (GNU SASL inside) once with a private config; --debug prints the
# whole dialogue ("--> " sent, "<-- " received), which is the client log.
# usage: run_msmtp.sh DIR HOST PORT SOURCE_IP MECH USER PASSWORD FROM TO SUBJECT
set -eu
dir=$1 host=$2 port=$3 src=$4 mech=$5 user=$6 pass=$7 from=$8 to=$9
shift 9
subject=$1
mkdir -p "$dir"
cat >"$dir/msmtprc" <<CONF
defaults
logfile $dir/msmtp.log
account default
host $host
port $port
source_ip $src
domain client.example.test
tls off
auth $mech
user $user
password $pass
from $from
CONF
chmod 600 "$dir/msmtprc"
printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\nMessage-ID: <%s@client.example.test>\r\n\r\nSent by msmtp after AUTH %s.\r\n' \
    "$from" "$to" "$subject" "$mech" "$mech" >"$dir/message.eml"
msmtp --version | head -1
exec msmtp -C "$dir/msmtprc" --debug -f "$from" "$to" <"$dir/message.eml"
