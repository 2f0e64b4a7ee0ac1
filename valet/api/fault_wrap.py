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

"""Last line of defence: no exception leaves the application raw."""

from oslo_log import log as logging

from valet.api import errors
from valet.db import api as db_api
from valet import exception

LOG = logging.getLogger(__name__)


class FaultWrapper(object):
    """Turn any exception escaping the application into an API-WG error.

    A backend that cannot be reached is a 503; anything else is a bug,
    logged with its traceback and answered 500 without one.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            return self.application(environ, start_response)
        except errors.HTTPError as exc:
            return exc(environ, start_response)
        except exception.ServiceUnavailable as exc:
            LOG.error('Backend unavailable: %s', exc)
            return errors.from_exception(exc)(environ, start_response)
        except Exception as exc:
            if db_api.is_unavailable(exc):
                LOG.error('Database unavailable: %s', exc)
                return errors.ServiceUnavailable(
                    'The database is unavailable.')(environ, start_response)
            LOG.exception('Unexpected error in the Valet API: %s', exc)
            return errors.InternalServerError(
                'An unexpected error prevented the request from being '
                'served. The log has the details under the request id.'
            )(environ, start_response)
