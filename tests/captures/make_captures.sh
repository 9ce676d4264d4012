#!/usr/bin/env bash
# Regenerate the SMTP captures in tests/captures/ by driving real mail
# software inside a private network namespace.
#
#   sudo tests/captures/make_captures.sh            # all captures
#   sudo tests/captures/make_captures.sh --only auth_plain_swaks --keep
#
# Needs root (network namespace, tcpdump, Postfix) and the Debian packages
# listed in tests/captures/README.md. Writes NAME.pcap, NAME.expect.json and
# logs/NAME.{client,server}.log next to this script. Nothing leaves the
# namespace: its only interface is its own loopback, every address used is in
# 127.0.0.0/8 or ::1, and the namespace, Postfix, the scripted server and every
# tcpdump are stopped (by pid) on exit, also on failure.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=$HERE/tools
LOGS=$HERE/logs
NS=smtpscope-cap-$$
KEEP=0
ONLY=()
while [ $# -gt 0 ]; do
    case "$1" in
        --keep) KEEP=1 ;;
        --only) shift; ONLY+=("$1") ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "make_captures.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

die() { echo "make_captures.sh: $*" >&2; exit 1; }
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespace, tcpdump, Postfix)"
for tool in ip ethtool tcpdump openssl postfix postconf saslpasswd2 swaks msmtp curl dpkg-deb apt-get; do
    command -v "$tool" >/dev/null || die "'$tool' is missing; see tests/captures/README.md for the packages"
done
# Debian's own python3 (smtplib, ssl): not a pyenv or venv one.
PY=/usr/bin/python3
[ -x "$PY" ] || die "/usr/bin/python3 is missing (package python3)"

WORK=$(mktemp -d /tmp/smtpscope-captures.XXXXXX)
chmod 755 "$WORK"
PF_ETC=$WORK/postfix/etc
PIDS=()            # every background process we start, by pid
POSTFIX_UP=0

nsx() { ip netns exec "$NS" "$@"; }

