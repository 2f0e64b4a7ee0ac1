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

"""Base class of Valet's tempest tests."""

from tempest import config
from tempest.lib.common.utils import data_utils
from tempest.lib.common.utils import test_utils
from tempest import test

CONF = config.CONF


class BaseValetTest(test.BaseTestCase):
    """Valet API tests with an admin and a primary (member) project.

    Tempest's dynamic credentials create both projects and users in the
    real Keystone for each test class, and delete them afterwards.
    """

    credentials = ['admin', 'primary']

    @classmethod
    def skip_checks(cls):
        """Skip when the deployment has no Valet."""
        super().skip_checks()
        if not CONF.service_available.valet:
            raise cls.skipException('Valet is not available')

    @classmethod
    def setup_clients(cls):
        """The groups client of each persona."""
        super().setup_clients()
        cls.admin_client = cls.os_admin.valet.GroupsClient()
        cls.client = cls.os_primary.valet.GroupsClient()

    @classmethod
    def group_name(cls):
        """A unique group name made of the characters Valet accepts."""
        return data_utils.rand_name(prefix='tempest',
                                    name=cls.__name__.lower())

    def create_group(self, group_type='affinity', level='host', **kwargs):
        """Create a group as admin; delete it (and its members) at cleanup.

        :returns: the group (the body's ``group`` object).
        """
        kwargs.setdefault('name', self.group_name())
        group = self.admin_client.create_group(
            type=group_type, level=level, **kwargs)['group']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.admin_client.delete_group, group['id'])
        # Runs first: a group with members cannot be deleted.
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.admin_client.remove_all_members, group['id'])
        return group
