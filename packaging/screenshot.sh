#!/usr/bin/env bash
# Takes the README's screenshot: assets/screenshots/main.png.
#
#   bash packaging/screenshot.sh [--no-build]
#
# Builds the release binary (unless --no-build), starts it on a virtual X
# display (Xvfb, 1280x800) with a fresh config folder and a demo home folder,
# connected over SFTP to a throwaway OpenSSH sshd on 127.0.0.1 that serves a
# demo folder (key login through a throwaway ssh-agent, host key known), waits
# for the window titled "Ferry", lets it draw, and captures the window.
#
# Needs: xvfb, x11-utils (xwininfo), imagemagick (import), openssh-server and
# openssh-client (sshd, ssh-keygen, ssh-agent). Without sshd the screenshot
# shows the window unconnected. Everything it starts is stopped at the end.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly repo
readonly output="$repo/assets/screenshots/main.png"
readonly binary="$repo/target/release/ferry"

say() { printf 'screenshot: %s\n' "$*"; }
die() { printf 'screenshot: error: %s\n' "$*" >&2; exit 1; }

for tool in Xvfb xwininfo import; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool not found (apt-get install xvfb x11-utils imagemagick)"
done

if [[ ${1:-} != --no-build ]]; then
    say "building the release binary"
    (cd "$repo" && cargo build --release --quiet)
fi
[[ -x $binary ]] || die "no $binary (run without --no-build)"

# A fixed, short folder rather than mktemp's random name: its path shows in the screenshot.
readonly work=/tmp/ferry-screenshot
if [[ -e $work ]]; then
    [[ -e $work/.ferry-screenshot ]] || die "$work exists and is not this script's: remove it first"
    rm -rf "$work"
fi
mkdir -p "$work"
touch "$work/.ferry-screenshot"
pids=()
# Stops exactly the processes this script started, then removes its files.
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# --- demo folders ---------------------------------------------------------
make_demo_tree() {
    local root=$1
    mkdir -p "$root"/{Documents,Photos,Projects/website/css,Music}
    printf 'Meeting notes\n' >"$root/Documents/notes.txt"
    head -c 183000 /dev/zero >"$root/Documents/report.pdf"
    head -c 2400000 /dev/zero >"$root/Photos/harbour.jpg"
    head -c 1900000 /dev/zero >"$root/Photos/ferry-at-dusk.jpg"
    printf '<!doctype html>\n' >"$root/Projects/website/index.html"
    printf 'body { margin: 0 }\n' >"$root/Projects/website/css/site.css"
    head -c 5300000 /dev/zero >"$root/Music/sea-shanty.ogg"
    printf 'Welcome\n' >"$root/README.txt"
}
home="$work/alice"
make_demo_tree "$home"
remote="$work/srv/www"
mkdir -p "$remote"
make_demo_tree "$remote"
mv "$remote/Documents" "$remote/uploads"
config="$work/config"
mkdir -p "$config"

# --- a throwaway sshd with key login through an agent ------------------------
url=""
ferry_env=()
ferry_args=()
if [[ -x /usr/sbin/sshd ]] && command -v ssh-keygen >/dev/null && command -v ssh-agent >/dev/null; then
    ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
    ssh-keygen -q -t ed25519 -N '' -f "$work/client_key"
    cp "$work/client_key.pub" "$work/authorized_keys"
    chmod 600 "$work/authorized_keys"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    cat >"$work/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $work/host_key
PidFile none
AuthorizedKeysFile $work/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
Subsystem sftp internal-sftp
EOF
    [[ $(id -u) -ne 0 ]] || mkdir -p /run/sshd
    /usr/sbin/sshd -D -e -f "$work/sshd_config" 2>"$work/sshd.log" &
    pids+=($!)
    eval "$(ssh-agent -s -a "$work/agent.sock")" >/dev/null
    pids+=("$SSH_AGENT_PID")
    ssh-add -q "$work/client_key"
    printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1-2 "$work/host_key.pub")" >"$work/known_hosts"
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    url="sftp://$(id -un)@127.0.0.1:$port$remote"
    ferry_env=(SSH_AUTH_SOCK="$work/agent.sock")
    ferry_args=(--known-hosts "$work/known_hosts")
    say "serving $remote over SFTP on 127.0.0.1:$port"
else
    say "no sshd here: the screenshot shows the window without a connection"
fi

# --- the window on a virtual display ------------------------------------------
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp 5>"$work/display" 2>/dev/null &
pids+=($!)
for _ in $(seq 100); do [[ -s $work/display ]] && break; sleep 0.1; done
[[ -s $work/display ]] || die "Xvfb did not start"
display=":$(tr -d '[:space:]' <"$work/display")"

env -u WAYLAND_DISPLAY DISPLAY="$display" HOME="$home" "${ferry_env[@]}" \
    "$binary" --config-dir "$config" "${ferry_args[@]}" ${url:+"$url"} >"$work/ferry.log" 2>&1 &
pids+=($!)

window=""
for _ in $(seq 150); do
    window="$(DISPLAY="$display" xwininfo -root -tree 2>/dev/null | awk '/"Ferry"/ { print $1; exit }')"
    [[ -n $window ]] && break
    sleep 0.2
done
[[ -n $window ]] || { cat "$work/ferry.log" >&2; die "no window titled Ferry appeared"; }
# Time to connect, list both folders and draw.
sleep "${FERRY_SCREENSHOT_WAIT:-4}"

mkdir -p "$(dirname "$output")"
DISPLAY="$display" import -window "$window" "$output"
say "wrote ${output#"$repo"/} ($(identify -format '%wx%h' "$output" 2>/dev/null || echo '?'))"
