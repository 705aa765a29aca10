"""Reads Ferry's window the way a screen reader does, over AT-SPI, and does one whole task with
AT-SPI and the keyboard alone: connect to an SFTP server, accept its host key, select a file,
download it, and hear that it finished.

Run by tests/window/real_screen_reader.rs with Debian's python3-pyatspi, on a private session bus
where the accessibility bus runs and org.a11y.Status IsEnabled is true. Prints each step; exits
with status 1 and the reason at the first thing a screen-reader user would find wrong.
"""

import argparse
import os
import subprocess
import sys
import time

import pyatspi

TIMEOUT = 30.0


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def step(message):
    print(f"ok: {message}", flush=True)


def children(node):
    try:
        return [child for child in node if child is not None]
    except Exception:  # a node that went away while it was read
        return []


def walk(node):
    yield node
    for child in children(node):
        yield from walk(child)


def states(node):
    try:
        return set(node.getState().getStates())
    except Exception:
        return set()


def wait_for(what, find, timeout=TIMEOUT):
    """Calls find() until it returns something, for up to `timeout` seconds."""
    found = wait_for_optional(find, timeout)
    if not found:
        fail(f"{what}: not seen within {timeout:.0f} s")
    return found


def ferry_frame():
    for app in children(pyatspi.Registry.getDesktop(0)):
        if app.name == "ferry":
            for child in children(app):
                if child.getRoleName() == "frame":
                    return child
    return None


