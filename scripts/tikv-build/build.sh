#!/usr/bin/env bash
# Builds PD and TiKV v8.1.2 from source and packs them as the release-style tarballs the harness
# takes (lib/db/tarball.ts): pd-v8.1.2-linux-amd64.tar.gz and tikv-v8.1.2-linux-amd64.tar.gz with
# pd-server / tikv-server at the archive root, plus DEVIATIONS.md (every way the build differs
# from upstream's release build). Release tarballs cannot be downloaded on our machines; the
# sources come from snapshots of the public GitHub repositories (bare git dirs).
#
# usage: scripts/tikv-build/build.sh [--mirror DIR] [--background] [STEP...]
#
#   --mirror DIR   root of the repository snapshots, one bare git dir per repository at
#                  DIR/<owner>+<name>/repo (default: $MIRROR, else /work/.mirror). Needed:
#                  tikv/tikv, tikv/pd, pingcap/tidb-dashboard and every repository in deps.tsv.
#   --background   re-run this script detached (setsid nohup, nice -n 19), logging to
#                  $CACHE/logs/build-<variant>.log, and return at once.
#   --after PGID   first wait until process group PGID (e.g. a running background build) ends.
#   STEP           any of: apt pd tikv-src tikv tikv-pack smoke (default: all).
#                  `tikv` = tikv-src + compile; `all` = apt pd tikv tikv-pack smoke;
#                  smoke = start the packed pd-server + tikv-server on 127.0.0.1 until the store
#                  is Up, then stop them.
#
# Environment:
#   CACHE=/var/cache/jepsen-tikv  sources (src/), cargo target dir (target/), cargo and Go
#                                 caches, logs (logs/) and tarballs (tarballs/). Nothing is
#                                 written inside the repository clone.
#   VARIANT=default|nojemalloc    nojemalloc builds tikv-server with the system allocator (so
#                                 libfaketime can be preloaded), in its own target dir
#                                 ($CACHE/target-nojemalloc), and packs it to
#                                 $CACHE/tarballs/nojemalloc/. PD has no variants: its tarball
#                                 is always $CACHE/tarballs/pd-*.tar.gz. Either variant can be
#                                 built first.
#   JOBS=2  NICE=19               cargo -j and the niceness of every compile.
#   OPT_LEVEL=1 CODEGEN_UNITS=16  the (lighter than upstream) release profile; see DEVIATIONS.
#
# Resumable: every step is idempotent. Extractions are stamped, patches are applied only when
# not yet applied, cargo/Go keep their work under $CACHE, so re-running the same command after an
# interruption continues where it stopped (cargo rebuilds only unfinished crates).
#
# Resume / start the default build in the background:
#   scripts/tikv-build/build.sh --background
# the system-allocator variant (it needs PD's tarball for its smoke step):
#   VARIANT=nojemalloc scripts/tikv-build/build.sh --background
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MIRROR=${MIRROR:-/work/.mirror}
CACHE=${CACHE:-/var/cache/jepsen-tikv}
VARIANT=${VARIANT:-default}
JOBS=${JOBS:-2}
NICE=${NICE:-19}
OPT_LEVEL=${OPT_LEVEL:-1}
CODEGEN_UNITS=${CODEGEN_UNITS:-16}
TAG=v8.1.2
PD_COMMIT=c1ee9cf28f6dfd2afce205d75974dc0e964075f2
DASHBOARD_COMMIT=4b076331523a   # pingcap/tidb-dashboard, the version PD v8.1.2's go.mod requires
ARCH=linux-amd64

BACKGROUND=0
AFTER=
STEPS=()
while (($#)); do
  case $1 in
    --mirror) MIRROR=$2; shift 2 ;;
    --mirror=*) MIRROR=${1#*=}; shift ;;
    --background) BACKGROUND=1; shift ;;
    --after) AFTER=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) STEPS+=("$1"); shift ;;
  esac
