#!/usr/bin/env bash
# The SCTP association suite on the kernel (lksctp) backend. When this kernel has SCTP the
# unit test unit/test_sctp_kernel already ran it; otherwise it runs here inside a
# User-Mode Linux guest that has (tests/vm/uml-run.sh). Exit 77 (skip) with the reason when
# UML cannot run here.
set -uo pipefail
build=${1:?usage: $0 BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=$build/test_sctp_kernel
[ -x "$bin" ] || { echo "SKIP: $bin not built"; exit 77; }
if grep -qE '^SANITIZE:STRING=.*address' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "SKIP: ASan cannot map its shadow memory in the UML guest (its user address space"
  echo "      ends at 512 GiB); the kernel suite runs from the normal build"
  exit 77
fi
if /usr/bin/python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132)' 2>/dev/null; then
  echo "SKIP: this kernel has SCTP, so unit/test_sctp_kernel ran the suite natively"
  exit 77
fi
cd "$build" || exit 1
# ctest gives integration tests 600 s; stop the guest before that to report properly.
UML_TIMEOUT=${UML_TIMEOUT:-540} "$src/tests/vm/uml-run.sh" "$build/uml-work" "$bin"
rc=$?
[ $rc -eq 0 ] && echo "ok: kernel SCTP suite passed inside UML"
exit $rc
