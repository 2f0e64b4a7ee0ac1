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

"""A rack-first greedy: whole blocks of a stack scored rack by rack.

What a careful operator would script without an optimizer:

1. *Blocks*: servers an affinity group ties together (at host or rack
   level, nested groups included) must share a rack.
2. *Parts*: blocks joined by links, heaviest total bandwidth first, as
   long as no rack-level rule keeps them apart (two units of one
   rack-diversity group, a rack-exclusivity member and an outsider) and
   some rack has the free capacity of the whole part.
3. Parts are placed most constrained first (fewest racks where every
   server has a candidate host), then largest first. Each rack is tried
   by packing the part into its hosts with every hard rule applied
   (enabled hosts, zone, aggregate extra specs, capacity, affinity,
   diversity and exclusivity, running members of named groups included):
   best fit, preferring hosts already in use. The rack with the least
   cross-rack bandwidth to what is already placed wins, then the fewest
   empty hosts opened, then the least free RAM left in the rack.
4. A part no rack holds falls back to its blocks, each placed the same
   way in order (a lone server thus goes host by host: the host with the
   least added cross-rack bandwidth, then not opening an empty host, then
   best fit). When a block finds no rack, the greedy starts again from
   scratch with its part first, a few times, before it gives up.
"""

import collections

import numpy

from valet.tests import checker

RAM = 1
#: Fresh starts, each with the part that failed moved to the front.
RESTARTS = 8


def _hard_blocks(problem):
    """Lists of servers that an affinity group ties into one rack."""
    parent = dict((s, s) for s in problem.servers)

    def find(s):
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    for name in sorted(problem.groups):
        group = problem.groups[name]
        if group.type == 'affinity':
            leaves = problem.leaves(group)
            for server in leaves[1:]:
                parent[find(server)] = find(leaves[0])
    blocks = collections.OrderedDict()
    for server in sorted(problem.servers):
        blocks.setdefault(find(server), []).append(server)
    return list(blocks.values())


def _tokens(problem):
    """{server: {group: unit}} for the rules that keep racks apart."""
    found = collections.defaultdict(dict)
    for name in sorted(problem.groups):
        group = problem.groups[name]
        if group.level != 'rack':
            continue
        if group.type == 'diversity':
            units = [(s, [s]) for s in group.servers]
            units += [(sub, problem.leaves(problem.groups[
                problem.group_key(sub)])) for sub in group.subgroups]
            for unit, leaves in units:
                for server in leaves:
                    found[server][name] = unit
        elif group.type == 'exclusivity':
            members = set(problem.leaves(group))
            for server in problem.servers:
                found[server][name] = server in members
    return found


class _Part(object):
    """Blocks to try in one rack, and what keeps them from other parts."""

    def __init__(self, blocks, need, tokens):
        self.blocks = blocks
        self.need = need
        self.tokens = tokens

    @property
    def servers(self):
        return [s for block in self.blocks for s in block]

    def clashes(self, other):
        for name, units in self.tokens.items():
            if name in other.tokens and other.tokens[name] != units:
                return True
        return False

    def absorb(self, other):
        self.blocks += other.blocks
        self.need = self.need + other.need
        for name, units in other.tokens.items():
            self.tokens.setdefault(name, units)


