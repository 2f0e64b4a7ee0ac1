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

"""GET/HEAD /v1/status: does Valet work end to end right now?

A real round trip to the database and to an engine (an RPC ping); 200 when
both answer, 503 otherwise.
"""

from oslo_log import log as logging
import sqlalchemy as sa
import webob.dec

from valet.api import util
from valet.db import api as db_api
from valet.engine import rpcapi
from valet import exception
from valet.policies import status as policies

LOG = logging.getLogger(__name__)


def _database_status(ctx):
    try:
        with db_api.context_manager.reader.using(ctx) as session:
            session.execute(sa.text('SELECT 1'))
    except Exception as exc:
        LOG.error('Status: the database does not answer: %s', exc)
        return {'status': 'unavailable',
                'detail': 'the database does not answer'}
    return {'status': 'ok'}


def _engine_status(ctx):
    try:
        answer = rpcapi.EngineAPI(ctx.config).ping(
            ctx, timeout=ctx.config.api.status_engine_timeout)
    except exception.ServiceUnavailable as exc:
        LOG.error('Status: no engine answers: %s', exc)
        return {'status': 'unavailable', 'detail': exc.message}
    except Exception as exc:
        LOG.error('Status: no engine answers: %s', exc)
        return {'status': 'unavailable', 'detail': 'no engine answers'}
    result = {'status': 'ok'}
    for key in ('id', 'hosts'):
        if isinstance(answer, dict) and key in answer:
            result[key] = answer[key]
    return result


def _status(req):
    ctx = util.context(req)
    ctx.can(policies.SHOW)
    document = {'database': _database_status(ctx),
                'engine': _engine_status(ctx)}
    healthy = all(part['status'] == 'ok' for part in document.values())
    return (200 if healthy else 503), document


@webob.dec.wsgify
def show_status(req):
    """GET /v1/status: 200 or 503 with the state of each backend."""
    code, document = _status(req)
    return util.json_response(code, {'status': document})


@webob.dec.wsgify
def head_status(req):
    """HEAD /v1/status: 200 or 503, never 204."""
    code, _document = _status(req)
    return util.empty_response(code)
