#!/usr/bin/env bash
# Runs every Ferry test on a fresh Debian or Ubuntu machine: the one command
# for developers and CI.
#
#   bash tests/run.sh [extra cargo test arguments...]
#
# The integration tests start their own OpenSSH sshd, Dropbear, vsftpd and pure-ftpd on
# free ports of 127.0.0.1 (see tests/support/mod.rs). This script prepares the
# machine for that, then runs `cargo test "$@"` (as root: with the system's
# OpenSSL headers and pkg-config hidden, proving the default build needs neither)
# and exits with cargo's status:
#   1. installs (apt-get, only what is missing) openssh-server, openssh-client,
#      openssl, build-essential, and pkg-config and libssl-dev for the Debian
#      package (which links the system's libssl), for the window
#      test xvfb, x11-utils, xclip, xdotool, fonts-noto-cjk, fonts-dejavu-core
#      and the Mesa and X libraries the window loads, and
#      for the packaging test the validators desktop-file-utils and appstream;
#   2. extracts vsftpd, pure-ftpd, Dropbear (dropbear-bin) and the proxies microsocks
#      (SOCKS5) and tinyproxy (tinyproxy-bin, an HTTP proxy) into
#      target/test-servers/<name> with `apt-get download` + `dpkg -x`
#      (installing one would start a system FTP or SSH service), and installs
#      the shared libraries their binaries need but lack (e.g. libsodium23 for
#      pure-ftpd, libtomcrypt1 and libtommath1 for Dropbear); Dropbear's SFTP
#      subsystem is /usr/lib/sftp-server, which openssh-sftp-server provides;
#   3. creates the password-login test account `ferrytest` (with an empty
#      home directory, which vsftpd needs) and sets its password, every run,
#      so it is always known; the system's own sshd (port 22, if any) is told
#      to refuse that account;
#   4. creates /run/sshd, which sshd needs for privilege separation.
# Then, when every test passed:
#   5. builds the Debian package (cargo-deb, installed with `cargo install
#      cargo-deb --locked` if missing), installs it with dpkg (apt-get -f
#      install brings missing dependencies), runs the installed
#      /usr/bin/ferry --version, and checks that the desktop entry, the
#      AppStream file and the icons landed in their standard places. A
#      failure there fails the run. It needs a release build (minutes), so it
#      runs only for the whole suite: not when cargo test gets arguments.
# Steps 1, 3, 4 and 5 need root: the script uses sudo when run by another user.
#
# Environment:
#   FERRY_TESTS_SETUP_ONLY=1  do the machine setup, then stop before
#                             `cargo test` (for benchmark scripts that only
#                             need the servers and the test account).
#   FERRY_TESTS_DEB=1|0       build and install the Debian package (step 5)
#                             even with arguments, or never.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly repo
readonly test_user=ferrytest
readonly test_password=ferry-test-password
readonly vsftpd_dir="$repo/target/test-servers/vsftpd"
readonly pure_ftpd_dir="$repo/target/test-servers/pure-ftpd"
readonly dropbear_dir="$repo/target/test-servers/dropbear"
readonly microsocks_dir="$repo/target/test-servers/microsocks"
readonly tinyproxy_dir="$repo/target/test-servers/tinyproxy"
export DEBIAN_FRONTEND=noninteractive

say() { printf 'ferry tests: %s\n' "$*"; }
die() { printf 'ferry tests: error: %s\n' "$*" >&2; exit 1; }

# --- running things as root ------------------------------------------------

is_root() { [[ $(id -u) -eq 0 ]]; }

# Whether as_root can work at all (root, or sudo present).
can_be_root() { is_root || command -v sudo >/dev/null 2>&1; }

# Runs a command as root: directly when we are root, else through sudo.
# Without a terminal (CI) sudo must not wait for a password, hence -n.
as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        if [[ -t 0 ]]; then sudo "$@"; else sudo -n "$@"; fi
    else
        die "need root for: $* (run as root, or install sudo)"
    fi
}

# --- apt -------------------------------------------------------------------

apt_updated=no
# `apt-get update` at most once per run, and only when something is needed.
apt_update_once() {
    if [[ $apt_updated == no ]]; then
        say "updating the apt package lists"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=yes
    fi
}

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

