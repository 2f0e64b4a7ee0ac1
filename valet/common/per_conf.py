# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""One object per ConfigOpts, built on first use and shared after.

Valet keeps no global configuration, so what a process builds once (a
policy enforcer, an RPC transport, a Keystone session) is built once per
ConfigOpts instead.
"""

import threading
import weakref


class PerConf(object):
    """A cache holding one object per ConfigOpts.

    A ConfigOpts is not hashable: entries are keyed by ``id(conf)``, with a
    weak reference that tells the conf from a later one reusing its id and
    does not keep it alive.
    """

    def __init__(self, build):
        """:param build: called with a conf to build its object."""
        self._build = build
        self._lock = threading.Lock()
        self._entries = {}

    def get(self, conf):
        """Return conf's object, building it on first use."""
        with self._lock:
            owner, value = self._entries.get(id(conf), (None, None))
            if owner is None or owner() is not conf:
                value = self._build(conf)
                self._entries[id(conf)] = (weakref.ref(conf), value)
            return value

    def pop(self, conf):
        """Forget conf's object and return it (None if there was none)."""
        with self._lock:
            return self._entries.pop(id(conf), (None, None))[1]

    def clear(self):
        """Forget every object."""
        with self._lock:
            self._entries.clear()
