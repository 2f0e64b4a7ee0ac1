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

"""The request context passed explicitly through Valet's layers."""

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """A RequestContext that carries a DB session and the service's config.

    ``config`` is the process's ``ConfigOpts``; nothing in Valet reads a
    global configuration object.
    """

    def __init__(self, *args, **kwargs):
        self.config = kwargs.pop('config', None)
        # When the caller gives up (seconds since the epoch), or None: an
        # engine does not commit a request whose caller has gone.
        self.deadline = kwargs.pop('deadline', None)
        super().__init__(*args, **kwargs)

    def to_dict(self):
        """The context as the bus carries it, deadline included."""
        values = super().to_dict()
        values['deadline'] = self.deadline
        return values

    @classmethod
    def from_dict(cls, values, **kwargs):
        """Rebuild a context sent over the bus."""
        kwargs.setdefault('deadline', values.get('deadline'))
        return super().from_dict(values, **kwargs)

    def can(self, action, target=None, fatal=True):
        """Check the policy rule action for this context.

        :returns: True, or False when fatal is False and the rule fails.
        :raises valet.exception.PolicyNotAuthorized: when fatal and denied.
        """
        # Imported here to keep the context free of an import cycle:
        # valet.policy loads every option module, and those may import
        # code that uses the context.
        from valet import policy
        return policy.authorize(self, action, target=target, fatal=fatal)
