#!/usr/bin/env bash
# Runs one command inside a throw-away User-Mode Linux guest that has kernel SCTP, and
# exits with the command's exit code. Used for the kernel (lksctp) backend tests and
# benchmark, because the build host's kernel may have no SCTP.
#
#   tests/vm/uml-run.sh WORKDIR COMMAND [ARGS...]
#
# The guest is Debian's user-mode-linux kernel (/usr/bin/linux.uml, a stock 6.1 kernel run
# as an ordinary process) with a busybox initramfs. Its /init loads sctp.ko and its
# dependencies from /usr/lib/uml/modules, mounts the host's / read-only with hostfs,
# mounts proc/sys/dev/tmp over it, mounts WORKDIR/out read-write, chroots into the host's
# filesystem (so binaries find their shared libraries in /usr/lib as usual) and runs
# COMMAND from the current directory, with loopback only. The exit code comes back through
# WORKDIR/out/rc; the output is on this script's stdout.
#
# Exit codes: the command's; 77 when UML cannot be used here (reason printed); 70 when the
# guest booted but never reported an exit code (crash, timeout).
set -uo pipefail

skip() { echo "uml-run: SKIP: $*"; exit 77; }

[ $# -ge 2 ] || { echo "usage: $0 WORKDIR COMMAND [ARGS...]" >&2; exit 2; }
work=$(mkdir -p "$1" && cd "$1" && pwd)
shift
cwd=$(pwd)
UML=${UML:-/usr/bin/linux.uml}
BUSYBOX=${BUSYBOX:-/bin/busybox}
TIMEOUT=${UML_TIMEOUT:-900}
MEM=${UML_MEM:-768M}

[ -x "$UML" ] || skip "$UML not found (Debian package user-mode-linux)"
[ -x "$BUSYBOX" ] || skip "$BUSYBOX not found (Debian package busybox-static)"
"$BUSYBOX" ls >/dev/null 2>&1 || skip "$BUSYBOX does not run"
if command -v file >/dev/null && file -L "$BUSYBOX" | grep -q 'dynamically linked'; then
  skip "$BUSYBOX is not static (need busybox-static)"
fi
kver=$(ls /usr/lib/uml/modules 2>/dev/null | head -1)
[ -n "$kver" ] || skip "no UML modules under /usr/lib/uml/modules"
moddir=/usr/lib/uml/modules/$kver
[ -f "$moddir/kernel/net/sctp/sctp.ko" ] || skip "UML kernel $kver has no sctp.ko"

# sctp.ko and its dependencies in load order (modules.dep lists the deps of each module;
# libcrc32c/crc32c are soft dependencies, loaded first when present as modules).
deps=$(grep '^kernel/net/sctp/sctp.ko:' "$moddir/modules.dep" | cut -d: -f2)
mods=""
# hmac: SCTP signs its state cookies with HMAC (net.sctp.cookie_hmac_alg); without it
# listen() fails with ENOSYS.
# sch_netem: lets a test drop loopback traffic (tc netem) inside the guest.
for m in kernel/lib/libcrc32c.ko kernel/crypto/crc32c_generic.ko kernel/crypto/hmac.ko \
         kernel/net/sched/sch_netem.ko; do
  [ -f "$moddir/$m" ] && mods="$mods $m"
done
for m in $(echo "$deps" | tr ' ' '\n' | tac); do mods="$mods $m"; done
mods="$mods kernel/net/sctp/sctp.ko"

root=$work/initramfs
out=$work/out
rm -rf "$root" "$out"
mkdir -p "$root"/{bin,proc,sys,dev,host,tmp,out} "$out"
cp "$BUSYBOX" "$root/bin/busybox"

# The command line, quoted for the guest's shell.
cmd=""
for a in "$@"; do cmd="$cmd '${a//\'/\'\\\'\'}'"; done

cat >"$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t hostfs -o ro,/ none /host || { echo "uml-run: hostfs mount failed"; poweroff -f; }
mount -t hostfs -o $out none /out || { echo "uml-run: out mount failed"; poweroff -f; }
echo booted > /out/booted
for m in $mods; do
  insmod /host$moddir/\$m 2>/dev/null
done
grep -q '^SCTP ' /proc/net/protocols || { echo nosctp > /out/nosctp; poweroff -f; }
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs none /host/dev 2>/dev/null || mount -t tmpfs none /host/dev
[ -e /host/dev/null ] || mknod -m 666 /host/dev/null c 1 3
[ -e /host/dev/urandom ] || mknod -m 666 /host/dev/urandom c 1 9
mkdir -p /host/dev/shm && mount -t tmpfs none /host/dev/shm
# A scratch /tmp, unless the build lives under /tmp (CI clones may): then keep the host's
# (read-only) /tmp visible and point TMPDIR at /dev/shm.
case "$cwd/" in
  /tmp/*) ;;
  *) mount -t tmpfs none /host/tmp ;;
esac
echo "uml-run: guest \$(uname -r), SCTP loaded; running:$cmd"
G5_UML_GUEST=1 TMPDIR=/dev/shm PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin chroot /host /bin/sh -c "cd '$cwd' && exec $cmd" </dev/null
echo \$? > /out/rc
sync
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1 >"$work/initramfs.cpio.gz") ||
  skip "cannot build the initramfs"

# UML backs guest memory with a (deleted) file in TMPDIR: /dev/shm (tmpfs) when it is
# writable, else a directory of ours (works, slower: the file is on disk).
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ -z "${UML_TMPDIR:-}" ]; then
  export TMPDIR=/dev/shm
else
  export TMPDIR=${UML_TMPDIR:-$work/tmp}
  mkdir -p "$TMPDIR"
fi
timeout --kill-after=10 "$TIMEOUT" "$UML" mem="$MEM" initrd="$work/initramfs.cpio.gz" \
  con=null con0=fd:0,fd:1 quiet root=/dev/ram0 </dev/null 2>&1 |
  grep -vE '^(SELinux:|mmapper_init|Failed to initialize ubd|reboot: System halted)'

[ -f "$out/booted" ] || skip "UML guest did not boot here (no /dev/shm, seccomp or ptrace limits?)"
[ -f "$out/nosctp" ] && skip "the UML kernel could not load sctp.ko"
[ -f "$out/rc" ] || { echo "uml-run: guest gave no exit code (crash or timeout)"; exit 70; }
exit "$(cat "$out/rc")"
