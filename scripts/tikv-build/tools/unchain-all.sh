#!/bin/bash
# How patches/tikv/0001-let-chains-edition-2021.patch was generated (not run by build.sh):
#   cd <pristine TiKV tree>; tools/unchain-all.sh $(files rustc reports let chains in)
#   then rustfmt with default style (edition 2021, style_edition 2021) on those files.
# Finding the files: for f in $(find . -name '*.rs'); do
#   RUSTC_BOOTSTRAP=1 rustc +stable --edition 2021 -Zunpretty=normal "$f" 2>&1 >/dev/null |
#   grep -q 'let chains are only' && echo "$f"; done
# For each file, rewrites the first let chain rustc reports, re-parses, repeats.
here=$(cd "$(dirname "$0")" && pwd)
for f in "$@"; do
  for _ in $(seq 1 50); do
    loc=$(RUSTC_BOOTSTRAP=1 rustc +stable --edition 2021 -Zunpretty=normal "$f" 2>&1 >/dev/null | grep -A1 'let chains are only' | grep -- '-->' | head -1 | awk '{print $2}')
    [[ -z $loc ]] && break
    IFS=: read -r p l c <<<"$loc"
    python3 "$here/unchain.py" "$p" "$l" "$c" || { echo "FAILED $loc"; break; }
  done
done
