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

"""The version document, served at / and /v1 without authentication."""

import webob.dec

from valet.api import microversion
from valet.api import util


def version_document(req):
    """Return the versions document with links built from req."""
    return {
        'versions': [{
            'id': 'v1.0',
            'status': 'CURRENT',
            'links': [{'href': req.application_url + '/v1/', 'rel': 'self'}],
            'min_version': microversion.min_version_string(),
            'max_version': microversion.max_version_string(),
        }],
    }


@webob.dec.wsgify
def home(req):
    """GET / and GET /v1: the versions this service answers."""
    return util.json_response(200, version_document(req))
