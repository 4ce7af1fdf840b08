# -*- coding: utf-8 -*-
# A test-only stdout callback: the default output, plus every task result recorded as one JSON
# line in the file named by $IFACEFIX_RECORD, taken before the default callback displays (and
# strips) warnings, so that the tests can assert each host's result exactly. With
# $IFACEFIX_TEST_HOOK set to N:PROGRAM, PROGRAM runs when the Nth play (the Nth batch) starts,
# before any of its tasks: fleet_test.go makes a host unreachable in the middle of a run that way.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
    name: ifacefix_record
    type: stdout
    short_description: default output plus a JSON line per task result (ifacefix tests)
    description:
        - The default stdout callback, which also appends each task result to $IFACEFIX_RECORD,
          and runs the program of $IFACEFIX_TEST_HOOK (N:PROGRAM) when the Nth play starts.
    extends_documentation_fragment:
        - default_callback
"""

import copy
import json
import os
import subprocess

from ansible.plugins.callback.default import CallbackModule as DefaultCallback


class CallbackModule(DefaultCallback):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "ifacefix_record"

    _plays = 0

    def v2_playbook_on_play_start(self, play):
        self._plays += 1
        hook = os.environ.get("IFACEFIX_TEST_HOOK")
        if hook and int(hook.split(":", 1)[0]) == self._plays:
            subprocess.check_call([hook.split(":", 1)[1]])
        super(CallbackModule, self).v2_playbook_on_play_start(play)

    def _record(self, status, result):
        line = {
            "host": result._host.get_name(),
            "task": result._task.get_name(),
            "status": status,
            "result": copy.deepcopy(result._result),
        }
        with open(os.environ["IFACEFIX_RECORD"], "a") as f:
            f.write(json.dumps(line, sort_keys=True, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record("ok", result)
        super(CallbackModule, self).v2_runner_on_ok(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)
        super(CallbackModule, self).v2_runner_on_failed(result, ignore_errors=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)
        super(CallbackModule, self).v2_runner_on_skipped(result)

    def v2_runner_on_unreachable(self, result):
        self._record("unreachable", result)
        super(CallbackModule, self).v2_runner_on_unreachable(result)
