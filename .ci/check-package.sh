#!/usr/bin/env bash
# Run by .ci/run inside a second brand-new Debian 12 root that has nothing of the build: the
# package installs with apt (so its Depends are all it needs), its files are where a desktop
# looks for them, the installed tsmigrate-cli runs the demo, and the installed tsmigrate starts.
set -euo pipefail
started=$(date +%s)
say() { printf '\n=== [package root %4ds] %s\n' "$(($(date +%s) - started))" "$*"; }
fail() { echo "package check: $*" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

say "apt-get install --no-install-recommends ./tsmigrate_*.deb (its Depends alone must do)"
cd /out
apt-get update -q
apt-get install -y -q --no-install-recommends ./tsmigrate_*_amd64.deb

say "the package's files"
id=org.tsmigrate.tsmigrate
for f in /usr/bin/tsmigrate /usr/bin/tsmigrate-cli \
    /usr/share/applications/$id.desktop /usr/share/metainfo/$id.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/$id.svg \
    /usr/share/man/man1/tsmigrate-cli.1.gz \
    /usr/share/bash-completion/completions/tsmigrate-cli \
    /usr/share/tsmigrate/sample.lp /usr/share/tsmigrate/profiles/demo.json \
    /usr/share/doc/tsmigrate/README.md; do
    [ -s "$f" ] || fail "$f is missing"
done
for size in 16 24 32 48 64 128 256; do
    png=/usr/share/icons/hicolor/${size}x${size}/apps/$id.png
    [ -s "$png" ] || fail "$png is missing"
done
grep -q "^Icon=$id$" /usr/share/applications/$id.desktop || fail "the menu entry names another icon"
zcat /usr/share/man/man1/tsmigrate-cli.1.gz | grep -q '^\.SH "EXIT STATUS"' ||
    fail "the man page has no EXIT STATUS section"
zcat /usr/share/man/man1/tsmigrate-cli.1.gz | grep -q 'TSMIGRATE_SOURCE_PASSWORD' ||
    fail "the man page does not name the secrets' environment variables"
echo "every file in place; the menu entry names icon $id, found in hicolor at every size"

say "bash completion of commands and --set keys"
apt-get install -y -q --no-install-recommends bash-completion >/dev/null
completions=$(bash -c '
    source /usr/share/bash-completion/bash_completion
    source /usr/share/bash-completion/completions/tsmigrate-cli
    complete_line() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}; _tsmigrate_cli; printf "%s\n" "${COMPREPLY[@]}"; }
    complete_line tsmigrate-cli st
    complete_line tsmigrate-cli run x.json --set advanced.batch')
echo "$completions"
grep -qx "status" <<<"$completions" || fail "completion does not offer status"
grep -qx "advanced.batchSize=" <<<"$completions" || fail "completion does not offer advanced.batchSize="

say "the installed tsmigrate-cli runs the demo"
demo=$(mktemp -d)
tsmigrate-cli run /usr/share/tsmigrate/profiles/demo.json --state "$demo/state.sqlite" \
    --set target.path="$demo/out.lp"
points=$(grep -cvE '^(#|CREATE |$)' /usr/share/tsmigrate/sample.lp)
written=$(grep -cvE '^(#|CREATE |$)' "$demo/out.lp")
[ "$points" -gt 1000 ] && [ "$written" -eq "$points" ] || fail "demo: $written of $points points"
tsmigrate-cli status --state "$demo/state.sqlite" | tee "$demo/status.txt"
grep -q '^demo: completed,' "$demo/status.txt" || fail "the demo is not completed"

say "the installed tsmigrate starts (offscreen, 5 s) and seeds its store with the demo task"
gui=$(mktemp -d)
set +e
QT_QPA_PLATFORM=offscreen timeout 5 tsmigrate --state "$gui/tasks.sqlite" >"$gui/log" 2>&1
status=$?
set -e
cat "$gui/log"
[ "$status" -eq 124 ] || fail "tsmigrate ended by itself with exit $status within 5 s"
tsmigrate-cli run --task demo --state "$gui/tasks.sqlite"
# Read from a file: grep -q on a pipe quits at the first match, and the status lines written
# after it then end tsmigrate-cli with SIGPIPE, which pipefail counts as a failure.
tsmigrate-cli status --state "$gui/tasks.sqlite" >"$gui/status.txt"
grep -q '^demo: completed,' "$gui/status.txt" ||
    fail "the app's demo task did not run to completion"
say "the package works"
