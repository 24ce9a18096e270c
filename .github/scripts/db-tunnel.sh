#!/usr/bin/env bash
# The database tunnel the deploy and drift jobs open themselves (issue 10): an
# SSM Session Manager port forward from the runner, through the stack's bastion
# (package bastion), to the private RDS endpoint, so that the postgresql
# provider of the database bootstrap is reachable with no person involved.
#
# usage: db-tunnel.sh install-plugin|status|configure|open|close
#
#   install-plugin  install the Session Manager plugin for the AWS CLI: the
#                   pinned release, its signature checked against AWS's key
#   status          bastion=on|off (the stack file's bastion.enabled) and
#                   instance=<the bastionInstanceId output, if a real one>,
#                   printed and appended to $GITHUB_OUTPUT
#   configure       point the postgresql provider at the tunnel's local end:
#                   database.tunnelHost=localhost, database.tunnelPort=
#                   bastion.localPort, set on this runner's stack file only
#   open            start the port forward in the background, wait until its
#                   local port answers and the database answers through it,
#                   then configure; a no-op when the bastion is off
#   close           end the session (TerminateSession) and stop the local
#                   process; a no-op when open started nothing
#
# Environment: STACK (required); PULUMI_DIR, the project's checkout (default
# .); TUNNEL_WAIT_SECONDS, how long open waits for each check (default 90);
# RUNNER_TEMP, where open records the session for close (default /tmp).
set -euo pipefail

# The plugin release (AWS's release history: 1.2.896.0, 2026-10-09; 1.2.764.0
# is the oldest Session Manager still supports) and the fingerprint of the key
# AWS signs the Linux packages with ("Verify the signature of the Session
# Manager plugin", releases 1.2.707.0 and later).
readonly PLUGIN_VERSION=1.2.896.0
readonly PLUGIN_URL=https://s3.amazonaws.com/session-manager-downloads/plugin/$PLUGIN_VERSION/ubuntu_64bit/session-manager-plugin.deb
readonly PLUGIN_KEY_FINGERPRINT=7959637124CE093AD501D47A2C4D4AFF6F6757EE
# Must match delivery.TunnelDocument: the only document the roles may start.
readonly DOCUMENT=AWS-StartPortForwardingSessionToRemoteHost
readonly NS=article-pipeline

STATE=${RUNNER_TEMP:-/tmp}/db-tunnel
WAIT=${TUNNEL_WAIT_SECONDS:-90}

die() {
	echo "::error::db-tunnel: $*" >&2
	exit 1
}

p() { pulumi --cwd "${PULUMI_DIR:-.}" "$@"; }

# config KEY DEFAULT: the stack file's value at the path KEY, or DEFAULT.
config() {
	local v
	if v=$(p config get --stack "$STACK" --path "$1" 2>/dev/null); then
		printf '%s' "$v"
	else
		printf '%s' "$2"
	fi
}

bastion_on() { [ "$(config "$NS:bastion.enabled" false)" = true ]; }

local_port() {
	local port
	port=$(config "$NS:bastion.localPort" 5432)
	[[ $port =~ ^[0-9]+$ ]] || die "$NS:bastion.localPort is $port, not a port number"
	printf '%s' "$port"
}

# outputs: the stack's outputs as JSON ({} before its first update).
outputs() { p stack output --stack "$STACK" --json; }

# An up that skipped the bastion or the database (--target, --exclude) saves
# Pulumi's unknown-value placeholder (a UUID) as their outputs: only values of
# the right shape count.
instance_id() { jq -r '.bastionInstanceId // empty | strings | select(test("^i-[0-9a-f]{8,17}$"))' <<<"$1"; }
database_address() { jq -r '.databaseAddress // empty | strings | select(test("^[a-z0-9][a-z0-9.-]*[a-z0-9]$"))' <<<"$1"; }

# answers PORT: something accepts connections on localhost:PORT.
# shellcheck disable=SC2016 # $1 is the inner shell's argument
answers() { timeout 5 bash -c 'exec 3<>"/dev/tcp/localhost/$1"' _ "$1" 2>/dev/null; }