# Removes a policy-rc.d that this script created (see install_packages).
policy_rc_d_created=no
cleanup() {
    if [[ $policy_rc_d_created == yes ]]; then
        as_root rm -f /usr/sbin/policy-rc.d || true
        policy_rc_d_created=no
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Installs those of the given packages that are missing.
install_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    can_be_root || die "missing packages ${missing[*]}, and no root or sudo to install them"

    # Installing openssh-server would start a system sshd on port 22. Our
    # tests use their own sshd, so keep services from starting during the
    # install (the standard policy-rc.d switch), unless the machine already
    # has a policy of its own.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\n# Written by ferry tests/run.sh during apt-get install.\nexit 101\n' |
            as_root tee /usr/sbin/policy-rc.d >/dev/null
        as_root chmod 0755 /usr/sbin/policy-rc.d
        policy_rc_d_created=yes
    fi
    apt_update_once
    for pkg in "${missing[@]}"; do say "installing $pkg"; done
    # env: sudo drops DEBIAN_FRONTEND from the environment.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    cleanup
}

# FTP servers and Dropbear are extracted, never installed: the packages'
# postinst would start a system service on port 21 or 22. `extract_server PACKAGE DIR BINARY`
# extracts PACKAGE into DIR unless DIR/BINARY is there, then makes sure the
# binary finds its shared libraries.
extract_server() {
    local pkg=$1 dir=$2 binary=$3
    if [[ ! -x "$dir/$binary" ]]; then
        say "fetching $pkg (apt-get download + dpkg -x into target/test-servers)"
        local tmp
        tmp="$(mktemp -d)"
        # apt-get download needs package lists; a fresh image has none.
        if ! (cd "$tmp" && apt-get download -q "$pkg" >"$tmp/apt.log" 2>&1); then
            apt_update_once
            (cd "$tmp" && apt-get download -q "$pkg" >"$tmp/apt.log" 2>&1) ||
                { cat "$tmp/apt.log" >&2; rm -rf "$tmp"; die "apt-get download $pkg failed"; }
        fi
        # Extract next to the destination and rename, so an interrupted run
        # never leaves a half-extracted tree that looks complete.
        mkdir -p "$(dirname "$dir")"
        rm -rf "$dir.partial"
        dpkg -x "$tmp/${pkg}"_*.deb "$dir.partial"
        rm -rf "$dir" "$tmp"
        mv "$dir.partial" "$dir"
        [[ -x "$dir/$binary" ]] || die "no $binary in the $pkg package"
    fi
    install_missing_libraries "$pkg" "$dir/$binary"
}

