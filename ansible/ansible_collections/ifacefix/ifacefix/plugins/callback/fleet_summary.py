# -*- coding: utf-8 -*-
# The fleet summary: at the end of a playbook that ran ifacefix.ifacefix.ifacefix, which hosts
# changed, are clean, need a person, failed (unreachable included), are not applicable, or were
# never run (a rollout stopped after a failed batch). A callback sees the end of the run whatever
# happened, where a last task or play would be skipped when a batch fails.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: fleet_summary
type: aggregate
short_description: Summary of ifacefix runs across a fleet, at the end of the playbook
description:
  - >-
    At the end of a playbook that ran C(ifacefix.ifacefix.ifacefix), lists the hosts in each of
    these categories, each host in exactly one; C(changed), C(clean), C(needs a person) (a finding
    is not fixed, whether or not a file changed), C(failed) (the task failed, or the host was
    unreachable), C(not applicable) (no C(/etc/network/interfaces)), and C(not run) (hosts of the
    play that got no ifacefix result, for instance because a failed batch stopped the rollout).
  - The reasons of the failures follow, one line per host.
requirements:
  - Enable it in ansible.cfg, C([defaults] callbacks_enabled = ifacefix.ifacefix.fleet_summary),
    or with C(ANSIBLE_CALLBACKS_ENABLED=ifacefix.ifacefix.fleet_summary).
options:
  json_file:
    description: Also write the summary, as JSON, to this file on the controller.
    type: path
    env:
      - name: IFACEFIX_SUMMARY_JSON
    ini:
      - section: ifacefix_fleet_summary
        key: json_file
"""

import json

from ansible import context
from ansible.plugins.callback import CallbackBase

ACTION = "ifacefix.ifacefix.ifacefix"

# The categories in the order they are shown, and how a host's several results combine: the
# worst one counts.
CATEGORIES = ("changed", "clean", "needs_person", "failed", "not_applicable", "not_run")
LABELS = {"changed": "changed", "clean": "clean", "needs_person": "needs a person", "failed": "failed",
          "not_applicable": "not applicable", "not_run": "not run"}
RANK = {"not_run": 0, "not_applicable": 1, "clean": 2, "changed": 3, "needs_person": 4, "failed": 5}


def first_line(s):
    lines = (s or "").strip().splitlines()
    return lines[0] if lines else ""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "ifacefix.ifacefix.fleet_summary"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._play_hosts = []  # hosts of the current play, every batch
        self._hosts = []  # hosts of the plays that ran ifacefix, in order
        self._category = {}
        self._reason = {}
        self._seen = False

    def _set(self, host, category, reason=None):
        if RANK[category] >= RANK.get(self._category.get(host, "not_run"), 0):
            self._category[host] = category
            if reason:
                self._reason[host] = reason

    def v2_playbook_on_play_start(self, play):
        # Called once per batch with serial; the hosts of the whole play, --limit applied.
        try:
            inventory = play.get_variable_manager()._inventory
            self._play_hosts = [h.name for h in inventory.get_hosts(play.hosts, order=play.order, ignore_restrictions=True)]
        except Exception:  # a private attribute: without it, only the hosts seen are listed
            self._play_hosts = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        if ACTION in (task.resolved_action, task.action):
            self._seen = True
            for h in self._play_hosts:
                if h not in self._hosts:
                    self._hosts.append(h)

    def _ours(self, result):
        return ACTION in (result._task.resolved_action, result._task.action)

    def _host(self, result):
        name = result._host.get_name()
        if name not in self._hosts:
            self._hosts.append(name)
        return name

    def v2_runner_on_ok(self, result):
        if not self._ours(result):
            return
        host = self._host(result)
        for r in result._result.get("results", [result._result]):  # a loop: one result per item
            outcome = r.get("outcome")
            if outcome not in RANK:
                outcome = "changed" if r.get("changed") else "clean"
            self._set(host, outcome)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if self._ours(result) or not ignore_errors:
            self._set(self._host(result), "failed", first_line(result._result.get("msg")) or "failed")

    def v2_runner_on_unreachable(self, result):
        self._set(self._host(result), "failed", "unreachable: " + first_line(result._result.get("msg")))

    def v2_playbook_on_stats(self, stats):
        if not self._seen:
            return
        groups = dict((c, []) for c in CATEGORIES)
        for h in self._hosts:
            groups[self._category.get(h, "not_run")].append(h)
        check = bool(context.CLIARGS.get("check"))
        self._display.banner("IFACEFIX FLEET SUMMARY" + (" (check mode: nothing was written)" if check else ""))
        width = max(len(LABELS[c]) for c in CATEGORIES) + 6
        for c in CATEGORIES:
            if c == "not_run" and not groups[c]:
                continue
            head = "%s: %d" % (LABELS[c], len(groups[c]))
            self._display.display(("%-*s %s" % (width, head, " ".join(groups[c]))).rstrip())
        for h in groups["failed"]:
            self._display.display("  %s: %s" % (h, self._reason.get(h, "failed")))
        path = self.get_option("json_file")
        if path:
            with open(path, "w") as f:
                json.dump({"check_mode": check, "hosts": groups,
                           "reasons": dict((h, self._reason[h]) for h in groups["failed"] if h in self._reason)},
                          f, indent=1, sort_keys=True)
                f.write("\n")
