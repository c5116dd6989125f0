# Sourced by scripts/bench: the `site` mode (issue 17).
#
# secdesk-site-render on the lookup database of N issues (default 100000,
# see lookup_db), copied and given two months of states (states.sql): the
# first render into an empty directory, a run with nothing changed, then
# three rounds of 10 issues changed through the real secdesk CLI (public
# notes, claims, releases fixed), each followed by a re-render, and a run
# on the next day (when the trends page is drawn again); the files each
# run wrote are counted by their modification time (find -newer), beside
# what the run says it wrote.
# Compared with the first render (the cost without the incremental path)
# and with `cp -a` of the whole site (what a naive publish step costs).
# Goal: the re-render after 10 changes under 1 s, writing only what changed.

site_bench() {
  local n=${n_arg:-100000}
  local src db out cfg
  src=$(lookup_db "$n")
  db="$work/site-$n.sqlite"
  out="$work/site-$n"
  cfg="$work/site-$n.json"
  rm -rf "$out" "$db"*
  cp "$src" "$db"
  { echo "CREATE TEMP TABLE bench AS SELECT '$lookup_now' AS now;"; cat scripts/bench.d/states.sql; } |
    sqlite3 -bail "$db" >/dev/null || die "scripts/bench.d/states.sql failed"
  cat >"$cfg" <<JSON
{ "database": "$db", "releases": ["25.05", "25.11", "unstable"],
  "team": [{"id": "alice", "name": "Alice", "email": "alice@example.org", "timezone": "UTC"}],
  "rotation": {"start": "2026-11-02", "order": ["alice"]},
  "site": {"out_dir": "$out", "base_url": "https://security.example.org/"} }
JSON
  local sec=(--config "$cfg" --now "$lookup_now")
  local next_day
  next_day=$(date -u -d "$lookup_now + 1 day" +%Y-%m-%dT%H:%M:%SZ)
  local first_s first_kib noop_s
  read -r first_s first_kib < <(run site-first "$bin/secdesk-site-render" "${sec[@]}")
  local files mib
  files=$(find "$out" -type f | wc -l)
  mib=$(du -sm "$out" | cut -f1)
  read -r noop_s _ < <(run site-noop "$bin/secdesk-site-render" "${sec[@]}")
  local noop_out
  noop_out=$(cat "$work/site-noop.out")
  # Three rounds of 10 issues changed through the real CLI, each a
  # different kind of change: a public note (the issue page alone), a
  # claim (its rows in the lists, CVE and package pages, the export and
  # the feed), a release fixed with a reference (the same, and the status).
  local rounds=() round kinds=(note claim fixed)
  for round in 1 2 3; do
    local k id kind=${kinds[$((round - 1))]}
    for k in $(seq 0 9); do
      id=$(( (k * n / 10 + round * 7919) % n + 1 ))
      case "$kind" in
        note) "$bin/secdesk" "${sec[@]}" --as alice note "$id" --public "bench round $round" ;;
        claim) "$bin/secdesk" "${sec[@]}" --as alice claim "$id" ;;
        fixed) "$bin/secdesk" "${sec[@]}" --as alice release-status "$id" unstable fixed --ref "PR #$id" ;;
      esac >/dev/null || die "secdesk $kind $id failed"
    done
    touch "$work/site-marker"
    sleep 1
    local s kib said touched
    read -r s kib < <(run "site-10-$round" "$bin/secdesk-site-render" "${sec[@]}")
    said=$(cat "$work/site-10-$round.out")
    touched=$(find "$out" -type f -newer "$work/site-marker" | wc -l)
    rounds+=("$kind $s $kib $touched $said")
  done
  # The next day nothing changed, but the trends page is drawn again.
  local day_s day_kib
  read -r day_s day_kib < <(run site-day "$bin/secdesk-site-render" --config "$cfg" --now "$next_day")
  local cp_s
  rm -rf "$out.copy"
  read -r cp_s _ < <(run site-cp cp -a "$out" "$out.copy")
  rm -rf "$out.copy"
  echo "Public site of $(big_summary "$db")"
  echo "  first render: $first_s s, peak $((first_kib / 1024)) MiB: $(cat "$work/site-first.out")"
  echo "    $files files, $mib MiB; cp -a of the site takes $cp_s s"
  echo "  nothing changed: $noop_s s: $noop_out"
  local r kind
  for r in "${rounds[@]}"; do
    read -r kind s kib touched said <<<"$r"
    echo "  10 issues changed ($kind): $s s (goal: under 1 s; $(awk -v a="$s" -v b="$first_s" 'BEGIN { printf "%.1f%%", 100 * a / b }') of the first render), peak $((kib / 1024)) MiB, $touched files written on disk: $said"
  done
  echo "  the next day, nothing changed (trends drawn again): $day_s s, peak $((day_kib / 1024)) MiB: $(cat "$work/site-day.out")"
}
