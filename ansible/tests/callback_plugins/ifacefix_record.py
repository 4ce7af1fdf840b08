# -*- coding: utf-8 -*-
# A test-only stdout callback: the default output, plus every task result recorded as one JSON
# line in the file named by $IFACEFIX_RECORD, taken before the default callback displays (and
# strips) warnings, so that ansible_test.go can assert each host's result exactly.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
    name: ifacefix_record
    type: stdout
    short_description: default output plus a JSON line per task result (ifacefix tests)
    description:
        - The default stdout callback, which also appends each task result to $IFACEFIX_RECORD.
    extends_documentation_fragment:
        - default_callback
"""

import copy
import json
import os

from ansible.plugins.callback.default import CallbackModule as DefaultCallback


class CallbackModule(DefaultCallback):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "ifacefix_record"

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
