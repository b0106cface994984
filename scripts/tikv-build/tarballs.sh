# Sourced by .ci/run, scripts/tikv-evidence.sh and bench/cluster.bench.ts: where
# scripts/tikv-build/build.sh packed PD and TiKV v8.1.2, under TIKV_TARBALLS (default
# /var/cache/jepsen-tikv/tarballs). Sets BUILT_PD_TARBALL, BUILT_CLOCK_TIKV_TARBALL (the
# no-jemalloc build, which clock faults need) and BUILT_TIKV_TARBALL (the default build, else the
# no-jemalloc one; the no-jemalloc one when TIKV_CLOCK=1). The files may not exist: callers check.
TIKV_TARBALLS=${TIKV_TARBALLS:-/var/cache/jepsen-tikv/tarballs}
BUILT_PD_TARBALL=$TIKV_TARBALLS/pd-v8.1.2-linux-amd64.tar.gz
BUILT_CLOCK_TIKV_TARBALL=$TIKV_TARBALLS/nojemalloc/tikv-v8.1.2-linux-amd64.tar.gz
BUILT_TIKV_TARBALL=$TIKV_TARBALLS/tikv-v8.1.2-linux-amd64.tar.gz
if [ ! -f "$BUILT_TIKV_TARBALL" ] || [ "${TIKV_CLOCK:-0}" = 1 ]; then
  BUILT_TIKV_TARBALL=$BUILT_CLOCK_TIKV_TARBALL
fi