class RackFirst(object):
    """One run of the rack-first greedy over a prepared host state."""

    def __init__(self, state):
        self.state = state
        self.problem = state.problem
        self.rack = state.dom['rack']
        self.n_racks = int(self.rack.max()) + 1 if len(self.rack) else 0
        self.links = list(self.problem.links())
        self.links_of = collections.defaultdict(list)
        for i, (ends_a, ends_b, _mbps) in enumerate(self.links):
            for server in set(ends_a + ends_b):
                self.links_of[server].append(i)
        self.racks_of = dict(
            (s, set(numpy.unique(self.rack[state.candidates(s)]).tolist()))
            for s in self.problem.servers)

    def _rack_free(self):
        free = numpy.maximum(self.state.free, 0) * \
            self.state.enabled[:, None]
        return numpy.stack([numpy.bincount(self.rack, weights=free[:, r],
                                           minlength=self.n_racks)
                            for r in range(3)], axis=1)

    def parts(self):
        """Blocks merged along the heaviest links (see the module doc)."""
        tokens = _tokens(self.problem)
        parts, owner = [], {}
        for block in _hard_blocks(self.problem):
            merged = {}
            for server in block:
                merged.update(tokens.get(server, {}))
                owner[server] = len(parts)
            parts.append(_Part([block], sum(
                (self.state.demand(s) for s in block), numpy.zeros(3)),
                merged))
        weight = collections.Counter()
        for ends_a, ends_b, mbps in self.links:
            ids = sorted(set(owner[s] for s in ends_a + ends_b))
            if len(ids) == 2:
                weight[tuple(ids)] += mbps
        biggest = self._rack_free()
        while weight:
            (a, b), _w = max(weight.items(),
                             key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))
            del weight[(a, b)]
            need = parts[a].need + parts[b].need
            if parts[a].clashes(parts[b]) or not numpy.any(numpy.all(
                    biggest + checker.EPSILON >= need, axis=1)):
                continue
            parts[a].absorb(parts[b])
            parts[b] = None
            for (x, y), w in list(weight.items()):
                if b in (x, y):
                    del weight[(x, y)]
                    other = y if x == b else x
                    if other != a:
                        weight[tuple(sorted((a, other)))] += w
        return [p for p in parts if p is not None]

    def _order(self, parts):
        def key(part):
            racks = set(range(self.n_racks))
            for server in part.servers:
                racks &= self.racks_of[server]
            return (len(racks), -part.need[RAM], part.servers[0])
        return sorted(parts, key=key)

    def _cross(self, servers, rack):
        """Mbps of links from ``servers`` (in ``rack``) leaving the rack."""
        total, seen = 0.0, set()
        placed = self.state.placed
        for server in servers:
            for i in self.links_of[server]:
                if i in seen:
                    continue
                seen.add(i)
                ends_a, ends_b, mbps = self.links[i]
                if any(s in placed and self.rack[placed[s]] != rack
                       for s in ends_a + ends_b):
                    total += mbps
        return total

    def _fill(self, servers, rack):
        """Pack ``servers`` into ``rack``; return the hosts used or None."""
        st = self.state
        inside = self.rack == rack
        done = []
        for server in sorted(servers, key=lambda s: -st.demand(s)[RAM]):
            mask = st.candidates(server) & inside & numpy.all(
                st.free + checker.EPSILON >= st.block_need(server), axis=1)
            if not mask.any():
                for placed in reversed(done):
                    st.unplace(placed)
                return None
            left = st.free[:, RAM] - st.demand(server)[RAM]
            key = numpy.where(mask, left + st.opens() * 1e12, numpy.inf)
            host = int(numpy.argmin(key))
            done.append(server)
            st.place(server, host)
        return done

    def place_part(self, servers):
        """Put ``servers`` in their best rack; False when none holds them."""
        st = self.state
        racks = set(range(self.n_racks))
        for server in servers:
            racks &= self.racks_of[server]
        need = sum((st.demand(s) for s in servers), numpy.zeros(3))
        room = self._rack_free()
        best = None
        for rack in sorted(racks):
            if not numpy.all(room[rack] + checker.EPSILON >= need):
                continue
            opens = st.opens()
            done = self._fill(servers, rack)
            if done is None:
                continue
            opened = len(set(st.placed[s] for s in done
                             if opens[st.placed[s]]))
            score = (self._cross(servers, rack), opened,
                     float(room[rack][RAM] - need[RAM]), rack)
            for server in reversed(done):
                st.unplace(server)
            if best is None or score < best:
                best = score
        if best is None:
            return False
        self._fill(servers, best[-1])
        return True

    def _attempt(self, ordered):
        """Place ``ordered`` parts; return the index of a part that failed."""
        for index, part in enumerate(ordered):
            if self.place_part(part.servers):
                continue
            blocks = [_Part([b], sum((self.state.demand(s) for s in b),
                                     numpy.zeros(3)), {})
                      for b in part.blocks]
            for block in self._order(blocks):
                if not self.place_part(block.servers):
                    self.failed = block.servers[0]
                    return index
        return None

    def run(self):
        """Place every server; return the server that found no host.

        When a part finds no rack, everything is undone and the greedy
        starts again with that part first (at most :data:`RESTARTS` times).
        """
        ordered = self._order(self.parts())
        for _restart in range(RESTARTS + 1):
            index = self._attempt(ordered)
            if index is None:
                return None
            for server in list(self.state.placed):
                self.state.unplace(server)
            if index == 0:
                break
            ordered.insert(0, ordered.pop(index))
        return self.failed
