#!/usr/bin/env bash
# End-to-end check of a running desk: health, readiness, public config, sign-in, raise a
# query, see it in the inbox, and find its email in the outbox. Usage:
#   ops/smoke.sh [base-url]        (default http://127.0.0.1:3000)
# Needs the demo accounts (npm start on the embedded default seeds them) or SMOKE_* variables.
set -euo pipefail
BASE="${1:-${SMOKE_BASE_URL:-http://127.0.0.1:3000}}"
PARTNER="${SMOKE_PARTNER_EMAIL:-partner@acme.test}"
ADMIN="${SMOKE_ADMIN_EMAIL:-admin@demo.test}"
PASSWORD="${SMOKE_PASSWORD:-demo-password-1}"
ASSIGNMENT="${SMOKE_ASSIGNMENT_ID:-asg-1001}"
JAR=$(mktemp -d)
trap 'rm -rf "$JAR"' EXIT

step() { printf '%-44s' "$1"; }
ok() { echo "ok${1:+ ($1)}"; }
fail() { echo "FAILED: $1"; exit 1; }
json() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=($1)(JSON.parse(s));if(v===undefined)process.exit(3);console.log(v)})"; }

step "health ($BASE/healthz)"
health=$(curl -fsS "$BASE/healthz") || fail "no answer"
[ "$(echo "$health" | json 'h=>h.database.ok && h.eventStore.ok')" = "true" ] || fail "$health"
ok "$(echo "$health" | json 'h=>h.status')"

step "readiness"
for i in $(seq 1 30); do curl -fsS -o /dev/null "$BASE/readyz" && break; sleep 1; done
curl -fsS -o /dev/null "$BASE/readyz" || fail "not ready after 30 s"
ok

step "public config"
curl -fsS "$BASE/api/support/public/config" | json 'c=>typeof c.whatsappBubbleEnabled' | grep -q boolean || fail "bad public config"
ok

sign_in() {
  curl -fsS -c "$JAR/$1" -H 'content-type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"$PASSWORD\"}" "$BASE/api/auth/sign-in" | json 'r=>r.csrfToken'
}
step "sign-in as partner and admin"
PCSRF=$(sign_in partner "$PARTNER") || fail "partner sign-in"
ACSRF=$(sign_in admin "$ADMIN") || fail "admin sign-in"
ok

step "raise a query"
SUBJECT="Smoke test $(date +%s)"
raised=$(curl -fsS -b "$JAR/partner" -H 'content-type: application/json' -H "x-csrf-token: $PCSRF" \
  -d "{\"assignmentId\":\"$ASSIGNMENT\",\"queryType\":\"OTHER\",\"priority\":\"LOW\",\"subject\":\"$SUBJECT\",\"body\":\"Checking the desk end to end.\"}" \
  "$BASE/api/support/threads") || fail "raise query"
THREAD=$(echo "$raised" | json 'r=>r.threadId')
POSITION=$(echo "$raised" | json 'r=>r.position')
ok "$THREAD"

step "see it in the inbox (read-your-writes)"
inbox=$(curl -fsS -b "$JAR/admin" "$BASE/api/support/inbox?status=OPEN&limit=50&waitFor=$POSITION") || fail "inbox"
echo "$inbox" | json "p=>p.items.some(t=>t.threadId==='$THREAD')" | grep -q true || fail "thread not in inbox"
ok

step "an email for it in the outbox"
found=false
for i in $(seq 1 30); do
  queue=$(curl -fsS -b "$JAR/admin" "$BASE/api/ops/email/queue" || true)
  if echo "$queue" | json "q=>JSON.stringify(q).includes('$THREAD')" 2>/dev/null | grep -q true; then found=true; break; fi
  sleep 1
done
[ "$found" = true ] || fail "no email queued for the thread within 30 s"
ok

step "a file: upload, attach, scan, download"
FILE="$JAR/smoke.txt"
printf 'Smoke test %s: the delivery note.\n' "$(date +%s)" > "$FILE"
uploaded=$(curl -fsS -b "$JAR/partner" -H "x-csrf-token: $PCSRF" -F "file=@$FILE;type=text/plain" \
  "$BASE/api/support/attachments") || fail "upload"
FILE_ID=$(echo "$uploaded" | json 'r=>r.attachments[0].attachmentId')
posted=$(curl -fsS -b "$JAR/partner" -H 'content-type: application/json' -H "x-csrf-token: $PCSRF" \
  -d "{\"body\":\"The note is attached.\",\"attachmentIds\":[\"$FILE_ID\"]}" \
  "$BASE/api/support/threads/$THREAD/messages") || fail "attach"
POSITION=$(echo "$posted" | json 'r=>r.position')
curl -fsS -o /dev/null -b "$JAR/admin" "$BASE/api/support/threads/$THREAD?waitFor=$POSITION" || fail "thread view"
got=false
for i in $(seq 1 30); do
  if curl -fsS -b "$JAR/admin" -o "$JAR/downloaded" "$BASE/api/support/attachments/$FILE_ID" 2>/dev/null; then got=true; break; fi
  sleep 1
done
[ "$got" = true ] || fail "the file was not served within 30 s (scanned?)"
cmp -s "$FILE" "$JAR/downloaded" || fail "the downloaded file differs from the upload"
ok "$FILE_ID"

echo "smoke test passed against $BASE"