cleanup() {
    local rc=$?
    set +e
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    if [ "$POSTFIX_UP" = 1 ]; then
        nsx postfix -c "$PF_ETC" stop >/dev/null 2>&1
        local mpid
        mpid=$(cat "$WORK/postfix/queue/pid/master.pid" 2>/dev/null | tr -d ' ')
        for _ in $(seq 50); do
            [ -n "$mpid" ] && kill -0 "$mpid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    # Anything still alive in the namespace was started by this script
    # (Postfix children, Exim); end each by its pid.
    if ip netns list 2>/dev/null | grep -qw "$NS"; then
        for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
        sleep 0.3
        for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
        ip netns del "$NS"
    fi
    if [ "$KEEP" = 1 ]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- namespace
setup_namespace() {
    ip netns add "$NS"
    nsx ip link set lo mtu 1500
    nsx ip link set lo up
    # Segments as on a real 1500-byte link: no TSO/GSO/GRO super-frames.
    # (tx checksum offload cannot be switched off on lo: checksums in the
    # captures are left to the receiver, as tcpdump on lo always shows.)
    nsx ethtool -K lo tso off gso off gro off >/dev/null 2>&1 || true
    nsx sysctl -qw net.ipv4.tcp_fastopen=0 net.ipv4.tcp_timestamps=1 >/dev/null
    # Deterministic enough: no random TCP timestamp offsets between runs.
    nsx sysctl -qw net.ipv4.tcp_timestamps=1 >/dev/null
    log "namespace $NS: lo mtu 1500, offloads off"
}

# ------------------------------------------------------------ certificates
make_certs() {
    local d=$WORK/certs
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
        -subj "/O=smtpscope test CA (throwaway)/CN=smtpscope test CA" \
        -keyout "$d/ca.key" -out "$d/ca.crt" >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=mail.example.test" \
        -keyout "$d/server.key" -out "$d/server.csr" >/dev/null 2>&1
    printf 'subjectAltName=DNS:mail.example.test,DNS:legacy.example.test,IP:127.0.0.25\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
        -CAcreateserial -days 3650 -sha256 -extfile "$d/ext.cnf" -out "$d/server.crt" >/dev/null 2>&1
    chmod 644 "$d"/*.crt; chmod 640 "$d/server.key"; chgrp postfix "$d/server.key"
    log "throwaway CA and server certificate made in $d"
}

# ----------------------------------------------------------------- Postfix
subst() { sed "s|@WORK@|$WORK|g" "$1"; }

setup_postfix() {
    mkdir -p "$PF_ETC/sasl" "$WORK/postfix/queue" "$WORK/postfix/data" "$WORK/postfix/mail"
    subst "$TOOLS/postfix/main.cf.in" >"$PF_ETC/main.cf"
    subst "$TOOLS/postfix/master.cf.in" >"$PF_ETC/master.cf"
    subst "$TOOLS/postfix/smtpd.conf.in" >"$PF_ETC/sasl/smtpd.conf"
    for f in vmailbox transport sink_header_checks; do cp "$TOOLS/postfix/$f" "$PF_ETC/$f"; done
    chown postfix:postfix "$WORK/postfix/data"
    chown nobody:nogroup "$WORK/postfix/mail"
    # Fake credentials (also in README.md).
    printf '%s' 'Wonderland-2024!' | saslpasswd2 -c -p -f "$PF_ETC/sasldb2" -u example.test alice
    printf '%s' 'B0b-s3cret' | saslpasswd2 -c -p -f "$PF_ETC/sasldb2" -u example.test bob
    chown root:postfix "$PF_ETC/sasldb2"; chmod 640 "$PF_ETC/sasldb2"
    : >"$WORK/postfix/maillog"; chown postfix "$WORK/postfix/maillog" 2>/dev/null || true
    postfix -c "$PF_ETC" check 2>&1 | grep -v 'symlink leaves directory' >&2 || true
    nsx postfix -c "$PF_ETC" start >/dev/null 2>&1 || { cat "$WORK/postfix/maillog" >&2; die "postfix did not start"; }
    POSTFIX_UP=1
    for _ in $(seq 50); do
        nsx "$PY" -c 'import socket; socket.create_connection(("127.0.0.25", 25), 1).close()' 2>/dev/null && break
        sleep 0.1
    done
    POSTFIX_VERSION=$(postconf -c "$PF_ETC" -h mail_version)
    log "Postfix $POSTFIX_VERSION running in $NS"
}

# --------------------------------------------------------------- Exim (unpacked)
setup_exim() {
    # exim4-daemon-light conflicts with postfix as a package, so its binary is
    # unpacked into the work directory, never installed. It insists on its
    # compiled-in user "Debian-exim": that user exists only in a private
    # passwd/group bind-mounted over /etc inside Exim's own mount namespace
    # (see tools/run_exim.sh); the host's files are not changed.
    local d=$WORK/exim
    mkdir -p "$d/pkg" "$d/spool" "$d/log"
    (cd "$d/pkg" && apt-get download exim4-daemon-light >/dev/null 2>&1) ||
        die "apt-get download exim4-daemon-light failed"
    dpkg-deb -x "$d"/pkg/exim4-daemon-light_*.deb "$d/root"
    EXIM=$d/root/usr/sbin/exim4
    subst "$TOOLS/exim/exim.conf.in" >"$d/exim.conf"
    { grep -v '^Debian-exim:' /etc/passwd; echo 'Debian-exim:x:65500:65500:Exim (capture generator):/nonexistent:/usr/sbin/nologin'; } >"$d/passwd"
    { grep -v '^Debian-exim:' /etc/group; echo 'Debian-exim:x:65500:'; } >"$d/group"
    chmod 644 "$d/passwd" "$d/group"
    chown -R 65500:65500 "$d/spool" "$d/log"
    EXIM_VERSION=$("$TOOLS/run_exim.sh" "$EXIM" "$d/exim.conf" -bV 2>/dev/null | sed -n 's/^Exim version \([^ ]*\).*/\1/p')
    [ -n "$EXIM_VERSION" ] || die "the unpacked Exim does not run: $("$TOOLS/run_exim.sh" "$EXIM" "$d/exim.conf" -bV 2>&1 | head -3)"
    log "Exim $EXIM_VERSION unpacked (not installed) in $d/root"
    # The same binary as a server, for EXPN and HELP (Postfix has neither).
    mkdir -p "$d/spool-server"
    subst "$TOOLS/exim/exim_server.conf.in" >"$d/exim_server.conf"
    printf 'team: alice@partner.example, ops@partner.example\npostmaster: ops@partner.example\n' >"$d/aliases"
    chown -R 65500:65500 "$d/spool-server" "$d/log"
    ip netns exec "$NS" "$TOOLS/run_exim.sh" "$EXIM" "$d/exim_server.conf" -bdf >"$d/server.debug" 2>&1 &
    PIDS+=($!)    # run_exim.sh, unshare and ip all exec: this is Exim's pid
    for _ in $(seq 50); do
        grep -q 'daemon started' "$d/server.debug" 2>/dev/null && break
        sleep 0.1
    done
    grep -q 'daemon started' "$d/server.debug" || die "the Exim server did not start"
    log "Exim server on 127.0.0.30:25 (foreground daemon, debug log)"
}

# ------------------------------------------------------ scripted SASL server
start_scripted_server() {
    # Started with "ip netns exec" itself (not the nsx function) so that $! is
    # the server's own pid (ip execs it), not a subshell's.
    ip netns exec "$NS" "$PY" "$TOOLS/sasl_server.py" --listen 127.0.0.50:587:XOAUTH2 --listen 127.0.0.51:587:OAUTHBEARER,XOAUTH2 --log "$WORK/scripted.log" \
        >"$WORK/scripted.stdout" 2>&1 &
    PIDS+=($!)
    SCRIPTED_PID=$!
    for _ in $(seq 50); do
        grep -q '^listening' "$WORK/scripted.log" 2>/dev/null && break
        sleep 0.1
    done
    grep -q '^listening' "$WORK/scripted.log" || die "scripted SASL server did not start"
    log "scripted SASL server (tools/sasl_server.py) on 127.0.0.50:587 and 127.0.0.51:587"
}

# ----------------------------------------------------------------- one case
want() {
    [ ${#ONLY[@]} -eq 0 ] && return 0
    local n; for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done
    return 1
}

# run_case NAME CLIENT_KIND SERVER_KIND SESSIONS "BPF" "DESCRIPTION" -- CMD...
#   CLIENT_KIND  swaks | smtplib | msmtp | curl | exim | postfix
#   SERVER_KIND  postfix | scripted | exim
#   SESSIONS     server-side sessions to wait for before the capture stops
run_case() {
    local name=$1 ckind=$2 skind=$3 nsess=$4 bpf=$5 desc=$6
    shift 7
    want "$name" || return 0
    log "case $name"
    local pcap=$WORK/cap/$name.pcap clog=$WORK/cap/$name.client.log
    mkdir -p "$WORK/cap"
    local pf_before sc_before
    local ex_before
    pf_before=$(wc -l <"$WORK/postfix/maillog")
    ex_before=$(wc -l <"$WORK/exim/server.debug")
    sc_before=$(wc -l <"$WORK/scripted.log" 2>/dev/null || echo 0)

    ip netns exec "$NS" tcpdump -i lo -s 0 -B 4096 -U --immediate-mode -n -w "$pcap" "$bpf" 2>"$WORK/cap/$name.tcpdump" &
    local tpid=$!
    PIDS+=($tpid)
    for _ in $(seq 100); do
        grep -q 'listening on' "$WORK/cap/$name.tcpdump" 2>/dev/null && break
        sleep 0.05
    done
    grep -q 'listening on' "$WORK/cap/$name.tcpdump" || die "$name: tcpdump did not start"

    local rc=0
    (cd "$WORK" && nsx "$@") >"$clog" 2>&1 || rc=$?

    # Wait until the server side has closed every session of this case.
    local ends
    for _ in $(seq 100); do
        if [ "$skind" = scripted ]; then
            ends=$(tail -n +"$((sc_before + 1))" "$WORK/scripted.log" | grep -c '^close' || true)
        elif [ "$skind" = exim ]; then
            ends=$(tail -n +"$((ex_before + 1))" "$WORK/exim/server.debug" | grep -c 'SMTP>>(close' || true)
        else
            ends=$(tail -n +"$((pf_before + 1))" "$WORK/postfix/maillog" | grep -c 'smtpd\[[0-9]*\]: disconnect from' || true)
        fi
        [ "$ends" -ge "$nsess" ] && break
        sleep 0.1
    done
    [ "$ends" -ge "$nsess" ] || log "$name: WARNING only $ends of $nsess sessions ended"
    # --immediate-mode hands every packet to tcpdump at once (without it the
    # last ring block can be lost when tcpdump is stopped); the pause lets
    # the final ACKs in.
    sleep 0.5
    kill -TERM "$tpid"; wait "$tpid" 2>/dev/null || true
    tail -n +"$((pf_before + 1))" "$WORK/postfix/maillog" >"$WORK/cap/$name.server.log"
    if [ "$skind" = scripted ]; then
        tail -n +"$((sc_before + 1))" "$WORK/scripted.log" >"$WORK/cap/$name.server.log"
    elif [ "$skind" = exim ]; then
        tail -n +"$((ex_before + 1))" "$WORK/exim/server.debug" >"$WORK/cap/$name.server.log"
    fi
    "$PY" - "$WORK/cap/$name.meta.json" "$name" "$ckind" "$skind" "$nsess" "$bpf" "$desc" "$rc" <<'EOF'
import json, sys
path, name, ckind, skind, nsess, bpf, desc, rc = sys.argv[1:]
json.dump({"name": name, "client_kind": ckind, "server_kind": skind,
           "sessions_expected": int(nsess), "bpf": bpf, "description": desc,
           "client_exit_code": int(rc)}, open(path, "w"), indent=1)
EOF
    [ "$rc" = 0 ] || log "$name: client exited with $rc (kept: the capture may be a deliberate failure)"
}

# ----------------------------------------------------------------- the cases
SW=(swaks --server 127.0.0.25 --local-interface 127.0.0.66 --ehlo client.example.test
    --header "Date: Mon, 01 Jan 2024 10:00:00 +0000" --header "X-Mailer: swaks"
    --timeout 10)
SMTPLIB=("$PY" "$TOOLS/smtplib_client.py")

cases() {
    local pf="Postfix"
    # --- greeting / plain ESMTP
    run_case helo_only_smtplib smtplib postfix 1 "tcp port 25" \
        "HELO (RFC 821 greeting, no ESMTP) then QUIT; nothing else" -- \
        "${SMTPLIB[@]}" helo_only --src 127.0.0.66:40101 --server 127.0.0.25:25
    run_case helo_mail_smtplib smtplib postfix 1 "tcp port 25" \
        "HELO (no ESMTP) then one message: MAIL, RCPT, DATA, QUIT" -- \
        "${SMTPLIB[@]}" helo_mail --src 127.0.0.66:40102 --server 127.0.0.25:25
    run_case ehlo_basic_swaks swaks postfix 1 "tcp port 25" \
        "EHLO, one message (MAIL, RCPT, DATA), QUIT; STARTTLS offered but not used" -- \
        "${SW[@]}" --port 25 --local-port 40103 --from sender@client.example.test --to alice@example.test \
        --header "Subject: ehlo basic" --header "Message-Id: <ehlo-basic@client.example.test>" \
        --body "A plain ESMTP message."
    run_case ehlo_ipv6_swaks swaks postfix 1 "tcp port 25" \
        "EHLO and one message over IPv6 ([::1] to [::1]:25)" -- \
        swaks --server ::1 --port 25 -6 --local-interface ::1 --local-port 40104 --ehlo client.example.test \
        --header "Date: Mon, 01 Jan 2024 10:00:00 +0000" --header "X-Mailer: swaks" --timeout 10 \
        --from sender@client.example.test --to bob@example.test \
        --header "Subject: over IPv6" --header "Message-Id: <ipv6@client.example.test>" --body "Sent over IPv6."
    run_case pipelining_swaks swaks postfix 1 "tcp port 25" \
        "PIPELINING: MAIL, RCPT, RCPT, DATA written as one group, then the body" -- \
        "${SW[@]}" --port 25 --local-port 40105 --pipeline --from sender@client.example.test \
        --to alice@example.test,bob@example.test \
        --header "Subject: pipelined" --header "Message-Id: <pipelined@client.example.test>" \
        --body "Two recipients, one pipelined group."
    run_case rcpt_rejected_swaks swaks postfix 1 "tcp port 25" \
        "Two recipients, one unknown (550 5.1.1 User unknown); the message goes to the other" -- \
        "${SW[@]}" --port 25 --local-port 40106 --from sender@client.example.test \
        --to alice@example.test,nobody@example.test \
        --header "Subject: one bad recipient" --header "Message-Id: <rcpt-rejected@client.example.test>" \
        --body "One recipient of two is unknown."
    run_case relay_denied_swaks swaks postfix 1 "tcp port 25" \
        "Relay attempt from outside mynetworks to an outside domain: 554 5.7.1 Relay access denied, no DATA" -- \
        "${SW[@]}" --port 25 --local-port 40107 --from spammer@client.example.test \
        --to victim@elsewhere.example \
        --header "Subject: relay me" --header "Message-Id: <relay-denied@client.example.test>" \
        --body "Please relay."
    run_case dsn_smtplib smtplib postfix 1 "tcp port 25" \
        "DSN parameters: MAIL RET=HDRS ENVID=..., RCPT NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;..." -- \
        "${SMTPLIB[@]}" dsn --src 127.0.0.66:40108 --server 127.0.0.25:25
    # --- smtplib command families
    run_case smtputf8_smtplib smtplib postfix 1 "tcp port 25" \
        "SMTPUTF8: UTF-8 envelope addresses (MAIL ... SMTPUTF8) and UTF-8 headers" -- \
        "${SMTPLIB[@]}" smtputf8 --src 127.0.0.66:40109 --server 127.0.0.25:25
    run_case body_8bitmime_size_smtplib smtplib postfix 1 "tcp port 25" \
        "MAIL FROM with BODY=8BITMIME and SIZE=, 8-bit body" -- \
        "${SMTPLIB[@]}" 8bitmime_size --src 127.0.0.66:40110 --server 127.0.0.25:25
    run_case size_exceeded_smtplib smtplib postfix 1 "tcp port 25" \
        "MAIL FROM SIZE= above the server limit: 552 5.3.4, then RSET and QUIT" -- \
        "${SMTPLIB[@]}" size_exceeded --src 127.0.0.66:40111 --server 127.0.0.25:25
    run_case rset_noop_vrfy_expn_help_smtplib smtplib postfix 1 "tcp port 25" \
        "NOOP, VRFY (known, unknown), EXPN, HELP, RSET inside a transaction, QUIT" -- \
        "${SMTPLIB[@]}" misc --src 127.0.0.66:40112 --server 127.0.0.25:25
    run_case expn_help_vrfy_exim_smtplib smtplib exim 1 "tcp port 25" \
        "Exim as server (Postfix has no EXPN/HELP): HELP (214), EXPN of an alias list (250 multi-line), VRFY, one message" -- \
        "${SMTPLIB[@]}" expn_help_exim --src 127.0.0.66:40113 --server 127.0.0.30:25
    # --- AUTH (Postfix + Cyrus SASL, in clear on 587)
    local mech port=40120
    for mech in PLAIN LOGIN CRAM-MD5 DIGEST-MD5; do
        local lower; lower=$(echo "$mech" | tr 'A-Z-' 'a-z_')
        port=$((port + 1))
        run_case "auth_${lower}_swaks" swaks postfix 1 "tcp port 587" \
            "AUTH $mech (Cyrus SASL, in clear on 587) then one message" -- \
            "${SW[@]}" --port 587 --local-port "$port" --auth "$mech" \
            --auth-user alice@example.test --auth-password 'Wonderland-2024!' \
            --from alice@example.test --to bob@example.test \
            --header "Subject: auth $mech" --header "Message-Id: <auth-$lower@client.example.test>" \
            --body "Sent after AUTH $mech."
    done
    run_case auth_plain_failed_swaks swaks postfix 1 "tcp port 587" \
        "AUTH PLAIN with a wrong password: 535 5.7.8, client gives up" -- \
        "${SW[@]}" --port 587 --local-port 40129 --auth PLAIN \
        --auth-user alice@example.test --auth-password 'wrong-password' \
        --from alice@example.test --to bob@example.test
    run_case auth_ntlm_swaks swaks postfix 1 "tcp port 587" \
        "AUTH NTLM (Cyrus SASL NTLM plugin, in clear on 587) then one message" -- \
        "${SW[@]}" --port 587 --local-port 40131 --auth NTLM \
        --auth-user alice --auth-password 'Wonderland-2024!' --auth-extra domain=example.test \
        --from alice@example.test --to bob@example.test \
        --header "Subject: auth NTLM" --header "Message-Id: <auth-ntlm@client.example.test>" \
        --body "Sent after AUTH NTLM."
    for mech in scram-sha-1 scram-sha-256; do
        run_case "auth_${mech//-/_}_msmtp" msmtp postfix 1 "tcp port 587" \
            "AUTH ${mech^^} (GNU SASL in msmtp; Cyrus SASL in Postfix), in clear on 587" -- \
            "$TOOLS/run_msmtp.sh" "$WORK/msmtp-$mech" 127.0.0.25 587 127.0.0.66 "$mech" \
            alice@example.test 'Wonderland-2024!' alice@example.test bob@example.test "auth ${mech^^}"
    done
    run_case auth_plain_starttls_swaks swaks postfix 1 "tcp port 587" \
        "STARTTLS on 587 then AUTH PLAIN inside TLS (the AUTH is encrypted on the wire)" -- \
        "${SW[@]}" --port 587 --local-port 40132 --tls --auth PLAIN \
        --auth-user bob@example.test --auth-password 'B0b-s3cret' \
        --from bob@example.test --to alice@example.test \
        --header "Subject: starttls then auth" --header "Message-Id: <starttls-auth@client.example.test>" \
        --body "AUTH inside TLS."
    # --- TLS
    run_case starttls_tls13_swaks swaks postfix 1 "tcp port 25" \
        "STARTTLS (TLS 1.3) on 25, EHLO again, one message inside TLS" -- \
        "${SW[@]}" --port 25 --local-port 40140 --tls --tls-protocol tlsv1_3 \
        --from sender@client.example.test --to alice@example.test \
        --header "Subject: starttls 1.3" --header "Message-Id: <starttls13@client.example.test>" \
        --body "Inside TLS 1.3."
    run_case starttls_tls12_smtplib smtplib postfix 1 "tcp port 25" \
        "STARTTLS (TLS 1.2, key log in logs/) on 25, EHLO again, one message inside TLS" -- \
        "${SMTPLIB[@]}" starttls12 --src 127.0.0.66:40141 --server 127.0.0.25:25 \
        --cafile "$WORK/certs/ca.crt" --keylog "$WORK/cap/starttls_tls12_smtplib.keys"
    run_case implicit_tls_465_swaks swaks postfix 1 "tcp port 465" \
        "Implicit TLS on 465 (RFC 8314): TLS from the first byte, AUTH LOGIN and one message inside" -- \
        "${SW[@]}" --port 465 --local-port 40142 --tls-on-connect --auth LOGIN \
        --auth-user alice@example.test --auth-password 'Wonderland-2024!' \
        --from alice@example.test --to bob@example.test \
        --header "Subject: smtps" --header "Message-Id: <smtps@client.example.test>" \
        --body "Implicit TLS."
    run_case starttls_not_offered_smtplib smtplib postfix 1 "tcp port 25" \
        "STARTTLS not offered (no TLS on this server): client sends it anyway, 502 5.5.1; continues in clear" -- \
        "${SMTPLIB[@]}" starttls_not_offered --src 127.0.0.66:40143 --server 127.0.0.26:25
    run_case starttls_failed_454_smtplib smtplib postfix 1 "tcp port 25" \
        "STARTTLS offered but the server's TLS set-up is broken: 454 4.7.0, client QUITs" -- \
        "${SMTPLIB[@]}" starttls_454 --src 127.0.0.66:40144 --server 127.0.0.27:25
    # --- XCLIENT / XFORWARD
    run_case xclient_swaks swaks postfix 1 "tcp port 25" \
        "XCLIENT from an authorised client (127.0.0.20): ADDR/NAME/HELO override, new banner, EHLO, message" -- \
        swaks --server 127.0.0.25 --port 25 --local-interface 127.0.0.20 --local-port 40150 \
        --ehlo filter.example.test --header "Date: Mon, 01 Jan 2024 10:00:00 +0000" --header "X-Mailer: swaks" \
        --timeout 10 --xclient-addr 192.0.2.7 --xclient-name client7.example.net --xclient-helo helo7.example.net \
        --from sender@example.net --to alice@example.test \
        --header "Subject: xclient" --header "Message-Id: <xclient@filter.example.test>" --body "Via XCLIENT."
    run_case xforward_postfix postfix postfix 2 "tcp port 25 or tcp port 10025" \
        "XFORWARD: swaks submits to Postfix:25, Postfix's smtp client relays to its own listener on 10025 sending XFORWARD (two sessions)" -- \
        "${SW[@]}" --port 25 --local-port 40151 --from sender@client.example.test --to carol@relay.example.test \
        --header "Subject: xforward" --header "Message-Id: <xforward@client.example.test>" --body "Relayed with XFORWARD."
    # --- CHUNKING
    run_case bdat_exim exim postfix 1 "tcp port 25" \
        "CHUNKING: Exim (sending MTA) delivers with BDAT ... LAST (and PIPELINING) to Postfix" -- \
        "$TOOLS/run_exim.sh" "$EXIM" "$WORK/exim/exim.conf" sender@exim.example.test alice@example.test \
        "bdat from exim"
    # --- AUTH mechanisms no Debian server offers: scripted server
    run_case auth_xoauth2_curl curl scripted 1 "tcp port 587" \
        "AUTH XOAUTH2 by curl against the SCRIPTED server tools/sasl_server.py, then one message" -- \
        curl -sS -v --url smtp://127.0.0.50:587/client.example.test --interface 127.0.0.66 --local-port 40160 \
        --user "alice@example.test" --oauth2-bearer "ya29.fake-token-for-tests" --login-options "AUTH=XOAUTH2" \
        --mail-from alice@example.test --mail-rcpt bob@example.test --upload-file "$WORK/message.eml"
    run_case auth_oauthbearer_curl curl scripted 1 "tcp port 587" \
        "AUTH OAUTHBEARER (RFC 7628) by curl against the SCRIPTED server, then one message" -- \
        curl -sS -v --url smtp://127.0.0.51:587/client.example.test --interface 127.0.0.66 --local-port 40161 \
        --user "alice@example.test" --oauth2-bearer "fake-bearer-token" --login-options "AUTH=OAUTHBEARER" \
        --mail-from alice@example.test --mail-rcpt bob@example.test --upload-file "$WORK/message.eml"
    run_case auth_oauthbearer_failed_curl curl scripted 1 "tcp port 587" \
        "AUTH OAUTHBEARER with a rejected token: 334 error JSON, client sends ^A, 535 (SCRIPTED server)" -- \
        curl -sS -v --url smtp://127.0.0.51:587/client.example.test --interface 127.0.0.66 --local-port 40162 \
        --user "alice@example.test" --oauth2-bearer "expired-token" --login-options "AUTH=OAUTHBEARER" \
        --mail-from alice@example.test --mail-rcpt bob@example.test --upload-file "$WORK/message.eml"
}

# ------------------------------------------------------------------- main
T0=$(date +%s)
setup_namespace
make_certs
setup_postfix
setup_exim
start_scripted_server
printf 'From: alice@example.test\r\nTo: bob@example.test\r\nSubject: sent by curl\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\nMessage-ID: <curl@client.example.test>\r\n\r\nSent by curl after an OAuth 2.0 AUTH.\r\n' \
    >"$WORK/message.eml"
cases

log "writing expect files"
mkdir -p "$LOGS"
"$PY" "$TOOLS/make_expect.py" --work "$WORK" --out "$HERE" --logs "$LOGS" \
    --postfix-version "$POSTFIX_VERSION" --exim-version "$EXIM_VERSION"
log "done in $(( $(date +%s) - T0 )) s"
