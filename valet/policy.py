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

"""Policy enforcement: one oslo.policy Enforcer per configuration.

Handlers call ``context.can(action)``; nothing here reads a global
configuration. :func:`get_enforcer` serves the oslopolicy command line
tools (the ``oslo.policy.enforcer`` entry point).
"""

from oslo_config import cfg
from oslo_log import log as logging
from oslo_policy import policy

from valet.common import per_conf
import valet.conf
from valet import exception
from valet import policies

LOG = logging.getLogger(__name__)

# ConfigOpts is a Mapping, hence unhashable: key by identity and keep the
# object alive with its enforcer so that an id is never reused by mistake.


def defaults_enforcer(conf):
    """Return a new Enforcer on conf with Valet's defaults registered.

    The policy file is not read yet: call ``load_rules()`` (valet-status
    does, to report a file that cannot be loaded).
    """
    enforcer = policy.Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    return enforcer


def policy_file_chosen(conf):
    """True if the operator set ``[oslo_policy] policy_file``."""
    location = conf.get_location('policy_file', 'oslo_policy')
    return location.location not in (cfg.Locations.opt_default,
                                     cfg.Locations.set_default)


def _one_line(error):
    """Return a policy file's load error as one line of text.

    YAML parse errors span several lines (the offending line and a caret
    under it); the problem and its position are enough.
    """
    # oslo.policy re-raises YAML errors as ValueError, from the original.
    cause = error.__context__ or error
    mark = getattr(cause, 'problem_mark', None)
    problem = getattr(cause, 'problem', None)
    if mark is not None and problem:
        return '%s at line %d, column %d' % (problem, mark.line + 1,
                                             mark.column + 1)
    return ' '.join(str(error).split())


def check_policy_file(conf):
    """Load the policy file once, as a service does before serving.

    oslo.policy ignores a policy file it cannot find, and reports one it
    cannot read or parse only when the first request is checked -- as a
    500, on every request. Both are found here, at start-up.

    :raises valet.exception.ConfigurationError: naming
        ``[oslo_policy] policy_file`` when a file the operator chose does
        not exist, or when the file found cannot be read or parsed.
    """
    option = '[oslo_policy] policy_file'
    enforcer = defaults_enforcer(conf)
    try:
        enforcer.load_rules(force_reload=True)
    except Exception as error:
        # oslo.policy raises whatever reading or parsing raised (OSError,
        # yaml errors, ValueError...): every one of them is fatal.
        raise exception.ConfigurationError(
            option=option, reason='%s cannot be loaded: %s' %
            (enforcer.policy_path or conf.oslo_policy.policy_file,
             _one_line(error)))
    if policy_file_chosen(conf) and not enforcer.policy_path:
        raise exception.ConfigurationError(
            option=option, reason='%s cannot be found' %
            conf.oslo_policy.policy_file)
    return enforcer


def _new_enforcer(conf):
    enforcer = defaults_enforcer(conf)
    enforcer.load_rules()
    return enforcer


_ENFORCERS = per_conf.PerConf(_new_enforcer)


def enforcer_for(conf):
    """Return the (cached) Enforcer built on this configuration."""
    return _ENFORCERS.get(conf)


def reset(conf=None):
    """Forget cached enforcers (all of them, or the one of conf)."""
    if conf is None:
        _ENFORCERS.clear()
    else:
        _ENFORCERS.pop(conf)


def get_enforcer():
    """Return an Enforcer for the oslopolicy command line tools."""
    conf = cfg.ConfigOpts()
    valet.conf.register_opts(conf)
    conf([], project='valet')
    return _new_enforcer(conf)


def authorize(context, action, target=None, fatal=True):
    """Check action for context against target.

    :param target: dict of the resource's attributes; defaults to the
        caller's own project and user.
    :returns: True or False (only when fatal is False).
    :raises valet.exception.PolicyNotAuthorized: when denied and fatal.
    """
    if target is None:
        target = {'project_id': context.project_id,
                  'user_id': context.user_id}
    enforcer = enforcer_for(context.config)
    try:
        return enforcer.authorize(
            action, target, context, do_raise=fatal,
            exc=exception.PolicyNotAuthorized, action=action)
    except policy.InvalidScope:
        LOG.debug('Policy %s refused: wrong token scope', action)
        if fatal:
            raise exception.PolicyNotAuthorized(action=action)
        return False
