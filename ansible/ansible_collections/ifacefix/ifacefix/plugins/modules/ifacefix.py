# -*- coding: utf-8 -*-
# The documentation of ifacefix.ifacefix.ifacefix, read by ansible-doc. The module itself is the Go
# program cmd/ifacefix-ansible, compiled once per architecture into plugins/modules/__builds__/
# (`make ansible`); the action plugin plugins/action/ifacefix.py runs the build for each host's
# architecture. This file is never sent to a host.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ifacefix
short_description: Remove gateway lines that break ifupdown IP alias stanzas
version_added: 0.1.0
author:
  - ifacefix contributors
description:
  - Reads I(path) (default C(/etc/network/interfaces)) and every file it sources with C(source)
    and C(source-directory), resolved exactly as ifupdown 0.8 resolves them, and removes the
    C(gateway) lines that IP alias stanzas (C(iface eth0:0 inet static)) copied from their primary
    interface, together with the related problems ifacefix knows (duplicate gateways, a default
    route that only an alias carried is moved into its static primary, default-route C(up)/C(down)
    commands in aliases).
  - Every byte not removed is kept as it was (comments, indentation, continuation lines, CRLF).
    Each changed file is replaced atomically with its owner, group and mode kept, and a backup of
    the old bytes is kept next to it as C(.NAME.ifacefix-YYYYMMDDTHHMMSSZ.bak) (on ifupdown-ng
    in C(.ifacefix-backup/) beside it).
  - >-
    A file ifupdown would refuse is never edited; the task fails with C(PATH:LINE: message) in
    ifupdown's own wording and nothing is written.
  - A host without C(/etc/network/interfaces) (netplan, systemd-networkd) is not applicable; the
    task is ok and unchanged, with C(outcome=not_applicable).
  - The module never restarts networking. Without I(live) it never touches a live interface;
    with I(live) it repairs the running host in place (see I(live)).
  - The module is a compiled program; the collection carries one build per architecture
    (C(linux/amd64) for C(x86_64) hosts, C(linux/arm64) for C(aarch64) hosts) and runs the one
    that matches the host's C(uname -m). The host needs no Python.
