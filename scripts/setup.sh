#!/usr/bin/env bash
# Installs everything jepsen-tikv needs on a Debian/Ubuntu machine (run as root, idempotent):
# system packages for nodes, faults, the reference DB, protoc and the browser tests; npm
# dependencies; the generated gRPC client; the compiled CLI and package (dist/); the Rust client
# server.
# CARGO_TARGET_DIR may point at a cache shared across clones (CI does this).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "scripts/setup.sh must run as root (it installs packages; the local cluster needs namespaces and iptables)" >&2
  exit 3
fi

# The lxc provider needs only lxc and debootstrap (it bootstraps its Debian base image itself from
# the host's apt mirror, lib/cluster/lxc-image.ts; no lxc-templates) and the Debian archive keyring
# to verify what debootstrap downloads (apt has it on Debian; Ubuntu needs the package).
packages=(openssh-server iptables iproute2 util-linux procps psmisc etcd-server etcd-client
  protobuf-compiler chromium faketime lxc debootstrap debian-archive-keyring rsync curl ca-certificates
  build-essential pkg-config)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Debian's etcd-server package starts a host etcd on 127.0.0.1:2379; the suite does not use it.
if command -v systemctl >/dev/null && systemctl is-active --quiet etcd 2>/dev/null; then systemctl disable --now etcd || true; fi

command -v cargo >/dev/null || { echo "setup: cargo (Rust) is required: https://rustup.rs" >&2; exit 3; }
command -v node >/dev/null || { echo "setup: Node.js 20+ is required" >&2; exit 3; }

npm ci --no-audit --no-fund
npm run build   # gRPC client from proto/, the compiled package in dist/ (the bin runs it), the Rust client server