# database_answers PORT: a PostgreSQL server replies through localhost:PORT. An
# SSLRequest (length 8, code 80877103) is answered with one byte, S or N,
# before any authentication: proof that the bastion reaches the database, not
# only that the local end of the tunnel listens.
database_answers() {
	local reply
	# shellcheck disable=SC2016 # $1 is the inner shell's argument
	reply=$(timeout 10 bash -c 'exec 3<>"/dev/tcp/localhost/$1" && printf "\x00\x00\x00\x08\x04\xd2\x16\x2f" >&3 && head -c 1 <&3' _ "$1" 2>/dev/null) || return 1
	[ "$reply" = S ] || [ "$reply" = N ]
}

# alive PID: the process runs (a zombie, ended but not yet reaped by whichever
# process inherited it, does not).
alive() {
	local stat
	stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $stat != Z* ]]
}

# session_id: the ID the plugin printed ("Starting session with SessionId: ...").
session_id() {
	[ -f "$STATE/session.log" ] || return 0
	sed -n 's/^Starting session with SessionId: *\([A-Za-z0-9._@=+-]*[A-Za-z0-9_@=+-]\).*$/\1/p' "$STATE/session.log" | head -n 1
}

cmd_install_plugin() {
	local dir
	dir=$(mktemp -d)
	curl --fail --silent --show-error --location --retry 3 --output "$dir/plugin.deb" "$PLUGIN_URL"
	curl --fail --silent --show-error --location --retry 3 --output "$dir/plugin.deb.sig" "$PLUGIN_URL.sig"
	mkdir -m 700 "$dir/gnupg"
	GNUPGHOME=$dir/gnupg gpg --batch --quiet --import <<'KEY'
-----BEGIN PGP PUBLIC KEY BLOCK-----

mFIEZ5ERQxMIKoZIzj0DAQcCAwQjuZy+IjFoYg57sLTGhF3aZLBaGpzB+gY6j7Ix
P7NqbpXyjVj8a+dy79gSd64OEaMxUb7vw/jug+CfRXwVGRMNtIBBV1MgU1NNIFNl
c3Npb24gTWFuYWdlciA8c2Vzc2lvbi1tYW5hZ2VyLXBsdWdpbi1zaWduZXJAYW1h
em9uLmNvbT4gKEFXUyBTeXN0ZW1zIE1hbmFnZXIgU2Vzc2lvbiBNYW5hZ2VyIFBs
dWdpbiBMaW51eCBTaWduZXIgS2V5KYkBAAQQEwgAqAUCZ5ERQ4EcQVdTIFNTTSBT
ZXNzaW9uIE1hbmFnZXIgPHNlc3Npb24tbWFuYWdlci1wbHVnaW4tc2lnbmVyQGFt
YXpvbi5jb20+IChBV1MgU3lzdGVtcyBNYW5hZ2VyIFNlc3Npb24gTWFuYWdlciBQ
bHVnaW4gTGludXggU2lnbmVyIEtleSkWIQR5WWNxJM4JOtUB1HosTUr/b2dX7gIe
AwIbAwIVCAAKCRAsTUr/b2dX7rO1AQCa1kig3lQ78W/QHGU76uHx3XAyv0tfpE9U
oQBCIwFLSgEA3PDHt3lZ+s6m9JLGJsy+Cp5ZFzpiF6RgluR/2gA861M=
=2DQm
-----END PGP PUBLIC KEY BLOCK-----
KEY
	# A good signature by exactly that key, read from gpg's machine-readable
	# status lines rather than its exit code alone.
	if ! GNUPGHOME=$dir/gnupg gpg --batch --status-fd 1 --verify "$dir/plugin.deb.sig" "$dir/plugin.deb" 2>/dev/null |
		grep -q "^\[GNUPG:\] VALIDSIG $PLUGIN_KEY_FINGERPRINT "; then
		die "session-manager-plugin.deb $PLUGIN_VERSION is not signed by AWS's key $PLUGIN_KEY_FINGERPRINT"
	fi
	sudo dpkg --install "$dir/plugin.deb" >/dev/null
	local got
	got=$(session-manager-plugin --version)
	[ "$got" = "$PLUGIN_VERSION" ] || die "session-manager-plugin --version is $got, want $PLUGIN_VERSION"
	echo "session-manager-plugin $got installed (signature checked)"
}

cmd_status() {
	local on=off id="" out
	if bastion_on; then
		on=on
		out=$(outputs)
		id=$(instance_id "$out")
	fi
	printf 'bastion=%s\ninstance=%s\n' "$on" "$id"
	if [ -n "${GITHUB_OUTPUT:-}" ]; then
		printf 'bastion=%s\ninstance=%s\n' "$on" "$id" >>"$GITHUB_OUTPUT"
	fi
}

