#!/usr/bin/env bash
# A development CA and the mTLS certificates of docker-compose.temporal.yml, made with openssl:
#
#   scripts/dev-certs.sh [--renew] [DIR]        DIR defaults to ${OFFBOARD_DATA_DIR:-.data}/certs
#
#   ca.pem, ca.key           the CA (its key never leaves DIR and is never mounted into a container)
#   temporal.pem/.key        the Temporal server: frontend and internode (DNS temporal, localhost, 127.0.0.1;
#                            server and client auth, since the server's own nodes and system worker call each other)
#   worker.pem/.key          client: the offboarding worker          (CN offboarding-worker)
#   api.pem/.key             client: the offboarding API server      (CN offboarding-api)
#   ui.pem/.key              client: the Temporal UI server          (CN temporal-ui)
#   admin.pem/.key           client: setup job, health checks, an operator's `temporal` CLI (CN temporal-admin)
#   web.pem/.key             server: what browsers reach, the API (its /codec endpoint) and the UI
#                            (DNS localhost, 127.0.0.1 and each name in OFFBOARD_CERT_HOSTS, comma-separated)
#
# Run again, it keeps what exists; --renew issues the leaf certificates again under the same CA. DIR is 0700 and the
# CA key 0600; the other keys are 0644 inside it, so that the containers' users (uid 1000) can read the single files
# compose mounts, while no other user of this machine can reach them. For production, bring your own: see README,
# "Security and trust".
set -euo pipefail

renew=false
if [ "${1:-}" = "--renew" ]; then
  renew=true
  shift
fi
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-${OFFBOARD_DATA_DIR:-$repo/.data}/certs}"
days="${OFFBOARD_CERT_DAYS:-825}"
command -v openssl >/dev/null || { echo "dev-certs: openssl is needed (apt-get install openssl)" >&2; exit 2; }

mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"

if [ ! -s ca.pem ] || [ ! -s ca.key ]; then
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null)
  openssl req -x509 -new -key ca.key -out ca.pem -days 3650 -sha256 -subj "/CN=acs-offboarding development CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign"
  echo "dev-certs: new CA $dir/ca.pem"
fi

# issue NAME CN USAGE SANS: a P-256 key and a certificate signed by the CA. USAGE is serverAuth, clientAuth or both.
issue() {
  local name="$1" cn="$2" usage="$3" sans="$4"
  if [ -s "$name.pem" ] && [ -s "$name.key" ] && [ "$renew" = false ]; then return; fi
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.key" 2>/dev/null
  chmod 644 "$name.key"
  local ext
  ext="$(mktemp)"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature"
    echo "extendedKeyUsage=$usage"
    if [ -n "$sans" ]; then echo "subjectAltName=$sans"; fi
  } >"$ext"
  openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" -sha256 \
    -extfile "$ext" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr" "$ext"
  echo "dev-certs: $dir/$name.pem ($cn, $usage${sans:+, $sans})"
}

web_sans="DNS:localhost,IP:127.0.0.1"
IFS=',' read -r -a extra_hosts <<<"${OFFBOARD_CERT_HOSTS:-}"
for host in "${extra_hosts[@]}"; do
  host="$(echo "$host" | tr -d '[:space:]')"
  [ -z "$host" ] && continue
  if [[ "$host" =~ ^[0-9.]+$ ]]; then web_sans="$web_sans,IP:$host"; else web_sans="$web_sans,DNS:$host"; fi
done

issue temporal temporal "serverAuth,clientAuth" "DNS:temporal,DNS:localhost,IP:127.0.0.1"
issue worker offboarding-worker clientAuth ""
issue api offboarding-api clientAuth ""
issue ui temporal-ui clientAuth ""
issue admin temporal-admin clientAuth ""
issue web "acs-offboarding web" serverAuth "$web_sans"
rm -f ca.srl
echo "dev-certs: done; the compose file reads them from OFFBOARD_CERTS_DIR (now $dir). Browsers must trust ca.pem."
