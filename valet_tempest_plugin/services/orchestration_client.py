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

"""Just enough of Heat's API for Valet's scenario tests.

Tempest no longer ships an orchestration client (heat-tempest-plugin has
its own, not meant for other plugins): this one creates a stack, waits
for it, lists its resources and deletes it.
"""

import time

from oslo_serialization import jsonutils as json
from tempest.lib.common import rest_client
from tempest.lib import exceptions as lib_exc


class StackBuildError(lib_exc.TempestException):
    """A stack ended in a status that is not the one waited for."""

    message = ('Stack %(stack)s is %(status)s (waiting for %(wanted)s): '
               '%(reason)s')


class StacksClient(rest_client.RestClient):
    """Client of Heat's /stacks (the catalog endpoint holds the project)."""

    def _answer(self, resp, body):
        return rest_client.ResponseBody(resp, json.loads(body) if body
                                        else {})

    def create_stack(self, name, template, parameters=None,
                     environment=None):
        """POST /stacks; return {"stack": {"id", "links"}}."""
        document = {'stack_name': name, 'template': template,
                    'parameters': parameters or {},
                    'environment': environment or {},
                    'disable_rollback': True}
        resp, body = self.post('stacks', json.dumps(document))
        self.expected_success(201, resp.status)
        return self._answer(resp, body)

    def show_stack(self, name, stack_id):
        """GET /stacks/{name}/{id}."""
        resp, body = self.get('stacks/%s/%s' % (name, stack_id))
        self.expected_success(200, resp.status)
        return self._answer(resp, body)

    def list_resources(self, name, stack_id):
        """GET /stacks/{name}/{id}/resources."""
        resp, body = self.get('stacks/%s/%s/resources' % (name, stack_id))
        self.expected_success(200, resp.status)
        return self._answer(resp, body)

    def delete_stack(self, name, stack_id):
        """DELETE /stacks/{name}/{id}."""
        resp, body = self.delete('stacks/%s/%s' % (name, stack_id))
        self.expected_success(204, resp.status)
        return self._answer(resp, body)

    def wait_for_stack_status(self, name, stack_id, wanted):
        """Wait until the stack's status is wanted; return the stack.

        :raises StackBuildError: it ended FAILED (with Heat's reason).
        :raises tempest.lib.exceptions.TimeoutException: build_timeout.
        """
        start = time.time()
        while True:
            try:
                stack = self.show_stack(name, stack_id)['stack']
            except lib_exc.NotFound:
                if wanted == 'DELETE_COMPLETE':
                    return None
                raise
            status = stack['stack_status']
            if status == wanted:
                return stack
            if status.endswith('_FAILED'):
                raise StackBuildError(stack=name, status=status,
                                      wanted=wanted,
                                      reason=stack['stack_status_reason'])
            if time.time() - start >= self.build_timeout:
                raise lib_exc.TimeoutException(
                    'Stack %s is still %s after %s s (waiting for %s)' %
                    (name, status, self.build_timeout, wanted))
            time.sleep(self.build_interval)
