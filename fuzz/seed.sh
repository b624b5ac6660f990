#!/usr/bin/env bash
# Seeds the fuzz corpora from the bundled example (agenda/): every record file, prefixed with the
# byte that selects its kind (index into Kind::ALL), plus edits and date phrases. Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/parse_record corpus/edit corpus/fuzzy_date corpus/merge corpus/query corpus/received_pack
kind_byte() {
  case "$1" in
    registry/bodies) echo 0 ;; registry/organisations) echo 1 ;; registry/people) echo 2 ;;
    meetings) echo 3 ;; items) echo 4 ;; notes) echo 5 ;; actions) echo 6 ;;
  esac
}
n=0
for folder in registry/bodies registry/organisations registry/people meetings items notes actions; do
  b=$(kind_byte "$folder")
  for f in ../agenda/"$folder"/*.toml; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .toml)
    { printf "\\x$(printf %02x "$b")"; cat "$f"; } > "corpus/parse_record/seed-$name"
    n=$((n + 1))
    # a handful of edits per kind
    if [ $((n % 4)) -eq 0 ]; then
      for fv in "status\0gereed" "title\0Nieuwe titel" "due\0medio april 2021" "date\02021-02-08" \
                "annotation.advies\0regel 1\nregel 2" "presenters[pr-1].status\0bevestigd" \
                "duration\030" "contributors\0EZK, BZK" "unknown\0x"; do
        { printf "\\x$(printf %02x "$b")"; cat "$f"; printf '\0'; printf "$fv"; } \
          > "corpus/edit/seed-$name-$(printf '%s' "$fv" | cksum | cut -d' ' -f1)"
      done
    fi
  done
done
i=0
for p in "2021-02-08" "8 februari 2021" "februari 2021" "begin maart 2021" "medio april 2020" \
         "eind 2020" "Q3 2020" "H1 2021" "voorjaar 2021" "zomer 2020" "najaar 2020" "2020" \
         "week 6 2021" "doorlopend" "z.s.m." "pm" "voor 8 februari 2021" "8-2-2021" "8/2/21" \
         "uiterlijk eind Q1 2021" "winter 2020" "week 53 2020" "31 december 9999"; do
  printf '%s' "$p" > "corpus/fuzzy_date/seed-$i"
  i=$((i + 1))
done
# three-way merges: flags byte (which sides may be absent), base \0 ours \0 theirs
m=0
for f in ../agenda/actions/*.toml ../agenda/items/*.toml; do
  m=$((m + 1)); [ $((m % 6)) -eq 0 ] || continue
  ours=$(sed 's/^status = .*/status = "gereed"/' "$f")
  theirs=$(sed 's/^title = "/title = "Nieuw: /' "$f")
  { printf '\x00'; cat "$f"; printf '\0%s\0%s' "$ours" "$theirs"; } > "corpus/merge/seed-$m"
  { printf '\x01'; printf '\0%s\0%s' "$ours" "$theirs"; } > "corpus/merge/seed-new-$m"
  { printf '\x02'; cat "$f"; printf '\0\0%s' "$theirs"; } > "corpus/merge/seed-del-$m"
done
q=0
for s in "status:open dept:EZK" "due<2021-04 type:action" "body:beraad Menselijk kapitaal" \
         "type:meeting date>2021-01" "coördinatie" "status: dept:" "due<medio april 2021" "ezk/de open"; do
  printf '%s' "$s" > "corpus/query/seed-$q"; q=$((q + 1))
done
# packs as a server sends them, without their checksum (the target adds it): the bundled
# example's history whole, and its last commit alone
scratch=$(mktemp -d)
git init -q "$scratch/r" && cp -r ../agenda/. "$scratch/r/"
( cd "$scratch/r" && git add -A && git -c user.name=f -c user.email=f@f.invalid commit -qm a \
  && sed -i 's/^status = "open"/status = "gereed"/' actions/*.toml \
  && git -c user.name=f -c user.email=f@f.invalid commit -qam b ) >/dev/null
for revs in "HEAD" "HEAD^..HEAD"; do
  pack=$(printf '%s\n' "$revs" | git -C "$scratch/r" pack-objects --revs --stdout -q | head -c -20 | cksum | cut -d' ' -f1)
  printf '%s\n' "$revs" | git -C "$scratch/r" pack-objects --revs --stdout -q | head -c -20 > "corpus/received_pack/seed-$pack"
done
rm -rf "$scratch"
echo "corpora: $(ls corpus/parse_record | wc -l) records, $(ls corpus/edit | wc -l) edits, $(ls corpus/merge | wc -l) merges, $(ls corpus/query | wc -l) queries, $i date seeds"
