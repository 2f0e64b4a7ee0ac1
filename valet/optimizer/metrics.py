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

"""Measures of a placement, shared by every optimizer and the benchmark."""

import numpy as np


def split_links(problem, where):
    """Per link, whether its servers are not all in one rack.

    One pass over every link's servers: a link is split when the lowest
    and the highest rack index of its servers differ.
    """
    if not len(problem.links):
        return np.zeros(0, dtype=bool)
    racks = problem.datacenter.host_rack[
        np.asarray(where)[problem.link_servers]]
    starts = problem.link_starts
    return (np.minimum.reduceat(racks, starts) !=
            np.maximum.reduceat(racks, starts))


def cross_rack_mbps(problem, where):
    """Bandwidth of the links whose servers are not all in one rack."""
    if not len(problem.links):
        return 0.0
    return float(problem.link_bandwidth[split_links(problem, where)].sum())


def evaluate(problem, where):
    """Metrics of the complete assignment ``where`` (server -> host).

    :returns: ``{"cross_rack_mbps", "hosts_used", "empty_hosts_opened"}``.
    """
    where = np.asarray(where, dtype=np.int64)
    hosts = np.unique(where[where >= 0])
    occupied = problem.datacenter.occupied
    bandwidth = cross_rack_mbps(problem, where)
    return {
        'cross_rack_mbps': int(bandwidth) if bandwidth == int(bandwidth)
        else bandwidth,
        'hosts_used': int(len(hosts)),
        'empty_hosts_opened': int(np.count_nonzero(~occupied[hosts])),
    }
