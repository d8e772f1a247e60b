# Shell helpers the boot tests share (tests/boot/run under nspawn, tests/vm/run under qemu).
# Sourced, after the caller sets: tag (the prefix of its lines), repo, work and logs.

say() { printf '%s: %s\n' "$tag" "$*"; }
# CLOCK_MONOTONIC in microseconds: the clock systemd's *TimestampMonotonic values use.
mono() { python3 -c 'import time; print(time.monotonic_ns() // 1000)'; }
secs() { awk -v us="$1" 'BEGIN { printf "%.2fs", us / 1e6 }'; }
# span US: a duration to the millisecond (the native agent's run is tens of them);
# share PART WHOLE: PART as a percentage of WHOLE, to a tenth.
span() { awk -v us="$1" 'BEGIN { printf "%.3fs", us / 1e6 }'; }
share() { awk -v p="$1" -v w="$2" 'BEGIN { printf "%.1f%%", 100 * p / w }'; }

# need TOOL...: dies naming the first tool that is missing.
need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool is missing (scripts/setup installs it)"
    done
}

# debian_root NAME SUITE PACKAGE...: sets base to a debootstrap'd minbase root with PACKAGEs.
# Locally it is cached in ~/.cache/bootsecrets/NAME-HASH, the hash covering what goes into it;
# with CI=true it is built fresh under $work/base (the caller's cleanup removes it).
debian_root() {
    local name=$1 suite=$2 t recipe
    shift 2
    recipe="$suite minbase $*"
    if [ "${CI:-}" = true ]; then
        base=$work/base
    else
        base=$HOME/.cache/bootsecrets/$name-$(printf '%s' "$recipe" | sha256sum | cut -c1-16)
    fi
    if [ -f "$base/.complete" ]; then
        say "debootstrap: cached $base"
        return
    fi
    rm -rf "$base" "$base.tmp"
    mkdir -p "$(dirname "$base")"
    t=$(mono)
    # Debian's archive: debootstrap's default mirror, or BOOTSECRETS_DEBIAN_MIRROR.
    debootstrap --variant=minbase --include="$(IFS=,; echo "$*")" \
        "$suite" "$base.tmp" ${BOOTSECRETS_DEBIAN_MIRROR:+"$BOOTSECRETS_DEBIAN_MIRROR"} \
        >"$logs/debootstrap.log" 2>&1 || { tail -20 "$logs/debootstrap.log" >&2; die "debootstrap failed"; }
    touch "$base.tmp/.complete"
    mv "$base.tmp" "$base"
    say "debootstrap: $(secs $(($(mono) - t))) ($recipe)"
}

# jvm_runtime IMAGE: a runtime jlink'ed from the build JDK into IMAGE/usr/lib/jvm, where the
# launcher finds it; it stands in for the RPM's java-21-openjdk-headless. Modules: what jdeps
# reports for the agent and its libraries (java.desktop aside: JNA touches it only for AWT
# windows), plus the EC provider. Sets modules to the list.
jvm_runtime() {
    local feature
    modules=java.base,java.logging,java.naming,java.security.jgss,java.sql,java.xml,jdk.httpserver,jdk.net
    "$JAVA_HOME/bin/java" --list-modules | grep -q '^jdk.crypto.ec@' && modules+=,jdk.crypto.ec
    feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release")
    mkdir -p "$1/usr/lib/jvm"
    "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
        --output "$1/usr/lib/jvm/java-$feature-jlink"
}

# install_rpm IMAGE RPM: installed the way the RPM installs it: its payload, then its %post
# (preset; tmpfiles run at boot).
install_rpm() {
    (cd "$1" && rpm2cpio "$2" | cpio -idm --quiet)
    systemctl --root="$1" preset bootsecrets.service bootsecrets-refresh.timer 2>/dev/null
    [ -L "$1/etc/systemd/system/multi-user.target.wants/bootsecrets.service" ] ||
        die "the preset did not enable bootsecrets.service"
}

# the_rpm: sets rpm to the one JVM RPM packaging/check built.
the_rpm() {
    local rpms
    shopt -s nullglob
    rpms=("$repo"/target/rpm/bootsecrets-*.noarch.rpm)
    shopt -u nullglob
    [ ${#rpms[@]} -eq 1 ] || die "expected one JVM RPM in target/rpm (run packaging/check first)"
    rpm=${rpms[0]}
}

# the_native_rpm: sets native_rpm to the native RPM packaging/check built when a native image
# existed, or to nothing.
the_native_rpm() {
    local rpms
    shopt -s nullglob
    rpms=("$repo"/target/rpm/bootsecrets-*."$(uname -m)".rpm)
    shopt -u nullglob
    [ ${#rpms[@]} -le 1 ] || die "expected at most one native RPM in target/rpm"
    native_rpm=${rpms[0]:-}
}

# train_aot IMAGE: the RPM's AOT cache was trained with the build JDK, which the launcher (and
# the JVM) refuse for the jlink'ed runtime, so the image trains its own with that runtime, as
# an image build that brings a runtime would: the launcher's BOOTSECRETS_AOT=train. java finds
# its libraries through $ORIGIN, which needs /proc: mounted in a mount namespace of its own.
train_aot() {
    [ -f "$1/usr/libexec/bootsecrets/bootsecrets.aot" ] || return 0
    unshare --mount --fork sh -c 'mount -t proc proc "$1/proc" &&
        exec chroot "$1" env BOOTSECRETS_AOT=train /usr/bin/bootsecrets demo --dry-run --dir /tmp/aot-training' \
        sh "$1" >"$logs/aot-training.log" 2>&1 ||
        die "AOT training with the jlink'ed runtime failed ($logs/aot-training.log)"
    rm -rf "$1/tmp/aot-training"
    grep -qxF "$(sed -n 's/^MODULES=//p' "$1"/usr/lib/jvm/*-jlink/release)" \
        "$1/usr/libexec/bootsecrets/bootsecrets.aot.jvm" || die "the AOT cache is not the jlink'ed runtime's"
}

# add_user IMAGE: the agent's default user, core, with '*' as password: no password to log in
# with, but not a locked account either.
add_user() {
    chroot "$1" useradd --create-home --shell /bin/bash core
    chroot "$1" usermod --password '*' core
}

problems=()
expect() { # expect DESCRIPTION COMMAND...: records DESCRIPTION as a problem when COMMAND fails
    local what=$1; shift
    "$@" || problems+=("$what")
}
equals() { [ "$1" = "$2" ]; }
# expect_confined JOURNAL: the agent's journal has no warning that it ran with its writes
# unconfined; the unit leaves where it writes to its Landlock confinement (docs/packaging.md).
expect_confined() {
    expect "the agent ran with its writes unconfined" test -z "$(grep 'writes are not confined' "$1")"
}

# verdict NAME: prints the boot's PASS/FAIL line from its problems and counts it.
verdict() {
    local p
    if [ ${#problems[@]} -eq 0 ]; then
        passed=$((passed + 1))
        say "PASS $1"
    else
        failed=$((failed + 1))
        for p in "${problems[@]}"; do say "  $1: $p"; done
        say "FAIL $1 (logs: $logs/$1)"
    fi
}
