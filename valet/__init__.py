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

"""Valet: holistic placement of whole Heat stacks for OpenStack."""

from oslo_service import backend as _service_backend

# Valet's processes run on native threads, never eventlet. oslo.messaging
# imports oslo.service, which picks its backend the first time it is used:
# make threading the default for any process Valet starts, while a host
# process that already chose its backend (Heat, Nova loading Valet's
# plugins) keeps its own choice.
if _service_backend.get_backend_type() is None:
    _service_backend.register_backend_default_hook(
        lambda: _service_backend.BackendType.THREADING)
