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

"""``valet-status upgrade check`` (oslo.upgradecheck).

Checks that an operator runs before (re)starting Valet after an upgrade:

* the database URL is usable (scheme known, driver installed), the
  database is reachable and its schema is at the latest revision;
* the configured policy file exists, parses, references only defined
  rules and overrides only rules that Valet knows.

Exit codes are oslo.upgradecheck's: 0 success, 1 warning, 2 failure,
255 the check itself crashed.
"""

import re
import sys

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck
from sqlalchemy import exc as sa_exc

import valet.conf
from valet.db import migration
from valet.db import preflight
from valet import exception
from valet import policy

_RULE_REFERENCE = re.compile(r'\brule:([^\s()]+)')

Code = upgradecheck.Code
Result = upgradecheck.Result


class Checks(upgradecheck.UpgradeCommands):
    """The upgrade checks of Valet, run by ``valet-status upgrade check``."""

    def __init__(self, conf):
        super().__init__()
        self.conf = conf

    def _check_database_schema(self):
        """The URL is usable, the database answers, its schema is at head."""
        try:
            preflight.check_connection(self.conf)
        except exception.ConfigurationError as error:
            return Result(Code.FAILURE, str(error))
        head = migration.head()
        try:
            current = migration.version(self.conf)
        except (exception.ServiceUnavailable, db_exc.DBError,
                db_exc.CantStartEngineError, sa_exc.SQLAlchemyError) as error:
            return Result(Code.FAILURE,
                          'Cannot reach the database: %s' % error)
        if current is None:
            return Result(Code.FAILURE,
                          'The database has no Valet schema. Run '
                          '"valet-manage db sync".')
        if current == head:
            return Result(Code.SUCCESS)
        if current in migration.revisions():
            return Result(Code.FAILURE,
                          'The database schema is at revision %s but this '
                          'release needs %s. Run "valet-manage db sync".' %
                          (current, head))
        return Result(Code.FAILURE,
                      'The database schema is at revision %s, which this '
                      'release of Valet does not know (is the database '
                      'newer than the code?).' % current)

    def _check_policy_file(self):
        """The policy file parses and names rules that exist."""
        enforcer = policy.defaults_enforcer(self.conf)
        policy_file = self.conf.oslo_policy.policy_file
        try:
            enforcer.load_rules(force_reload=True)
        except Exception as error:
            return Result(Code.FAILURE,
                          'The policy file %s cannot be loaded: %s' %
                          (policy_file, error))
        if not enforcer.file_rules:
            if (policy.policy_file_chosen(self.conf) and
                    not enforcer.policy_path):
                # valet-api refuses to start with it.
                return Result(Code.FAILURE,
                              'The configured policy file %s does not '
                              'exist.' % policy_file)
            return Result(Code.SUCCESS,
                          'No policy overrides: the defaults in code apply.')
        if not enforcer.check_rules(raise_on_violation=False):
            return Result(Code.FAILURE,
                          'The policy file %s refers to undefined rules or '
                          'defines rules that refer to each other in a '
                          'loop (see the log for which).' %
                          enforcer.policy_path)
        unknown = self._unknown_rules(enforcer)
        if unknown:
            return Result(Code.WARNING,
                          'The policy file %s overrides rules that Valet '
                          'does not have, so they change nothing: %s' %
                          (enforcer.policy_path, ', '.join(unknown)))
        return Result(Code.SUCCESS)

    @staticmethod
    def _unknown_rules(enforcer):
        """Return file rules that are neither Valet's nor referenced."""
        check_strings = [rule.check_str
                         for rule in enforcer.registered_rules.values()]
        check_strings += [rule.check_str
                          for rule in enforcer.file_rules.values()]
        referenced = set()
        for check_str in check_strings:
            referenced.update(_RULE_REFERENCE.findall(check_str or ''))
        return sorted(name for name in enforcer.file_rules
                      if name not in enforcer.registered_rules and
                      name not in referenced)

    def _check_policy_json(self):
        """The policy file is YAML (JSON policy files are not supported)."""
        try:
            return common_checks.check_policy_json(self, self.conf)
        except OSError as error:
            # oslo.upgradecheck reads the file itself and lets the error
            # out, which would end every check with a traceback.
            return Result(Code.FAILURE,
                          'The policy file %s cannot be read: %s' %
                          (self.conf.oslo_policy.policy_file, error))

    _upgrade_checks = (
        ('Database schema', _check_database_schema),
        ('Policy file', _check_policy_file),
        ('Policy file format', _check_policy_json),
    )


def main(argv=None):
    """Console script ``valet-status``."""
    conf = cfg.ConfigOpts()
    valet.conf.register_opts(conf)
    return upgradecheck.main(
        conf, project='valet', upgrade_command=Checks(conf),
        argv=sys.argv[1:] if argv is None else argv)
