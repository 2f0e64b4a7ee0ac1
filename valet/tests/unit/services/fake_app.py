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

"""A tiny WSGI application answering like Valet's API, for middleware tests.

* ``POST /v1/groups``: 201 with the request document wrapped in "group";
* ``GET /v1/groups/<name>``: 404 in the API-WG error shape;
* ``DELETE /v1/groups/<name>``: 403 in the API-WG error shape;
* ``GET /``: 200 with a versions document; ``HEAD /v1/status``: 200 empty;
* ``POST /v1/plans``: 200 with a plain text body.
"""

from oslo_serialization import jsonutils
import webob
import webob.dec


def _error(status, code, detail):
    body = {'errors': [{'status': status, 'code': code,
                        'title': webob.Response(status=status).status,
                        'detail': detail}]}
    return webob.Response(status=status, json_body=body)


@webob.dec.wsgify
def application(request):
    """Answer the handful of requests the middleware tests make."""
    path, method = request.path_info, request.method
    if path == '/v1/groups' and method == 'POST':
        group = jsonutils.loads(request.body)
        return webob.Response(status=201, json_body={'group': group})
    if path.startswith('/v1/groups/') and method == 'GET':
        return _error(404, 'valet.group.not_found',
                      "Group '%s' not found" % path.rsplit('/', 1)[1])
    if path.startswith('/v1/groups/') and method == 'DELETE':
        return _error(403, 'valet.policy.not_authorized',
                      'Policy does not allow valet:groups:delete to be '
                      'performed.')
    if path == '/v1/status' and method == 'HEAD':
        return webob.Response(status=200)
    if path == '/v1/plans' and method == 'POST':
        return webob.Response(status=200, text='planned',
                              content_type='text/plain')
    if path == '/':
        return webob.Response(json_body={'versions': [{'id': 'v1.0'}]})
    return _error(404, 'valet.not_found', 'No such path')
