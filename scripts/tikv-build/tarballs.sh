# Sourced by .ci/run and scripts/tikv-evidence.sh: where scripts/tikv-build/build.sh packed PD and
# TiKV v8.1.2. Sets BUILT_PD_TARBALL and BUILT_TIKV_TARBALL (the default build, else the
# no-jemalloc one; the no-jemalloc one first when TIKV_CLOCK=1, since clock faults need it) under
# TIKV_TARBALLS (default /var/cache/jepsen-tikv/tarballs). The files may not exist: callers check.
TIKV_TARBALLS=${TIKV_TARBALLS:-/var/cache/jepsen-tikv/tarballs}
BUILT_PD_TARBALL=$TIKV_TARBALLS/pd-v8.1.2-linux-amd64.tar.gz
BUILT_TIKV_TARBALL=$TIKV_TARBALLS/tikv-v8.1.2-linux-amd64.tar.gz
if [ ! -f "$BUILT_TIKV_TARBALL" ] || [ "${TIKV_CLOCK:-0}" = 1 ]; then
  BUILT_TIKV_TARBALL=$TIKV_TARBALLS/nojemalloc/tikv-v8.1.2-linux-amd64.tar.gz
fi