done
((${#STEPS[@]})) || STEPS=(all)
case $VARIANT in default|nojemalloc) ;; *) echo "VARIANT must be default or nojemalloc" >&2; exit 2 ;; esac

SRC=$CACHE/src
DEPS=$SRC/deps
TIKV_SRC=$SRC/tikv-$TAG
PD_SRC=$SRC/pd-$TAG
TARGET=$CACHE/target
[[ $VARIANT == default ]] || TARGET=$CACHE/target-$VARIANT   # each variant keeps its own binary
LOGS=$CACHE/logs
OUT=$CACHE/tarballs
[[ $VARIANT == default ]] || OUT=$CACHE/tarballs/$VARIANT
export CARGO_HOME=$CACHE/cargo-home
export GOMODCACHE=$CACHE/go/mod GOCACHE=$CACHE/go/build GOPATH=$CACHE/go/path
export PATH=$HOME/.cargo/bin:/usr/local/go/bin:$PATH
export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}

log() { printf '%s [%s] %s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$VARIANT" "$*"; }
die() { log "ERROR: $*"; exit 1; }

if ((BACKGROUND)); then
  mkdir -p "$LOGS"
  logf=$LOGS/build-$VARIANT.log
  # run a private copy of this folder: bash reads a script while running it, so editing the
  # checked-out build.sh during a multi-hour build would derail the running one
  run=$CACHE/run/$VARIANT
  rm -rf "$run"; mkdir -p "$run"; cp -a "$HERE/." "$run/"
  setsid nohup nice -n "$NICE" env MIRROR="$MIRROR" CACHE="$CACHE" VARIANT="$VARIANT" JOBS="$JOBS" \
    NICE=0 OPT_LEVEL="$OPT_LEVEL" CODEGEN_UNITS="$CODEGEN_UNITS" \
    bash "$run/build.sh" ${AFTER:+--after "$AFTER"} "${STEPS[@]}" >>"$logf" 2>&1 </dev/null &
  echo "started in the background: pid $! (process group $!), running $run/build.sh, log $logf"
  echo "stop it with: kill -- -$!"
  exit 0
fi

niced() { nice -n "$NICE" "$@"; }
snap() { # owner/name -> bare git dir
  local d=$MIRROR/${1/\//+}/repo
  [[ -d $d ]] || die "no snapshot of $1 at $d (fetch github:$1 first)"
  echo "$d"
}

# extract OWNER/NAME COMMIT DEST [PATHS...]: git archive into DEST once (stamped with the commit)
extract() {
  local repo=$1 commit=$2 dest=$3; shift 3
  local stamp=$dest/.extracted-from
  if [[ -f $stamp && $(cat "$stamp") == "$repo@$commit" ]]; then return 0; fi
  local git; git=$(snap "$repo")
  git --git-dir="$git" cat-file -e "$commit^{commit}" 2>/dev/null || die "$repo has no commit $commit in its snapshot"
  log "extracting $repo@${commit:0:12} ${*:+($*) }into $dest"
  rm -rf "$dest.part"; mkdir -p "$dest.part"
  git --git-dir="$git" archive --format=tar "$commit" "$@" | tar -x -C "$dest.part"
  # a directory extracted into an existing tree (a submodule) keeps the tree around it
  if [[ -d $dest ]]; then rm -rf "$dest"; fi
  mv "$dest.part" "$dest"
  echo "$repo@$commit" >"$stamp"
}

# ---------------------------------------------------------------------------------------- apt
step_apt() {
  # cmake + a C/C++ toolchain for RocksDB/Titan/snappy/grpc/OpenSSL/protobuf (built by the
  # *-sys crates), perl for the vendored OpenSSL, pkg-config, python3 for rewrite-git-deps.py.
  # libclang is not needed: on x86_64 the -sys crates ship pre-generated bindings.
  local pkgs=(build-essential cmake git perl pkg-config python3 curl ca-certificates zlib1g-dev)
  local missing=()
  for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    log "apt packages present: ${pkgs[*]}"
  fi
  command -v go >/dev/null || die "Go is not installed (PD needs go >= 1.21)"
  command -v cargo >/dev/null || die "cargo (rustup) is not installed"
  rustup toolchain list | grep -q '^stable' || die "the rustup stable toolchain is needed"
}

# ----------------------------------------------------------------------------------------- PD
step_pd() {
  if [[ $VARIANT != default && -f $CACHE/tarballs/pd-$TAG-$ARCH.tar.gz ]]; then
    log "PD: already packed (PD has no variants)"; return 0
  fi
  local bin=$PD_SRC/bin/pd-server
  extract tikv/pd "$PD_COMMIT" "$PD_SRC"
  extract pingcap/tidb-dashboard "$(git --git-dir="$(snap pingcap/tidb-dashboard)" rev-parse "$DASHBOARD_COMMIT^{commit}")" "$SRC/tidb-dashboard"
  if ! grep -q '^replace github.com/pingcap/tidb-dashboard' "$PD_SRC/go.mod"; then
    log "PD: replacing github.com/pingcap/tidb-dashboard (the Go proxy refuses it) with the snapshot"
    (cd "$PD_SRC" && go mod edit -replace "github.com/pingcap/tidb-dashboard=$SRC/tidb-dashboard")
  fi
  local ts; ts=$(git --git-dir="$(snap tikv/pd)" log -1 --format=%cd --date=format-local:'%Y-%m-%d %I:%M:%S' "$PD_COMMIT")
  local pkg=github.com/tikv/pd/pkg/versioninfo
  log "PD: go build (GOTOOLCHAIN=local, tags without_dashboard)"
  local t0=$SECONDS
  (cd "$PD_SRC" && TZ=UTC GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false niced go build -mod=mod \
    -tags without_dashboard -trimpath \
    -ldflags "-s -w -X $pkg.PDReleaseVersion=$TAG -X $pkg.PDGitHash=$PD_COMMIT -X $pkg.PDGitBranch=heads/refs/tags/$TAG -X $pkg.PDEdition=Community -X '$pkg.PDBuildTS=$ts'" \
    -o "$bin" ./cmd/pd-server)
  log "PD: built $bin in $((SECONDS - t0)) s"
  "$bin" --version | sed 's/^/  /'
  pack pd "$bin" "$(pd_deviations)" "$CACHE/tarballs"   # PD has no variants
}

pd_deviations() {
  cat <<EOF
# PD $TAG built from source: deviations from the upstream release

Built by jepsen-tikv's scripts/tikv-build/build.sh on $(date -u '+%Y-%m-%d') ($(go version | cut -d' ' -f3)).

- Source: tag $TAG of tikv/pd (commit $PD_COMMIT), unmodified.
- github.com/pingcap/tidb-dashboard: the Go module proxy refuses the required
  v0.0.0-20241212035039-4b076331523a (403), so go.mod gets
  \`replace github.com/pingcap/tidb-dashboard => <git archive of commit $DASHBOARD_COMMIT>\`,
  the same commit the version names. Every other module comes from the Go proxy unchanged.
- Built with \`-tags without_dashboard\` (upstream releases embed the TiDB Dashboard UI): no web
  dashboard at /dashboard. Nothing in the tests uses it.
- Built with Go $(go version | cut -d' ' -f3 | sed 's/^go//') and GOTOOLCHAIN=local (upstream used the Go of its CI);
  CGO_ENABLED=0, -trimpath, stripped (-s -w). PDBuildTS is the tag's commit time (reproducible).
EOF
}

# ------------------------------------------------------------------------------------- TiKV src
DEPMAP=$SRC/git-deps.map
step_tikv_src() {
  extract tikv/tikv "$(git --git-dir="$(snap tikv/tikv)" rev-parse "$TAG^{commit}")" "$TIKV_SRC"
  local kind repo pinned used where paths reason dir
  : >"$DEPMAP.part"
  while IFS=$'\t' read -r kind repo pinned used where paths reason; do
    [[ -z $kind || $kind == \#* ]] && continue
    [[ $used == = ]] && used=$pinned
    local p=(); [[ $paths == . ]] || read -ra p <<<"$paths"
    case $kind in
      crate)
        dir=$DEPS/${repo/\//+}-${used:0:12}
        extract "$repo" "$used" "$dir" "${p[@]}"
        local url=https://github.com/${repo,,}
        IFS=, read -ra cr <<<"$where"
        for c in "${cr[@]}"; do echo "$url ${c%%=*} $dir/${c#*=}" | sed 's|/\.$||' >>"$DEPMAP.part"; done
        ;;
      submodule)
        local parent=${where%%@*} rest=${where#*@}
        local pcommit=${rest%%:*} spath=${rest#*:}
        local pdir=$DEPS/${parent/\//+}-${pcommit:0:12}
        local recorded; recorded=$(git --git-dir="$(snap "$parent")" ls-tree "$pcommit" "$spath" | awk '{print $3}')
        [[ $recorded == "$pinned" ]] || die "deps.tsv: $parent@$pcommit records $spath at $recorded, not $pinned"
        extract "$repo" "$used" "$pdir/$spath" "${p[@]}"
        ;;
    esac
  done <"$HERE/deps.tsv"
  mv "$DEPMAP.part" "$DEPMAP"

  # raft-engine-ctl (cd1533d) uses `raft-engine = { path = ".." }`; Cargo.lock resolves it to
  # the raft-engine TiKV itself uses (de1ec93).
  local re_new; re_new=$(awk '$2 == "raft-engine" {print $3}' "$DEPMAP")
  local ctl; ctl=$(awk '$2 == "raft-engine-ctl" {print $3}' "$DEPMAP")
  sed -i "s|^raft-engine = { path = \"\.\.\"|raft-engine = { path = \"$re_new\"|" "$ctl/Cargo.toml"

  log "rewriting git dependencies to local paths"
  mapfile -t tomls < <(find "$TIKV_SRC" "$DEPS" -name Cargo.toml -not -path '*/fuzz/*' -not -path '*/target/*' -not -path '*/engine_tirocks/*')
  # (fuzz and engine_tirocks are not workspace members; tirocks is not needed)
  python3 "$HERE/rewrite-git-deps.py" "$DEPMAP" --root="$TIKV_SRC/Cargo.toml" "${tomls[@]}" | sed 's/^/  /'

  apply_patches
}

# apply_patches: each patches/<dir>/*.patch applies to the tree named by <dir>:
#   tikv -> the TiKV source; deps+<owner>+<name>-<commit12> -> that dependency extraction.
# A patch already applied (its reverse applies cleanly) is skipped, so this is idempotent.
apply_patches() {
  local d p tree
  for d in "$HERE"/patches/*/; do
    [[ -d $d ]] || continue
    case $(basename "$d") in
      tikv) tree=$TIKV_SRC ;;
      deps+*) tree=$DEPS/$(basename "$d" | sed 's/^deps+//') ;;
      *) die "unknown patch dir $d" ;;
    esac
    for p in "$d"*.patch; do
      [[ -f $p ]] || continue
      if patch -d "$tree" -p1 -R --dry-run -s -f <"$p" >/dev/null 2>&1; then
        continue
      fi
      log "applying $(basename "$d")/$(basename "$p")"
      patch -d "$tree" -p1 -s -f --no-backup-if-mismatch <"$p" || die "patch $p does not apply to $tree"
    done
  done
  # crates bumped (compiler drift); idempotent: only when the old version is still locked
  if grep -q -A1 '^name = "time"$' "$TIKV_SRC/Cargo.lock" && grep -A1 '^name = "time"$' "$TIKV_SRC/Cargo.lock" | grep -q '"0.3.20"'; then
    log "cargo update -p time@0.3.20 --precise 0.3.36 (E0282 in time 0.3.20 with newer rustc)"
    (cd "$TIKV_SRC" && RUSTUP_TOOLCHAIN=stable cargo update -p time@0.3.20 --precise 0.3.36)
  fi
}

# ----------------------------------------------------------------------------------------- TiKV
features() {
  # upstream `make dist_release` on Linux: jemalloc mem-profiling portable sse
  # test-engine-kv-rocksdb test-engine-raft-raft-engine trace-async-tasks openssl-vendored pprof-fp
  local f="portable sse test-engine-kv-rocksdb test-engine-raft-raft-engine trace-async-tasks openssl-vendored pprof-fp"
  [[ $VARIANT == default ]] && f="jemalloc mem-profiling $f"
  echo "$f"
}

cargo_env() {
  export RUSTUP_TOOLCHAIN=stable RUSTC_BOOTSTRAP=1
  export CARGO_TARGET_DIR=$TARGET CARGO_INCREMENTAL=0
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=$OPT_LEVEL
  export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=$CODEGEN_UNITS
  export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_DEBUG=0
  export CARGO_PROFILE_RELEASE_INCREMENTAL=false
  # --cap-lints warn: as path dependencies, third-party crates (rust-rocksdb, skiplist-rs, ...)
  # are linted like workspace crates, and today's deny-by-default lints would stop them.
  # -Cforce-frame-pointers and the C flags are what upstream's Makefile sets (TIKV_FRAME_POINTER=1).
  export RUSTFLAGS="--cap-lints warn -Cforce-frame-pointers=yes"
  export CFLAGS="-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer"
  export CXXFLAGS="-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer"
  export ROCKSDB_SYS_PORTABLE=1 ROCKSDB_SYS_SSE=1
  export TIKV_BUILD_GIT_HASH TIKV_BUILD_GIT_BRANCH=heads/refs/tags/$TAG TIKV_BUILD_GIT_TAG=$TAG
  TIKV_BUILD_GIT_HASH=$(git --git-dir="$(snap tikv/tikv)" rev-parse "$TAG^{commit}")
  export TIKV_ENABLE_FEATURES TIKV_PROFILE=release TIKV_BUILD_RUSTC_VERSION
  TIKV_ENABLE_FEATURES=$(features)
  TIKV_BUILD_RUSTC_VERSION=$(rustc --version)
}

step_tikv() {
  step_tikv_src
  cargo_env
  mkdir -p "$LOGS"
  log "TiKV: cargo build --release -p tikv-server --bin tikv-server (features: $(features); opt-level $OPT_LEVEL, codegen-units $CODEGEN_UNITS, no LTO)"
  local t0=$SECONDS rc=0
  (cd "$TIKV_SRC" && niced cargo build --release -j "$JOBS" --keep-going \
    -p tikv-server --bin tikv-server --no-default-features --features "$(features)") || rc=$?
  log "TiKV: cargo exited $rc after $((SECONDS - t0)) s"
  ((rc == 0)) || die "TiKV build failed (rerun the same command to resume)"
  echo "$((SECONDS - t0))" >"$LOGS/tikv-$VARIANT.last-build-seconds"
}

step_tikv_pack() {
  local bin=$TARGET/release/tikv-server
  [[ -x $bin ]] || die "no $bin yet"
  cargo_env
  "$bin" --version | sed 's/^/  /'
  pack tikv "$bin" "$(tikv_deviations)"
}

tikv_deviations() {
  local feats; feats=$(features)
  cat <<EOF
# TiKV $TAG built from source: deviations from the upstream release

Built by jepsen-tikv's scripts/tikv-build/build.sh on $(date -u '+%Y-%m-%d'), variant \`$VARIANT\`,
with $(rustc --version) (RUSTC_BOOTSTRAP=1; upstream pins nightly-2023-12-28, not installable
here). Source: tag $TAG of tikv/tikv (commit $TIKV_BUILD_GIT_HASH).

## Build profile and features
- Cargo features: \`$feats\`
  (upstream \`make dist_release\`: jemalloc mem-profiling portable sse test-engine-kv-rocksdb
  test-engine-raft-raft-engine trace-async-tasks openssl-vendored pprof-fp).
EOF
  if [[ $VARIANT == nojemalloc ]]; then cat <<EOF
- **No jemalloc**: built without the \`jemalloc\` and \`mem-profiling\` features, so TiKV and its
  RocksDB use the system (glibc) allocator, as upstream's \`SYSTEM_ALLOC=1\`. Made so libfaketime
  can be preloaded (it deadlocks in jemalloc's initialisation). Memory profiling APIs are absent.
EOF
  fi
  cat <<EOF
- Release profile lightened for build time on 2 cores: opt-level $OPT_LEVEL (upstream 3),
  codegen-units $CODEGEN_UNITS (upstream 1), no LTO (upstream thin), debug 0, incremental off
  (set with CARGO_PROFILE_RELEASE_* variables; upstream's per-package overrides unchanged).
  Expect lower throughput than an official build; correctness logic is the same code.
- RUSTFLAGS \`--cap-lints warn -Cforce-frame-pointers=yes\`: lints never fail the build (the git
  dependencies are built as path dependencies, where newer deny-by-default lints would stop
  rust-rocksdb and skiplist-rs); frame pointers as upstream's Makefile sets them.
- Only \`tikv-server\` is built (no tikv-ctl).
- Cloud backup storage (AWS/GCP/Azure) is still compiled in: in v8.1.2 those crates are
  unconditional dependencies of external_storage/backup/encryption, so leaving them out would
  need source edits.

## Dependencies
Every git dependency comes from a snapshot of its GitHub repository, extracted with
\`git archive\` and referenced as a \`path =\` dependency (all \`git = ...\` entries in TiKV's and
the dependencies' Cargo.toml files rewritten). Git submodules (RocksDB, Titan, snappy) are
extracted at the commits their parents record. Substituted (pinned commit absent):
EOF
  awk -F'\t' '$1 !~ /^#/ && $4 != "=" && NF >= 4 {printf "- %s: pinned %s, built %s. %s\n", $2, substr($3,1,12), substr($4,1,12), $7}' "$HERE/deps.tsv"
  cat <<EOF

All at their pinned commits:
EOF
  awk -F'\t' '$1 !~ /^#/ && $4 == "=" && NF >= 4 {printf "- %s %s %s%s\n", $1, $2, substr($3,1,12), ($7 != "" ? " (" $7 ")" : "")}' "$HERE/deps.tsv"
  cat <<EOF

## Crates bumped
- time 0.3.20 -> 0.3.36 (\`cargo update -p time@0.3.20 --precise 0.3.36\`): 0.3.20 fails to
  compile with current rustc (E0282, type annotations needed for Box<_>). This also moves
  time-macros 0.2.8 -> 0.2.18 and time-core 0.1.0 -> 0.1.2 and adds deranged, powerfmt and
  num-conv. Every other crates.io package is at the version in v8.1.2's Cargo.lock.

## Source patches (compiler drift only; no behaviour change intended)
EOF
  local d p
  for d in "$HERE"/patches/*/; do
    for p in "$d"*.patch; do
      [[ -f $p ]] || continue
      local files; files=$(grep -c '^+++ ' "$p")
      echo "- $(basename "$d")/$(basename "$p") ($files files changed):"
      # the patch's header (everything before the first diff), indented
      sed -n '/^diff \|^--- a\//q; s/^Subject: //; /^$/d; s/^/  /p' "$p"
    done
  done
  cat <<EOF

## Placeholders
- None: v8.1.2 has no include_bytes! data file missing from the snapshot.
EOF
}

# pack COMPONENT BINARY DEVIATIONS_TEXT [DIR]: into DIR (default $OUT, the variant's directory)
pack() {
  local comp=$1 bin=$2 dev=$3 OUT=${4:-$OUT}
  local name=$comp-$TAG-$ARCH.tar.gz stage
  mkdir -p "$OUT"
  stage=$(mktemp -d "$CACHE/pack.XXXXXX")
  cp "$bin" "$stage/$(basename "$bin")"
  printf '%s\n' "$dev" >"$stage/DEVIATIONS.md"
  tar -C "$stage" --owner=0 --group=0 -czf "$OUT/$name.part" "$(basename "$bin")" DEVIATIONS.md
  mv "$OUT/$name.part" "$OUT/$name"
  rm -rf "$stage"
  (cd "$OUT" && sha256sum "$name" >"$name.sha256")
  log "packed $OUT/$name ($(du -h "$OUT/$name" | cut -f1), sha256 $(cut -d' ' -f1 "$OUT/$name.sha256"))"
}

# smoke: start the packed pd-server + tikv-server on loopback only (temporary data dirs under
# /tmp), wait until PD lists the store as Up, stop both. Ports: SMOKE_PORTS="2379 2380 20160 20180".
step_smoke() {
  local pdtar=$CACHE/tarballs/pd-$TAG-$ARCH.tar.gz tikvtar=$OUT/tikv-$TAG-$ARCH.tar.gz
  [[ -f $pdtar && -f $tikvtar ]] || die "smoke needs $pdtar and $tikvtar"
  read -r pc pp tc ts <<<"${SMOKE_PORTS:-2379 2380 20160 20180}"
  local p
  for p in "$pc" "$pp" "$tc" "$ts"; do
    ! ss -ltnH "sport = :$p" | grep -q . || die "port $p is in use; set SMOKE_PORTS"
  done
  local dir; dir=$(mktemp -d /tmp/tikv-smoke.XXXXXX)
  mkdir -p "$dir/pd" "$dir/tikv"
  tar -xzf "$pdtar" -C "$dir/pd"; tar -xzf "$tikvtar" -C "$dir/tikv"
  printf '[storage]\nreserve-space = "0MB"\nreserve-raft-space = "0MB"\n[storage.block-cache]\ncapacity = "256MB"\n[rocksdb]\nmax-open-files = 4096\n[raftdb]\nmax-open-files = 4096\n' >"$dir/tikv.toml"
  local pdpid= tikvpid=
  # max-open-files 4096 per DB: TiKV then needs 13,288 descriptors, within the 20,000 hard limit
  # of containers that cannot raise it (the upstream defaults demand 123,880).
  # shellcheck disable=SC2317
  smoke_stop() {
    [[ -n $tikvpid ]] && kill "$tikvpid" 2>/dev/null && wait "$tikvpid" 2>/dev/null
    [[ -n $pdpid ]] && kill "$pdpid" 2>/dev/null && wait "$pdpid" 2>/dev/null
    tikvpid= pdpid=
  }
  trap smoke_stop EXIT
  log "smoke: pd-server on 127.0.0.1:$pc ($dir)"
  "$dir/pd/pd-server" --name pd1 --data-dir "$dir/pd-data" --client-urls "http://127.0.0.1:$pc" \
    --peer-urls "http://127.0.0.1:$pp" --initial-cluster "pd1=http://127.0.0.1:$pp" \
    --log-file "$dir/pd.log" >"$dir/pd.out" 2>&1 &
  pdpid=$!
  local i ok=0
  for i in $(seq 60); do
    if curl -fsS --noproxy '*' "http://127.0.0.1:$pc/pd/api/v1/health" >/dev/null 2>&1; then ok=1; break; fi
    sleep 1
  done
  ((ok)) || { tail -20 "$dir/pd.log"; die "smoke: PD not healthy after 60 s"; }
  log "smoke: PD healthy after ${i} s; tikv-server on 127.0.0.1:$tc (status $ts)"
  (ulimit -n 1000000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
   exec "$dir/tikv/tikv-server" --pd-endpoints "127.0.0.1:$pc" --addr "127.0.0.1:$tc" \
     --status-addr "127.0.0.1:$ts" --data-dir "$dir/tikv-data" --config "$dir/tikv.toml" \
     --log-file "$dir/tikv.log") >"$dir/tikv.out" 2>&1 &
  tikvpid=$!
  ok=0
  local stores=
  for i in $(seq 180); do
    stores=$(curl -fsS --noproxy '*' "http://127.0.0.1:$pc/pd/api/v1/stores" 2>/dev/null || true)
    if grep -q '"state_name": *"Up"' <<<"$stores"; then ok=1; break; fi
    kill -0 "$tikvpid" 2>/dev/null || break
    sleep 1
  done
  if ((ok)); then
    log "smoke: store Up after ${i} s: $(tr -d ' \n' <<<"$stores" | grep -o '"address":"[^"]*"\|"version":"[^"]*"\|"state_name":"[^"]*"' | tr '\n' ' ')"
  else
    tail -30 "$dir/tikv.log" "$dir/tikv.out" || true
    smoke_stop; trap - EXIT
    die "smoke: no Up store after ${i} s (logs in $dir)"
  fi
  curl -fsS --noproxy '*' "http://127.0.0.1:$ts/status" >/dev/null && log "smoke: TiKV status endpoint answers"
  smoke_stop; trap - EXIT
  log "smoke: stopped both; removing $dir"
  rm -rf "$dir"
}

mkdir -p "$SRC" "$DEPS" "$LOGS"
if [[ -n $AFTER ]]; then
  log "waiting for process group $AFTER to end"
  while kill -0 -- "-$AFTER" 2>/dev/null; do sleep 60; done
fi
log "build.sh ${STEPS[*]} (mirror $MIRROR, cache $CACHE)"
for s in "${STEPS[@]}"; do
  case $s in
    all) step_apt; step_pd; step_tikv; step_tikv_pack; step_smoke ;;
    apt) step_apt ;;
    pd) step_pd ;;
    tikv-src) step_tikv_src ;;
    tikv) step_tikv ;;
    tikv-pack) step_tikv_pack ;;
    smoke) step_smoke ;;
    deviations) cargo_env; tikv_deviations ;;   # print the TiKV DEVIATIONS.md text
    *) die "unknown step $s" ;;
  esac
done
log "done: ${STEPS[*]}"
