#!/bin/sh
# One-shot (temporal-admin-tools in docker-compose.yml): registers the custom search attributes
# of packages/contracts/src/search-attributes.ts in the namespace, retrying until the server and
# the namespace (created by auto-setup) answer. Idempotent: exits 0 once every one is listed.
set -u

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
ATTEMPTS="${ATTEMPTS:-90}"
SEARCH_ATTRIBUTES="TicketReference:Keyword TicketStatus:Keyword RequestType:Keyword OrganizationId:Keyword
Assignee:Keyword AssignedTeam:Keyword Priority:Keyword SlaBreached:Bool"

i=1
while [ "$i" -le "$ATTEMPTS" ]; do
  if listed="$(temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" 2>&1)"; then
    set --
    for sa in $SEARCH_ATTRIBUTES; do
      name="${sa%%:*}"
      printf '%s\n' "$listed" | grep -qw "$name" || set -- "$@" --name "$name" --type "${sa#*:}"
    done
    if [ "$#" -eq 0 ]; then
      echo "search attributes registered in namespace $NAMESPACE"
      exit 0
    fi
    temporal operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" "$@" ||
      echo "could not create search attributes yet (attempt $i/$ATTEMPTS)"
  else
    echo "temporal at $ADDRESS not ready yet (attempt $i/$ATTEMPTS): $(printf '%s' "$listed" | tail -n 1)"
  fi
  i=$((i + 1))
  sleep 2
done
echo "gave up registering search attributes after $ATTEMPTS attempts" >&2
exit 1