def wait_for_optional(find, timeout):
    """Calls find() until it returns something, for up to `timeout` seconds; None if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = find()
        except Exception:  # the tree changed under us; read it again
            found = None
        if found:
            return found
        time.sleep(0.2)
    return None


def find(root, role, name=None, starts_with=None):
    for node in walk(root):
        if node.getRoleName() != role:
            continue
        if name is not None and node.name != name:
            continue
        if starts_with is not None and not node.name.startswith(starts_with):
            continue
        return node
    return None


def check_every_focusable_node_is_named(frame):
    bad = []
    for node in walk(frame):
        if pyatspi.STATE_FOCUSABLE in states(node):
            role = node.getRoleName()
            if role in ("unknown", "invalid") or not node.name.strip():
                bad.append(f"{role} '{node.name}'")
    if bad:
        fail(f"focusable nodes without a role or a name: {bad}")
    step("every focusable node has a role and a name")


def set_text(frame, role, name, text):
    field = find(frame, role, name)
    if field is None:
        fail(f"no {role} '{name}'")
    field.queryEditableText().setTextContents(text)


def press(frame, role, name):
    node = find(frame, role, name)
    if node is None:
        fail(f"no {role} '{name}'")
    node.queryAction().doAction(0)


def focus_window():
    """Gives Ferry's window the keyboard, as a window manager does for the active window (Xvfb
    has none); AT-SPI reports focus only inside the active window."""
    subprocess.run(["xdotool", "search", "--name", "^Ferry$", "windowfocus", "--sync"], check=True)


def key(keysym):
    """A key pressed on the real keyboard, as the X server gets it, into Ferry's window."""
    focus_window()
    subprocess.run(["xdotool", "key", keysym], check=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--local-row", required=True)
    parser.add_argument("--remote-row", required=True)
    parser.add_argument("--remote-file", required=True)
    parser.add_argument("--local-folder", required=True)
    args = parser.parse_args()

    frame = wait_for("Ferry's window on the accessibility bus", ferry_frame)
    if not frame.name.startswith("Ferry"):
        fail(f"the window is named '{frame.name}', not after Ferry")
    step(f"window '{frame.name}'")
    focus_window()

    local = wait_for("the local file table", lambda: find(frame, "table", "Local files"))
    row = wait_for(f"row '{args.local_row}'", lambda: find(local, "table row", args.local_row))
    headers = [node.name for node in walk(local) if node.getRoleName() == "column header"]
    if headers[:2] != ["Name", "Size"]:
        fail(f"the table's column headers are {headers}")
    if pyatspi.STATE_SELECTED in states(row):
        fail("a row is selected before anything was chosen")
    step(f"table 'Local files' with headers {headers} and row '{row.name}'")
    check_every_focusable_node_is_named(frame)

    set_text(frame, "entry", "Host", "127.0.0.1")
    set_text(frame, "entry", "Port", args.port)
    set_text(frame, "entry", "User", args.user)
    set_text(frame, "password text", "Password", args.password)
    press(frame, "push button", "Connect")
    step("connect bar filled and Connect pressed")

    dialog = wait_for("the host key dialog", lambda: find(frame, "dialog", "Unknown host key"))
    focused = wait_for(
        "focus inside the dialog",
        lambda: next((n for n in walk(dialog) if pyatspi.STATE_FOCUSED in states(n)), None),
    )
    if (focused.getRoleName(), focused.name) != ("push button", "Cancel"):
        fail(f"the dialog opened with focus on {focused.getRoleName()} '{focused.name}', not on Cancel")
    step("dialog 'Unknown host key' opened with focus on Cancel")
    press(dialog, "push button", "Accept once")

    remote = wait_for("the remote file table", lambda: find(frame, "table", "Remote files"))
    wait_for(f"row '{args.remote_row}'", lambda: find(remote, "table row", args.remote_row))
    loading = [n.name for n in walk(frame) if n.getRoleName() == "progress bar" and not n.name.strip()]
    if loading:
        fail("a progress bar has no name")
    step(f"table 'Remote files' lists '{args.remote_row}'")

    # Select the file as a screen reader does (the row's click action), then download it with
    # Enter, which opens a folder and transfers a file.
    find(remote, "table row", args.remote_row).queryAction().doAction(0)
    wait_for(
        "the row selected",
        lambda: pyatspi.STATE_SELECTED in states(find(remote, "table row", args.remote_row)),
    )
    step("row selected; its state says so")
    said = f"Downloaded {args.remote_file}"
    # The announcement is a child of the window. It is read there alone, not by a walk of the
    # whole tree: a refreshed pane's "Listed …" replaces it 0.7 s later, quicker than a walk on a
    # busy machine.
    announced = lambda: any(
        node.getRoleName() == "status bar" and node.name == said for node in children(frame)
    )
    # On a busy machine a key pressed while the focus is still moving can be lost: press Enter
    # again (at most twice more) while the file has not arrived.
    arrived = os.path.join(args.local_folder, args.remote_file)
    for attempt in range(3):
        remote.queryComponent().grabFocus()
        # The table takes the focus; a screen reader then sits on its active row, the selected one.
        wait_for(
            "focus on the remote table or its active row",
            lambda: any(pyatspi.STATE_FOCUSED in states(node) for node in [remote, *walk(remote)]),
        )
        key("Return")
        if wait_for_optional(announced, timeout=30):
            break
        if os.path.exists(arrived):
            fail(f"the file arrived, but the announcement '{said}' was not seen")
    else:
        fail(f"the announcement '{said}': not seen after pressing Enter three times")
    step("Enter pressed on the remote table")

    progress = wait_for(
        "the item's progress bar",
        lambda: find(frame, "progress bar", f"Progress of {args.remote_file}"),
    )
    value = progress.queryValue().currentValue
    # egui gives a bar's value in per cent.
    if value < 99.9:
        fail(f"the finished item's progress reads {value}")
    step(f"announced '{said}'; progress bar '{progress.name}' at {value:.0f} %")

    # The queue is a table too: one row per transfer, named after what it does and where it is.
    transfers = wait_for("the queue's table", lambda: find(frame, "table", "Transfers"))
    row = wait_for(
        "the item's row",
        lambda: find(transfers, "table row", starts_with=f"{args.remote_file}, download, 100 %, Done"),
    )
    step(f"table 'Transfers' has the row '{row.name}'")
    # The dividers say where they are, as a value a screen reader reads.
    split = wait_for("the pane split", lambda: next((n for n in walk(frame) if n.name == "Pane split"), None))
    split_value = split.queryValue().currentValue
    if round(split_value) != 50:
        fail(f"the pane split reads {split_value}, not 50")
    step(f"'{split.name}' ({split.getRoleName()}) at {split_value:.0f} %")
    check_every_focusable_node_is_named(frame)


if __name__ == "__main__":
    main()
