# -*- coding: utf-8 -*-
# The action plugin of ifacefix.ifacefix.ifacefix: runs the build of the module (a static Go
# program in plugins/modules/__builds__/, `make ansible`) that matches the host's architecture,
# as told by `uname -s -m` on the host. Everything else is Ansible's own binary-module machinery
# (_execute_module: temporary directory, become, arguments file, cleanup).
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shlex

from ansible.errors import AnsibleAction, AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

# `uname -m` -> the Go architecture of the build that runs there.
MACHINES = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
}

BUILDS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "modules", "__builds__")


def build_name(goarch):
    return "ifacefix_linux_" + goarch


class ActionModule(ActionBase):

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = False
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        try:
            machine = self._machine()
            goarch = MACHINES.get(machine)
            if goarch is None:
                raise AnsibleActionFail("ifacefix: no build of the module for this host's architecture %s (uname -m); "
                                        "the collection has builds for %s" % (machine, ", ".join(sorted(set(MACHINES.values())))))
            if not os.path.isfile(os.path.join(BUILDS, build_name(goarch))):
                have = sorted(os.listdir(BUILDS)) if os.path.isdir(BUILDS) else []
                raise AnsibleActionFail("ifacefix: this copy of the ifacefix.ifacefix collection has no linux/%s build of the module "
                                        "(%s is missing; present: %s): build the collection with `make collection` "
                                        "(or `make ansible`) in the ifacefix repository"
                                        % (goarch, os.path.join(BUILDS, build_name(goarch)), ", ".join(have) or "none"))
            result.update(self._execute_module(module_name="ifacefix.ifacefix.__builds__." + build_name(goarch),
                                               module_args=self._task.args, task_vars=task_vars))
            result["build"] = "linux/" + goarch
            if result.get("failed") and to_text(result.get("msg", "")).startswith("MODULE FAILURE"):
                result["msg"] = self._explain(result, goarch, machine)
        except AnsibleAction as e:
            result.update(e.result)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _machine(self):
        """The host's `uname -m`, after checking that `uname -s` says Linux."""
        res = self._low_level_execute_command("uname -s -m", sudoable=False)
        words = to_text(res.get("stdout", "")).split()
        if res.get("rc") != 0 or len(words) != 2:
            raise AnsibleActionFail("ifacefix: cannot tell the host's architecture: `uname -s -m` exited %s: %s"
                                    % (res.get("rc"), to_text(res.get("stderr", "")).strip() or to_text(res.get("stdout", "")).strip()))
        if words[0] != "Linux":
            raise AnsibleActionFail("ifacefix: the module is built for Linux; this host runs %s" % words[0])
        return words[1]

    def _explain(self, result, goarch, machine):
        """Says why the module could not run, where Ansible only says MODULE FAILURE."""
        out = to_text(result.get("module_stderr", "")) + to_text(result.get("module_stdout", ""))
        tmpdir = self._connection._shell.tmpdir
        if result.get("rc") == 126 and "Permission denied" in out and tmpdir:
            # The usual cause: the remote temporary directory is on a file system mounted noexec.
            base = os.path.dirname(tmpdir.rstrip("/"))
            res = self._low_level_execute_command("findmnt -n -r -o TARGET,OPTIONS -T " + shlex.quote(base), sudoable=False)
            words = to_text(res.get("stdout", "")).split()
            if res.get("rc") == 0 and len(words) == 2 and "noexec" in words[1].split(","):
                return ("ifacefix: cannot run the module from the remote temporary directory %s: %s is mounted noexec; "
                        "set remote_tmp (the ansible_remote_tmp variable) to a directory where programs may run"
                        % (base, words[0]))
            return ("ifacefix: cannot run the module from the remote temporary directory %s (Permission denied); "
                    "if it is on a file system mounted noexec, set remote_tmp (the ansible_remote_tmp variable) to a "
                    "directory where programs may run" % base)
        if "Exec format error" in out:
            return ("ifacefix: this host cannot run the linux/%s build of the module (Exec format error), "
                    "although its uname -m is %s" % (goarch, machine))
        return ("MODULE FAILURE running the linux/%s build of ifacefix (the host's uname -m is %s); "
                "see module_stdout and module_stderr" % (goarch, machine))
