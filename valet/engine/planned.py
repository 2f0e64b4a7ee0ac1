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

"""A stack planned against a view of the data center, before its commit.

What the engine's manager needs between the optimizer's answer and the
database: the placement rows, the generations the commit must find, the
API groups joined by id, and the errors that explain a refusal.
"""

from oslo_utils import uuidutils

from valet import exception


def invalid(error):
    """The optimizer's bad-input error as Valet's (400)."""
    return exception.Invalid(str(error))


def no_placement(result):
    """A NoPlacement whose message names the rule and the hosts excluded."""
    parts = []
    for rule, info in sorted((result.explanation or {}).items()):
        if not isinstance(info, dict):
            continue
        servers = ', '.join(info.get('servers', [])[:5])
        part = '%s excluded %s host(s)' % (rule,
                                           info.get('hosts_excluded', '?'))
        if servers:
            part += ' for %s' % servers
        parts.append(part)
    reason = result.reason or 'no host satisfies every rule'
    if parts:
        reason = '%s (%s)' % (reason, '; '.join(parts))
    return exception.NoPlacement(reason=reason)


def with_group_names(resources, groups):
    """Name API groups joined by id as they are named in the model.

    :raises GroupNotFound: ``metadata.valet.groups`` names a group the
        API does not know (a group joined that way must exist).
    """
    names = {g['id']: g['name'] for g in groups.values()}
    known = set(names) | set(names.values())
    fixed = {}
    for key, res in resources.items():
        props = res.get('properties') if isinstance(res, dict) else None
        if not isinstance(props, dict):
            fixed[key] = res
            continue
        props = dict(props)
        gname = props.get('group_name')
        if isinstance(gname, str) and gname in names:
            props['group_name'] = names[gname]
        metadata = props.get('metadata')
        valet = metadata.get('valet') if isinstance(metadata, dict) else None
        wanted = valet.get('groups') if isinstance(valet, dict) else None
        if isinstance(wanted, list):
            for gname in wanted:
                if isinstance(gname, str) and gname not in known:
                    raise exception.GroupNotFound(group=gname)
            props['metadata'] = dict(metadata, valet=dict(valet, groups=[
                names.get(g, g) if isinstance(g, str) else g
                for g in wanted]))
        fixed[key] = dict(res, properties=props)
    return fixed


def recorded(plan_id, row):
    """A placement row as the model cache records servers."""
    return {'id': row['orchestration_id'], 'plan_id': plan_id,
            'resource_id': None, 'host': row['location'],
            'vcpus': row['vcpus'], 'ram_mb': row['ram_mb'],
            'disk_gb': row['disk_gb'], 'groups': list(row['groups'])}


class Planned(object):
    """A stack planned against a view, ready to be committed."""

    def __init__(self, view, stack, result, resources):
        self.view = view
        self.stack = stack
        self.result = result
        self.resources = resources
        self.memberships = {}
        self.rack_exclusive = set()

    def host_of(self, name):
        """The host the result gives server ``name``."""
        return self.result.placements[name]['host']

    def placement(self, name):
        """The placement row of server ``name`` for the database."""
        server = self.stack.servers[name]
        where = self.result.placements[name]
        res = self.resources.get(server.key)
        metadata = res.get('metadata') if isinstance(res, dict) else None
        flavor = server.flavor
        return {'id': uuidutils.generate_uuid(), 'name': name,
                'orchestration_id': server.key, 'flavor': flavor.name,
                'vcpus': int(flavor.vcpus), 'ram_mb': int(flavor.ram_mb),
                'disk_gb': int(flavor.disk_gb),
                'location': where['host'], 'rack': where['rack'],
                'metadata': metadata if isinstance(metadata, dict) else {},
                'groups': sorted(self.memberships.get(name, ()))}

    def still_fits(self, view):
        """True if this plan holds as it is on a newer ``view``.

        After a commit conflict, a plan whose servers join no API group
        only depends on the others for capacity and exclusivity: when
        its hosts still have the room for its servers, and no exclusive
        group took their host or rack meanwhile, it is committed again
        as it is rather than searched for again (engines competing for
        the same hosts would otherwise collide round after round).
        """
        if self.memberships or view.topology is not self.view.topology:
            return False
        dc = view.datacenter
        need = {}
        for name, where in self.result.placements.items():
            h = dc.host_index[where['host']]
            need[h] = need.get(h, 0) + self.stack.servers[name].flavor.demand
        taken_hosts, taken_racks = set(), set()
        for group in dc.named_groups.values():
            if group.type == 'exclusivity' and len(group.servers):
                if group.level == 'host':
                    taken_hosts.update(group.hosts.tolist())
                else:
                    taken_racks.update(group.racks.tolist())
        for h, demand in need.items():
            if (not dc.enabled[h] or h in taken_hosts or
                    int(dc.host_rack[h]) in taken_racks or
                    (dc.free[h] < demand).any()):
                return False
        return True

    def moved_to(self, view):
        """This plan, to be committed against a newer view."""
        self.view = view
        return self

    def guard(self, names):
        """Generations the commit of servers ``names`` relies on."""
        dc = self.view.datacenter
        hosts = {self.host_of(n) for n in names}
        for rack in {self.result.placements[n]['rack']
                     for n in names if n in self.rack_exclusive}:
            # A rack-level exclusivity holds only if nothing else came
            # into any host of the rack meanwhile.
            hosts.update(dc.host_names[h]
                         for h in dc.rack_hosts[dc.rack_index[rack]])
        groups = {gid for n in names for gid in self.memberships.get(n, ())}
        return {
            'hosts': {h: self.view.generations.get(h, 0) for h in hosts},
            'groups': {gid: self.view.groups[gid]['generation']
                       for gid in groups},
        }