# dpkg -x installs no dependencies: when `ldd` finds a library missing,
# install the lib* packages among the package's dependencies.
install_missing_libraries() {
    local pkg=$1 binary=$2 depends libraries
    [[ $(ldd "$binary" 2>&1 || true) == *"not found"* ]] || return 0
    depends="$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1)"
    if [[ -z $depends ]]; then
        apt_update_once
        depends="$(apt-cache show --no-all-versions "$pkg" | sed -n 's/^Depends: //p' | head -n 1)"
    fi
    # "libc6 (>= 2.33), a | b, libsodium23 (>= 1.0.10)" -> libc6 libsodium23
    mapfile -t libraries < <(tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/[ |(:].*//' | grep '^lib' || true)
    if [[ ${#libraries[@]} -gt 0 ]]; then
        say "$pkg needs shared libraries: ${libraries[*]}"
        install_packages "${libraries[@]}"
    fi
    if [[ $(ldd "$binary" 2>&1 || true) == *"not found"* ]]; then
        ldd "$binary" >&2 || true
        die "$binary still lacks shared libraries"
    fi
}

# The account that password logins use. sshd and vsftpd start its sessions
# in each test's data directory, not in its (empty) home.
ensure_test_account() {
    if ! can_be_root; then
        id "$test_user" >/dev/null 2>&1 ||
            say "warning: not root and no sudo: cannot create the account '$test_user'"
        return 0
    fi
    if ! id "$test_user" >/dev/null 2>&1; then
        say "creating the test account $test_user"
        as_root useradd -M -s /bin/sh "$test_user"
    fi
    # Every run, so the password is known even if someone changed it.
    printf '%s:%s\n' "$test_user" "$test_password" | as_root chpasswd
    # vsftpd changes into the home directory before local_root and ends the
    # session ("500 OOPS: cannot change directory") when it is missing, so
    # give the account an empty one (useradd -M made none: no skeleton files).
    local home
    home="$(getent passwd "$test_user" | cut -d: -f6)"
    if [[ -n $home && ! -d $home ]]; then
        as_root install -d -m 0755 -o "$test_user" -g "$test_user" "$home"
    fi
    # The password is public, so keep the account out of the machine's own
    # sshd. The tests' sshd reads only its own config file, not this one.
    local drop_in=/etc/ssh/sshd_config.d/ferrytest-deny.conf
    if [[ -d ${drop_in%/*} && ! -e $drop_in ]]; then
        printf '# Written by ferry tests/run.sh: a test account with a known password.\nDenyUsers %s\n' \
            "$test_user" | as_root tee "$drop_in" >/dev/null
    fi
}

# Sets $cargo: cargo on PATH, else ~/.cargo/bin/cargo; under `sudo`, also
# the invoking user's ~/.cargo/bin/cargo (sudo resets PATH and HOME), with
# that user's toolchain.
find_cargo() {
    local sudo_home
    if command -v cargo >/dev/null 2>&1; then
        cargo="$(command -v cargo)"
    elif [[ -x "$HOME/.cargo/bin/cargo" ]]; then
        cargo="$HOME/.cargo/bin/cargo"
    elif [[ -n ${SUDO_USER:-} ]] &&
        sudo_home="$(getent passwd "$SUDO_USER" | cut -d: -f6)" &&
        [[ -x "$sudo_home/.cargo/bin/cargo" ]]; then
        cargo="$sudo_home/.cargo/bin/cargo"
        export CARGO_HOME="${CARGO_HOME:-$sudo_home/.cargo}"
        export RUSTUP_HOME="${RUSTUP_HOME:-$sudo_home/.rustup}"
    else
        die "cargo not found (neither on PATH nor in ~/.cargo/bin); install Rust first"
    fi
}

# Runs "$@" with the system's OpenSSL headers and pkg-config out of sight (in a private mount
# namespace: nothing changes for the rest of the machine), so that a clean clone's build proves
# that the default build needs neither: it compiles OpenSSL from source for libssh2, and a new
# user's `cargo run --release` must work without libssl-dev. The Debian package (step 5) links the
# system's libssl and is built outside. Without root or unshare, runs "$@" as it is, and says so.
without_system_openssl() {
    if is_root && command -v unshare >/dev/null 2>&1 && unshare --mount true 2>/dev/null; then
        say "building with the system's OpenSSL headers and pkg-config hidden (the default build bundles OpenSSL)"
        unshare --mount --propagation private bash -c '
            set -e
            if [[ -d /usr/include/openssl ]]; then mount -t tmpfs -o ro,size=4k ferry-hidden /usr/include/openssl; fi
            for tool in /usr/bin/pkg-config /usr/bin/pkgconf /usr/bin/x86_64-linux-gnu-pkg-config; do
                if [[ -e $tool ]]; then mount --bind /bin/false "$tool"; fi
            done
            unset OPENSSL_DIR OPENSSL_LIB_DIR OPENSSL_INCLUDE_DIR PKG_CONFIG PKG_CONFIG_PATH
            exec "$@"' ferry-tests "$@"
    else
        say "note: cannot hide the system OpenSSL (needs root and unshare); building with it in sight"
        "$@"
    fi
}

# Step 5: builds the .deb, installs it, and checks what it installed.
check_debian_package() {
    can_be_root || die "installing the Debian package needs root or sudo"
    if ! "$cargo" deb --version >/dev/null 2>&1; then
        say "installing cargo-deb (cargo install cargo-deb --locked)"
        "$cargo" install cargo-deb --locked --quiet || die "cargo install cargo-deb failed"
    fi
    local version deb="$repo/target/debian/ferry.deb" started=$SECONDS
    version="$(sed -n 's/^version = "\(.*\)"$/\1/p;T;q' "$repo/Cargo.toml")"
    say "building the Debian package (cargo deb: a release build)"
    rm -f "$deb"
    "$cargo" deb --quiet --output "$deb" >/dev/null || die "cargo deb failed"
    say "built $(basename "$deb") ($(du -h "$deb" | cut -f1)) in $((SECONDS - started)) s"

    say "installing it with dpkg -i"
    if ! as_root env DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >/dev/null; then
        say "dpkg -i left dependencies missing: apt-get -f install"
        apt_update_once
        as_root env DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq >/dev/null ||
            die "apt-get -f install could not complete the installation of ferry"
    fi
    is_installed ferry || die "the ferry package is not installed after dpkg -i"

    local output
    output="$(/usr/bin/ferry --version)" || die "/usr/bin/ferry --version failed"
    [[ $output == "ferry $version "* ]] || die "/usr/bin/ferry --version printed '$output', expected ferry $version"
    say "installed: $output"
    # The package is built without the default features: it links the system's libssl, so that
    # Debian's security updates reach it (the default build bundles OpenSSL instead).
    [[ $(ldd /usr/bin/ferry) == *libssl.so* ]] || die "/usr/bin/ferry does not link the system's libssl"

    local installed=(
        /usr/bin/ferry
        /usr/share/applications/ferry.desktop
        /usr/share/icons/hicolor/scalable/apps/ferry.svg
        /usr/share/doc/ferry/README.md
    ) size file metainfo listed
    # Read once: `dpkg -L | grep -q` would fail under pipefail when grep stops reading early.
    listed="$(dpkg -L ferry)"
    for size in 16 24 32 48 64 128 256 512; do
        installed+=("/usr/share/icons/hicolor/${size}x${size}/apps/ferry.png")
    done
    metainfo="$(grep '^/usr/share/metainfo/.*\.metainfo\.xml$' <<<"$listed" || true)"
    [[ -n $metainfo ]] || die "the package installs no /usr/share/metainfo/*.metainfo.xml"
    installed+=("$metainfo")
    for file in "${installed[@]}"; do
        [[ -f $file ]] || die "the package did not install $file"
        grep -qxF "$file" <<<"$listed" || die "$file exists but does not belong to the package"
    done
    desktop-file-validate /usr/share/applications/ferry.desktop || die "the installed desktop entry is invalid"
    appstreamcli validate --no-net "$metainfo" >/dev/null || die "the installed AppStream file is invalid"
    say "Debian package checked: ${#installed[@]} files in their standard places"
}

main() {
    install_packages openssh-server openssh-client openssl pkg-config libssl-dev build-essential
    # Dropbear's SFTP subsystem, /usr/lib/sftp-server (compiled in), comes with this one.
    install_packages openssh-sftp-server
    # tests/servers/packaging.rs validates the desktop entry and the AppStream file with these.
    install_packages desktop-file-utils appstream
    # The window test opens the real window on a virtual X display and finds it by its title.
    install_packages xvfb x11-utils libgl1-mesa-dri libegl1 libxkbcommon-x11-0 libxcursor1 libxi6 libxrandr2
    # The clipboard test writes and reads the X clipboard (xclip) and types into the real window
    # (xdotool); the font tests need CJK, Arabic, Cyrillic and symbol fonts for the system fallbacks.
    install_packages xclip xdotool fonts-noto-cjk fonts-dejavu-core
    # The screen-reader test (tests/window/real_screen_reader.rs) reads the real window over
    # AT-SPI: the accessibility bus and registry, gdbus to switch it on, and Debian's pyatspi.
    install_packages at-spi2-core libglib2.0-bin python3-pyatspi
    # The window snapshots (tests/window/gui_snapshots.rs) are drawn by wgpu on the CPU: Mesa's llvmpipe through EGL, no display.
    install_packages libegl1 libegl-mesa0 libgl1-mesa-dri
    # The bookmark tests keep passwords in a real Secret Service: gnome-keyring on a private session bus.
    install_packages dbus-daemon dbus-bin gnome-keyring
    extract_server vsftpd "$vsftpd_dir" usr/sbin/vsftpd
    extract_server pure-ftpd "$pure_ftpd_dir" usr/sbin/pure-ftpd
    extract_server dropbear-bin "$dropbear_dir" usr/sbin/dropbear
    # The proxy tests (tests/servers/proxies.rs) prove from these proxies' own logs that the
    # traffic went through them; the tinyproxy package would start a system service.
    extract_server microsocks "$microsocks_dir" usr/bin/microsocks
    extract_server tinyproxy-bin "$tinyproxy_dir" usr/bin/tinyproxy
    [[ -x /usr/lib/sftp-server ]] || die "/usr/lib/sftp-server missing (openssh-sftp-server), which Dropbear runs for SFTP"
    ensure_test_account
    if can_be_root; then
        as_root mkdir -p /run/sshd
        as_root chmod 0755 /run/sshd
    fi
    export FERRY_VSFTPD="$vsftpd_dir/usr/sbin/vsftpd"
    export FERRY_PURE_FTPD="$pure_ftpd_dir/usr/sbin/pure-ftpd"
    export FERRY_DROPBEAR="$dropbear_dir/usr/sbin/dropbear"
    export FERRY_DROPBEARKEY="$dropbear_dir/usr/bin/dropbearkey"
    export FERRY_MICROSOCKS="$microsocks_dir/usr/bin/microsocks"
    export FERRY_TINYPROXY="$tinyproxy_dir/usr/bin/tinyproxy"
    if ! is_root; then
        say "note: not root: the FTP and password-login tests need root and will fail (use: sudo bash tests/run.sh)"
    fi

    if [[ ${FERRY_TESTS_SETUP_ONLY:-} == 1 ]]; then
        say "setup done (FERRY_TESTS_SETUP_ONLY=1: not running cargo test)"
        return 0
    fi

    local cargo status=0
    find_cargo
    say "running cargo test $*"
    cd "$repo"
    without_system_openssl "$cargo" test "$@" || status=$?
    [[ $status -eq 0 ]] || return "$status"

    local deb_step=${FERRY_TESTS_DEB:-}
    [[ -n $deb_step ]] || { [[ $# -eq 0 ]] && deb_step=1 || deb_step=0; }
    if [[ $deb_step == 1 ]]; then
        check_debian_package
    else
        say "not building the Debian package (cargo test had arguments; FERRY_TESTS_DEB=1 forces it)"
    fi
}

main "$@"