cmd_configure() {
	if ! bastion_on; then
		echo "$STACK: bastion off; the postgresql provider connects to the instance endpoint"
		return 0
	fi
	local port
	port=$(local_port)
	p config set --stack "$STACK" --path "$NS:database.tunnelHost" localhost
	p config set --stack "$STACK" --path "$NS:database.tunnelPort" "$port"
	echo "$STACK: postgresql provider -> localhost:$port (this runner's stack file only)"
}

cmd_open() {
	if ! bastion_on; then
		echo "::notice::$STACK: $NS:bastion.enabled is not true; no database tunnel"
		return 0
	fi
	local out id host port remote region pid
	out=$(outputs)
	id=$(instance_id "$out")
	host=$(database_address "$out")
	[ -n "$id" ] || die "$STACK has no bastionInstanceId output (an i-... ID): the bastion is created by an up that excludes the postgresql resources first (deploy-stack.yml)"
	[ -n "$host" ] || die "$STACK has no databaseAddress output"
	port=$(local_port)
	remote=$(config "$NS:database.port" 5432)
	[[ $remote =~ ^[0-9]+$ ]] || die "$NS:database.port is $remote, not a port number"
	region=$(config aws:region "${AWS_REGION:-}")
	if answers "$port"; then
		die "localhost:$port already answers: the postgresql provider would not reach the database through the tunnel"
	fi

	mkdir -p "$STATE"
	# In its own session (process group), so that close stops the AWS CLI and
	# the plugin together; no terminal, and output to a file, so that the
	# step finishes while the tunnel stays up for the next steps.
	setsid aws ssm start-session ${region:+--region "$region"} --target "$id" --document-name "$DOCUMENT" \
		--parameters "host=$host,portNumber=$remote,localPortNumber=$port" \
		</dev/null >"$STATE/session.log" 2>&1 &
	pid=$!
	echo "$pid" >"$STATE/pid"
	echo "$STACK: port forward localhost:$port -> $host:$remote through $id (process $pid)"

	local i
	for ((i = 0; ; i++)); do
		if answers "$port"; then
			break
		fi
		if ! alive "$pid"; then
			cat "$STATE/session.log" >&2
			die "the session ended before localhost:$port opened"
		fi
		if ((i >= WAIT)); then
			cat "$STATE/session.log" >&2
			die "localhost:$port did not open within ${WAIT}s"
		fi
		sleep 1
	done
	for ((i = 0; ; i += 3)); do
		if database_answers "$port"; then
			break
		fi
		if ((i >= WAIT)); then
			cat "$STATE/session.log" >&2
			die "the database does not answer through the tunnel within ${WAIT}s (bastion egress or the database's ingress rule?)"
		fi
		sleep 3
	done
	echo "$STACK: session $(session_id) open; the database answers on localhost:$port"
	cmd_configure
}

cmd_close() {
	if [ ! -f "$STATE/pid" ]; then
		echo "no database tunnel was opened"
		return 0
	fi
	local pid session i
	pid=$(cat "$STATE/pid")
	session=$(session_id)
	# TerminateSession first: it ends the session on AWS's side whatever
	# happens to the local process. Then SIGINT, on which the plugin sends its
	# own terminate flag and exits; SIGKILL if it does not.
	if [ -n "$session" ]; then
		if aws ssm terminate-session --session-id "$session" >/dev/null; then
			echo "session $session terminated"
		else
			echo "::warning::db-tunnel: could not terminate session $session; stopping the local process ends it"
		fi
	else
		echo "::warning::db-tunnel: no session ID in the plugin's output; stopping the local process only"
	fi
	kill -INT -- "-$pid" 2>/dev/null || true
	for ((i = 0; i < 10; i++)); do
		alive "$pid" || break
		sleep 1
	done
	kill -KILL -- "-$pid" 2>/dev/null || true
	rm -f "$STATE/pid"
}

case ${1:-} in
status | configure | open | close) [ -n "${STACK:-}" ] || die "STACK is not set" ;;
esac
case ${1:-} in
install-plugin) cmd_install_plugin ;;
status) cmd_status ;;
configure) cmd_configure ;;
open) cmd_open ;;
close) cmd_close ;;
*) die "usage: db-tunnel.sh install-plugin|status|configure|open|close" ;;
esac