options:
  path:
    description:
      - The top-level ifupdown configuration file, an absolute path (inside I(root) when I(root)
        is set). Files it sources are checked and fixed too.
      - As for every Ansible C(path) option, environment variables and a leading C(~) are
        expanded on the host.
    type: path
    default: /etc/network/interfaces
  root:
    description:
      - Treat this absolute directory as C(/), like a chroot, for a system image or a mounted
        disk. Nothing outside it is read or written, whatever C(..) or symbolic links say.
      - Paths in the result are shown as I(root) joined with the path inside it.
    type: path
  backup:
    description:
      - Keep the old bytes of each replaced file next to it as
        C(.NAME.ifacefix-YYYYMMDDTHHMMSSZ.bak). The name starts with a dot so that neither
        C(source interfaces.d/*) nor ifupdown's C(source-directory) ever reads it back;
        ifupdown-ng's reads dotfiles too, so there it goes in C(.ifacefix-backup/) beside the file.
    type: bool
    default: true
  strip_route_commands:
    description:
      - Also remove C(up)/C(down) commands in alias stanzas that add or delete a main-table
        default route (C(route add default gw ...), C(ip route add|append|replace|del default ...)),
        with their C(down) twins. Without it they are only reported as warnings.
    type: bool
    default: false
  live:
    description:
      - Also compare the running host with the configuration, as C(ifacefix --live) does (the
        kernel's default routes and addresses (over netlink) and ifupdown's state). Findings such as
        several default routes that differ only in C(src), routes no line asks for, and aliases
        whose addresses are up but which ifupdown's state does not record, join I(findings).
      - Outside check mode, after the files are written, the running host is brought to what a clean
        boot with the fixed configuration gives, without restarting networking. Default routes the
        fixed configuration no longer asks for are deleted and missing ones added (adds first, so a
        default route is always present), the state is completed for interfaces that are up, and
        the result is checked with a route lookup; the previous routes are put back if it fails.
        Routes that no configuration line explains (added by hand, by a DHCP client) are reported,
        never changed. In check mode the changes are only reported (I(kernel_changes)).
      - Cannot be combined with I(root).
    type: bool
    default: false
  state_dir:
    description:
      - ifupdown's state directory, as C(ifup --state-dir), read and completed with I(live).
    type: path
    default: /run/network
  dialect:
    description:
      - The program that reads the configuration on the host, whose reading and bring-up ifacefix
        models, as C(ifacefix --dialect) takes it. C(ifupdown) is Debian's ifupdown 0.8.
      - Without it, it is detected in I(root) (C(/) without it) from the package database
        (C(var/lib/dpkg/status) and C(status.d), C(lib/apk/db/installed)), or else from what
        C(/usr/sbin/ifup) or C(/sbin/ifup) is; with none of them ifupdown 0.8 is assumed. A
        database that cannot be read fails the task (set this option then). The result says which
        was used and why (I(dialect), I(dialect_reason)).
    type: str
    choices: [ifupdown, ifupdown2, ifupdown-ng, busybox]
  # The next options are documented here, accepted in cmd/ifacefix-ansible and passed by
  # playbooks/fleet.yml; TestDoc checks that this list and the module agree.
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.flow
attributes:
  action:
    support: full
    description: Picks, on the controller, the build for the host's architecture.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    description: Plans the change and reports it (with the diff in diff mode); writes nothing.
  diff_mode:
    support: full
    description: Returns one before/after entry per changed file.
  platform:
    platforms: linux
notes:
  - Files with nothing to change are not touched. Concurrent runs on the same configuration are
    serialised by a lock on its directory (30 seconds, then the task fails).
  - The module is copied to and run from the remote temporary directory (C(remote_tmp)). If that
    directory is on a file system mounted C(noexec), the task fails and says so; set
    C(ansible_remote_tmp) to a directory where programs may run.
  - For a summary of a whole fleet at the end of the run, enable the callback
    C(ifacefix.ifacefix.fleet_summary).
seealso:
  - name: interfaces(5)
    description: The ifupdown configuration format.
    link: https://manpages.debian.org/interfaces.5
"""

EXAMPLES = r"""
- name: Fix alias gateways in /etc/network/interfaces and the files it sources
  ifacefix.ifacefix.ifacefix:

- name: Preview only (or run the play with --check --diff)
  ifacefix.ifacefix.ifacefix:
  check_mode: true
  diff: true

- name: Fix the file and repair the running host without restarting networking (preview with --check)
  ifacefix.ifacefix.ifacefix:
    live: true
    strip_route_commands: true

- name: Read the configuration as ifupdown2 reads it, whatever the host's package database says
  ifacefix.ifacefix.ifacefix:
    dialect: ifupdown2

- name: Fix a mounted image, also removing default-route commands in aliases, without backups
  ifacefix.ifacefix.ifacefix:
    root: /mnt/image
    strip_route_commands: true
    backup: false
"""

RETURN = r"""
changed:
  description: Whether a file was changed (in check mode, whether a file would be changed).
  returned: always
  type: bool
outcome:
  description:
    - What the run means for the host, the categories of the fleet summary.
    - C(changed) a file was (in check mode, would be) changed and nothing is left for a person;
      C(clean) nothing to change; C(needs_person) a finding is not fixed (see I(warnings)),
      whether or not a file changed; C(not_applicable) the host has no
      C(/etc/network/interfaces); C(failed) the task failed.
  returned: always
  type: str
  choices: [changed, clean, needs_person, not_applicable, failed]
msg:
  description: "A one-line summary, or the error (C(PATH:LINE: message) for invalid input)."
  returned: always
  type: str
  sample: "2 files checked, 3 findings (3 fixed, 0 need a person); 2 files changed: /etc/network/interfaces, /etc/network/interfaces.d/eth0-web"
build:
  description: The build of the module that ran on the host.
  returned: when the host's architecture is known
  type: str
  sample: linux/arm64
diff:
  description: One entry per changed file, in diff mode only.
  returned: when changed and in diff mode
  type: list
  elements: dict
  contains:
    before:
      description: The file's old content.
      type: str
    after:
      description: The file's new content.
      type: str
    before_header:
      description: The file's path.
      type: str
    after_header:
      description: The file's path.
      type: str
backup_files:
  description: The backups written, one per changed file (empty in check mode or with C(backup=false)).
  returned: success
  type: list
  elements: str
  sample: ["/etc/network/.interfaces.ifacefix-20250102T030405Z.bak"]
findings:
  description: Everything found, as in C(ifacefix --json).
  returned: success
  type: list
  elements: dict
  contains:
    root:
      description: The root the file was read in (the C(root) option, C(/) without it).
      type: str
    path:
      description: The file.
      type: str
    line:
      description: The line number (1-based), 0 when the finding is about the whole file.
      type: int
    iface:
      description: The stanza's interface name.
      type: str
    family:
      description: The stanza's address family (C(inet), C(inet6)).
      type: str
    rule:
      description: The rule id (C(ifacefix --explain RULE) explains it).
      type: str
    message:
      description: What was found and what is done about it.
      type: str
    fixed:
      description: Whether the change (proposed in check mode, written otherwise) fixes it.
      type: bool
    removed:
      description: The removed text, when something was removed.
      type: str
  sample:
    - root: /
      path: /etc/network/interfaces
      line: 14
      iface: "eth0:0"
      family: inet
      rule: alias-gateway
      message: "alias eth0:0 has gateway 192.0.2.1; eth0 (inet) already has a default route: removed"
      fixed: true
routes:
  description: With I(live), the kernel's default routes before any change, as C(ip route show) prints them.
  returned: with live
  type: list
  elements: str
  sample: ["default via 192.0.2.1 dev eth0 src 192.0.2.11", "default via 192.0.2.1 dev eth0 onlink"]
kernel_changes:
  description:
    - With I(live), the changes made to the running host (in check mode, those that would be made),
      each as the C(ip) command that makes it, or a C(#) comment for an interface recorded as up in
      ifupdown's state. Any makes I(changed) true.
  returned: with live, when there are any
  type: list
  elements: str
  sample: ["ip route del default via 192.0.2.1 dev eth0 proto boot metric 0 src 192.0.2.11"]
dialect:
  description: The program the configuration was read as (the I(dialect) option, else detected on the host).
  returned: when the dialect is known
  type: str
  choices: [ifupdown, ifupdown2, ifupdown-ng, busybox]
  sample: ifupdown2
dialect_version:
  description: The installed package's version, when the dialect was read from the package database.
  returned: when known
  type: str
  sample: 3.0.0-1.1
dialect_reason:
  description: Why this dialect, in one line, naming what was read.
  returned: when the dialect is known
  type: str
  sample: "var/lib/dpkg/status: ifupdown2 3.0.0-1.1 installed"
warnings:
  description: "The findings that need a person, as C(PATH:LINE: RULE: message); Ansible shows them as warnings."
  returned: when there are any
  type: list
  elements: str
"""

if __name__ == "__main__":
    import json

    print(json.dumps({"failed": True, "msg": "ifacefix.ifacefix.ifacefix runs through its action plugin, "
                      "which picks the compiled build for the host; this file is only its documentation"}))
