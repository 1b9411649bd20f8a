#!/usr/bin/env bash
# Installs everything miaotui needs to build and test, from Debian (bookworm) packages only.
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential g++ clang libclang-rt-14-dev cmake ninja-build ccache pkg-config \
  libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev \
  libpcre2-dev libutf8proc-dev python3 libcpp-httplib-dev openmpi-bin libopenmpi-dev >/dev/null
# Headless browser for the web chat page's test (tests/server/node/web_test.mjs).
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "setup: dependencies installed"
